"""The tenant registry: centers read from the database, so changes apply without a restart."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import Center


@dataclass(frozen=True)
class Tenant:
    """A read-only snapshot of one center, handed to the dispatcher and plugins."""

    id: int
    slug: str
    name: str
    token: str | None = field(repr=False)
    token_fingerprint: str | None = field(repr=False)
    webhook_secret: str = field(repr=False)
    bot_username: str | None
    is_active: bool
    healthy: bool
    languages: tuple[str, ...]
    default_language: str
    enabled_plugins: frozenset[str] | None
    settings: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def plugin_settings(self, plugin: str) -> dict[str, Any]:
        return dict(self.settings.get(plugin) or {})

    def plugin_enabled(self, plugin: str) -> bool:
        return self.enabled_plugins is None or plugin in self.enabled_plugins


def cipher():
    return current_app.extensions["wowdash"].cipher


def to_tenant(center: Center) -> Tenant:
    token = cipher().decrypt(center.token_encrypted) if center.token_encrypted else None
    return Tenant(
        id=center.id, slug=center.slug, name=center.name, token=token,
        token_fingerprint=center.token_fingerprint, webhook_secret=center.webhook_secret,
        bot_username=center.bot_username, is_active=center.is_active, healthy=center.healthy,
        languages=tuple(center.languages or ("uz",)), default_language=center.default_language or "uz",
        enabled_plugins=None if center.enabled_plugins is None else frozenset(center.enabled_plugins),
        settings=dict(center.plugin_settings or {}),
    )


def by_slug(slug: str) -> Tenant | None:
    center = db.session.scalar(sa.select(Center).where(Center.slug == slug))
    return to_tenant(center) if center else None


def by_id(center_id: int) -> Tenant | None:
    center = db.session.get(Center, center_id)
    return to_tenant(center) if center else None


def active() -> list[Tenant]:
    centers = db.session.scalars(sa.select(Center).where(Center.is_active.is_(True)).order_by(Center.id))
    return [to_tenant(c) for c in centers]


class DuplicateToken(ValueError):
    """Another center already uses this bot token."""


def set_token(center: Center, token: str | None) -> None:
    """Store ``token`` encrypted; refuse one another center uses (checked by fingerprint)."""
    if not token:
        center.token_encrypted = center.token_fingerprint = None
        return
    token = token.strip()
    fp = cipher().fingerprint(token)
    other = db.session.scalar(sa.select(Center.id).where(Center.token_fingerprint == fp, Center.id != center.id))
    if other is not None:
        raise DuplicateToken("this bot token is already used by another center")
    if fp != center.token_fingerprint:
        center.token_encrypted = cipher().encrypt(token)
        center.token_fingerprint = fp
        center.healthy = True
        center.last_error = None


def new_webhook_secret() -> str:
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
    return secrets.token_urlsafe(32)


def create_center(slug: str, name: str, token: str | None = None, **fields: Any) -> Center:
    center = Center(slug=slug, name=name, webhook_secret=new_webhook_secret(), **fields)
    db.session.add(center)
    set_token(center, token)
    db.session.flush()
    return center


def mark_unhealthy(center_id: int, error: str) -> None:
    """Record a center's bot failure (e.g. a revoked token) without touching any other center."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(Center).where(Center.id == center_id).values(healthy=False, last_error=error[:500]))


def touch(center_id: int) -> None:
    from .models import utcnow
    with db.engine.begin() as conn:
        conn.execute(sa.update(Center).where(Center.id == center_id).values(last_update_at=utcnow()))
