"""Platform -> Plugins: every installed plugin, its distribution version and the hooks it implements."""
from __future__ import annotations

from importlib import metadata

from flask import abort, current_app, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from ..plugins import ENTRY_POINT_GROUP, ESSENTIAL_PLUGINS


def plugin_rows() -> list[dict]:
    """One row per registered plugin (datasette's /-/plugins), for operators and plugin authors."""
    pm = current_app.extensions["wowdash"].plugins
    versions = {}
    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                versions[ep.name] = (dist.metadata["Name"], dist.version)
    rows = []
    for name, plugin in sorted(pm.list_name_plugin()):
        if plugin is None:
            rows.append({"name": name, "package": "", "version": "", "hooks": [], "blocked": True,
                         "essential": False})
            continue
        package, version = versions.get(name, ("", ""))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "package": package, "version": version, "hooks": hooks, "blocked": False,
                     "essential": name in ESSENTIAL_PLUGINS})
    return rows


class PluginsView(BaseView):
    """Read-only, for the super admin: what this deployment runs."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.is_active and current_user.is_superadmin

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin_auth.login", next=request.full_path))
        abort(403)

    @expose("/")
    def index(self):
        return self.render("wowdash_admin/plugins.html", rows=plugin_rows())
