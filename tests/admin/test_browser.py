"""In Chromium: a center-A manager cannot reach center B's rows (customers, branches, staff, orders, their
files and receipts); the sandbox answers /start; HTML stays text."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from admin_kit import HOSTILE, PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's Chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    alerts = []
    tab.prompt_answer = None

    def on_dialog(dialog):
        if dialog.type == "prompt" and tab.prompt_answer is not None:
            dialog.accept(tab.prompt_answer)
        else:
            alerts.append(dialog.message)
            dialog.dismiss()
    tab.on("dialog", on_dialog)
    tab.alerts = alerts
    yield tab
    context.close()


def sign_in(page, username):
    page.goto("/admin/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/admin/$"))


def _customer(app, customer_id):
    from wowdash.extensions import db
    from wowdash.models import Customer
    with app.app_context():
        row = db.session.get(Customer, customer_id)
        return row.full_name, row.branch_id


def test_a_manager_cannot_reach_another_centers_rows(world, page, app):
    sign_in(page, "alpha_manager")
    for url, own, foreign in (("/admin/customers/", "Alice Alpha", "Bob Beta"),
                              ("/admin/branches/", "Alpha Main Office", "Beta Secret Office"),
                              ("/admin/staff/", "alpha_staff", "beta_staff")):
        page.goto(url)
        body = page.inner_text("body")
        assert own in body and foreign not in body, url
    page.goto("/admin/customers/")
    assert "List (1)" in page.inner_text(".nav-tabs")  # the count is the center's
    # Not by editing a URL's id.
    for url in (f"/admin/customers/edit/?id={world.customer_b}",
                f"/admin/customers/details/?id={world.customer_b}",
                f"/admin/branches/details/?id={world.branch_b}",
                f"/admin/staff/details/?id={world.staff['beta_staff']}"):
        assert page.goto(url).status == 404, url
    # Not in a relation dropdown.
    page.goto(f"/admin/customers/edit/?id={world.customer_a}")
    options = page.eval_on_selector_all("select#branch option", "els => els.map(e => [e.value, e.textContent])")
    labels = [label for _, label in options]
    assert "Alpha Main Office" in labels and "Beta Secret Office" not in labels
    # Not by posting the form with B's id.
    before = _customer(app, world.customer_a)
    page.eval_on_selector("select#branch", "(el, id) => { const o = document.createElement('option');"
                          " o.value = id; o.textContent = 'forged'; el.appendChild(o); el.value = id; }",
                          str(world.branch_b))
    page.fill("#full_name", "Forged name")
    page.click("input[type=submit].btn-primary")
    page.wait_for_load_state()
    assert "Not a valid choice" in page.inner_text("body")
    assert _customer(app, world.customer_a) == before


def test_the_sandbox_answers_start_and_shows_html_as_text(world, page, app):
    from wowdash.extensions import db
    from wowdash.models import Customer
    with app.app_context():
        db.session.get(Customer, world.customer_a).full_name = HOSTILE
        db.session.commit()
    sign_in(page, "alpha_owner")
    page.goto("/admin/customers/")
    assert HOSTILE in page.inner_text("body")  # shown literally, as text
    page.goto("/admin/sandbox/")
    page.select_option("#language", "en")
    page.fill("#text", "/start")
    page.click("#send")
    page.wait_for_selector(".wd-msg.bot")
    assert "Welcome to the Alpha Center bot" in page.inner_text("#chat")
    page.fill("#text", HOSTILE)
    page.click("#send")
    page.wait_for_function("document.querySelectorAll('.wd-msg.bot').length >= 2")
    mine = page.eval_on_selector_all(".wd-msg.me", "els => els.map(e => e.textContent)")
    assert HOSTILE in mine
    assert page.eval_on_selector_all("#chat script, #chat img", "els => els.length") == 0
    assert page.alerts == []


def _bot_bubbles(page) -> int:
    return page.eval_on_selector_all(".wd-msg.bot", "els => els.length")


def _press(page, prefix):
    button = page.locator(f'#chat button[data-callback^="{prefix}"]').last
    try:
        button.wait_for()
    except Exception as exc:
        raise AssertionError(f"no {prefix} button; the chat reads: {page.inner_text('#chat')}") from exc
    button.click()


def _catalog(app, center_id):
    from wowdash.extensions import db
    from wowdash_orders.models import Category, Language, Product
    with app.app_context():
        category = Category(center_id=center_id, code="translation", name="Translation", pricing="per_page",
                            name_i18n={"en": "Translation"})
        db.session.add_all([
            category,
            Product(center_id=center_id, category=category, code="passport", name="Passport",
                    first_page_price=50_000, other_page_price=40_000, copy_price=30_000),
            Language(center_id=center_id, category=category, code="en", name="English"),
        ])
        db.session.commit()


def test_a_customer_journey_in_the_sandbox_from_start_to_a_placed_order(page, app, fake_api):
    """Registration (language, name, contact button, one branch) -> order wizard -> confirm, no Telegram."""
    from admin_kit import seed

    from wowdash.extensions import db
    from wowdash_orders.models import Order
    world = seed(app, fake_api, enabled_plugins=("wowdash_registration", "wowdash_orders"))
    _catalog(app, world.a)
    sign_in(page, "alpha_owner")
    page.goto("/admin/sandbox/")
    page.select_option("#language", "en")
    page.fill("#text", "/start")
    page.click("#send")
    _press(page, "reg:lang:en")
    page.wait_for_function("document.querySelectorAll('.wd-msg.bot').length >= 2")
    page.fill("#text", "Sandbox Tester")
    page.click("#send")
    key = page.locator("#reply-keyboard button").first
    key.wait_for()
    page.prompt_answer = "+998901234567"
    key.click()
    _press(page, "ord:new")
    # The wizard's steps (service, document, language when there is a choice, copies): the first choice each.
    page.locator('#chat button[data-callback^="ord:cat:"]').last.wait_for()
    for _ in range(6):
        if "How many pages" in page.inner_text("#chat"):
            break
        before = _bot_bubbles(page)
        page.locator("#chat > .wd-msg.bot").last.locator('button[data-callback^="ord:"]').first.click()
        page.wait_for_function("n => document.querySelectorAll('#chat .wd-msg.bot').length > n", arg=before)
    assert "How many pages" in page.inner_text("#chat")
    page.fill("#text", "3")
    page.click("#send")
    _press(page, "ord:confirm:")
    page.wait_for_function("document.getElementById('chat').innerText.includes('placed')")
    assert fake_api.calls() == []
    with app.app_context():
        [order] = db.session.query(Order).filter_by(center_id=world.a).all()
        assert order.pages == 3 and order.total > 0
    assert page.alerts == []


def _options(page, selector) -> list[str]:
    return page.eval_on_selector_all(f"{selector} option", "els => els.map(e => e.textContent.trim())")


def _forged_post(page, form, action=None, field=None, value=None) -> int:
    """Submit ``form`` of the page after pointing it at another row; the status of the answer."""
    page.eval_on_selector(form, """(el, [action, field, value]) => {
        if (action) el.action = action;
        if (field) el.querySelector(`[name="${field}"]`).value = value;
        el.querySelectorAll('[required]').forEach(i => { if (!i.value) i.value = '1000'; });
    }""", [action, field, value])
    with page.expect_navigation() as navigation:
        page.eval_on_selector(form, "el => el.requestSubmit()")
    return navigation.value.status


def _order_state(app, order_id) -> tuple:
    from wowdash.extensions import db
    from wowdash_orders.models import Order
    from wowdash_payments.models import Payment, Receipt
    with app.app_context():
        order = db.session.get(Order, order_id)
        receipts = db.session.query(Receipt.status).filter_by(order_id=order_id).all()
        payments = db.session.query(Payment).filter_by(order_id=order_id).count()
        return (order.status, order.assignee_id, order.total, order.paid, len(order.fees),
                len(order.status_changes), [r.status for r in receipts], payments)


def test_a_manager_cannot_reach_another_centers_orders_files_or_receipts(page, app, fake_api):
    """Both centers have an order with an uploaded file and a pending receipt; alpha's manager sees only
    alpha's, in lists, counts, dropdowns, by URL and by forged form posts."""
    from admin_kit import ORDER_PLUGINS, seed, seed_orders
    world = seed(app, fake_api, enabled_plugins=ORDER_PLUGINS)
    seeded = seed_orders(app, world)
    a_order, b_order = seeded.order["alpha"], seeded.order["beta"]
    b_before = _order_state(app, b_order)
    sign_in(page, "alpha_manager")

    # Lists and their counts.
    for url, own, foreign in (("/admin/orders/", "Alice Alpha", "Bob Beta"),
                              ("/admin/receipts/", "Alice Alpha", "Bob Beta")):
        page.goto(url)
        body = page.inner_text("body")
        assert own in body and foreign not in body, url
        assert "List (1)" in page.inner_text(".nav-tabs"), url
    assert page.goto(f"/admin/orders/?search={seeded.order['beta']}").ok  # searching does not find it
    assert "Bob Beta" not in page.inner_text("body")

    # The order list's filters: the branch and assignee choices are the center's.
    page.goto("/admin/orders/")
    for name, own, foreign in (("Branch", "Alpha Main Office", "Beta"), ("Assignee", "Alpha Staff", "Beta")):
        page.click("a.dropdown-toggle:has-text('Add Filter')")
        page.click(f".field-filters a.filter:text-is('{name}')")
        choices = _options(page, "#filter_form tr:last-child select.filter-val")
        assert own in " ".join(choices) and not [c for c in choices if foreign in c], (name, choices)

    # By editing a URL's id: details, catalog edits, the file, the receipt's review and image.
    for url in (f"/admin/orders/details/?id={b_order}",
                f"/admin/order_products/edit/?id={seeded.product['beta']}",
                f"/admin/order_categories/edit/?id={seeded.category['beta']}",
                f"/admin/files/{seeded.file['beta']}",
                f"/admin/receipts/review/?id={seeded.receipt['beta']}",
                f"/admin/receipts/{seeded.receipt['beta']}/image"):
        assert page.goto(url).status == 404, url
    page.goto(f"/admin/orders/edit/?id={b_order}")  # orders have no edit form: back to the list
    assert "Bob Beta" not in page.inner_text("body")
    image = page.goto(f"/admin/receipts/{seeded.receipt['alpha']}/image")
    assert image.status == 200 and image.body().startswith(b"\xff\xd8")
    page.goto(f"/admin/receipts/review/?id={seeded.receipt['alpha']}")
    assert page.inner_text("#status") == "pending"

    # Alpha's own details page: the file downloads; the assign dropdown lists alpha's staff only.
    page.goto(f"/admin/orders/details/?id={a_order}")
    with page.expect_download() as download:
        page.click("#order-files a")
    assert Path(download.value.path()).read_bytes() == seeded.data["alpha"]
    staff = _options(page, "#action-assign select[name=staff_id]")
    assert "Alpha Staff" in staff and not [s for s in staff if "Beta" in s or "beta" in s], staff
    # The category edit form's branch dropdown and the walk-in form's choices.
    page.goto(f"/admin/order_categories/edit/?id={seeded.category['alpha']}")
    branches = _options(page, "select#branch")
    assert "Alpha Main Office" in branches and "Beta Secret Office" not in branches
    page.goto("/admin/orders/walk-in/")
    walk_in = " ".join(_options(page, "select"))
    assert "Alpha Main Office" in walk_in and "Beta Secret Office" not in walk_in

    # Posting alpha's action forms at beta's order: 404 each, and beta's order does not change.
    page.goto(f"/admin/orders/details/?id={a_order}")
    details_url = page.url
    for name, field, value in (("status", None, None), ("assign", "staff_id", str(world.staff["beta_staff"])),
                               ("fee", "reason", "forged"), ("override", "reason", "forged"),
                               ("pages", "pages", "9")):
        page.goto(details_url)
        action = f"/admin/orders/order/{b_order}/{name}"
        assert _forged_post(page, f"#action-{name}", action, field, value) == 404, name
    page.goto(f"/admin/receipts/review/?id={seeded.receipt['alpha']}")
    assert _forged_post(page, "form#verify", None, "id", str(seeded.receipt["beta"])) == 404
    page.goto(f"/admin/receipts/review/?id={seeded.receipt['alpha']}")
    assert _forged_post(page, "form#reject", None, "id", str(seeded.receipt["beta"])) == 404
    assert _order_state(app, b_order) == b_before
    assert fake_api.sent_messages(token=world.tokens["beta"]) == []
    assert page.alerts == []
