"""Paying through the fake Bot API and the admin: card receipts, verification, rejection, cash, ownership."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_files import signed_in
from test_inspect_file import JPEG, make_pdf

from wowdash import bot_for, db, hookimpl
from wowdash.models import Customer
from wowdash_payments.models import Payment, Receipt

CARD = "8600 1234 5678 9012"
STAFF_CHAT = -1001234567890


class FakeOrders:
    """Stands in for the order plugin: orders in a dict, '/pay <id>' offers payment, payments counted."""

    name = "test_orders"

    def __init__(self):
        self.orders: dict[int, dict] = {}
        self.recorded: list[tuple[int, dict]] = []

    def add(self, order_id: int, center, customer_id: int, chat_id: int, total: int, branch_id=None) -> dict:
        self.orders[order_id] = {"id": order_id, "number": order_id + 1000, "center_id": center.id,
                                 "branch_id": branch_id, "customer_id": customer_id, "total": total,
                                 "paid": 0,
                                 "remaining": total, "currency": "UZS", "status": "pending",
                                 "customer_chat_id": chat_id, "language": "en"}
        return self.orders[order_id]

    @hookimpl
    def wowdash_order_info(self, tenant, order_id):
        order = self.orders.get(order_id)
        return dict(order) if order and order["center_id"] == tenant.id else None

    @hookimpl
    def wowdash_payment_recorded(self, tenant, order_id, payment):
        """Like the order plugin: update the amounts and send the customer's one message."""
        order = self.orders[order_id]
        self.recorded.append((order_id, payment))
        order["paid"] += payment["amount"]
        order["remaining"] = 0 if payment["full"] else max(order["total"] - order["paid"], 0)
        bot_for(tenant.id).send_message(chat_id=order["customer_chat_id"],
                                        text=f"order paid {order['paid']}, remaining {order['remaining']}")

    @hookimpl
    def wowdash_payment_methods(self, tenant, order):
        return [("fakepay", "test_orders.fakepay")]

    @hookimpl
    def wowdash_begin_provider_payment(self, ctx, order, method):
        if method == "fakepay":
            ctx.reply(f"fakepay invoice for {order['remaining']}")
            return True
        return None

    @hookimpl
    def wowdash_translations(self):
        return {lang: {"test_orders.fakepay": "FakePay"} for lang in ("uz", "ru", "en")}

    @hookimpl
    def wowdash_route_message(self, ctx):
        return self.pay if ctx.command == "pay" else None

    def pay(self, ctx):
        assert ctx.hook.wowdash_start_payment(ctx=ctx, order=self.orders[int(ctx.text.split()[1])])


@pytest.fixture
def orders():
    return FakeOrders()


@pytest.fixture
def app(make_app, orders):
    return make_app(PLUGINS=[orders])


@pytest.fixture
def center(make_center):
    return make_center("paycenter", enabled_plugins=["wowdash_payments", "test_orders"],
                       languages=["uz", "ru", "en"],
                       branches=[{"code": "main", "name": "Main office", "address": "Amir Temur 1",
                                  "card_number": CARD, "card_holder": "ALIYEV A",
                                  "staff_chat_id": STAFF_CHAT}])


def customer(app, center, user_id: int) -> int:
    with app.app_context():
        row = Customer(center_id=center.id, telegram_id=user_id, full_name="Test Customer", language="en")
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.fixture
def alice(app, center, conversation, orders):
    chat = conversation(center, language_code="en")
    orders.add(5, center, customer(app, center, chat.user_id), chat.user_id, 120_000)
    return chat


def receipts(app) -> list[Receipt]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Receipt).order_by(Receipt.id)))
        db.session.expunge_all()
        return found


def payments(app) -> list[Payment]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Payment).order_by(Payment.id)))
        db.session.expunge_all()
        return found


def receipt_images(app) -> list[Path]:
    root = Path(app.config["FILE_STORAGE_DIR"]) / "receipts"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def send_receipt(chat) -> None:
    chat.send("/pay 5")
    chat.reply()
    chat.press("pay:card:5")
    chat.reply()
    chat.send_photo(JPEG)
    assert "waiting for verification" in chat.reply()["text"]


class Admin:
    """A signed-in staff member posting the admin's forms with the page's CSRF token."""

    def __init__(self, app, username, center_slug, role="owner"):
        self.client = signed_in(app, username, center_slug, role)
        page = self.client.get("/admin/").text
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, url, **data):
        with self.client.post(url, data={"csrf_token": self.token, **data}) as response:
            return response  # closing it runs the delivery of what the request committed

    def flashes(self) -> str:
        return self.client.get("/admin/receipts/").text


def test_card_transfer_shows_the_card_and_a_receipt_photo_waits_for_verification(app, center, alice,
                                                                                 fake_api):
    alice.send("/pay 5")
    offer = alice.reply()
    assert "120 000 UZS" in offer["text"]
    assert [d for _, d in alice.buttons(offer)] == ["pay:cash:5", "pay:card:5", "pay:p:fakepay:5"]
    alice.press("pay:card:5")
    card = alice.reply()
    assert CARD in card["text"] and "ALIYEV A" in card["text"] and "120 000 UZS" in card["text"]
    assert [d for _, d in alice.buttons(card)] == ["pay:cancel:5"]
    alice.send("here it is")
    assert "photo of the receipt" in alice.reply()["text"]
    alice.send_photo(JPEG)
    assert "order #1005 (120 000 UZS) is waiting for verification" in alice.reply()["text"]
    [receipt] = receipts(app)
    assert (receipt.status, receipt.amount_claimed, receipt.order_id, receipt.mime_type) == (
        "pending", 120_000, 5, "image/jpeg")
    [image] = receipt_images(app)
    assert image.read_bytes() == JPEG and image.stat().st_mode & 0o077 == 0
    staff = fake_api.wait_for_calls("sendPhoto", token=center.token)[-1]
    assert staff.params["chat_id"] == STAFF_CHAT and "1005" in staff.params["caption"]
    alice.send("anything else")  # the receipt step is over
    alice.quiet(0.3)


def test_verify_records_the_payment_once_and_the_rest_can_be_paid_later(app, center, alice, orders):
    send_receipt(alice)
    [receipt] = receipts(app)
    owner = Admin(app, "pay_owner", center.slug)
    review = owner.client.get(f"/admin/receipts/review/?id={receipt.id}")
    assert review.status_code == 200 and f"/admin/receipts/{receipt.id}/image" in review.text
    assert owner.post("/admin/receipts/verify/", id=receipt.id, amount="50000").status_code == 302
    assert alice.reply()["text"] == "order paid 50000, remaining 70000"  # the order plugin's one message
    [payment] = payments(app)
    assert (payment.amount, payment.method, payment.full, payment.receipt_id, payment.actor) == (
        50_000, "card", False, receipt.id, "pay_owner")
    assert orders.recorded == [(5, {"id": payment.id, "amount": 50_000, "method": "card", "full": False,
                                    "actor": "pay_owner"})]
    [receipt] = receipts(app)
    assert (receipt.status, receipt.verified_amount, receipt.verified_by) == ("verified", 50_000, "pay_owner")

    owner.post("/admin/receipts/verify/", id=receipt.id, amount="50000")
    assert "already verified" in owner.flashes()
    owner.post("/admin/receipts/reject/", id=receipt.id, reason="too late")
    assert len(payments(app)) == 1 and len(orders.recorded) == 1
    alice.quiet(0.5)

    alice.send("/pay 5")
    assert "70 000 UZS to pay" in alice.reply()["text"]


def test_reject_tells_the_customer_the_reason_once(app, center, alice, orders):
    send_receipt(alice)
    [receipt] = receipts(app)
    manager = Admin(app, "pay_manager", center.slug, role="manager")
    assert manager.post("/admin/receipts/reject/", id=receipt.id, reason="").status_code == 302
    assert "reason" in manager.flashes() and receipts(app)[0].status == "pending"
    manager.post("/admin/receipts/reject/", id=receipt.id, reason="The amount <b>does not match</b>")
    told = alice.reply()
    assert "not accepted" in told["text"] and "The amount <b>does not match</b>" in told["text"]
    assert [d for _, d in alice.buttons(told)] == ["pay:show:5"]
    assert receipts(app)[0].status == "rejected" and payments(app) == [] and orders.recorded == []
    manager.post("/admin/receipts/reject/", id=receipt.id, reason="again")
    manager.post("/admin/receipts/verify/", id=receipt.id, amount="1000")
    alice.quiet(0.5)
    assert payments(app) == []
    alice.press("pay:show:5")
    assert "120 000 UZS to pay" in alice.reply()["text"]


def test_accepting_a_short_payment_in_full_needs_the_higher_permission(app, center, alice, orders):
    send_receipt(alice)
    [receipt] = receipts(app)
    manager = Admin(app, "short_manager", center.slug, role="manager")
    refused = manager.post("/admin/receipts/verify/", id=receipt.id, amount="100000", full="1")
    assert refused.status_code == 403
    assert "accept as paying the order in full" not in manager.client.get(
        f"/admin/receipts/review/?id={receipt.id}").text
    assert payments(app) == [] and receipts(app)[0].status == "pending"
    owner = Admin(app, "full_owner", center.slug)
    owner.post("/admin/receipts/verify/", id=receipt.id, amount="100000", full="1")
    assert alice.reply()["text"] == "order paid 100000, remaining 0"
    assert orders.recorded[0][1]["full"] is True and payments(app)[0].full is True
    staff = Admin(app, "plain_staff", center.slug, role="staff")
    assert staff.post("/admin/receipts/verify/", id=receipt.id, amount="1").status_code == 403
    assert len(payments(app)) == 1


def test_buttons_for_another_customers_order_are_refused(app, center, alice, conversation, orders, fake_api,
                                                         make_center):
    bob = conversation(center, language_code="en")
    orders.add(6, center, customer(app, center, bob.user_id), bob.user_id, 10_000)
    other = make_center("othercenter", enabled_plugins=["wowdash_payments", "test_orders"])
    orders.add(7, other, customer(app, center, 999_001), 999_001, 10_000)
    for forged in ("pay:card:5", "pay:cash:5", "pay:show:5", "pay:p:fakepay:5", "pay:cancel:5", "pay:card:7",
                   "pay:card:x"):
        bob.press(forged)
        answer = fake_api.wait_for_calls("answerCallbackQuery", token=center.token)[-1]
        assert answer.params.get("text") in ("This order was not found.", "This button is out of date.")
    bob.quiet(0.3)
    bob.send_photo(JPEG)  # not in a receipt step: nothing happens for the payment plugin
    assert receipts(app) == [] and payments(app) == []

    bob.press("pay:card:6")  # his own order works
    assert CARD in bob.reply()["text"]


def test_wrong_or_oversized_receipts_are_refused_and_nothing_is_kept(app, center, alice, fake_api):
    alice.send("/pay 5")
    alice.reply()
    alice.press("pay:card:5")
    alice.reply()
    alice.send_document(make_pdf(1), "receipt.pdf", "application/pdf")
    assert "as an image" in alice.reply()["text"]
    big = alice.send_document(JPEG, "huge.jpg", "image/jpeg", file_size=25 * 1024 * 1024)
    assert "too large" in alice.reply()["text"]
    big_id = big["message"]["document"]["file_id"]
    assert not [c for c in fake_api.calls(center.token, "getFile") if c.params.get("file_id") == big_id]
    assert receipts(app) == [] and receipt_images(app) == []
    alice.press("pay:cancel:5")
    assert "cancelled" in alice.reply()["text"]
    alice.send_photo(JPEG)  # the step is over
    alice.quiet(0.3)
    assert receipts(app) == []


def test_cash_points_to_the_branch_and_staff_record_it_once(app, center, alice, orders):
    alice.send("/pay 5")
    alice.reply()
    alice.press("pay:cash:5")
    cash = alice.reply()["text"]
    assert "Main office, Amir Temur 1" in cash and "120 000 UZS" in cash
    assert payments(app) == [] and orders.recorded == []

    manager = Admin(app, "cash_manager", center.slug, role="manager")
    form = manager.client.get("/admin/payments/record/?order_id=5").text
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', form).group(1)
    recorded = manager.post("/admin/payments/record/", order_id="5", amount="20000", request_key=key)
    assert recorded.status_code == 302
    assert alice.reply()["text"] == "order paid 20000, remaining 100000"
    manager.post("/admin/payments/record/", order_id="5", amount="20000", request_key=key)  # a double submit
    assert [(p.amount, p.method, p.actor) for p in payments(app)] == [(20_000, "cash", "cash_manager")]
    assert "20000" in manager.client.get("/admin/payments/").text
    alice.quiet(0.3)

    alice.press("pay:p:fakepay:5")
    assert alice.reply()["text"] == "fakepay invoice for 100000"


def test_receipt_images_and_lists_stay_in_their_center(app, center, alice, make_center):
    send_receipt(alice)
    [receipt] = receipts(app)
    url = f"/admin/receipts/{receipt.id}/image"
    assert app.test_client().get(url).status_code == 401
    other = make_center("rival", enabled_plugins=["wowdash_payments"])
    rival = Admin(app, "rival_owner", other.slug)
    assert rival.client.get(url).status_code == 404
    assert rival.client.get(f"/admin/receipts/review/?id={receipt.id}").status_code == 404
    assert rival.post("/admin/receipts/verify/", id=receipt.id, amount="1").status_code == 404
    assert url not in rival.client.get("/admin/receipts/").text
    assert rival.client.get("/admin/payments/record/?order_id=5").text.count("No such order") == 1
    figure = re.compile(r'wd-figure">(\d+)</div>\s*<div class="text-muted">Receipts waiting for verification')
    assert figure.search(rival.client.get("/admin/").text).group(1) == "0"
    for user in (Admin(app, "own_manager", center.slug, role="manager"), Admin(app, "root", None)):
        assert figure.search(user.client.get("/admin/").text).group(1) == "1"
        with user.client.get(url) as response:
            assert response.status_code == 200 and response.data == JPEG
            assert response.mimetype == "image/jpeg" and "no-store" in response.headers["Cache-Control"]
    assert payments(app) == []
