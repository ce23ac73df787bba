"""StoredFile: one customer upload kept privately for an owner plugin's reference (e.g. an order draft)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wowdash import db
from wowdash.models import utcnow


class StoredFile(db.Model):
    """The bytes live under FILE_STORAGE_DIR at ``storage_key``; this row is the only way to reach them."""

    __tablename__ = "stored_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id", ondelete="SET NULL"))
    telegram_id: Mapped[int] = mapped_column(sa.BigInteger)
    owner: Mapped[str] = mapped_column(sa.String(64))
    reference: Mapped[str] = mapped_column(sa.String(128))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The customer's file name, kept as text only: never a path, always shown escaped.
    original_name: Mapped[str | None] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(8))
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    pages: Mapped[int]
    pages_estimated: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int]
    telegram_file_id: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_stored_files_owner_ref", "center_id", "owner", "reference"),)

    @property
    def display_name(self) -> str:
        return self.original_name or f"photo_{self.id}.{self.kind}"

    def as_hook_dict(self) -> dict:
        """The shape ``wowdash_files_collected`` hands to the owner."""
        return {"id": self.id, "name": self.display_name, "kind": self.kind, "pages": self.pages,
                "size": self.size, "telegram_file_id": self.telegram_file_id}

    def __str__(self) -> str:
        return self.display_name
