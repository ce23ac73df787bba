"""Verifying a card receipt in the admin, with the real order and payment plugins: a signed-in owner posts
the review page's verify form (with its CSRF token); the order moves along the status table and the
customer gets exactly one message through the fake Bot API."""
from __future__ import annotations

import re

import sqlalchemy as sa
from admin_kit import ORDER_PLUGINS, PASSWORD, AdminClient
from catalog_factory import make_catalog, register_customer
from test_inspect_file import JPEG

from wowdash.admin.accounts import create_staff
from wowdash.admin.models import AuditLog
from wowdash.extensions import db
from wowdash.models import Customer
from wowdash_orders import service
from wowdash_orders.models import Category, Language, Order, Product
from wowdash_orders.status import TRANSITIONS
from wowdash_payments.models import Payment, Receipt

CARD = "8600 1234 5678 9012"


def _place_order(app, center) -> int:
    """An order of the center's customer (Passport into English, 3 pages: 145 000), placed by the service."""
    with app.app_context():
        catalog = make_catalog(center.id)
        customer = db.session.scalar(sa.select(Customer).where(Customer.center_id == center.id))
        order = service.place_order(center_id=center.id, customer=customer,
                                    category=db.session.get(Category, catalog.translation),
                                    product=db.session.get(Product, catalog.passport),
                                    language=db.session.get(Language, catalog.english), pages=3, copies=0)
        db.session.commit()
        return order.id


def _send_receipt(chat, order_id: int) -> None:
    """The customer asks to pay the order, picks the card transfer, sends the photo of the receipt."""
    chat.press(f"ord:pay:{order_id}")
    assert "to pay" in chat.reply()["text"]
    chat.press(f"pay:card:{order_id}")
    assert CARD in chat.reply()["text"]
    chat.send_photo(JPEG)
    assert "waiting for verification" in chat.reply()["text"]


def _pending_receipt(app, order_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Receipt.id).where(Receipt.order_id == order_id,
                                                             Receipt.status == "pending"))


def _order(app, order_id: int) -> tuple[str, int, list[tuple[str | None, str, str | None]]]:
    with app.app_context():
        order = db.session.get(Order, order_id)
        return order.status, order.paid, [(c.old, c.new, c.actor) for c in order.status_changes]


def _verify(owner: AdminClient, receipt_id: int, amount: str) -> str:
    """Open the receipt's review page and submit its verify form as the browser would."""
    page = owner.get(f"/admin/receipts/review/?id={receipt_id}")
    assert page.status_code == 200
    form = re.search(r'<form method="post" action="([^"]+)" id="verify".*?</form>', page.text, re.S)
    assert form, "no verify form on the review page"
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)
    with owner.client.post(form.group(1), data={"csrf_token": token, "id": str(receipt_id),
                                                "amount": amount}) as response:
        assert response.status_code == 302, response.text
    return owner.get("/admin/receipts/").text  # the flash message


def test_verifying_a_receipt_moves_the_order_and_tells_the_customer_once(app, make_center, conversation,
                                                                          fake_api):
    center = make_center("alpha", enabled_plugins=list(ORDER_PLUGINS), default_language="en",
                         branches=[{"code": "main", "name": "Main", "card_number": CARD,
                                    "card_holder": "ALIYEV A"}])
    chat = conversation(center, language_code="en")
    register_customer(app, center, chat.user_id)
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    with app.app_context():
        create_staff("alpha_owner", PASSWORD, center_slug="alpha", role="owner", full_name="Alpha Owner")
        db.session.commit()
    order_id = _place_order(app, center)
    owner = AdminClient(app)
    assert owner.login("alpha_owner").status_code == 302

    def sent() -> list[dict]:
        return fake_api.sent_messages(token=center.token, chat_id=chat.user_id)

    def pay(amount: int, old: str, new: str, paid: int) -> int:
        """A receipt of ``amount`` verified: ``old`` -> ``new`` (a move of the table), one message."""
        _send_receipt(chat, order_id)
        receipt = _pending_receipt(app, order_id)
        before = len(sent())
        assert "verified" in _verify(owner, receipt, str(amount))
        told = chat.reply()["text"]
        assert f"Payment of {amount:,} UZS received for order #1".replace(",", " ") in told, told
        assert f"Paid: {paid:,} UZS".replace(",", " ") in told, told
        chat.quiet(0.4)
        assert len(sent()) == before + 1
        assert new in TRANSITIONS[old]
        status, total_paid, history = _order(app, order_id)
        assert (status, total_paid, history[-1]) == (new, paid, (old, new, "alpha_owner"))
        return receipt

    receipt = pay(100_000, "pending", "payment_received", 100_000)  # a part of the 145 000
    # The same form posted again: refused, nothing recorded, nothing sent.
    with owner.client.post("/admin/receipts/verify/", data={"csrf_token": owner.token, "id": str(receipt),
                                                            "amount": "100000"}) as response:
        assert response.status_code == 302
    assert "already verified" in owner.get(f"/admin/receipts/review/?id={receipt}").text
    chat.quiet(0.3)
    assert _order(app, order_id)[:2] == ("payment_received", 100_000)
    pay(45_000, "payment_received", "payment_confirmed", 145_000)  # the rest
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
            AuditLog.action == "payments.verify_receipt")) == 2
    dashboard = owner.get("/admin/").text  # the center's dashboard counts the verified money as revenue
    assert "Revenue today" in dashboard and "Revenue this month" in dashboard
    assert dashboard.count("145 000 UZS") >= 2
