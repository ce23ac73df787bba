"""The order wizard through the fake Bot API: one order per run, frozen prices, hand-overs, expiry."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from catalog_factory import FakeFiles, FakePayments, button, make_catalog, register_customer

from wowdash.extensions import db
from wowdash.models import Center
from wowdash_orders.models import Order

STAFF_CHAT = -1001234567890
FILES = FakeFiles()
PAYMENTS = FakePayments()
BASE = ["wowdash_registration", "wowdash_orders"]


@pytest.fixture
def app(make_app):
    FILES.files, FILES.requests[:], PAYMENTS.started[:] = [], [], []
    return make_app(PLUGINS=[FILES, PAYMENTS])


def shop(app, make_center, slug, plugins=BASE, staff_chat=None, **fields):
    center = make_center(slug, enabled_plugins=plugins,
                         branches=[{"code": "main", "name": "Main", "address": "Amir Temur 1",
                                    "staff_chat_id": staff_chat}], **fields)
    with app.app_context():
        cat = make_catalog(center.id)
        db.session.commit()
    return center, cat


def orders(app, center) -> list[Order]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Order).where(Order.center_id == center.id)
                                       .order_by(Order.id)))
        for row in rows:
            _ = row.files, row.status_changes
        db.session.expunge_all()
        return rows


def to_summary(chat, cat, pages="5", copies=2, language=None):
    """New order -> Translation -> English -> Passport -> copies -> (pages typed) -> the summary."""
    chat.press("ord:new")
    step = chat.reply()
    key = button(step, "ord:cat:").split(":")[2]
    chat.press(button(step, "ord:cat:", f":{cat.translation}"))
    step = chat.reply()
    chat.press(button(step, "ord:lang:", f":{language or cat.english}"))
    step = chat.reply()
    chat.press(button(step, "ord:prod:", f":{cat.passport}"))
    step = chat.reply()
    chat.press(button(step, "ord:copies:", f":{copies}"))
    step = chat.reply()
    if pages is not None:  # no file-upload plugin: the page count is typed
        assert "How many pages" in step["text"]
        chat.send(pages)
        step = chat.reply()
    return key, step


def test_the_wizard_places_one_order_at_the_frozen_seed_price(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop1")
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    key, summary = to_summary(chat, cat)
    assert "299 000 UZS" in summary["text"] and "55 000" in summary["text"]
    assert "4 × 45 000 UZS = 180 000 UZS" in summary["text"]
    assert "2 × 32 000 UZS = 64 000 UZS" in summary["text"]
    chat.press(button(summary, "ord:confirm:"))
    placed, pickup = chat.replies(2)
    assert "Order #1 placed" in placed["text"]
    assert "pay 299 000 UZS when you pick it up at Amir Temur 1" in pickup["text"]
    [order] = orders(app, center)
    assert (order.number, order.status, order.total, order.pages, order.copies, order.draft_key) == (
        1, "pending", 299_000, 5, 2, key)
    assert order.pay_at_pickup and order.unit_prices["first_page"] == 50_000
    assert [line["amount"] for line in order.breakdown] == [55_000, 180_000, 64_000]
    assert order.names["product"]["ru"] == "Паспорт"
    assert [(c.old, c.new) for c in order.status_changes] == [(None, "pending")]
    chat.quiet(0.2)


def test_double_taps_repeats_and_redeliveries_create_exactly_one_order(app, make_center, conversation,
                                                                       fake_api):
    center, cat = shop(app, make_center, "shop2", staff_chat=STAFF_CHAT)
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    _, summary = to_summary(chat, cat)
    confirm = button(summary, "ord:confirm:")
    first = chat.press(confirm)
    chat.press(confirm)  # a double tap: a second update with the same button
    chat.push(first)  # Telegram redelivers the first update (same update_id)
    placed, pickup = chat.replies(2)
    assert "Order #1 placed" in placed["text"]
    chat.press(confirm)  # pressed again much later
    chat.quiet(0.4)
    assert len(orders(app, center)) == 1
    staff = fake_api.sent_messages(token=center.token, chat_id=STAFF_CHAT)
    assert len(staff) == 1 and "#1" in staff[0]["text"]  # in the center's default language
    answers = [c.params.get("text") for c in fake_api.calls(token=center.token, method="answerCallbackQuery")]
    assert answers.count("This order has already been placed.") == 2


def test_the_files_are_handed_over_and_posted_once_to_the_staff_channel(app, make_center, conversation,
                                                                        fake_api):
    center, cat = shop(app, make_center, "shop3", plugins=[*BASE, "test_files"], staff_chat=STAFF_CHAT,
                       default_language="en")  # the staff channel speaks the center's default language
    doc = fake_api.add_file(center.token, b"%PDF-1.4 fake", file_name="passport.pdf",
                            mime_type="application/pdf")
    photo = fake_api.add_file(center.token, b"\xff\xd8\xff fake", mime_type="image/jpeg")
    FILES.files = [{"id": 11, "name": "passport.pdf", "kind": "pdf", "pages": 3, "size": 13,
                    "telegram_file_id": doc["file_id"]},
                   {"id": 12, "name": "photo", "kind": "jpg", "pages": 2, "size": 9,
                    "telegram_file_id": photo["file_id"]}]
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    key, step = to_summary(chat, cat, pages=None)
    assert step["text"].startswith("send your files") and FILES.requests == [("wowdash_orders", key)]
    chat.send("back")  # back from the upload step: the copies question again
    assert "extra copies" in chat.reply()["text"]
    chat.press(f"ord:copies:{key}:1")
    chat.reply()
    chat.send("done")
    summary = chat.reply()
    assert "Pages: 5, extra copies: 1, files: 2" in summary["text"]
    chat.press(button(summary, "ord:confirm:"))
    chat.replies(2)
    [order] = orders(app, center)
    assert order.total == 55_000 + 45_000 * 4 + 32_000
    assert [(f.file_ref, f.name, f.kind, f.pages) for f in order.files] == [
        ("11", "passport.pdf", "pdf", 3), ("12", "photo", "jpg", 2)]
    fake_api.wait_for(lambda calls: len(fake_api.sent_messages(center.token, STAFF_CHAT)) >= 3)
    time.sleep(0.2)
    staff = fake_api.sent_messages(token=center.token, chat_id=STAFF_CHAT)
    assert len(staff) == 3 and "files: 2" in staff[0]["text"]
    # the fake's file ids are all document ids; a real photo id (AgAC...) would go with sendPhoto
    assert staff[1]["document"] == doc["file_id"] and staff[2]["document"] == photo["file_id"]


def test_cancel_in_the_upload_step_ends_the_wizard(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop4", plugins=[*BASE, "test_files"])
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    to_summary(chat, cat, pages=None)
    chat.send("cancel")
    cancelled = chat.reply()
    assert "cancelled" in cancelled["text"] and button(cancelled, "ord:new")
    assert orders(app, center) == []


def test_back_and_cancel_at_every_step(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop5")
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    key, summary = to_summary(chat, cat)
    expected = ["How many pages", "extra copies", "choose the document type", "into which language",
                "Choose a service"]
    for text in expected:
        chat.press(f"ord:back:{key}")
        assert text in chat.reply()["text"]
    chat.press(f"ord:back:{key}")  # back from the first step leaves the wizard
    assert "cancelled" in chat.reply()["text"]
    for steps in range(6):  # cancel after 0..5 steps
        chat.press("ord:new")
        step = chat.reply()
        key = button(step, "ord:cat:").split(":")[2]
        path = [f"ord:cat:{key}:{cat.translation}", f"ord:lang:{key}:{cat.russian}",
                f"ord:prod:{key}:{cat.diploma}", f"ord:copies:{key}:0"]
        for data in path[:min(steps, 4)]:
            chat.press(data)
            chat.reply()
        if steps == 5:
            chat.send("2")
            assert "Total: 111 000 UZS" in chat.reply()["text"]  # Diploma into Russian, 2 pages
        chat.press(f"ord:cancel:{key}")
        assert "cancelled" in chat.reply()["text"]
        chat.press(f"ord:confirm:{key}")  # the cancelled draft's button does nothing
        assert "expired" in chat.reply()["text"]
    assert orders(app, center) == []


def test_the_language_step_is_skipped_for_a_category_without_languages(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop6")
    chat = conversation(center, language_code="ru")
    register_customer(app, center, chat.user_id, language="ru")
    chat.press("ord:new")
    step = chat.reply()
    labels = [b["text"] for row in step["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:2] == ["Перевод", "Апостиль"]
    chat.press(button(step, "ord:cat:", f":{cat.apostille}"))
    step = chat.reply()
    assert "тип документа" in step["text"]
    chat.press(button(step, "ord:prod:", f":{cat.apostille_doc}"))
    chat.press(button(chat.reply(), "ord:copies:", ":1"))
    chat.reply()
    chat.send("7")
    summary = chat.reply()
    assert "140 000 сум" in summary["text"]  # fixed 120 000 + 1 copy x 20 000, whatever the pages
    key = button(summary, "ord:back:").split(":")[2]
    for text in ("Сколько страниц", "копий", "тип документа", "Выберите услугу"):
        chat.press(f"ord:back:{key}")
        assert text in chat.reply()["text"]


def test_payment_is_handed_over_or_left_for_pickup_per_center_without_a_restart(app, make_center,
                                                                                 conversation):
    center, cat = shop(app, make_center, "shop7", plugins=[*BASE, "test_payments"])
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    _, summary = to_summary(chat, cat, pages="1", copies=0)
    chat.press(button(summary, "ord:confirm:"))
    placed, pay = chat.replies(2)
    assert pay["text"] == "pay 55000 for order #1"
    assert PAYMENTS.started[-1]["total"] == 55_000 and PAYMENTS.started[-1]["currency"] == "UZS"

    with app.app_context():  # the payment plugin is switched off for this center, no restart
        db.session.get(Center, center.id).enabled_plugins = BASE
        db.session.commit()
    _, summary = to_summary(chat, cat, pages="1", copies=0)
    chat.press(button(summary, "ord:confirm:"))
    placed, pickup = chat.replies(2)
    assert "Order #2 placed" in placed["text"] and "when you pick it up" in pickup["text"]
    first, second = orders(app, center)
    assert (first.status, first.pay_at_pickup) == ("payment_pending", False)
    assert (second.status, second.pay_at_pickup) == ("pending", True)
    assert len(PAYMENTS.started) == 1


def test_my_orders_shows_amounts_and_pays_the_rest(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop8", plugins=[*BASE, "test_payments"])
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    _, summary = to_summary(chat, cat)
    chat.press(button(summary, "ord:confirm:"))
    chat.replies(2)
    [order] = orders(app, center)
    chat.press("ord:my")
    listing = chat.reply()
    assert button(listing, f"ord:view:{order.id}")
    labels = [b["text"] for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert "#1 · awaiting payment · 299 000 UZS" in labels
    chat.press(f"ord:view:{order.id}")
    detail = chat.reply()
    assert "Paid: 0 UZS" in detail["text"] and "Remaining: 299 000 UZS" in detail["text"]
    chat.press(button(detail, "ord:pay:"))
    assert chat.reply()["text"] == "pay 299000 for order #1"
    assert (PAYMENTS.started[-1]["remaining"], PAYMENTS.started[-1]["status"]) == (299_000, "payment_pending")

    stranger = conversation(center)
    register_customer(app, center, stranger.user_id)
    stranger.press(f"ord:view:{order.id}")  # another customer's order does not exist for them
    stranger.press(f"ord:pay:{order.id}")
    stranger.quiet(0.3)


def test_a_button_after_the_state_expired_gets_a_polite_restart(app, make_center, conversation):
    center, cat = shop(app, make_center, "shop9")
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    app.extensions["wowdash"].states.ttl = 1
    chat.press("ord:new")
    step = chat.reply()
    time.sleep(1.3)
    chat.press(button(step, "ord:cat:", f":{cat.translation}"))
    restart = chat.reply()
    assert "expired" in restart["text"] and "went wrong" not in restart["text"]
    assert button(restart, "ord:new") == "ord:new"
    chat.press("ord:new")
    chat.reply()
    time.sleep(1.3)
    chat.send("5")  # typing after the expiry is answered politely too
    assert "expired" in chat.reply()["text"]
    app.extensions["wowdash"].states.ttl = 3600
    chat.press("ord:new")  # and a new order starts normally
    assert "Choose a service" in chat.reply()["text"]


def test_an_unregistered_customer_is_sent_to_registration(app, make_center, conversation):
    center, _ = shop(app, make_center, "shop10")
    chat = conversation(center)
    chat.press("ord:new")
    assert "/start" in chat.reply()["text"]
    assert orders(app, center) == []


def test_double_taps_on_finish_with_the_real_upload_step_make_one_summary_and_one_order(
        app, make_center, conversation, fake_api):
    from test_inspect_file import make_pdf
    center, cat = shop(app, make_center, "shop11", plugins=[*BASE, "wowdash_files"], staff_chat=STAFF_CHAT)
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    to_summary(chat, cat, pages=None)
    chat.send_document(make_pdf(3), "passport.pdf", "application/pdf")
    chat.reply()
    done = chat.press("fil:done")
    chat.press("fil:done")  # the second tap finds the upload step over
    chat.push(done)  # and a redelivery of the first is dropped
    summary = chat.reply()
    assert "Pages: 3, extra copies: 2, files: 1" in summary["text"]
    confirm = button(summary, "ord:confirm:")
    chat.press(confirm)
    chat.press(confirm)
    chat.replies(2)  # placed, pay at pickup
    chat.quiet(0.4)
    [order] = orders(app, center)
    assert order.total == 55_000 + 2 * 45_000 + 2 * 32_000
    assert [f.name for f in order.files] == ["passport.pdf"]
    fake_api.wait_for(lambda calls: len(fake_api.sent_messages(center.token, STAFF_CHAT)) >= 2)
    time.sleep(0.3)
    assert len(fake_api.sent_messages(token=center.token, chat_id=STAFF_CHAT)) == 2  # the post and the file
