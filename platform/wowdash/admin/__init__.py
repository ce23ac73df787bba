"""The web admin (Flask-Admin): login, roles, center-scoped views, audit log, dashboard, sandbox.

The public API for plugins (their ``wowdash_admin_views(admin, app)`` hookimpls):

- ``CenterScopedView``: base class of every view of center-owned rows; set ``permission`` (to see it) and
  ``edit_permission`` (to create, edit, delete, run actions). See docs/admin.md, "Scoping".
- ``has_permission(perm)`` / ``require_permission(perm)`` (aborts 403) / ``PERMISSIONS``.
- ``current_center_id()``: the staff member's center, None for the super admin (all centers).
- ``plugin_enabled(name)``: False when the staff member's center has not enabled plugin ``name`` (views set
  ``CenterScopedView.plugin`` instead; this is for a plugin's own routes).
- ``audit(action, target, details=None)``: adds an AuditLog row to ``db.session``; the caller commits.
- ``csrf_exempt(blueprint)``: for a blueprint that authenticates otherwise (provider callbacks).
"""
from __future__ import annotations

import os

from flask import Flask

from . import models  # noqa: F401  (StaffUser, AuditLog: registered on the metadata Alembic reads)
from .audit import audit
from .auth import csrf_exempt
from .dashboard import day_start_utc, month_start_utc
from .permissions import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    current_center_id,
    has_permission,
    plugin_enabled,
    require_permission,
)
from .scoping import CenterScopedView

__all__ = ["PERMISSIONS", "ROLE_PERMISSIONS", "CenterScopedView", "audit", "csrf_exempt", "current_center_id",
           "day_start_utc", "has_permission", "init_app", "month_start_utc", "plugin_enabled", "require_permission"]


def init_app(app: Flask) -> None:
    """Set up sign-in, CSRF, the admin and its views (core, then each plugin's) on ``app``."""
    from flask_admin import Admin
    from flask_admin.theme import Bootstrap4Theme
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import accounts, auth, views
    from .dashboard import DashboardView

    # Behind nginx (deploy/): the client address comes from X-Forwarded-For, for audit rows and logs.
    # The host is not taken from a header (a client could forge it where the proxy does not set it).
    proxies = int(app.config.get("PROXY_FIX_X_FOR", os.environ.get("PROXY_FIX_X_FOR", 1)))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    auth.init_app(app)
    views.register_assets(app)
    admin = Admin(app, name="WowDash", url="/admin",
                  index_view=DashboardView(name="Dashboard", url="/admin", endpoint="admin"),
                  theme=Bootstrap4Theme(base_template="wowdash_admin/base.html"))
    views.add_core_views(admin, app)
    app.extensions["wowdash"].plugins.hook.wowdash_admin_views(admin=admin, app=app)
    app.extensions["wowdash_admin"] = admin
    accounts.register_cli(app)
