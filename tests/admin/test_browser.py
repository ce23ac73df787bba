"""In Chromium: a center-A manager cannot reach center B's rows; the sandbox answers /start; HTML stays text."""
from __future__ import annotations

import os
import re

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
