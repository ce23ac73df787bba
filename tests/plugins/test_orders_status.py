"""The status machine and the payment hook: one transition table, one message per change, after commit."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from catalog_factory import StatusRecorder, make_catalog, register_customer

import wowdash
from wowdash import tenant_files
from wowdash.extensions import db
from wowdash.models import Customer, OutboxMessage
from wowdash.telegram import sender
from wowdash_orders import service
from wowdash_orders.catalog import CatalogError
from wowdash_orders.models import Category, Language, Order, OrderPayment, Product
from wowdash_orders.status import STATUSES, TRANSITIONS, IllegalTransition, change_status

RECORDER = StatusRecorder()
PLUGINS = ["wowdash_registration", "wowdash_orders", "test_status_recorder"]
USER = 555_001
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app):
    RECORDER.seen.clear()
    return make_app(PLUGINS=[RECORDER])


@pytest.fixture
def center(app, make_center):
    handle = make_center("status", enabled_plugins=PLUGINS, branches=[{"code": "main", "name": "Main"}])
    register_customer(app, handle, USER, language="ru")
    with app.app_context():
        make_catalog(handle.id)
        db.session.commit()
    return handle


def place(center_id: int, pages: int = 5, copies: int = 2, user: int = USER) -> Order:
    customer = db.session.scalar(sa.select(Customer).where(Customer.center_id == center_id,
                                                           Customer.telegram_id == user))
    product = db.session.scalar(sa.select(Product).where(Product.center_id == center_id,
                                                         Product.code == "passport"))
    language = db.session.scalar(sa.select(Language).where(Language.center_id == center_id,
                                                           Language.code == "en"))
    return service.place_order(center_id=center_id, customer=customer, category=product.category,
                               product=product, language=language, pages=pages, copies=copies)


def commit_and_deliver() -> None:
    """Commit, then send what the commit queued (as the admin's request does); the session is reset."""
    db.session.commit()
    sender.deliver_committed()


def get(order_id: int) -> Order:
    return db.session.get(Order, order_id)


def texts(fake_api, center, chat_id=USER) -> list[str]:
    return [m["text"] for m in fake_api.sent_messages(token=center.token, chat_id=chat_id)]


def test_the_transition_table_covers_every_status():
    assert set(TRANSITIONS) == set(STATUSES)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(STATUSES)
    assert TRANSITIONS["completed"] == ()
    assert "pending" in TRANSITIONS["cancelled"]  # reactivation


def test_a_status_change_notifies_once_in_the_customers_language_after_the_commit(app, center, fake_api):
    with app.app_context():
        order_id = place(center.id).id
        commit_and_deliver()
        change_status(get(order_id), "in_progress", actor="manager")
        assert texts(fake_api, center) == []  # queued in the transaction, not sent
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.chat_id == USER)) == 1
        commit_and_deliver()
        assert texts(fake_api, center) == ["Заказ #1: в работе."]

        with pytest.raises(IllegalTransition, match="cannot go from 'in_progress' to 'pending'"):
            change_status(get(order_id), "pending")
        with pytest.raises(IllegalTransition):
            change_status(get(order_id), "in_progress")  # the same status is not a change
        db.session.rollback()
        for new in ("ready", "completed"):
            change_status(get(order_id), new, actor="manager")
            commit_and_deliver()
        order = get(order_id)
        assert order.completed_by == "manager" and order.completed_at is not None
        with pytest.raises(IllegalTransition, match="allowed from 'completed': none"):
            change_status(order, "cancelled")
        db.session.rollback()
        history = [(c.old, c.new, c.actor) for c in order.status_changes]
    assert history == [(None, "pending", None), ("pending", "in_progress", "manager"),
                       ("in_progress", "ready", "manager"), ("ready", "completed", "manager")]
    assert texts(fake_api, center) == ["Заказ #1: в работе.", "Заказ #1: готов.", "Заказ #1: завершён."]
    assert RECORDER.seen == [(1, "pending", "in_progress"), (1, "in_progress", "ready"),
                             (1, "ready", "completed")]


def test_a_rolled_back_change_sends_nothing_and_cancelled_orders_can_be_reactivated(app, center, fake_api):
    with app.app_context():
        order_id = place(center.id).id
        commit_and_deliver()
        change_status(get(order_id), "cancelled", actor="manager", reason="customer asked")
        db.session.rollback()
        sender.deliver_committed()
        assert texts(fake_api, center) == [] and get(order_id).status == "pending"
        change_status(get(order_id), "cancelled", reason="customer asked")
        commit_and_deliver()
        change_status(get(order_id), "pending", reason="reactivated")
        commit_and_deliver()
    assert texts(fake_api, center) == ["Заказ #1: отменён.", "Заказ #1: принят."]


def test_payments_are_counted_once_move_the_status_and_notify_once(app, center, fake_api):
    with app.app_context():
        order = place(center.id)  # 299 000
        order_id = order.id
        change_status(order, "payment_pending", notify=False)
        commit_and_deliver()
        tenant = wowdash.tenant(center.id)
        hooks = wowdash.hooks_for(tenant)
        payment = {"id": 7, "amount": 100_000, "method": "card", "full": False, "actor": "cashier"}
        hooks.wowdash_payment_recorded(tenant=tenant, order_id=order_id, payment=payment)
        commit_and_deliver()
        hooks.wowdash_payment_recorded(tenant=tenant, order_id=order_id, payment=payment)  # reported twice
        commit_and_deliver()
        order = get(order_id)
        assert (order.paid, order.remaining, order.status, order.payment_state) == (
            100_000, 199_000, "payment_received", "partial")
        info = hooks.wowdash_order_info(tenant=tenant, order_id=order.id)
        assert info["remaining"] == 199_000 and info["language"] == "ru" and info["customer_chat_id"] == USER

        hooks.wowdash_payment_recorded(tenant=tenant, order_id=order_id,
                                       payment={"id": 8, "amount": 199_000, "method": "cash", "full": False,
                                                "actor": None})
        commit_and_deliver()
        order = get(order_id)
        assert (order.paid, order.remaining, order.status, order.payment_state) == (
            299_000, 0, "payment_confirmed", "paid")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderPayment)) == 2
    messages = texts(fake_api, center)
    assert len(messages) == 2
    assert "получена оплата 100 000 сум" in messages[0] and "Осталось: 199 000 сум" in messages[0]
    assert "оплачен частично" in messages[0]
    assert "Осталось: 0 сум" in messages[1] and "оплата подтверждена" in messages[1]
    assert RECORDER.seen == [(1, "pending", "payment_pending"), (1, "payment_pending", "payment_received"),
                             (1, "payment_received", "payment_confirmed")]


def test_accepting_a_partial_payment_in_full_confirms_it(app, center, fake_api):
    with app.app_context():
        order_id = place(center.id).id
        tenant = wowdash.tenant(center.id)
        wowdash.hooks_for(tenant).wowdash_payment_recorded(
            tenant=tenant, order_id=order_id, payment={"id": "full-1", "amount": 250_000, "method": "card",
                                                       "full": True, "actor": "owner"})
        commit_and_deliver()
        order = get(order_id)
        assert (order.paid, order.remaining, order.status) == (250_000, 0, "payment_confirmed")
        change_status(order, "in_progress")
        wowdash.hooks_for(tenant).wowdash_payment_recorded(  # a late payment keeps the work status
            tenant=tenant, order_id=order_id, payment={"id": "tip", "amount": 1_000, "method": "cash",
                                                       "full": False, "actor": None})
        commit_and_deliver()
        assert get(order_id).status == "in_progress"
    assert len(texts(fake_api, center)) == 3


def test_another_centers_order_is_not_touched(app, center, make_center):
    other = make_center("other", enabled_plugins=PLUGINS)
    with app.app_context():
        order_id = place(center.id).id
        commit_and_deliver()
        tenant = wowdash.tenant(other.id)
        hooks = wowdash.hooks_for(tenant)
        hooks.wowdash_payment_recorded(tenant=tenant, order_id=order_id,
                                       payment={"id": 1, "amount": 5, "method": "cash", "full": True})
        assert hooks.wowdash_order_info(tenant=tenant, order_id=order_id) is None
        db.session.commit()
        assert get(order_id).paid == 0


def test_order_numbers_are_per_center_and_allocated_atomically(app, center, make_center):
    other = make_center("numbers", enabled_plugins=PLUGINS)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def allocate():
        try:
            with app.app_context():
                numbers.append(service.next_number(center.id))
                db.session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and sorted(numbers) == list(range(1, 9))
    with app.app_context():
        assert service.next_number(other.id) == 1 and service.next_number(center.id) == 9
        db.session.commit()


CATALOG = {"catalog": {
    "categories": [{"code": "tr", "name_i18n": {"en": "Translation", "ru": "Перевод"}, "pricing": "per_page"},
                   {"code": "ap", "name": "Apostille", "pricing": "fixed", "branch": "main"}],
    "products": [{"code": "pass", "category": "tr", "name": "Passport", "first_page_price": 50000,
                  "other_page_price": 40000, "copy_price": 30000},
                 {"code": "ap1", "category": "ap", "name": "Apostille", "first_page_price": 120000}],
    "languages": [{"code": "en", "category": "tr", "name": "English", "first_page_surcharge": 5000,
                   "other_page_surcharge": 5000, "copy_surcharge": 2000}],
}}


def test_the_catalog_syncs_from_tenant_data_idempotently_by_code(app):
    data = {"slug": "synced", "name": "Synced", "enabled_plugins": ["wowdash_orders"],
            "branches": [{"code": "main", "name": "Main"}], **CATALOG}
    with app.app_context():
        tenant_files.sync(data)
        data["catalog"]["products"][0]["first_page_price"] = 55000
        center = tenant_files.sync(data)
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m).where(m.center_id == center.id))
                  for m in (Category, Product, Language)]
        assert counts == [2, 2, 1]
        passport = db.session.scalar(sa.select(Product).where(Product.code == "pass"))
        assert passport.first_page_price == 55000 and passport.category.title("en") == "Translation"
        apostille = db.session.scalar(sa.select(Category).where(Category.code == "ap"))
        assert apostille.branch.code == "main" and apostille.pricing == "fixed"
        bad = {**data, "catalog": {"categories": [{"code": "x", "pricing": "per_word"}]}}
        with pytest.raises(CatalogError, match="pricing"):
            tenant_files.sync(bad)


def test_the_demo_tenant_file_has_a_small_real_catalog(app):
    data = tenant_files.load(ROOT / "tenants" / "demo.toml")
    with app.app_context():
        center = tenant_files.sync({**data, "bot_token_env": None})
        cats = db.session.scalars(sa.select(Category).where(Category.center_id == center.id)
                                  .order_by(Category.position)).all()
        assert [(c.code, c.pricing) for c in cats] == [("translation", "per_page"), ("notary-copy", "fixed")]
        assert {lang.code for lang in cats[0].languages} == {"en", "ru"}
        for row in [*cats, *cats[0].products, *cats[1].products, *cats[0].languages]:
            assert set(row.name_i18n) == {"uz", "ru", "en"}


def dashboard(center_id: int) -> dict[str, str]:
    results = wowdash.hooks_for(center_id).wowdash_dashboard_figures(center_id=center_id)
    return dict(pair for result in results for pair in result or [])


def test_dashboard_figures_count_only_the_centers_orders(app, center, make_center):
    other = make_center("dash", enabled_plugins=PLUGINS)
    with app.app_context():
        place(center.id)
        change_status(place(center.id), "cancelled")
        db.session.commit()
        figures = dashboard(center.id)
        assert figures["Orders today"] == "2" and figures["Open orders"] == "1"
        assert figures["Still to collect"] == "299 000 UZS"
        others = dashboard(other.id)
        assert others["Orders today"] == "0"
