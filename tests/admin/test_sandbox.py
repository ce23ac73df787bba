"""The sandbox: the same dispatcher and plugins as a webhook, with no Telegram call at all."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from wowdash import hookimpl


class FileProbe:
    """A stand-in plugin: downloads an uploaded document in the prepare phase and says what it got."""

    name = "sandbox_probe"

    @hookimpl
    def wowdash_prepare_update(self, ctx):
        doc = (ctx.message or {}).get("document")
        if doc:
            ctx.extras["content"] = ctx.bot.download(doc["file_id"])

    @hookimpl
    def wowdash_route_message(self, ctx):
        msg = ctx.message or {}
        if msg.get("document"):
            return lambda c: c.reply(f"got {len(c.extras['content'])} bytes: {msg['document']['file_name']}")
        if msg.get("contact"):
            return lambda c: c.reply(f"phone {msg['contact']['phone_number']}")
        if ctx.text == "menu":
            return lambda c: c.reply("pick", reply_markup={"inline_keyboard": [[
                {"text": "One", "callback_data": "probe:one"}]]})
        return None

    @hookimpl
    def wowdash_route_callback_query(self, ctx):
        if ctx.callback_data == "probe:one":
            def edit(c):
                c.answer_callback("chosen")
                c.bot.edit_message_text(chat_id=c.chat_id, message_id=c.callback_query["message"]["message_id"],
                                        text="you chose one")
            return edit
        return None


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=[FileProbe()], DELIVERY="inline")


@pytest.fixture
def world(app, fake_api):
    from admin_kit import seed
    return seed(app, fake_api, enabled_plugins=("wowdash_greeting", "sandbox_probe"))


def _messages(client, after=0, want=1, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        data = client.get(f"/admin/sandbox/messages?after={after}").get_json()
        if len(data["messages"]) >= want or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def test_start_is_answered_through_the_dispatcher_without_telegram(world, sign_in, app, fake_api):
    from wowdash.admin.sandbox import sandbox_user_id
    from wowdash.extensions import db
    from wowdash.models import OutboxMessage
    owner = sign_in("alpha_owner")
    response = owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "/start", "language": "ru"})
    assert response.status_code == 200 and response.get_json()["status"] == "handled"
    data = _messages(owner)
    assert "Добро пожаловать" in data["messages"][0]["text"] and "Alpha Center" in data["messages"][0]["text"]
    assert fake_api.calls() == []  # no Telegram call at all
    with app.app_context():
        row = db.session.query(OutboxMessage).one()
        assert row.transport == "sandbox" and row.status == "sent"
        assert row.chat_id == sandbox_user_id(world.staff["alpha_owner"])
    # polling from the last id returns nothing new
    assert _messages(owner, after=data["last_id"], want=0)["messages"] == []


def test_buttons_edits_contacts_and_files(world, sign_in, app):
    owner = sign_in("alpha_owner")
    owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "menu"})
    menu = _messages(owner)["messages"][0]
    assert menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "probe:one"
    owner.post_json("/admin/sandbox/send", {"kind": "callback", "data": "probe:one", "message_id": menu["id"]})
    after_press = _messages(owner, after=menu["id"], want=2)["messages"]
    notice = next(m for m in after_press if m["method"] == "answer_callback_query")
    edit = next(m for m in after_press if m["method"] == "edit_message_text")
    assert notice["text"] == "chosen" and edit["message_id"] == menu["id"] and edit["text"] == "you chose one"
    last = max(m["id"] for m in after_press)
    owner.post_json("/admin/sandbox/send", {"kind": "contact", "phone": "+998901234567"})
    assert _messages(owner, after=last)["messages"][0]["text"] == "phone +998901234567"
    last = _messages(owner, after=last)["last_id"]
    response = owner.client.post("/admin/sandbox/upload", headers={"X-CSRFToken": owner.token}, data={
        "file": (io.BytesIO(b"%PDF-1.4 hello"), "report.pdf")})
    assert response.status_code == 200
    assert _messages(owner, after=last)["messages"][0]["text"] == "got 14 bytes: report.pdf"
    stored = list((Path(app.config["FILE_STORAGE_DIR"]) / "sandbox").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == b"%PDF-1.4 hello" and stored[0].name.isalnum()


def test_each_staff_member_sees_only_their_own_chat_and_center(world, sign_in):
    owner, manager, beta = sign_in("alpha_owner"), sign_in("alpha_manager"), sign_in("beta_owner")
    owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "/start"})
    assert len(_messages(owner)["messages"]) == 1
    assert _messages(manager, want=0, timeout=0)["messages"] == []
    # A center's staff cannot talk to another center's bot by naming it.
    beta.post_json(f"/admin/sandbox/send?center={world.a}", {"kind": "text", "text": "/start"})
    reply = _messages(beta)["messages"][0]["text"]
    assert "Beta Center" in reply
    assert _messages(owner, after=_messages(owner)["last_id"], want=0, timeout=0.2)["messages"] == []


def test_the_super_admin_picks_the_center(world, sign_in):
    root = sign_in("root")
    page = root.get(f"/admin/sandbox/?center={world.b}").text
    assert "Beta Center" in page and 'id="center-pick"' in page
    root.post_json(f"/admin/sandbox/send?center={world.b}", {"kind": "text", "text": "/start"})
    assert "Beta Center" in root.get(f"/admin/sandbox/messages?center={world.b}").get_json()["messages"][0]["text"]


def test_bad_input_is_refused(world, sign_in):
    owner = sign_in("alpha_owner")
    assert owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "  "}).status_code == 400
    assert owner.post_json("/admin/sandbox/send", {"kind": "weird"}).status_code == 400
    assert owner.client.post("/admin/sandbox/upload", headers={"X-CSRFToken": owner.token}).status_code == 400


def test_start_over_forgets_the_conversation_state(world, sign_in, app):
    from wowdash.admin.sandbox import sandbox_user_id
    owner = sign_in("alpha_owner")
    owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "/start"})
    last = _messages(owner)["last_id"]
    runtime = app.extensions["wowdash"]
    user_id = sandbox_user_id(world.staff["alpha_owner"])
    with app.app_context():
        runtime.store.save(world.a, user_id, {"flow": "registration", "step": "name"}, 600)
    response = owner.post_json("/admin/sandbox/reset", {})
    assert response.status_code == 200 and response.get_json()["last_id"] >= last
    with app.app_context():
        assert not runtime.store.load(world.a, user_id).data
    assert owner.post_json("/admin/sandbox/reset", {}, csrf=False).status_code == 400
