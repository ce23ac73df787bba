"""Register a center's webhook (and command menu) with Telegram: `flask setup-webhooks`, admin saves."""
from __future__ import annotations

import logging

from flask import current_app

from .. import tenancy
from ..logs import redact
from . import api

log = logging.getLogger(__name__)


def webhook_url(base_url: str, tenant: tenancy.Tenant) -> str:
    return f"{base_url.rstrip('/')}/tg/{tenant.slug}"


def allowed_updates(tenant: tenancy.Tenant) -> list[str]:
    hook = current_app.extensions["wowdash"].plugins.hooks_for(tenant.enabled_plugins)
    kinds = {kind for result in hook.wowdash_allowed_updates(tenant=tenant) for kind in result or []}
    return sorted(kinds)


def set_webhook(tenant: tenancy.Tenant, base_url: str) -> str | None:
    """Point Telegram at our webhook; returns an error text (redacted) or None. Call outside transactions."""
    if not tenant.token:
        return "center has no bot token"
    bot = api.bot_for(tenant.id, tenant.token, tenant.token_fingerprint)
    url = webhook_url(base_url, tenant)
    try:
        bot.set_webhook(url=url, secret_token=tenant.webhook_secret, allowed_updates=allowed_updates(tenant),
                        drop_pending_updates=False)
        hook = current_app.extensions["wowdash"].plugins.hooks_for(tenant.enabled_plugins)
        from telebot.types import BotCommand
        for language in tenant.languages:
            commands = [BotCommand(c, d) for result in hook.wowdash_bot_commands(tenant=tenant, language=language)
                        for c, d in result or []]
            if commands:
                bot.set_my_commands(commands, language_code=language)
    except Exception as exc:
        error = redact(str(exc))
        log.warning("center %s: setWebhook failed: %s", tenant.slug, error)
        if getattr(exc, "error_code", None) == 401:
            tenancy.mark_unhealthy(tenant.id, "Bot API answered 401 Unauthorized")
        return error
    from sqlalchemy import update

    from ..extensions import db
    from ..models import Center
    with db.engine.begin() as conn:
        conn.execute(update(Center).where(Center.id == tenant.id).values(webhook_url_set=url))
    return None


def webhook_info(tenant: tenancy.Tenant) -> dict:
    """getWebhookInfo for the admin's health view (url, pending updates, last error)."""
    if not tenant.token:
        return {"error": "no bot token"}
    try:
        info = api.bot_for(tenant.id, tenant.token, tenant.token_fingerprint).get_webhook_info()
    except Exception as exc:
        return {"error": redact(str(exc))}
    return {"url": info.url, "pending_update_count": info.pending_update_count,
            "last_error_message": info.last_error_message, "last_error_date": info.last_error_date}
