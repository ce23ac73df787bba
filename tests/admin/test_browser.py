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
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
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
    for url in (f"/admin/customers/edit/?id={world.customer_b}", f"/admin/customers/details/?id={world.customer_b}",
                f"/admin/branches/details/?id={world.branch_b}", f"/admin/staff/details/?id={world.staff['beta_staff']}"):
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
