"""The whole journey, for two centers at the same time (different catalogs and languages), on both backends:
register -> order with a 3-page PDF, a 2-page DOCX and a photo -> pay by card with a receipt photo ->
staff verify through the payment plugin's service -> status changes; every customer message checked."""
from __future__ import annotations

import io
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from pypdf import PdfWriter

import wowdash
from wowdash.extensions import db
from wowdash.models import Branch, Center
from wowdash.telegram import sender
from wowdash_orders.models import Order
from wowdash_orders.status import change_status
from wowdash_payments.models import Receipt
from wowdash_payments.service import verify_receipt

PLUGINS = ["wowdash_registration", "wowdash_orders", "wowdash_files", "wowdash_payments"]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

TRANSLATIONS_TOML = """
[[catalog.categories]]
code = "translation"
name_i18n = { uz = "Tarjima", ru = "Перевод", en = "Translation" }
[[catalog.products]]
code = "passport"
category = "translation"
name_i18n = { uz = "Pasport", ru = "Паспорт", en = "Passport" }
first_page_price = 50000
other_page_price = 40000
copy_price = 30000
estimated_days = 2
[[catalog.languages]]
code = "en"
category = "translation"
name_i18n = { uz = "Ingliz tili", ru = "Английский", en = "English" }
first_page_surcharge = 5000
other_page_surcharge = 5000
copy_surcharge = 2000
[[catalog.languages]]
code = "de"
category = "translation"
name_i18n = { uz = "Nemis tili", ru = "Немецкий", en = "German" }
first_page_surcharge = 9000
other_page_surcharge = 9000
copy_surcharge = 3000
"""

LEGAL_TOML = """
[[catalog.categories]]
code = "legal"
name = "Legal translation"
pricing = "per_page"
[[catalog.categories]]
code = "notary"
name = "Notary copy"
pricing = "fixed"
[[catalog.products]]
code = "contract"
category = "legal"
name = "Contract"
first_page_price = 80000
other_page_price = 60000
copy_price = 20000
estimated_days = 4
[[catalog.products]]
code = "copy"
category = "notary"
name = "Certified copy"
first_page_price = 30000
[[catalog.languages]]
code = "de"
category = "legal"
name = "German"
first_page_surcharge = 10000
other_page_surcharge = 8000
"""


def make_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(pages: int) -> bytes:
    """A real WordprocessingML package: one paragraph per page, hard page breaks between them."""
    brk = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    body = brk.join(f'<w:p><w:r><w:t>Page {n + 1} of the contract.</w:t></w:r></w:p>' for n in range(pages))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}">'
                f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                                           'org/package/2006/content-types"/>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        zf.writestr("word/document.xml", document)
        zf.writestr("docProps/app.xml", f"<Properties><Pages>{pages}</Pages></Properties>")
    return out.getvalue()


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard") or [] for b in row]


def press(chat, message: dict, prefix: str, suffix: str = "") -> None:
    chat.press(next(d for d in buttons(message) if d.startswith(prefix) and d.endswith(suffix)))


def staff_do(app, action) -> None:
    """What an admin request does: act, commit, then send what the commit queued."""
    with app.app_context():
        action()
        db.session.commit()
        sender.deliver_committed()


def setup_center(app, make_center, slug, catalog_toml, **fields):
    center = make_center(slug, enabled_plugins=PLUGINS, **fields)
    with app.app_context():
        row = db.session.get(Center, center.id)
        wowdash.hooks_for(center.id).wowdash_sync_tenant(center=row, data=tomllib.loads(catalog_toml))
        db.session.commit()
    return center


def send_files(chat) -> dict:
    chat.send_document(make_pdf(3), "passport.pdf", "application/pdf")
    chat.reply()
    chat.send_document(make_docx(2), "contract.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    chat.reply()
    chat.send_photo(JPEG)
    uploaded = chat.reply()
    chat.press("fil:done")
    return uploaded


def pay_by_card(chat, offer: dict) -> int:
    press(chat, offer, "pay:card:")
    assert "8600" in chat.reply()["text"]  # the branch's card
    chat.send_photo(JPEG)  # the receipt
    chat.reply()
    return int(next(d for d in buttons(offer) if d.startswith("pay:card:")).split(":")[2])


def pending_receipt(app, center_id: int, order_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Receipt.id).where(Receipt.center_id == center_id,
                                                             Receipt.order_id == order_id,
                                                             Receipt.status == "pending"))


def journey_russian(app, make_center_result, chat, fake_api) -> None:
    """Center A: uz/ru/en, two branches, two target languages; the customer speaks Russian."""
    center = make_center_result
    chat.send("/start")
    press(chat, chat.reply(), "reg:lang:ru")
    assert "имя" in chat.reply()["text"]
    chat.send("Иван Петров")
    assert chat.reply()["reply_markup"]["keyboard"][0][0]["request_contact"]
    chat.share_contact("+998901112233")
    _, ask_branch = chat.replies(2)
    press(chat, ask_branch, "reg:branch:")
    done, menu = chat.replies(2)
    assert "Иван Петров" in done["text"] and buttons(menu) == ["ord:new", "ord:my", "reg:profile"]

    chat.press("ord:new")
    press(chat, chat.reply(), "ord:cat:")
    step = chat.reply()
    assert "на какой язык" in step["text"]
    press(chat, step, "ord:lang:")  # English, the first
    press(chat, chat.reply(), "ord:prod:")
    press(chat, chat.reply(), "ord:copies:", ":1")
    assert "fil:done" in buttons(chat.reply())
    send_files(chat)
    summary = chat.reply()
    assert "Страниц: 6, доп. копий: 1, файлов: 3" in summary["text"]
    assert "Итого: 312 000 сум" in summary["text"]  # 55 000 + 5 x 45 000 + 32 000
    press(chat, summary, "ord:confirm:")
    placed, offer = chat.replies(2)
    assert "Заказ #1 принят" in placed["text"] and "312 000" in offer["text"]

    order_id = pay_by_card(chat, offer)
    receipt = pending_receipt(app, center.id, order_id)
    staff_do(app, lambda: verify_receipt(receipt, 312_000, "cashier", center.id))
    paid = chat.reply()["text"]
    for part in ("получена оплата 312 000 сум", "Осталось: 0 сум", "оплата подтверждена"):
        assert part in paid
    for status in ("in_progress", "ready"):
        staff_do(app, lambda s=status: change_status(db.session.get(Order, order_id), s, actor="manager"))
    assert [m["text"] for m in chat.replies(2)] == ["Заказ #1: в работе.", "Заказ #1: готов."]
    chat.quiet(0.3)

    with app.app_context():
        order = db.session.get(Order, order_id)
        staff_chat = db.session.get(Branch, order.branch_id).staff_chat_id
        assert (order.status, order.paid, order.total, order.pages, order.copies) == (
            "ready", 312_000, 312_000, 6, 1)
        assert [(f.kind, f.pages) for f in order.files] == [("pdf", 3), ("docx", 2), ("jpg", 1)]
        assert [f.name for f in order.files[:2]] == ["passport.pdf", "contract.docx"]
        assert all(f.telegram_file_id and f.file_ref for f in order.files)
    posted = fake_api.sent_messages(token=center.token, chat_id=staff_chat)
    assert "#1" in posted[0]["text"] and [bool(m.get("document")) for m in posted[1:4]] == [True] * 3


def journey_english(app, center, chat, fake_api) -> None:
    """Center B: English only, one branch, a legal catalog whose category has one language; paid in two
    parts."""
    chat.send("/start")
    welcome, _ = chat.replies(2)  # no language step: the center offers one
    assert "Welcome" in welcome["text"]
    chat.send("Jane Smith")
    chat.reply()
    chat.send("+998 93 555 44 33")  # typed instead of shared
    saved, done, menu = chat.replies(3)  # one branch: no branch step
    assert "+998935554433" in saved["text"] and "Jane Smith" in done["text"]

    chat.press("ord:new")
    categories = chat.reply()
    assert [b["text"] for row in categories["reply_markup"]["inline_keyboard"] for b in row][:2] == [
        "Legal translation", "Notary copy"]
    press(chat, categories, "ord:cat:")
    products = chat.reply()  # the only language (German) is chosen without asking
    assert "choose the document type" in products["text"]
    press(chat, products, "ord:prod:")
    press(chat, chat.reply(), "ord:copies:", ":0")
    chat.reply()
    send_files(chat)
    summary = chat.reply()
    assert "Pages: 6, extra copies: 0, files: 3" in summary["text"]
    assert "Total: 430 000 UZS" in summary["text"]  # 90 000 + 5 x 68 000
    press(chat, summary, "ord:confirm:")
    placed, offer = chat.replies(2)
    assert "Order #1 placed" in placed["text"]

    order_id = pay_by_card(chat, offer)
    receipt = pending_receipt(app, center.id, order_id)
    staff_do(app, lambda: verify_receipt(receipt, 200_000, "cashier", center.id))
    partly = chat.reply()["text"]
    for part in ("Payment of 200 000 UZS", "Remaining: 230 000 UZS", "partly paid"):
        assert part in partly

    chat.press(f"ord:view:{order_id}")
    detail = chat.reply()
    assert "Remaining: 230 000 UZS" in detail["text"]
    press(chat, detail, "ord:pay:")  # pay the rest: the payment plugin takes over again
    offer = chat.reply()
    assert "230 000" in offer["text"]
    pay_by_card(chat, offer)
    receipt = pending_receipt(app, center.id, order_id)
    staff_do(app, lambda: verify_receipt(receipt, 230_000, "cashier", center.id))
    confirmed = chat.reply()["text"]
    assert "Remaining: 0 UZS" in confirmed and "payment confirmed" in confirmed
    staff_do(app, lambda: change_status(db.session.get(Order, order_id), "in_progress"))
    assert chat.reply()["text"] == "Order #1: in progress."
    chat.quiet(0.3)
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.paid, order.remaining, order.status) == (430_000, 0, "in_progress")
        assert len(order.payments) == 2


def test_two_centers_full_journeys_at_the_same_time(app, make_center, conversation, fake_api):
    a = setup_center(app, make_center, "journey-a", TRANSLATIONS_TOML, languages=["uz", "ru", "en"],
                     branches=[{"code": "north", "name": "Shimoliy", "name_i18n": {"ru": "Северный"},
                                "card_number": "8600 1111 2222 3333", "card_holder": "A CENTER",
                                "staff_chat_id": -1001000000001},
                               {"code": "south", "name": "Janubiy", "card_number": "8600 4444 5555 6666",
                                "staff_chat_id": -1001000000002}])
    b = setup_center(app, make_center, "journey-b", LEGAL_TOML, languages=["en"], default_language="en",
                     branches=[{"code": "main", "name": "Main", "card_number": "8600 7777 8888 9999",
                                "card_holder": "B CENTER"}])
    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(journey_russian, app, a, conversation(a, language_code="ru"), fake_api),
                pool.submit(journey_english, app, b, conversation(b, language_code="en"), fake_api)]
        for run in runs:
            run.result(timeout=120)
    with app.app_context():  # each center numbered its own orders, and sees only its own
        numbers = db.session.execute(sa.select(Order.center_id, Order.number).order_by(Order.center_id)).all()
        assert numbers == [(a.id, 1), (b.id, 1)]
