"""The order and catalog admin: scoped lists, search and filters, the details page, permission-checked
actions through the status service (audited, the customer told once), walk-in orders, catalog edits."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from catalog_factory import make_catalog, register_customer

from wowdash.admin.accounts import create_staff
from wowdash.admin.models import AuditLog
from wowdash.extensions import db
from wowdash.models import Branch, Customer
from wowdash_orders import service
from wowdash_orders.models import Category, Language, Order, OrderFile, Product

PASSWORD = "correct-horse-9"
PLUGINS = ["wowdash_registration", "wowdash_orders", "wowdash_files"]
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
CUSTOMER = 610_001


class Admin:
    def __init__(self, app, username):
        self.client = app.test_client()
        page = self.client.get("/admin/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        response = self.client.post("/admin/login", data={"username": username, "password": PASSWORD,
                                                          "csrf_token": token})
        assert response.status_code == 302, response.text
        self.token = CSRF_RE.search(self.client.get("/admin/").text).group(1)

    def get(self, url):
        return self.client.get(url)

    def post(self, url, **data):
        response = self.client.post(url, data={"csrf_token": self.token, **data})
        response.close()  # runs the after-response delivery of what the request committed
        return response


@pytest.fixture
def world(app, make_center):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    alpha = make_center("alpha", enabled_plugins=PLUGINS, default_language="en",
                        branches=[{"code": "main", "name": "Alpha Office"}])
    beta = make_center("beta", enabled_plugins=PLUGINS, branches=[{"code": "main", "name": "Beta Office"}])
    register_customer(app, alpha, CUSTOMER, language="ru", name="Ivan Alpha")
    register_customer(app, beta, CUSTOMER + 1, name="Bob Beta")
    with app.app_context():
        ids = {}
        for handle, slug in ((alpha, "alpha"), (beta, "beta")):
            make_catalog(handle.id)
            customer = db.session.scalar(sa.select(Customer).where(Customer.center_id == handle.id))
            product = db.session.scalar(sa.select(Product).where(Product.center_id == handle.id,
                                                                 Product.code == "passport"))
            english = db.session.scalar(sa.select(Language).where(Language.center_id == handle.id,
                                                                  Language.code == "en"))
            order = service.place_order(center_id=handle.id, customer=customer, category=product.category,
                                        product=product, language=english, pages=5, copies=2,
                                        files=[{"id": 41, "name": f"{slug}-passport.pdf", "kind": "pdf",
                                                "pages": 5, "size": 1000, "telegram_file_id": None}])
            ids[f"{slug}_order"] = order.id
            for role in ("owner", "manager", "staff"):
                create_staff(f"{slug}_{role}", PASSWORD, center_slug=slug, role=role,
                             full_name=f"{slug.title()} {role.title()}")
        create_staff("root", PASSWORD, superadmin=True)
        db.session.commit()
    return {"alpha": alpha, "beta": beta, **ids}


def order(app, order_id) -> Order:
    with app.app_context():
        row = db.session.get(Order, order_id)
        _ = row.fees, row.price_overrides, row.status_changes
        db.session.expunge_all()
        return row


def audits(app, action) -> list[AuditLog]:
    with app.app_context():
        return db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)).all()


def test_the_order_list_is_scoped_searchable_and_filterable(app, world):
    manager = Admin(app, "alpha_manager")
    page = manager.get("/admin/orders/")
    assert page.status_code == 200 and "Ivan Alpha" in page.text and "Bob Beta" not in page.text
    assert "Beta Office" not in page.text  # not even in the branch filter's options
    assert "Ivan Alpha" in manager.get("/admin/orders/?search=Ivan").text
    assert "Ivan Alpha" not in manager.get("/admin/orders/?search=nobody").text
    assert "Ivan Alpha" in manager.get("/admin/orders/?search=%2B998901234567").text
    assert "Ivan Alpha" in manager.get("/admin/orders/?flt0_0=pending").text  # status filter
    assert "Ivan Alpha" not in manager.get("/admin/orders/?flt0_0=ready").text
    assert manager.get(f"/admin/orders/details/?id={world['beta_order']}").status_code == 404
    foreign = f"/admin/orders/order/{world['beta_order']}/status"
    assert manager.post(foreign, status="in_progress").status_code == 404
    root = Admin(app, "root").get("/admin/orders/")
    assert "Ivan Alpha" in root.text and "Bob Beta" in root.text


def test_the_details_page_shows_the_price_files_and_only_permitted_actions(app, world):
    url = f"/admin/orders/details/?id={world['alpha_order']}"
    page = Admin(app, "alpha_manager").get(url)
    assert page.status_code == 200
    assert "Other pages: 4 × 45 000 UZS = 180 000 UZS" in page.text
    assert 'href="/admin/files/41"' in page.text and "alpha-passport.pdf" in page.text
    for form in ("action-status", "action-assign", "action-fee", "action-override", "action-pages"):
        assert form in page.text
    staff_page = Admin(app, "alpha_staff").get(url)
    assert "action-status" in staff_page.text
    assert "action-fee" not in staff_page.text and "action-override" not in staff_page.text


def test_a_status_change_goes_through_the_table_is_audited_and_tells_the_customer_once(app, world, fake_api):
    staff = Admin(app, "alpha_staff")
    url = f"/admin/orders/order/{world['alpha_order']}/status"
    assert staff.post(url, status="in_progress").status_code == 302
    assert order(app, world["alpha_order"]).status == "in_progress"
    sent = fake_api.wait_for_sent(1, token=world["alpha"].token, chat_id=CUSTOMER)
    assert [m["text"] for m in sent] == ["Заказ #1: в работе."]
    staff.post(url, status="completed")  # not allowed from in_progress
    assert order(app, world["alpha_order"]).status == "in_progress"
    assert "cannot go from" in staff.get(f"/admin/orders/details/?id={world['alpha_order']}").text
    [row] = audits(app, "order.status")
    assert row.details == {"old": "pending", "new": "in_progress"} and row.username == "alpha_staff"
    assert len(fake_api.sent_messages(token=world["alpha"].token, chat_id=CUSTOMER)) == 1


def test_money_actions_need_their_permission_and_keep_a_history(app, world):
    base = f"/admin/orders/order/{world['alpha_order']}"
    staff = Admin(app, "alpha_staff")
    assert staff.post(f"{base}/fee", amount="10000", reason="urgent").status_code == 403
    assert staff.post(f"{base}/override", total="1", reason="friend").status_code == 403
    assert staff.post(f"{base}/assign", staff_id="1").status_code == 403
    manager = Admin(app, "alpha_manager")
    manager.post(f"{base}/fee", amount="10 000", reason="urgent")
    manager.post(f"{base}/fee", amount="5000", reason="")  # refused: a fee needs a reason
    row = order(app, world["alpha_order"])
    assert (row.total, [f.reason for f in row.fees]) == (309_000, ["urgent"])
    manager.post(f"{base}/override", total="250000", reason="regular customer")
    manager.post(f"{base}/pages", pages="6")
    row = order(app, world["alpha_order"])
    assert (row.total, row.base_total, row.pages) == (250_000, 344_000, 6)
    manager.post(f"{base}/override", total="", reason="back to the computed price")
    row = order(app, world["alpha_order"])
    assert row.total == 344_000 + 10_000
    assert [(p.old_total, p.new_total) for p in row.price_overrides] == [(309_000, 250_000), (250_000, None)]
    assert len(audits(app, "order.fee")) == 1 and len(audits(app, "order.override")) == 2


def test_assigning_offers_only_the_centers_staff(app, world):
    with app.app_context():
        from wowdash.admin.models import StaffUser
        ids = {u.username: u.id for u in db.session.scalars(sa.select(StaffUser))}
    manager = Admin(app, "alpha_manager")
    base = f"/admin/orders/order/{world['alpha_order']}/assign"
    manager.post(base, staff_id=str(ids["beta_staff"]))
    assert order(app, world["alpha_order"]).assignee_id is None
    manager.post(base, staff_id=str(ids["alpha_staff"]))
    row = order(app, world["alpha_order"])
    assert (row.assignee_id, row.assignee_name) == (ids["alpha_staff"], "Alpha Staff")
    page = manager.get(f"/admin/orders/?flt0_3={ids['alpha_staff']}")
    assert "Ivan Alpha" in page.text


def test_staff_enter_walk_in_orders(app, world):
    with app.app_context():
        branch = db.session.scalar(sa.select(Branch.id).where(Branch.center_id == world["alpha"].id))
        product = db.session.scalar(sa.select(Product.id).where(Product.center_id == world["alpha"].id,
                                                                Product.code == "apostille-doc"))
        foreign = db.session.scalar(sa.select(Product.id).where(Product.center_id == world["beta"].id))
    staff = Admin(app, "alpha_staff")
    page = staff.get("/admin/orders/walk-in/")
    assert page.status_code == 200 and "Apostille" in page.text
    staff.post("/admin/orders/walk-in/", branch_id=str(branch), product_id=str(foreign), customer_name="X")
    response = staff.post("/admin/orders/walk-in/", branch_id=str(branch), product_id=str(product), pages="3",
                          copies="1", customer_name="Walk In", customer_phone="+998 90 000 00 00")
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(Order).where(Order.source == "walk_in")).all()
        assert [(r.center_id, r.number, r.total, r.customer_id) for r in rows] == [
            (world["alpha"].id, 2, 140_000, None)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderFile)) == 2


def test_the_catalog_needs_catalog_manage_and_stays_in_the_center(app, world):
    assert Admin(app, "alpha_staff").get("/admin/order_products/").status_code == 403
    manager = Admin(app, "alpha_manager")
    page = manager.get("/admin/order_products/")
    assert page.status_code == 200 and page.text.count("Passport") >= 1
    with app.app_context():
        beta_category = db.session.scalar(sa.select(Category.id).where(
            Category.center_id == world["beta"].id))
    response = manager.post("/admin/order_categories/new/", code="urgent", name="Urgent", name_ru="Срочно",
                            name_uz="", name_en="", pricing="fixed", position="3", is_active="y")
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(Category).where(Category.code == "urgent"))
        assert (row.center_id, row.name_i18n) == (world["alpha"].id, {"ru": "Срочно"})
    manager.post("/admin/order_products/new/", category=str(beta_category), code="stolen", name="Stolen",
                 first_page_price="1", other_page_price="0", copy_price="0", estimated_days="1", position="0")
    with app.app_context():
        assert db.session.scalar(sa.select(Product).where(Product.code == "stolen")) is None
    assert manager.get(f"/admin/order_categories/edit/?id={beta_category}").status_code == 404
