"""Order plugin tables: the catalog per center/branch, orders with frozen prices, and their history."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wowdash import db, translated
from wowdash.models import Branch, Center, Customer, utcnow

PRICING = ("per_page", "fixed")


def _center_fk() -> Any:
    return mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)


def _category_fk() -> Any:
    return mapped_column(sa.ForeignKey("order_categories.id", ondelete="CASCADE"), index=True)


class Named:
    """Catalog rows: a default ``name`` plus ``name_i18n`` (``{"uz": ..., "ru": ..., "en": ...}``)."""

    def title(self, language: str | None) -> str:
        return translated(self.name_i18n, language, self.name)

    def __str__(self) -> str:
        return self.name


class Category(Named, db.Model):
    """A kind of service: priced per page (translations) or fixed per document (apostille, copies)."""

    __tablename__ = "order_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = _center_fk()
    # None: offered at every branch of the center.
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id", ondelete="CASCADE"),
                                                  index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_i18n: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    pricing: Mapped[str] = mapped_column(sa.String(16), default="per_page")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    center: Mapped[Center] = relationship()
    branch: Mapped[Branch | None] = relationship()
    products: Mapped[list[Product]] = relationship(back_populates="category", cascade="all, delete-orphan",
                                                   order_by="Product.position, Product.id")
    languages: Mapped[list[Language]] = relationship(back_populates="category", cascade="all, delete-orphan",
                                                     order_by="Language.position, Language.id")
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)


class Product(Named, db.Model):
    """A document type with its prices in so'm; agency columns empty mean "same as everyone"."""

    __tablename__ = "order_products"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = _center_fk()
    category_id: Mapped[int] = _category_fk()
    code: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_i18n: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    first_page_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    other_page_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    copy_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    agency_first_page_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_other_page_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_copy_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    estimated_days: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    center: Mapped[Center] = relationship()
    category: Mapped[Category] = relationship(back_populates="products")
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)


class Language(Named, db.Model):
    """A target language of a category, with surcharges added to the product's prices."""

    __tablename__ = "order_languages"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = _center_fk()
    category_id: Mapped[int] = _category_fk()
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_i18n: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    first_page_surcharge: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    other_page_surcharge: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    copy_surcharge: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    agency_first_page_surcharge: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_other_page_surcharge: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_copy_surcharge: Mapped[int | None] = mapped_column(sa.BigInteger)
    extra_days: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    center: Mapped[Center] = relationship()
    category: Mapped[Category] = relationship(back_populates="languages")
    __table_args__ = (sa.UniqueConstraint("center_id", "category_id", "code"),)


class OrderCounter(db.Model):
    """One row per center: the last order number handed out (bumped with UPDATE ... RETURNING)."""

    __tablename__ = "order_counters"
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Order(db.Model):
    """A placed order. Names, unit prices and the breakdown are frozen copies, never re-read from the
    catalog."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = _center_fk()
    number: Mapped[int]
    # One order per wizard run: the draft id the bot kept in the conversation state.
    draft_key: Mapped[str | None] = mapped_column(sa.String(40))
    source: Mapped[str] = mapped_column(sa.String(16), default="bot")
    status: Mapped[str] = mapped_column(sa.String(32), default="pending", index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id", ondelete="SET NULL"),
                                                  index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id", ondelete="SET NULL"),
                                                    index=True)
    customer_name: Mapped[str | None] = mapped_column(sa.String(200))
    customer_phone: Mapped[str | None] = mapped_column(sa.String(32))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_categories.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_products.id", ondelete="SET NULL"))
    language_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_languages.id", ondelete="SET NULL"))
    # Frozen at order time: {"category": {...}, "product": {...}, "language": {...}} translated names.
    names: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    pricing: Mapped[str] = mapped_column(sa.String(16), default="per_page")
    pages: Mapped[int] = mapped_column(default=1)
    copies: Mapped[int] = mapped_column(default=0)
    agency: Mapped[bool] = mapped_column(default=False)
    unit_prices: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    base_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    fees_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    override_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    paid: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    accepted_full: Mapped[bool] = mapped_column(default=False)
    payment_state: Mapped[str] = mapped_column(sa.String(16), default="unpaid", index=True)
    pay_at_pickup: Mapped[bool] = mapped_column(default=False)
    estimated_days: Mapped[int | None]
    due_at: Mapped[datetime | None]
    # Staff accounts live in the admin core (staff_users); kept as plain ids so this plugin stays independent.
    assignee_id: Mapped[int | None] = mapped_column(index=True)
    assignee_name: Mapped[str | None] = mapped_column(sa.String(200))
    completed_by: Mapped[str | None] = mapped_column(sa.String(200))
    completed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    staff_posted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    center: Mapped[Center] = relationship()
    branch: Mapped[Branch | None] = relationship()
    customer: Mapped[Customer | None] = relationship()
    files: Mapped[list[OrderFile]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderFile.position")
    status_changes: Mapped[list[OrderStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="OrderStatusChange.id")
    fees: Mapped[list[OrderFee]] = relationship(cascade="all, delete-orphan", order_by="OrderFee.id")
    price_overrides: Mapped[list[OrderPriceOverride]] = relationship(
        cascade="all, delete-orphan", order_by="OrderPriceOverride.id")
    payments: Mapped[list[OrderPayment]] = relationship(cascade="all, delete-orphan",
                                                        order_by="OrderPayment.id")

    __table_args__ = (sa.UniqueConstraint("center_id", "number"),
                      sa.UniqueConstraint("center_id", "draft_key"))

    @property
    def remaining(self) -> int:
        return 0 if self.accepted_full else max(self.total - self.paid, 0)

    def title(self, language: str | None) -> str:
        return " / ".join(translated(self.names.get(part), language, "")
                          for part in ("category", "product", "language") if self.names.get(part))

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderFile(db.Model):
    """A file the customer sent with the order: the metadata the file-upload plugin handed over."""

    __tablename__ = "order_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = _center_fk()
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    file_ref: Mapped[str | None] = mapped_column(sa.String(64))  # the file plugin's stored file id
    name: Mapped[str | None] = mapped_column(sa.String(255))
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    pages: Mapped[int] = mapped_column(default=1)
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    telegram_file_id: Mapped[str | None] = mapped_column(sa.String(255))

    order: Mapped[Order] = relationship(back_populates="files")


class _History:
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderStatusChange(_History, db.Model):
    __tablename__ = "order_status_changes"
    center_id: Mapped[int] = _center_fk()
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    old: Mapped[str | None] = mapped_column(sa.String(32))
    new: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class OrderFee(_History, db.Model):
    """An extra fee staff added (urgent work, notarisation...), always with a reason."""

    __tablename__ = "order_fees"
    center_id: Mapped[int] = _center_fk()
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.Text)


class OrderPriceOverride(_History, db.Model):
    """A manual price: the total before and after (None after = override removed)."""

    __tablename__ = "order_price_overrides"
    center_id: Mapped[int] = _center_fk()
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    old_total: Mapped[int] = mapped_column(sa.BigInteger)
    new_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.Text)


class OrderPayment(_History, db.Model):
    """A payment the payment plugin recorded; unique per payment id, so it is never counted twice."""

    __tablename__ = "order_payments"
    center_id: Mapped[int] = _center_fk()
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payment_ref: Mapped[str] = mapped_column(sa.String(64))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    method: Mapped[str | None] = mapped_column(sa.String(32))
    full: Mapped[bool] = mapped_column(default=False)
    __table_args__ = (sa.UniqueConstraint("center_id", "payment_ref"),)
