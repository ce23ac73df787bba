"""Payment services for the admin (and providers): verify or reject a receipt, record a payment.

Outside an update: each function adds its rows to ``db.session`` and queues its messages with the
center's bot; the caller commits (with its audit row), and the messages go out after that commit.
Who tells the customer: on a payment (verify, record) the order plugin's ``wowdash_payment_recorded``
sends the one message (new paid/remaining and status); on a rejection this module sends it.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from wowdash import PrivateFiles, bot_for, db, gettext, hooks_for, tenant
from wowdash.models import Customer, utcnow

from .models import PENDING, REJECTED, VERIFIED, Payment, Receipt

STORE = PrivateFiles("receipts", Receipt.storage_key)  # FILE_STORAGE_DIR/receipts/<center_id>/<random hex>
METHODS = ("cash", "card")


class PaymentError(ValueError):
    """The action is refused (unknown row, already decided, bad amount); nothing was written or sent."""


class AlreadyDecided(PaymentError):
    """The receipt was verified or rejected before: a second decision changes and sends nothing."""


def actor_label(actor: Any) -> str | None:
    if actor is None:
        return None
    return str(getattr(actor, "username", None) or actor)[:200]


def positive_amount(amount: Any) -> int:
    try:
        value = int(str(amount).replace(" ", "").replace(",", ""))
    except (TypeError, ValueError):
        raise PaymentError("the amount must be a whole number") from None
    if value <= 0:
        raise PaymentError("the amount must be more than zero")
    return value


def order_info(center_id: int, order_id: int) -> dict | None:
    center = tenant(center_id)
    if center is None:
        return None
    order = hooks_for(center).wowdash_order_info(tenant=center, order_id=order_id)
    return order if order and order.get("center_id", center_id) == center_id else None


def _receipt(receipt_id: Any, center_id: int | None) -> Receipt:
    """The receipt, locked for the decision; another center's receipt does not exist (center None: any)."""
    query = sa.select(Receipt).where(Receipt.id == int(receipt_id)).with_for_update()
    if center_id is not None:
        query = query.where(Receipt.center_id == center_id)
    receipt = db.session.scalar(query)
    if receipt is None:
        raise PaymentError("no such receipt")
    if receipt.status != PENDING:
        raise AlreadyDecided(f"this receipt was already {receipt.status}")
    return receipt


def verify_receipt(receipt_id: Any, amount: Any, actor: Any, center_id: int | None, *,
                   full: bool = False) -> Payment:
    """The transfer arrived: record ``amount`` (may be less than claimed; ``full`` accepts it as paying
    the order in full — the admin checks ``payments.accept_full`` before passing it)."""
    receipt = _receipt(receipt_id, center_id)
    value = positive_amount(amount)
    receipt.status, receipt.verified_amount = VERIFIED, value
    receipt.verified_by, receipt.decided_at = actor_label(actor), utcnow()
    return _record(receipt.center_id, receipt.order_id, value, "card", actor, full, receipt=receipt,
                   number=receipt.order_number)


def reject_receipt(receipt_id: Any, reason: str, actor: Any, center_id: int | None) -> Receipt:
    """Not accepted: the customer is told ``reason`` once, with a button to pay again."""
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise PaymentError("give the customer a reason")
    receipt = _receipt(receipt_id, center_id)
    receipt.status, receipt.reason = REJECTED, reason
    receipt.verified_by, receipt.decided_at = actor_label(actor), utcnow()
    order = order_info(receipt.center_id, receipt.order_id) or {}
    language = order.get("language") or _language(receipt)
    bot_for(receipt.center_id).send_message(
        chat_id=receipt.telegram_id,
        text=gettext("payments.rejected", language, number=receipt.order_number or receipt.order_id,
                     reason=reason),
        reply_markup={"inline_keyboard": [[{"text": gettext("payments.button.pay_again", language),
                                            "callback_data": f"pay:show:{receipt.order_id}"}]]})
    db.session.flush()
    return receipt


def record_payment(center_id: int, order_id: Any, amount: Any, method: str, actor: Any, full: bool = False, *,
                   note: str | None = None, request_key: str | None = None) -> Payment:
    """Money received outside the bot (cash at the branch, or a provider); partial amounts are fine."""
    if not method or len(method) > 32:
        raise PaymentError("unknown payment method")
    value = positive_amount(amount)
    try:
        order = order_info(center_id, int(order_id))
    except (TypeError, ValueError):
        order = None
    if order is None:
        raise PaymentError("no such order in this center")
    if request_key and db.session.scalar(sa.select(Payment.id).where(Payment.request_key == request_key)):
        raise AlreadyDecided("this form was already submitted")
    return _record(center_id, order["id"], value, method, actor, full, number=order.get("number"),
                   note=note, request_key=request_key)


def _record(center_id: int, order_id: int, amount: int, method: str, actor: Any, full: bool, *,
            receipt: Receipt | None = None, number: int | None = None, note: str | None = None,
            request_key: str | None = None) -> Payment:
    payment = Payment(center_id=center_id, order_id=order_id, order_number=number, amount=amount,
                      method=method, full=bool(full), receipt=receipt, actor=actor_label(actor), note=note,
                      request_key=request_key)
    db.session.add(payment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same receipt or form recorded concurrently
        raise AlreadyDecided("this payment was already recorded") from None
    hooks_for(center_id).wowdash_payment_recorded(
        tenant=tenant(center_id), order_id=order_id,
        payment={"id": payment.id, "amount": amount, "method": method, "full": bool(full),
                 "actor": actor_label(actor)})
    return payment


def _language(receipt: Receipt) -> str | None:
    customer = db.session.get(Customer, receipt.customer_id) if receipt.customer_id else None
    return customer.language if customer else None
