"""Order services outside the bot flow: numbers, placing, totals, fees, overrides, payments, messages.

Everything here runs inside the caller's transaction and never commits: the bot's update commits it,
the admin commits its request. Messages are queued (``bot_for``) and go out after that commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

import wowdash
from wowdash import db, gettext
from wowdash.models import Customer, utcnow

from . import pricing
from .models import Category, Language, Order, OrderCounter, OrderFee, OrderFile, OrderPriceOverride, Product

CURRENCY = "UZS"
PHOTO_ID_PREFIX = "AgAC"  # Telegram photo file ids; they must be re-sent with sendPhoto
IMAGE_KINDS = ("jpg", "png", "heic")
NAME_LANGUAGES = ("uz", "ru", "en")


def money(amount: int, language: str | None) -> str:
    return f"{int(amount):,}".replace(",", " ") + " " + gettext("orders.currency", language)


def actor_label(actor: Any) -> str | None:
    return None if actor is None else str(actor)[:200]


# --- numbers and placing ----------------------------------------------------------------------------

def next_number(center_id: int) -> int:
    """Allocate the center's next order number atomically (the counter row stays locked until commit)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(OrderCounter).values(center_id=center_id, last_number=0)
                       .on_conflict_do_nothing(index_elements=["center_id"]))
    return db.session.execute(
        sa.update(OrderCounter).where(OrderCounter.center_id == center_id)
        .values(last_number=OrderCounter.last_number + 1).returning(OrderCounter.last_number)
        .execution_options(synchronize_session=False)).scalar_one()


def by_draft(center_id: int, draft_key: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.center_id == center_id,
                                                    Order.draft_key == draft_key))


def place_order(*, center_id: int, customer: Customer | None, category: Category, product: Product,
                language: Language | None, pages: int, copies: int, files: Iterable[dict] = (),
                branch_id: int | None = None, draft_key: str | None = None, source: str = "bot",
                customer_name: str | None = None, customer_phone: str | None = None,
                note: str | None = None, actor: Any = None,
                prices: pricing.UnitPrices | None = None) -> Order:
    """Create the order with its prices frozen; the same ``draft_key`` always gives the same order.

    ``prices``: the unit prices the customer was shown (default: the catalog's, now).
    """
    if draft_key and (existing := by_draft(center_id, draft_key)) is not None:
        return existing
    agency = bool(customer and customer.is_agency)
    prices = prices or pricing.unit_prices(product, language, agency=agency)
    quote = pricing.quote(category.pricing, pages, copies, prices)
    days = (product.estimated_days or 0) + (language.extra_days if language else 0)
    order = Order(
        center_id=center_id, number=next_number(center_id), draft_key=draft_key, source=source,
        status="pending", branch_id=branch_id or (customer.branch_id if customer else None),
        customer=customer, customer_name=customer_name or (customer.full_name if customer else None),
        customer_phone=customer_phone or (customer.phone if customer else None),
        category_id=category.id, product_id=product.id, language_id=language.id if language else None,
        names={"category": _names(category), "product": _names(product),
               **({"language": _names(language)} if language else {})},
        pricing=category.pricing, pages=pages, copies=copies, agency=agency, unit_prices=prices.to_dict(),
        breakdown=[line.to_dict() for line in quote.lines], base_total=quote.base, fees_total=0,
        total=quote.total, paid=0, payment_state="unpaid", estimated_days=days,
        due_at=utcnow() + timedelta(days=days) if days else None, note=note)
    for position, item in enumerate(files):
        order.files.append(OrderFile(
            center_id=center_id, position=position, file_ref=str(item.get("id")) if item.get("id") else None,
            name=item.get("name"), kind=item.get("kind"), pages=int(item.get("pages") or 1),
            size=item.get("size"), telegram_file_id=item.get("telegram_file_id")))
    db.session.add(order)
    db.session.flush()
    from .status import record_initial
    record_initial(order, actor)
    return order


def _names(row: Any) -> dict[str, str]:
    """A frozen copy of a catalog row's name in every language (the default name where untranslated)."""
    given = row.name_i18n or {}
    return {lang: given.get(lang) or row.name for lang in {*NAME_LANGUAGES, *given}}


# --- totals, fees, overrides --------------------------------------------------------------------------

def refresh_totals(order: Order) -> None:
    """Recompute from the order's own frozen unit prices (never today's catalog)."""
    quote = pricing.quote(order.pricing, max(order.pages, 1), order.copies,
                          pricing.UnitPrices.from_dict(order.unit_prices),
                          fees=[fee.amount for fee in order.fees], override=order.override_total)
    order.breakdown = [line.to_dict() for line in quote.lines]
    order.base_total, order.fees_total, order.total = quote.base, quote.fees, quote.total
    update_payment_state(order)


def update_payment_state(order: Order) -> None:
    if order.accepted_full or (order.total > 0 and order.paid >= order.total):
        order.payment_state = "paid"
    else:
        order.payment_state = "partial" if order.paid > 0 else "unpaid"


def add_fee(order: Order, amount: int, reason: str, actor: Any = None) -> OrderFee:
    if not (reason or "").strip():
        raise ValueError("a fee needs a reason")
    if int(amount) == 0:
        raise ValueError("a fee must not be zero")
    fee = OrderFee(center_id=order.center_id, amount=int(amount), reason=reason.strip(),
                   actor=actor_label(actor))
    order.fees.append(fee)
    refresh_totals(order)
    return fee


def override_price(order: Order, new_total: int | None, reason: str, actor: Any = None) -> OrderPriceOverride:
    """Set (or with None, remove) a manual total; the history keeps every change."""
    if not (reason or "").strip():
        raise ValueError("a price override needs a reason")
    if new_total is not None and int(new_total) < 0:
        raise ValueError("a price cannot be negative")
    change = OrderPriceOverride(center_id=order.center_id, old_total=order.total,
                                new_total=None if new_total is None else int(new_total),
                                reason=reason.strip(), actor=actor_label(actor))
    order.price_overrides.append(change)
    order.override_total = change.new_total
    refresh_totals(order)
    return change


def set_pages(order: Order, pages: int) -> None:
    """Staff corrected the page count: re-priced at the order's frozen unit prices."""
    if int(pages) < 1:
        raise ValueError("pages must be at least 1")
    order.pages = int(pages)
    refresh_totals(order)


def assign(order: Order, staff_id: int | None, staff_name: str | None) -> None:
    order.assignee_id, order.assignee_name = staff_id, staff_name


# --- dicts for other plugins, messages ------------------------------------------------------------------

def customer_language(order: Order, tenant: wowdash.Tenant | None = None) -> str:
    tenant = tenant or wowdash.tenant(order.center_id)
    chosen = order.customer.language if order.customer else None
    if tenant is None:
        return chosen or "uz"
    return chosen if chosen in tenant.languages else tenant.default_language


def order_dict(order: Order, tenant: wowdash.Tenant | None = None) -> dict[str, Any]:
    language = customer_language(order, tenant)
    return {
        "id": order.id, "number": order.number, "center_id": order.center_id, "branch_id": order.branch_id,
        "customer_id": order.customer_id, "total": order.total, "paid": order.paid,
        "remaining": order.remaining, "currency": CURRENCY, "status": order.status,
        "payment_state": order.payment_state, "pay_at_pickup": order.pay_at_pickup,
        "customer_chat_id": order.customer.telegram_id if order.customer else None,
        "language": language, "title": order.title(language),
    }


def find(center_id: int, order_id: Any) -> Order | None:
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(sa.select(Order).where(Order.id == order_id, Order.center_id == center_id))


def notify_customer(order: Order, text_for, bot=None) -> None:
    """Queue one message to the customer: ``text_for(language)`` builds it in their language."""
    if order.customer is None or order.customer.telegram_id is None:
        return
    language = customer_language(order)
    (bot or wowdash.bot_for(order.center_id)).send_message(chat_id=order.customer.telegram_id,
                                                           text=text_for(language))


def status_label(status: str, language: str | None) -> str:
    return gettext(f"orders.status.{status}", language)


def line_text(line: dict[str, Any], language: str | None) -> str:
    return gettext(f"orders.line.{line['key']}", language, quantity=line["quantity"],
                   unit=money(line["unit"], language), amount=money(line["amount"], language))


def breakdown_text(order: Order, language: str | None) -> str:
    lines = [line_text(line, language) for line in order.breakdown]
    lines += [gettext("orders.line.fee", language, reason=fee.reason, amount=money(fee.amount, language))
              for fee in order.fees]
    if order.override_total is not None:
        lines.append(gettext("orders.line.override", language, amount=money(order.override_total, language)))
    return "\n".join(lines)


def post_to_staff(order: Order, bot=None) -> None:
    """Post a new order once to its branch's staff channel, with the files Telegram already has."""
    if order.staff_posted_at is not None or order.branch is None or not order.branch.staff_chat_id:
        return
    tenant = wowdash.tenant(order.center_id)
    language = tenant.default_language if tenant else "uz"
    bot = bot or wowdash.bot_for(order.center_id)
    chat = order.branch.staff_chat_id
    text = gettext("orders.staff.new", language, number=order.number, title=order.title(language),
                   customer=order.customer_name or "-", phone=order.customer_phone or "-",
                   pages=order.pages, copies=order.copies, total=money(order.total, language),
                   files=len(order.files))
    bot.send_message(chat_id=chat, text=text)
    for item in order.files:
        if not item.telegram_file_id:
            continue
        caption = f"#{order.number} {item.name or ''}".strip()
        if item.kind in IMAGE_KINDS and item.telegram_file_id.startswith(PHOTO_ID_PREFIX):
            bot.send_photo(chat_id=chat, photo=item.telegram_file_id, caption=caption)
        else:
            bot.send_document(chat_id=chat, document=item.telegram_file_id, caption=caption)
    order.staff_posted_at = utcnow()


def dashboard_figures(center_id: int | None) -> list[tuple[str, str]]:
    """Today's and this month's orders, open orders and the balance still to collect (None: all centers)."""
    from .status import OPEN

    def scoped(query):
        return query if center_id is None else query.where(Order.center_id == center_id)

    from wowdash.admin import day_start_utc, month_start_utc
    today, month = day_start_utc(), month_start_utc()  # midnights in the platform's time zone
    count = sa.select(sa.func.count(Order.id))
    figures = [
        ("Orders today", db.session.scalar(scoped(count.where(Order.created_at >= today)))),
        ("Orders this month", db.session.scalar(scoped(count.where(Order.created_at >= month)))),
        ("Open orders", db.session.scalar(scoped(count.where(Order.status.in_(OPEN))))),
    ]
    owed = scoped(sa.select(sa.func.coalesce(sa.func.sum(Order.total - Order.paid), 0)).where(
        Order.status.in_(OPEN), Order.accepted_full.is_(False), Order.paid < Order.total))
    figures.append(("Still to collect", f"{int(db.session.scalar(owed) or 0):,}".replace(",", " ") + " UZS"))
    return [(label, str(value)) for label, value in figures]
