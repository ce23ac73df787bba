"""A plugin's admin views exist only for centers that enabled the plugin: not in the menu, 404 by URL."""
from __future__ import annotations

import pytest
from admin_kit import seed

from wowdash.extensions import db
from wowdash.models import Center

ORDERS = ("/admin/orders/", "/admin/orders/walk-in/", "/admin/order_categories/", "/admin/order_products/",
          "/admin/order_languages/")
PAYMENTS = ("/admin/receipts/", "/admin/receipts/review/?id=1", "/admin/payments/", "/admin/payments/record/")


@pytest.fixture
def world(app, fake_api):
    """alpha enabled the order plugin only; beta every plugin (enabled_plugins None)."""
    world = seed(app, fake_api, enabled_plugins=("wowdash_registration", "wowdash_orders"))
    with app.app_context():
        db.session.get(Center, world.b).enabled_plugins = None
        db.session.commit()
    return world


def _menu(client) -> str:
    page = client.get("/admin/")
    assert page.status_code == 200
    return page.text


def test_views_of_a_plugin_the_center_has_not_enabled_are_hidden_and_404(world, sign_in, app):
    owner = sign_in("alpha_owner")
    menu = _menu(owner)
    assert 'href="/admin/orders/"' in menu and 'href="/admin/order_products/"' in menu
    assert 'href="/admin/receipts/"' not in menu and 'href="/admin/payments/"' not in menu
    assert ">Payments<" not in menu  # the empty category is gone too
    for url in ORDERS:
        assert owner.get(url).status_code == 200, url
    for url in PAYMENTS:
        assert owner.get(url).status_code == 404, url
    for url, form in (("/admin/receipts/verify/", {"id": "1", "amount": "1"}),
                      ("/admin/receipts/reject/", {"id": "1", "reason": "no"}),
                      ("/admin/payments/record/", {"order_id": "1", "amount": "1"})):
        assert owner.post(url, form).status_code == 404, url
    assert owner.get("/admin/receipts/1/image").status_code == 404  # the plugin's own routes too
    # Switched off later: gone at once, for every role.
    with app.app_context():
        db.session.get(Center, world.a).enabled_plugins = ["wowdash_registration"]
        db.session.commit()
    for username in ("alpha_owner", "alpha_manager", "alpha_staff"):
        client = sign_in(username)
        menu = _menu(client)
        assert 'href="/admin/orders/"' not in menu and ">Catalog<" not in menu, username
        assert 'href="/admin/customers/"' in menu, username  # core views stay
        for url in ORDERS:
            assert client.get(url).status_code == 404, (username, url)
        assert client.post("/admin/orders/order/1/status", {"status": "cancelled"}).status_code == 404
        assert client.get("/admin/files/1").status_code in (403, 404), username


def test_all_plugins_enabled_and_the_super_admin_see_every_plugin_view(world, sign_in, app):
    for username in ("beta_owner", "root"):
        client = sign_in(username)
        menu = _menu(client)
        for url in ("/admin/orders/", "/admin/order_products/", "/admin/receipts/", "/admin/payments/"):
            assert f'href="{url}"' in menu, (username, url)
            assert client.get(url).status_code == 200, (username, url)
    # Permissions still apply inside an enabled plugin (403, not 404), and strangers still sign in first.
    assert sign_in("beta_staff").get("/admin/receipts/").status_code == 403
    assert sign_in("alpha_staff").get("/admin/order_products/").status_code == 403
    anonymous = app.test_client().get("/admin/receipts/")
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]


def test_every_plugin_view_names_its_plugin(app):
    """A plugin view without ``plugin`` would show for centers that switched the plugin off."""
    admin = app.extensions["wowdash_admin"]
    names = set(app.extensions["wowdash"].plugins.optional_names())
    plugin_views = [v for v in admin._views if type(v).__module__.split(".")[0] in names]
    assert {type(v).__name__ for v in plugin_views} >= {"OrderView", "ReceiptView", "PaymentView"}
    for view in plugin_views:
        assert view.plugin == type(view).__module__.split(".")[0], type(view).__name__
