"""Core tables: centers and their branches, customers, processed updates, outbound messages."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Center(db.Model):
    """A tenant: one service center with its own bot."""

    __tablename__ = "centers"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    token_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    # HMAC of the token: unique even though the ciphertext is randomised.
    token_fingerprint: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    bot_username: Mapped[str | None] = mapped_column(sa.String(64))
    webhook_secret: Mapped[str] = mapped_column(sa.String(128))
    is_active: Mapped[bool] = mapped_column(default=True)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["uz", "ru", "en"])
    default_language: Mapped[str] = mapped_column(sa.String(8), default="uz")
    # None means every installed plugin; a list names the ones switched on for this center.
    enabled_plugins: Mapped[list[str] | None] = mapped_column(sa.JSON)
    plugin_settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    contacts: Mapped[str | None] = mapped_column(sa.Text)
    healthy: Mapped[bool] = mapped_column(default=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_update_at: Mapped[datetime | None]
    webhook_url_set: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    branches: Mapped[list[Branch]] = relationship(back_populates="center", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class Branch(db.Model):
    """A center's office: where customers pick up, and where card transfers go."""

    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_i18n: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    address: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    map_url: Mapped[str | None] = mapped_column(sa.String(500))
    card_number: Mapped[str | None] = mapped_column(sa.String(32))
    card_holder: Mapped[str | None] = mapped_column(sa.String(200))
    staff_chat_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    is_active: Mapped[bool] = mapped_column(default=True)

    center: Mapped[Center] = relationship(back_populates="branches")
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    def __str__(self) -> str:
        return self.name


class Customer(db.Model):
    """One per Telegram user per center: the same person in two centers is two customers."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    telegram_id: Mapped[int] = mapped_column(sa.BigInteger)
    username: Mapped[str | None] = mapped_column(sa.String(64))
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id", ondelete="SET NULL"))
    is_agency: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    branch: Mapped[Branch | None] = relationship()
    __table_args__ = (sa.UniqueConstraint("center_id", "telegram_id"),)

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None

    def __str__(self) -> str:
        return self.full_name or f"#{self.telegram_id}"


class ProcessedUpdate(db.Model):
    """The dedupe record: written in the same transaction as the update's business effects."""

    __tablename__ = "processed_updates"
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    update_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    outcome: Mapped[str] = mapped_column(sa.String(32))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxMessage(db.Model):
    """A Bot API call to make after the commit (transactional outbox): retried, never lost silently."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    method: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    transport: Mapped[str] = mapped_column(sa.String(16), default="telegram")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class BotState(db.Model):
    """Conversation state for the SQL state store (the embedded default)."""

    __tablename__ = "bot_states"
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    flow: Mapped[str | None] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
