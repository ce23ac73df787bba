"""Order plugin test helpers: catalogs built with its models (the seed's 299 000 example and a fixed
price), registered customers, and small stand-ins for the file-upload and payment plugins."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from wowdash import hookimpl
from wowdash.extensions import db
from wowdash.models import Branch, Customer, utcnow
from wowdash_orders.models import Category, Language, Product


@dataclass
class Catalog:
    translation: int
    apostille: int
    passport: int
    diploma: int
    apostille_doc: int
    english: int
    russian: int


def make_catalog(center_id: int, *, branch_id: int | None = None, prefix: str = "") -> Catalog:
    """Translation (per page: Passport 50 000 / 40 000 / copy 30 000, agency 45 000 / 35 000 / 25 000;
    English 5 000 / 5 000 / copy 2 000, Russian 3 000 / 3 000 / 1 000) and Apostille (fixed 120 000,
    copy 20 000, no languages). Call inside an app context; flushes, the caller commits."""
    translation = Category(center_id=center_id, branch_id=branch_id, code=prefix + "translation",
                           name="Translation", pricing="per_page", position=1,
                           name_i18n={"uz": "Tarjima", "ru": "Перевод", "en": "Translation"})
    apostille = Category(center_id=center_id, branch_id=branch_id, code=prefix + "apostille",
                         name="Apostille", pricing="fixed", position=2,
                         name_i18n={"uz": "Apostil", "ru": "Апостиль", "en": "Apostille"})
    passport = Product(center_id=center_id, category=translation, code=prefix + "passport", name="Passport",
                       name_i18n={"uz": "Pasport", "ru": "Паспорт", "en": "Passport"},
                       first_page_price=50_000, other_page_price=40_000, copy_price=30_000,
                       agency_first_page_price=45_000, agency_other_page_price=35_000,
                       agency_copy_price=25_000,
                       estimated_days=2)
    diploma = Product(center_id=center_id, category=translation, code=prefix + "diploma", name="Diploma",
                      name_i18n={"ru": "Диплом"}, first_page_price=60_000, other_page_price=45_000,
                      copy_price=30_000, estimated_days=3, position=2)
    apostille_doc = Product(center_id=center_id, category=apostille, code=prefix + "apostille-doc",
                            name="Apostille", first_page_price=120_000, other_page_price=0, copy_price=20_000,
                            estimated_days=5)
    english = Language(center_id=center_id, category=translation, code="en", name="English",
                       name_i18n={"uz": "Ingliz tili", "ru": "Английский", "en": "English"},
                       first_page_surcharge=5_000, other_page_surcharge=5_000, copy_surcharge=2_000)
    russian = Language(center_id=center_id, category=translation, code="ru", name="Russian",
                       name_i18n={"uz": "Rus tili", "ru": "Русский", "en": "Russian"},
                       first_page_surcharge=3_000, other_page_surcharge=3_000, copy_surcharge=1_000,
                       extra_days=1, position=2)
    db.session.add_all([translation, apostille, passport, diploma, apostille_doc, english, russian])
    db.session.flush()
    return Catalog(translation.id, apostille.id, passport.id, diploma.id, apostille_doc.id, english.id,
                   russian.id)


# --- stand-ins for the plugins the order plugin hands over to (registered with make_app(PLUGINS=[...])) ----

class FakeFiles:
    """A file-upload plugin double: takes over, then "done" / "back" / "cancel" typed by the customer."""

    name = "test_files"

    def __init__(self, files: list[dict] | None = None):
        self.files = files or []
        self.requests: list[tuple[str, str]] = []

    @hookimpl
    def wowdash_request_files(self, ctx, owner, reference, prompt):
        self.requests.append((owner, reference))
        ctx.state.flow = self.name
        ctx.state.ns(self.name).update(owner=owner, reference=reference)
        ctx.reply("send your files, then type done")
        return True

    @hookimpl(tryfirst=True)
    def wowdash_route_message(self, ctx):
        if ctx.state.flow == self.name and ctx.text in ("done", "back", "cancel"):
            return self.finish
        return None

    def finish(self, ctx):
        ns = ctx.state.to_dict()["ns"].pop(self.name)
        ctx.state.flow = None
        if ctx.text == "done":
            ctx.hook.wowdash_files_collected(ctx=ctx, owner=ns["owner"], reference=ns["reference"],
                                             files=self.files)
        else:
            ctx.hook.wowdash_files_cancelled(ctx=ctx, owner=ns["owner"], reference=ns["reference"],
                                             action=ctx.text)


class FakePayments:
    """A payment plugin double: takes over every order it is offered."""

    name = "test_payments"

    def __init__(self):
        self.started: list[dict] = []

    @hookimpl
    def wowdash_start_payment(self, ctx, order):
        self.started.append(order)
        ctx.reply(f"pay {order['remaining']} for order #{order['number']}")
        return True


class StatusRecorder:
    """Records wowdash_order_status_changed calls."""

    name = "test_status_recorder"

    def __init__(self):
        self.seen: list[tuple[int, str | None, str]] = []

    @hookimpl
    def wowdash_order_status_changed(self, tenant, order, old, new, actor):
        assert order["status"] == new
        self.seen.append((order["number"], old, new))


def register_customer(app, center, user_id: int, *, language: str = "en", agency: bool = False,
                      name: str = "Test Customer") -> int:
    """A registered customer (as the registration plugin leaves it), at the center's first branch."""
    with app.app_context():
        branch_id = db.session.scalar(sa.select(Branch.id).where(Branch.center_id == center.id)
                                      .order_by(Branch.id).limit(1))
        customer = Customer(center_id=center.id, telegram_id=user_id, full_name=name, phone="+998901234567",
                            language=language, branch_id=branch_id, is_agency=agency, registered_at=utcnow())
        db.session.add(customer)
        db.session.commit()
        return customer.id


def button(message: dict, prefix: str, suffix: str = "") -> str:
    """The callback data of the first button starting with ``prefix`` (and ending with ``suffix``)."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard") or []:
        for b in row:
            data = b.get("callback_data") or ""
            if data.startswith(prefix) and data.endswith(suffix):
                return data
    raise AssertionError(f"no button {prefix}...{suffix} in {markup}")
