"""End to end with the real plugins: the order wizard asks for files, offers payment, staff verify twice."""
from __future__ import annotations

import sqlalchemy as sa
from catalog_factory import button, make_catalog, register_customer
from test_inspect_file import JPEG, make_pdf
from test_payments import CARD, Admin, receipts

from wowdash import db
from wowdash_orders.models import Order

PLUGINS = ["wowdash_registration", "wowdash_orders", "wowdash_files", "wowdash_payments"]


def order_row(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.id == order_id))
        _ = order.files
        db.session.expunge_all()
        return order


def pay_by_card(chat, order_id: str, remaining: str) -> None:
    chat.press(f"pay:card:{order_id}")
    card = chat.reply()["text"]
    assert CARD in card and remaining in card
    chat.send_photo(JPEG)
    assert "waiting for verification" in chat.reply()["text"]


def test_files_then_a_card_payment_in_two_parts_through_the_real_order_plugin(app, make_center, conversation):
    center = make_center("e2e", enabled_plugins=PLUGINS, default_language="en",
                         branches=[{"code": "main", "name": "Main", "address": "Amir Temur 1",
                                    "card_number": CARD, "card_holder": "ALIYEV A"}])
    with app.app_context():
        cat = make_catalog(center.id)
        db.session.commit()
    chat = conversation(center)
    register_customer(app, center, chat.user_id)
    chat.press("ord:new")
    for prefix, suffix in (("ord:cat:", f":{cat.translation}"), ("ord:lang:", f":{cat.english}"),
                           ("ord:prod:", f":{cat.passport}"), ("ord:copies:", ":0")):
        chat.press(button(chat.reply(), prefix, suffix))
    assert "Send your documents" in chat.reply()["text"]
    chat.send_document(make_pdf(3), "passport.pdf", "application/pdf")
    assert "1 file, 3 pages" in chat.reply()["text"]
    chat.send_photo(JPEG)
    assert "2 files, 4 pages" in chat.reply()["text"]
    chat.press("fil:done")
    summary = chat.reply()
    assert "190 000 UZS" in summary["text"]  # 55 000 + 3 x 45 000: the pages came from the files
    chat.press(button(summary, "ord:confirm:"))
    placed, offer = chat.replies(2)
    assert "placed" in placed["text"] and "190 000 UZS to pay" in offer["text"]
    order_id = button(offer, "pay:card:").split(":")[2]
    assert [(f.kind, f.pages) for f in order_row(app, int(order_id)).files] == [("pdf", 3), ("jpg", 1)]

    pay_by_card(chat, order_id, "190 000 UZS")
    owner = Admin(app, "e2e_owner", center.slug)
    owner.post("/admin/receipts/verify/", id=receipts(app)[0].id, amount="100000")
    told = chat.reply()["text"]
    assert "100 000 UZS" in told and "90 000 UZS" in told  # the order plugin's one message
    chat.quiet(0.4)
    order = order_row(app, int(order_id))
    assert (order.paid, order.remaining, order.status) == (100_000, 90_000, "payment_received")

    chat.press(f"ord:pay:{order_id}")  # "pay the rest" from My orders
    assert "90 000 UZS to pay" in chat.reply()["text"]
    pay_by_card(chat, order_id, "90 000 UZS")
    owner.post("/admin/receipts/verify/", id=receipts(app)[1].id, amount="90000")
    assert "190 000 UZS" in chat.reply()["text"]
    chat.quiet(0.4)
    order = order_row(app, int(order_id))
    assert (order.paid, order.remaining, order.status) == (190_000, 0, "payment_confirmed")
