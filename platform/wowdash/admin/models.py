"""Admin tables: staff accounts (per center, or the super admin) and the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Center, utcnow

ROLES = ("owner", "manager", "staff")


class StaffUser(UserMixin, db.Model):
    """Someone who signs in to the admin: a center's owner, manager or staff, or the super admin."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    is_superadmin: Mapped[bool] = mapped_column(default=False)
    # None only for the super admin, who sees every center.
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default="staff")
    is_active: Mapped[bool] = mapped_column(default=True)  # type: ignore[assignment]
    last_login_at: Mapped[datetime | None]
    # Bumped when the password changes: sessions signed with an older value stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    center: Mapped[Center | None] = relationship()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 1}"

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditLog(db.Model):
    """Who did what, when, from which address: written in the same transaction as the change."""

    __tablename__ = "audit_logs"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    username: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target: Mapped[str] = mapped_column(sa.String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[StaffUser | None] = relationship()
    center: Mapped[Center | None] = relationship()
