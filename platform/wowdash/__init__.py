"""WowDash: a multi-tenant Telegram bot platform. This module is the public surface for plugins."""
import pluggy

hookimpl = pluggy.HookimplMarker("wowdash")

from .context import UpdateContext  # noqa: E402
from .i18n import translated  # noqa: E402
from .tenancy import Tenant  # noqa: E402

__all__ = ["UpdateContext", "Tenant", "hookimpl", "translated", "create_app"]


def create_app(config=None):
    """The Flask app factory (imported lazily so plugins can import ``hookimpl`` cheaply)."""
    from .app import create_app as factory
    return factory(config)
