"""Paying an order in the bot: choose a method, see the card, send the receipt photo.

Every ``pay:`` button carries the order id and is checked against the order plugin
(``wowdash_order_info``): an order of another customer or center is refused, never changed.
"""
from __future__ import annotations

import logging
import re

import filetype
import sqlalchemy as sa

from wowdash import db
from wowdash.models import Branch

from .models import Receipt
from .service import STORE

log = logging.getLogger(__name__)

FLOW = "payments"
NS = "wowdash_payments"
RECONCILE = "wowdash_payments.keys"  # ctx.extras: receipt images to check after the commit
DEFAULTS = {"methods": ["cash", "card"], "receipt_max_bytes": 10 * 1024 * 1024}
IMAGE_KINDS = {"jpg": "image/jpeg", "png": "image/png", "heic": "image/heic"}
PROVIDER_CODE = re.compile(r"^[a-z0-9_]{1,24}$")


def settings(ctx) -> dict:
    return {**DEFAULTS, **ctx.settings(NS)}


def money(ctx, amount, language: str | None = None) -> str:
    currency = ctx.catalog.gettext("payments.currency", language) if language else ctx.t("payments.currency")
    return f"{int(amount or 0):,}".replace(",", " ") + " " + currency


def button(text: str, data: str) -> dict:
    return {"text": text, "callback_data": data}


# --- offering --------------------------------------------------------------------------------------

def start_payment(ctx, order: dict) -> bool:
    show_methods(ctx, order)
    return True


def show_methods(ctx, order: dict) -> None:
    if order.get("remaining", 0) <= 0:
        ctx.reply(ctx.t("payments.nothing_to_pay", number=order["number"]))
        return
    oid = order["id"]
    rows = [[button(ctx.t(f"payments.method.{m}"), f"pay:{m}:{oid}")] for m in settings(ctx)["methods"]
            if m in ("cash", "card")]
    for offered in ctx.hook.wowdash_payment_methods(tenant=ctx.tenant, order=order):
        for code, message_id in offered or []:
            if PROVIDER_CODE.match(code):
                rows.append([button(ctx.t(message_id), f"pay:p:{code}:{oid}")])
    ctx.reply(ctx.t("payments.choose", number=order["number"], remaining=money(ctx, order["remaining"])),
              reply_markup={"inline_keyboard": rows})


def owned_order(ctx, order_id) -> dict | None:
    """The order if it is this customer's, in this center (defect 2: buttons changed any order by id)."""
    try:
        oid = int(order_id)
    except (TypeError, ValueError):
        return None
    order = ctx.hook.wowdash_order_info(tenant=ctx.tenant, order_id=oid)
    if not order or order.get("center_id") != ctx.tenant.id or order.get("customer_id") != ctx.customer.id:
        log.warning("center %s: user %s pressed a payment button for order %s that is not theirs",
                    ctx.tenant.slug, ctx.user_id, oid)
        return None
    return order


def on_callback(ctx) -> None:
    _, action, *args = ctx.callback_data.split(":")
    handler = ACTIONS.get(action)
    if handler is None or not args:
        ctx.answer_callback(ctx.t("payments.stale"))
        return
    order = owned_order(ctx, args[-1])
    if order is None:
        ctx.answer_callback(ctx.t("payments.not_found"), show_alert=True)
        return
    ctx.answer_callback()
    handler(ctx, order, *args[:-1])


def show(ctx, order: dict) -> None:
    show_methods(ctx, order)


def cash(ctx, order: dict) -> None:
    _leave(ctx)
    if order["remaining"] <= 0:
        return show_methods(ctx, order)
    branch = branch_of(ctx, order)
    place = (", ".join(filter(None, [branch.name, branch.address, branch.phone])) if branch
             else ctx.tenant.name)
    ctx.reply(ctx.t("payments.cash", number=order["number"], remaining=money(ctx, order["remaining"]),
                    branch=place))


def card(ctx, order: dict) -> None:
    if order["remaining"] <= 0:
        return show_methods(ctx, order)
    branch = branch_of(ctx, order)
    if branch is None or not branch.card_number:
        ctx.reply(ctx.t("payments.card_unavailable"))
        return
    ctx.state.flow, ctx.state.step = FLOW, "receipt"
    ns = ctx.state.ns(NS)
    ns.clear()
    ns["order_id"] = order["id"]
    ctx.reply(ctx.t("payments.card", number=order["number"], remaining=money(ctx, order["remaining"]),
                    card=branch.card_number, holder=branch.card_holder or ""),
              reply_markup=cancel_markup(ctx, order["id"]))


def provider(ctx, order: dict, code: str = "") -> None:
    if not PROVIDER_CODE.match(code) or not ctx.hook.wowdash_begin_provider_payment(ctx=ctx, order=order,
                                                                                      method=code):
        ctx.reply(ctx.t("payments.unavailable"))


def cancel(ctx, order: dict) -> None:
    if ctx.state.flow == FLOW and ctx.state.ns(NS).get("order_id") == order["id"]:
        _leave(ctx)
    ctx.reply(ctx.t("payments.cancelled"))


ACTIONS = {"show": show, "cash": cash, "card": card, "p": provider, "cancel": cancel}


def branch_of(ctx, order: dict) -> Branch | None:
    """The order's branch, else the customer's, else the center's only active one (never another center's)."""
    for branch_id in (order.get("branch_id"), ctx.customer.branch_id):
        if branch_id:
            branch = db.session.get(Branch, branch_id)
            if branch is not None and branch.center_id == ctx.tenant.id:
                return branch
    active = list(db.session.scalars(sa.select(Branch).where(Branch.center_id == ctx.tenant.id,
                                                             Branch.is_active.is_(True)).limit(2)))
    return active[0] if len(active) == 1 else None


def cancel_markup(ctx, order_id: int) -> dict:
    return {"inline_keyboard": [[button(ctx.t("payments.button.cancel"), f"pay:cancel:{order_id}")]]}


def _leave(ctx) -> None:
    if ctx.state.flow == FLOW:
        ctx.state.flow = ctx.state.step = None
    ctx.state.to_dict().get("ns", {}).pop(NS, None)


# --- the receipt ------------------------------------------------------------------------------------

def in_receipt_step(ctx) -> bool:
    return ctx.state.flow == FLOW and ctx.state.step == "receipt"


def receipt_file(message: dict) -> tuple[str, int | None, bool] | None:
    """(file_id, declared size, is_photo) of a photo's largest size or of a document."""
    if message.get("photo"):
        best = max(message["photo"], key=lambda p: p.get("width", 0) * p.get("height", 0))
        return best["file_id"], best.get("file_size"), True
    doc = message.get("document")
    return (doc["file_id"], doc.get("file_size"), False) if doc else None


def prepare(ctx) -> None:
    """Before the transaction: check the declared size, download, sniff the image, store privately."""
    message = ctx.update.get("message")
    found = receipt_file(message) if message and in_receipt_step(ctx) else None
    if found is None:
        return
    file_id, size, is_photo = found
    limit = int(settings(ctx)["receipt_max_bytes"])
    if size is not None and size > limit:
        ctx.extras[NS] = {"rejected": "too_large"}
        return
    try:
        data = ctx.bot.download(file_id)
    except Exception as exc:  # Telegram or the network failed; the customer can resend
        log.warning("center %s: receipt download failed: %s", ctx.tenant.slug, type(exc).__name__)
        ctx.extras[NS] = {"rejected": "download_failed"}
        return
    kind = filetype.guess_extension(data) if data else None
    if len(data) > limit or kind not in IMAGE_KINDS:
        ctx.extras[NS] = {"rejected": "too_large" if len(data) > limit else "unsupported_type"}
        return
    key = STORE.save(ctx.tenant.id, data)
    ctx.extras.setdefault(RECONCILE, []).append(key)
    ctx.extras[NS] = {"key": key, "mime": IMAGE_KINDS[kind], "file_id": file_id, "photo": is_photo}


def on_message(ctx) -> None:
    order_id = ctx.state.ns(NS).get("order_id")
    result = ctx.extras.get(NS)
    if result is None or "rejected" in result:
        key = f"payments.receipt.{result['rejected']}" if result else "payments.send_receipt"
        limit = int(settings(ctx)["receipt_max_bytes"]) // (1024 * 1024)
        ctx.reply(ctx.t(key, limit=limit), reply_markup=cancel_markup(ctx, order_id))
        return
    order = owned_order(ctx, order_id)
    _leave(ctx)
    if order is None or order["remaining"] <= 0:  # the image is dropped after the update (no row)
        ctx.reply(ctx.t("payments.not_found") if order is None else
                  ctx.t("payments.nothing_to_pay", number=order["number"]))
        return
    branch = branch_of(ctx, order)
    receipt = Receipt(center_id=ctx.tenant.id, order_id=order["id"], order_number=order.get("number"),
                      customer_id=ctx.customer.id, telegram_id=ctx.user_id,
                      branch_id=branch.id if branch else None, amount_claimed=int(order["remaining"]),
                      storage_key=result["key"], mime_type=result["mime"],
                      telegram_file_id=result["file_id"])
    db.session.add(receipt)
    db.session.flush()
    ctx.reply(ctx.t("payments.receipt_received", number=order["number"],
                    amount=money(ctx, receipt.amount_claimed)))
    if branch is not None and branch.staff_chat_id:
        staff = ctx.tenant.default_language
        caption = ctx.catalog.gettext("payments.staff_receipt", staff, number=order["number"],
                                      amount=money(ctx, receipt.amount_claimed, staff))
        send = ctx.bot.send_photo if result["photo"] else ctx.bot.send_document
        send(chat_id=branch.staff_chat_id, caption=caption,
             **{"photo" if result["photo"] else "document": result["file_id"]})


def after_update(ctx, outcome: str) -> None:
    keys = ctx.extras.get(RECONCILE)
    if keys:
        STORE.remove_unreferenced(keys)
