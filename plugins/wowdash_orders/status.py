"""The order status machine: ONE transition table that every path (bot, admin, payments) goes through."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import wowdash
from wowdash import db, gettext
from wowdash.models import utcnow

from . import service
from .models import Order, OrderPayment, OrderStatusChange

PENDING, PAYMENT_PENDING, PAYMENT_RECEIVED = "pending", "payment_pending", "payment_received"
PAYMENT_CONFIRMED, IN_PROGRESS, READY = "payment_confirmed", "in_progress", "ready"
COMPLETED, CANCELLED = "completed", "cancelled"
STATUSES = (PENDING, PAYMENT_PENDING, PAYMENT_RECEIVED, PAYMENT_CONFIRMED, IN_PROGRESS, READY, COMPLETED,
            CANCELLED)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    PENDING: (PAYMENT_PENDING, PAYMENT_RECEIVED, PAYMENT_CONFIRMED, IN_PROGRESS, CANCELLED),
    PAYMENT_PENDING: (PENDING, PAYMENT_RECEIVED, PAYMENT_CONFIRMED, IN_PROGRESS, CANCELLED),
    PAYMENT_RECEIVED: (PAYMENT_CONFIRMED, IN_PROGRESS, CANCELLED),
    PAYMENT_CONFIRMED: (IN_PROGRESS, CANCELLED),
    IN_PROGRESS: (READY, CANCELLED),
    READY: (COMPLETED, IN_PROGRESS, CANCELLED),
    COMPLETED: (),
    # Reactivation: back to where a cancelled order can sensibly resume.
    CANCELLED: (PENDING, PAYMENT_RECEIVED, PAYMENT_CONFIRMED, IN_PROGRESS),
}
# Statuses a payment may still move forward (later ones keep their status; only the amounts change).
PAYABLE = (PENDING, PAYMENT_PENDING, PAYMENT_RECEIVED)
OPEN = tuple(s for s in STATUSES if s not in (COMPLETED, CANCELLED))


class IllegalTransition(ValueError):
    """The transition table does not allow this move."""

    def __init__(self, old: str, new: str):
        allowed = ", ".join(TRANSITIONS.get(old, ())) or "none"
        super().__init__(f"an order cannot go from {old!r} to {new!r} (allowed from {old!r}: {allowed})")
        self.old, self.new = old, new


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def can_change(old: str, new: str) -> bool:
    return new in allowed_next(old)


def record_initial(order: Order, actor: Any = None) -> None:
    db.session.add(OrderStatusChange(center_id=order.center_id, order_id=order.id, old=None, new=order.status,
                                     actor=service.actor_label(actor)))


def change_status(order: Order | int, new: str, actor: Any = None, reason: str | None = None, *,
                  notify: bool = True, bot=None) -> Order:
    """Move ``order`` to ``new`` along the table; history, hook and one customer message (after commit).

    Raises IllegalTransition for a move the table does not allow (including "to the same status").
    """
    if isinstance(order, int):
        order = db.session.get(Order, order)
        if order is None:
            raise LookupError("no such order")
    old = order.status
    if not can_change(old, new):
        raise IllegalTransition(old, new)
    order.status = new
    if new == COMPLETED:
        order.completed_at, order.completed_by = utcnow(), service.actor_label(actor)
    db.session.add(OrderStatusChange(center_id=order.center_id, order_id=order.id, old=old, new=new,
                                     actor=service.actor_label(actor), reason=reason))
    db.session.flush()
    tenant = wowdash.tenant(order.center_id)
    wowdash.hooks_for(tenant).wowdash_order_status_changed(
        tenant=tenant, order=service.order_dict(order, tenant), old=old, new=new, actor=actor)
    if notify:
        service.notify_customer(order, lambda lang: status_text(order, lang), bot)
    return order


def status_text(order: Order, language: str) -> str:
    return gettext("orders.notify.status", language, number=order.number,
                   status=service.status_label(order.status, language))


def record_payment(tenant, order_id: Any, payment: dict[str, Any]) -> Order | None:
    """``wowdash_payment_recorded``: count a payment once, move the status, tell the customer once."""
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        return None
    order = db.session.scalar(sa.select(Order).where(Order.id == order_id, Order.center_id == tenant.id)
                              .with_for_update())
    if order is None:
        return None
    ref = str(payment.get("id"))
    seen = db.session.scalar(sa.select(OrderPayment.id).where(OrderPayment.center_id == tenant.id,
                                                              OrderPayment.payment_ref == ref))
    if seen is not None:
        return order  # the same payment reported again: counted once
    amount, full = int(payment.get("amount") or 0), bool(payment.get("full"))
    order.payments.append(OrderPayment(center_id=tenant.id, payment_ref=ref, amount=amount,
                                       method=payment.get("method"), full=full,
                                       actor=service.actor_label(payment.get("actor"))))
    order.paid += amount
    order.accepted_full = order.accepted_full or full
    service.update_payment_state(order)
    target = PAYMENT_CONFIRMED if order.payment_state == "paid" else PAYMENT_RECEIVED if order.paid else None
    if target and order.status in PAYABLE and can_change(order.status, target):
        change_status(order, target, actor=payment.get("actor"), reason=f"payment {ref}", notify=False)
    service.notify_customer(order, lambda lang: payment_text(order, amount, lang))
    return order


def payment_text(order: Order, amount: int, language: str) -> str:
    money = service.money
    return gettext("orders.notify.payment", language, number=order.number, amount=money(amount, language),
                   paid=money(order.paid, language), remaining=money(order.remaining, language),
                   status=service.status_label(order.status, language))
