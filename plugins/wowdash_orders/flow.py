"""The order wizard (category -> language -> product -> copies -> files -> summary -> confirm) and My orders.

Wizard buttons carry the draft id (``ord:<action>:<draft>:<arg>``): a button of an earlier run or an
expired conversation is answered politely and changes nothing. Confirming places at most one order per
draft (``orders.draft_key`` is unique per center), so double taps and redeliveries add nothing.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa

from wowdash import db

from . import catalog, pricing, service
from .models import Order
from .status import OPEN, PAYMENT_PENDING, change_status

FLOW = "order"
NS = "wowdash_orders"
COPY_CHOICES = (0, 1, 2, 3, 4, 5)
MAX_COPIES = 100
MAX_PAGES = 2000
MY_ORDERS_SHOWN = 10


def inline(rows: list[list[tuple[str, str]]]) -> dict:
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in rows]}


def draft(ctx) -> dict:
    return ctx.state.ns(NS)


def in_wizard(ctx, key: str | None) -> bool:
    return ctx.state.flow == FLOW and key is not None and draft(ctx).get("draft") == key


def nav(ctx) -> list[tuple[str, str]]:
    key = draft(ctx)["draft"]
    return [(ctx.t("orders.button.back"), f"ord:back:{key}"),
            (ctx.t("orders.button.cancel"), f"ord:cancel:{key}")]


def menu_row(ctx) -> list[tuple[str, str]]:
    return [(ctx.t("orders.button.new"), "ord:new"), (ctx.t("orders.button.menu"), "reg:menu")]


# --- routing (called from plugin.py) -------------------------------------------------------------------

def route_message(ctx):
    if ctx.state.flow != FLOW or ctx.command is not None:
        return None
    return {"copies": on_copies_text, "pages": on_pages_text}.get(ctx.state.step, remind)


def route_callback(ctx):
    data = ctx.callback_data or ""
    if not data.startswith("ord:"):
        return None
    _, action, *args = data.split(":")
    if action in ENTRY:
        return answering(ENTRY[action], args)
    if action == "confirm":
        return answering(confirm, args)
    if action in WIZARD and args and in_wizard(ctx, args[0]):
        return answering(WIZARD[action], args[1:])
    return answering(outdated, args)


def answering(handler, args: list[str]):
    def run(ctx) -> None:
        handler(ctx, *args)
        if ctx.callback_query and not ctx.extras.get("callback_answered"):
            ctx.answer_callback()
    return run


def alert(ctx, key: str) -> None:
    ctx.extras["callback_answered"] = True
    ctx.answer_callback(ctx.t(key))


def outdated(ctx, *args: str) -> None:
    """A wizard button whose conversation expired or ended: explain and offer a fresh start."""
    if ctx.state.flow == FLOW:  # a button of an earlier run, while a newer one is open
        return alert(ctx, "orders.stale")
    expired(ctx)


def expired(ctx, *args: str) -> None:
    ctx.state.clear()
    ctx.reply(ctx.t("orders.expired"), reply_markup=inline([menu_row(ctx)]))


# --- the wizard ------------------------------------------------------------------------------------------

def new_order(ctx, *args: str) -> None:
    customer = ctx.customer
    if not customer.is_registered:
        ctx.reply(ctx.t("orders.register_first"))
        return
    branch_id = customer.branch_id or catalog.default_branch(ctx.tenant.id)
    if not catalog.categories_for(ctx.tenant.id, branch_id):
        ctx.reply(ctx.t("orders.no_catalog"))
        return
    ctx.state.clear()
    ctx.state.flow = FLOW
    draft(ctx).update(draft=secrets.token_hex(6), branch_id=branch_id)
    ask_category(ctx)


def ask_category(ctx) -> None:
    ns = draft(ctx)
    ctx.state.step = "category"
    rows = [[(c.title(ctx.language), f"ord:cat:{ns['draft']}:{c.id}")]
            for c in catalog.categories_for(ctx.tenant.id, ns.get("branch_id"))]
    ctx.reply(ctx.t("orders.ask_category"), reply_markup=inline([*rows, nav(ctx)]))


def current_category(ctx):
    return catalog.category(ctx.tenant.id, draft(ctx).get("category_id"), draft(ctx).get("branch_id"))


def on_category(ctx, category_id: str = "") -> None:
    ns = draft(ctx)
    cat = catalog.category(ctx.tenant.id, category_id, ns.get("branch_id"))
    if cat is None:
        return alert(ctx, "orders.stale")
    ns.update(category_id=cat.id, language_id=None, product_id=None)
    languages = catalog.languages_of(cat)
    if len(languages) > 1:
        return ask_language(ctx, cat, languages)
    ns["language_id"] = languages[0].id if languages else None
    ns["language_skipped"] = True
    ask_product(ctx, cat)


def ask_language(ctx, cat=None, languages=None) -> None:
    cat = cat or current_category(ctx)
    key = draft(ctx)["draft"]
    draft(ctx)["language_skipped"] = False
    ctx.state.step = "language"
    rows = [[(lang.title(ctx.language), f"ord:lang:{key}:{lang.id}")]
            for lang in languages or catalog.languages_of(cat)]
    ctx.reply(ctx.t("orders.ask_language", category=cat.title(ctx.language)),
              reply_markup=inline([*rows, nav(ctx)]))


def on_language(ctx, language_id: str = "") -> None:
    cat = current_category(ctx)
    lang = catalog.pick(catalog.languages_of(cat), language_id) if cat else None
    if lang is None:
        return alert(ctx, "orders.stale")
    draft(ctx).update(language_id=lang.id, product_id=None)
    ask_product(ctx, cat)


def ask_product(ctx, cat=None) -> None:
    cat = cat or current_category(ctx)
    key = draft(ctx)["draft"]
    ctx.state.step = "product"
    rows = [[(p.title(ctx.language), f"ord:prod:{key}:{p.id}")] for p in catalog.products_of(cat)]
    ctx.reply(ctx.t("orders.ask_product", category=cat.title(ctx.language)),
              reply_markup=inline([*rows, nav(ctx)]))


def on_product(ctx, product_id: str = "") -> None:
    cat = current_category(ctx)
    product = catalog.pick(catalog.products_of(cat), product_id) if cat else None
    if product is None:
        return alert(ctx, "orders.stale")
    draft(ctx)["product_id"] = product.id
    ask_copies(ctx)


def ask_copies(ctx) -> None:
    key = draft(ctx)["draft"]
    ctx.state.step = "copies"
    choices = [(str(n), f"ord:copies:{key}:{n}") for n in COPY_CHOICES]
    ctx.reply(ctx.t("orders.ask_copies"), reply_markup=inline([choices, nav(ctx)]))


def on_copies(ctx, value: str = "") -> None:
    if not value.isdigit() or int(value) > MAX_COPIES:
        return alert(ctx, "orders.stale")
    draft(ctx)["copies"] = int(value)
    ask_files(ctx)


def on_copies_text(ctx) -> None:
    text = ctx.text or ""
    if not text.isdigit() or int(text) > MAX_COPIES:
        ctx.reply(ctx.t("orders.copies_invalid", max=MAX_COPIES))
        return
    draft(ctx)["copies"] = int(text)
    ask_files(ctx)


def ask_files(ctx) -> None:
    ctx.state.step = "files"
    taken = ctx.hook.wowdash_request_files(ctx=ctx, owner=NS, reference=draft(ctx)["draft"], prompt=None)
    if not taken:  # no file-upload plugin for this center: ask for the page count instead
        ctx.state.step = "pages"
        ctx.reply(ctx.t("orders.ask_pages"), reply_markup=inline([nav(ctx)]))


def on_pages_text(ctx) -> None:
    text = ctx.text or ""
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGES:
        ctx.reply(ctx.t("orders.pages_invalid", max=MAX_PAGES))
        return
    draft(ctx).update(pages=int(text), files=[])
    show_summary(ctx)


def files_collected(ctx, reference: str, files: list[dict]) -> None:
    """The file-upload plugin is done: back to the wizard, at the summary."""
    ns = draft(ctx)
    if ns.get("draft") != str(reference):
        return expired(ctx)
    ctx.state.flow = FLOW
    ns["files"] = [{k: f.get(k) for k in ("id", "name", "kind", "pages", "size", "telegram_file_id")}
                   for f in files]
    ns["pages"] = max(sum(int(f.get("pages") or 1) for f in files), 1)
    show_summary(ctx)


def files_cancelled(ctx, reference: str, action: str) -> None:
    ns = draft(ctx)
    if ns.get("draft") != str(reference):
        return expired(ctx)
    ctx.state.flow = FLOW
    if action == "back":
        return ask_copies(ctx)
    cancel(ctx)


def chosen(ctx):
    """The draft's catalog rows as they are now (None if any vanished or was switched off)."""
    ns = draft(ctx)
    cat = current_category(ctx)
    if cat is None:
        return None
    product = catalog.pick(catalog.products_of(cat), ns.get("product_id"))
    languages = catalog.languages_of(cat)
    lang = catalog.pick(languages, ns.get("language_id")) if ns.get("language_id") else None
    if product is None or (languages and lang is None):
        return None
    return cat, product, lang


def show_summary(ctx) -> None:
    ns = draft(ctx)
    rows = chosen(ctx)
    if rows is None:
        return catalog_changed(ctx)
    cat, product, lang = rows
    prices = pricing.unit_prices(product, lang, agency=ctx.customer.is_agency)
    ns["prices"] = prices.to_dict()  # the customer is charged what the summary shows
    quote = pricing.quote(cat.pricing, ns.get("pages", 1), ns.get("copies", 0), prices)
    language = ctx.language
    lines = [service.line_text(line.to_dict(), language) for line in quote.lines]
    names = " / ".join(r.title(language) for r in (cat, lang, product) if r is not None)
    days = product.estimated_days + (lang.extra_days if lang else 0)
    text = ctx.t("orders.summary", title=names, pages=ns.get("pages", 1), copies=ns.get("copies", 0),
                 files=len(ns.get("files", [])), lines="\n".join(lines),
                 total=service.money(quote.total, language), days=days)
    ctx.state.step = "summary"
    key = ns["draft"]
    ctx.reply(text, reply_markup=inline([[(ctx.t("orders.button.confirm"), f"ord:confirm:{key}")], nav(ctx)]))


def catalog_changed(ctx) -> None:
    ctx.state.clear()
    ctx.reply(ctx.t("orders.catalog_changed"), reply_markup=inline([menu_row(ctx)]))


def confirm(ctx, key: str = "") -> None:
    placed = service.by_draft(ctx.tenant.id, key) if key else None
    if placed is not None and placed.customer_id == ctx.customer.id:
        return alert(ctx, "orders.already_placed")  # a double tap or a repeated press: nothing new
    if not in_wizard(ctx, key) or ctx.state.step != "summary":
        return outdated(ctx)
    ns = draft(ctx)
    rows = chosen(ctx)
    if rows is None:
        return catalog_changed(ctx)
    cat, product, lang = rows
    order = service.place_order(
        center_id=ctx.tenant.id, customer=ctx.customer, category=cat, product=product, language=lang,
        pages=ns.get("pages", 1), copies=ns.get("copies", 0), files=ns.get("files", []),
        branch_id=ns.get("branch_id"), draft_key=key, prices=pricing.UnitPrices.from_dict(ns.get("prices")))
    ctx.state.clear()
    ctx.reply(ctx.t("orders.placed", number=order.number, total=service.money(order.total, ctx.language),
                    days=order.estimated_days or 0))
    service.post_to_staff(order, bot=ctx.bot)
    if ctx.hook.wowdash_start_payment(ctx=ctx, order=service.order_dict(order, ctx.tenant)):
        change_status(order, PAYMENT_PENDING, reason="payment offered", notify=False, bot=ctx.bot)
    else:
        pay_at_pickup(ctx, order)


def pay_at_pickup(ctx, order: Order) -> None:
    order.pay_at_pickup = True
    branch = order.branch
    ctx.reply(ctx.t("orders.pay_at_pickup", number=order.number,
                    remaining=service.money(order.remaining, ctx.language),
                    address=(branch.address or branch.name) if branch else ctx.tenant.name),
              reply_markup=inline([[(ctx.t("orders.button.my_orders"), "ord:my"),
                                    (ctx.t("orders.button.menu"), "reg:menu")]]))


def back(ctx, *args: str) -> None:
    ns, step = draft(ctx), ctx.state.step
    if step == "category":
        return cancel(ctx)
    if step == "language":
        return ask_category(ctx)
    if step == "product":
        return ask_category(ctx) if ns.get("language_skipped") else ask_language(ctx)
    if step == "copies":
        return ask_product(ctx)
    if step in ("pages", "files"):
        return ask_copies(ctx)
    if step == "summary":
        return ask_files(ctx)
    cancel(ctx)


def cancel(ctx, *args: str) -> None:
    ctx.state.clear()
    ctx.reply(ctx.t("orders.cancelled"), reply_markup=inline([menu_row(ctx)]))


def remind(ctx) -> None:
    """A message where a button is expected: show the step again."""
    step = ctx.state.step
    if step == "summary":
        return show_summary(ctx)
    asks = {"category": ask_category, "language": ask_language, "product": ask_product, "files": ask_files}
    asks.get(step, ask_category)(ctx)


# --- My orders -------------------------------------------------------------------------------------------

def my_orders(ctx, *args: str) -> None:
    orders = list(db.session.scalars(sa.select(Order).where(
        Order.center_id == ctx.tenant.id, Order.customer_id == ctx.customer.id)
        .order_by(Order.id.desc()).limit(MY_ORDERS_SHOWN)))
    if not orders:
        ctx.reply(ctx.t("orders.none"), reply_markup=inline([menu_row(ctx)]))
        return
    lang = ctx.language
    rows = [[(ctx.t("orders.list_item", number=o.number, status=service.status_label(o.status, lang),
                    total=service.money(o.total, lang)), f"ord:view:{o.id}")] for o in orders]
    ctx.reply(ctx.t("orders.list"), reply_markup=inline([*rows, menu_row(ctx)]))


def own_order(ctx, order_id: str) -> Order | None:
    order = service.find(ctx.tenant.id, order_id)
    return order if order is not None and order.customer_id == ctx.customer.id else None


def view(ctx, order_id: str = "") -> None:
    order = own_order(ctx, order_id)
    if order is None:
        return alert(ctx, "orders.stale")
    lang = ctx.language
    text = ctx.t("orders.detail", number=order.number, title=order.title(lang),
                 status=service.status_label(order.status, lang), pages=order.pages, copies=order.copies,
                 lines=service.breakdown_text(order, lang), total=service.money(order.total, lang),
                 paid=service.money(order.paid, lang), remaining=service.money(order.remaining, lang))
    rows = []
    if order.remaining > 0 and order.status in OPEN:
        rows.append([(ctx.t("orders.button.pay_rest"), f"ord:pay:{order.id}")])
    rows.append([(ctx.t("orders.button.my_orders"), "ord:my"), (ctx.t("orders.button.menu"), "reg:menu")])
    ctx.reply(text, reply_markup=inline(rows))


def pay_rest(ctx, order_id: str = "") -> None:
    order = own_order(ctx, order_id)
    if order is None:
        return alert(ctx, "orders.stale")
    if order.remaining <= 0 or order.status not in OPEN:
        return alert(ctx, "orders.nothing_to_pay")
    if not ctx.hook.wowdash_start_payment(ctx=ctx, order=service.order_dict(order, ctx.tenant)):
        pay_at_pickup(ctx, order)


ENTRY = {"new": new_order, "my": my_orders, "view": view, "pay": pay_rest}
WIZARD = {"cat": on_category, "lang": on_language, "prod": on_product, "copies": on_copies, "back": back,
          "cancel": cancel}
