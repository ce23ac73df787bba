"""Receipts customers send for card transfers, and the payments staff or providers record."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wowdash import db
from wowdash.models import Branch, Center, Customer, utcnow

PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"


class Receipt(db.Model):
    """A photo of a card transfer, waiting for staff to verify (with the amount received) or reject it.

    The image lives privately under FILE_STORAGE_DIR/receipts at ``storage_key``; only the admin's
    authenticated route serves it. Orders are another plugin's table, so ``order_id`` is a plain id.
    """

    __tablename__ = "payment_receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    order_number: Mapped[int | None] = mapped_column(sa.BigInteger)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id", ondelete="SET NULL"))
    telegram_id: Mapped[int] = mapped_column(sa.BigInteger)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id", ondelete="SET NULL"))
    amount_claimed: Mapped[int] = mapped_column(sa.BigInteger)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    telegram_file_id: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(16), default=PENDING, index=True)
    verified_by: Mapped[str | None] = mapped_column(sa.String(200))
    verified_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    center: Mapped[Center] = relationship()
    customer: Mapped[Customer | None] = relationship()
    branch: Mapped[Branch | None] = relationship()

    def __str__(self) -> str:
        return f"receipt #{self.id}"


class Payment(db.Model):
    """Money received for an order: reported once to the order plugin (``wowdash_payment_recorded``)."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    order_number: Mapped[int | None] = mapped_column(sa.BigInteger)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    method: Mapped[str] = mapped_column(sa.String(32))
    full: Mapped[bool] = mapped_column(default=False)
    # One payment per receipt, even if two staff members press verify at the same moment.
    receipt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("payment_receipts.id", ondelete="SET NULL"), unique=True)
    # A form's one-time key: the same submission posted twice records one payment.
    request_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    actor: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    center: Mapped[Center] = relationship()
    receipt: Mapped[Receipt | None] = relationship()

    def __str__(self) -> str:
        return f"payment #{self.id}"
