"""WowDash: a multi-tenant Telegram bot platform. This module is the public surface for plugins.

Plugins import from here (and ``wowdash.models`` / ``wowdash.admin`` for tables and admin views),
never from each other.
"""
import pluggy

hookimpl = pluggy.HookimplMarker("wowdash")

from .context import UpdateContext  # noqa: E402
from .extensions import db  # noqa: E402
from .i18n import translated  # noqa: E402
from .private_files import PrivateFiles  # noqa: E402
from .services import bot_for, gettext, hooks_for, tenant  # noqa: E402
from .tenancy import Tenant  # noqa: E402

__all__ = ["PrivateFiles", "UpdateContext", "Tenant", "bot_for", "create_app", "db", "gettext", "hookimpl",
           "hooks_for", "tenant", "translated"]


def create_app(config=None):
    """The Flask app factory (imported lazily so plugins can import ``hookimpl`` cheaply)."""
    from .app import create_app as factory
    return factory(config)
