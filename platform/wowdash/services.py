"""Helpers for plugins acting outside an update (admin actions, providers): bot, texts, hooks."""
from __future__ import annotations

from typing import Any

from flask import current_app

from . import tenancy
from .telegram.client import BotClient


def bot_for(center_id: int, transport: str = "telegram") -> BotClient:
    """A center's outbound client: calls are queued in the session and sent after its commit."""
    return BotClient(center_id, transport)


def gettext(key: str, language: str | None, **params: Any) -> str:
    return current_app.extensions["wowdash"].catalog.gettext(key, language, **params)


def hooks_for(tenant: tenancy.Tenant | int):
    """The hook proxy of a center (only the plugins enabled there)."""
    if isinstance(tenant, int):
        tenant = tenancy.by_id(tenant)
    return current_app.extensions["wowdash"].plugins.hooks_for(tenant.enabled_plugins)


def tenant(center_id: int) -> tenancy.Tenant | None:
    return tenancy.by_id(center_id)
