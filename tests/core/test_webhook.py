"""The webhook: secrets, bad input, duplicates, failing handlers, per-user order, center isolation."""
from __future__ import annotations

import json
import threading

import pytest
import requests
from core_helpers import Boom, Echo, Slow, counts, overlap


@pytest.fixture
def echo():
    return Echo()


@pytest.fixture
def app(make_app, echo):
    return make_app(PLUGINS=[echo, Boom()])


def post(server, slug, body, secret=None, **headers):
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(f"{server.url}/tg/{slug}", data=data, headers={"Content-Type": "application/json",
                                                                          **headers}, timeout=10)


def test_wrong_or_missing_secret_is_refused_and_changes_nothing(app, live_server, make_center, fake_api):
    center = make_center("alpha", enabled_plugins=["echo"])
    update = fake_api.message_update(center.token, 42, "hello")
    assert post(live_server, "alpha", update).status_code == 401
    assert post(live_server, "alpha", update, secret="wrong").status_code == 403
    assert post(live_server, "alpha", update, secret=center.webhook_secret[:-1]).status_code == 403
    assert counts(app, center.id) == {"updates": 0, "customers": 0, "outbox": 0}
    assert fake_api.sent_messages(token=center.token) == []


@pytest.mark.parametrize("body,status,error", [
    (b"{not json", 400, "malformed"),
    (b"[1, 2]", 400, "malformed"),
    (b'{"update_id": "x", "message": {}}', 400, "update_id"),
    (b'{"update_id": 5}', 400, "update object"),
])
def test_malformed_updates_get_a_clear_400(app, live_server, make_center, fake_api, body, status, error):
    center = make_center("alpha", enabled_plugins=["echo"])
    response = post(live_server, "alpha", body, secret=center.webhook_secret)
    assert response.status_code == status
    assert error in response.json()["error"]
    assert counts(app, center.id) == {"updates": 0, "customers": 0, "outbox": 0}


def test_unknown_slug_and_oversized_body(app, live_server, make_center, fake_api):
    center = make_center("alpha", enabled_plugins=["echo"])
    update = fake_api.message_update(center.token, 42, "hello")
    assert post(live_server, "nobody", update, secret=center.webhook_secret).status_code == 404
    huge = dict(update, message=dict(update["message"], text="x" * (app.config["MAX_UPDATE_BYTES"] + 10)))
    response = post(live_server, "alpha", huge, secret=center.webhook_secret)
    assert response.status_code == 413
    assert counts(app, center.id) == {"updates": 0, "customers": 0, "outbox": 0}


def test_a_disabled_center_does_not_accept_updates(app, live_server, make_center, fake_api):
    from wowdash.extensions import db
    from wowdash.models import Center
    center = make_center("alpha", enabled_plugins=["echo"])
    with app.app_context():
        db.session.get(Center, center.id).is_active = False
        db.session.commit()
    update = fake_api.message_update(center.token, 42, "hello")
    assert post(live_server, "alpha", update, secret=center.webhook_secret).status_code == 404


def test_duplicate_delivery_has_one_effect(app, make_center, conversation, fake_api):
    center = make_center("alpha", enabled_plugins=["echo"])
    chat = conversation(center)
    update = chat.send("hello")
    assert chat.reply()["text"] == "echo: hello #1"
    chat.push(update)  # Telegram redelivers the same update_id
    chat.quiet(0.4)
    assert counts(app, center.id)["updates"] == 1
    chat.send("again")
    assert chat.reply()["text"] == "echo: again #2"  # the duplicate did not count in the state


def test_concurrent_duplicate_delivery_from_two_threads_has_one_effect(app, make_center, conversation,
                                                                      fake_api, echo):
    center = make_center("alpha", enabled_plugins=["echo"])
    chat = conversation(center)
    update = fake_api.message_update(center.token, chat.user_id, "once")
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(fake_api.push_update(center.token, update)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert statuses == [200, 200]
    assert chat.reply()["text"] == "echo: once #1"
    chat.quiet(0.4)
    assert len(echo.seen) == 1


def test_a_failing_handler_still_gets_200_the_error_hook_runs_and_the_user_is_served_next(
        app, make_center, conversation, fake_api):
    boom = app.extensions["wowdash"].plugins.get_plugin("boom")
    center = make_center("alpha", enabled_plugins=["echo", "boom"])
    chat = conversation(center)
    chat.send("/boom")  # asserts the webhook answered 200
    apology = chat.reply()
    assert "Sorry, something went wrong" in apology["text"]
    assert boom.errors == ["handler failed on purpose"]
    chat.send("hi")
    assert chat.reply()["text"] == "echo: hi #1"
    chat.quiet(0.3)
    texts = [m["text"] for m in fake_api.sent_messages(token=center.token)]
    assert "half-done message that must never be sent" not in texts
    from wowdash.extensions import db
    from wowdash.models import Customer
    with app.app_context():
        names = [c.full_name for c in db.session.query(Customer).filter_by(center_id=center.id)]
    assert "should be rolled back" not in names


def test_one_users_updates_run_one_after_another_while_different_users_run_in_parallel(make_app, fake_api):
    from wowdash.testing.live import LiveServer, create_center
    slow = Slow(0.4)
    app = make_app(PLUGINS=[slow])
    server = LiveServer(app).start()
    try:
        center = create_center(app, fake_api, server, "alpha", enabled_plugins=["slow"])
        same = [fake_api.message_update(center.token, 1, "a"), fake_api.message_update(center.token, 1, "b")]
        other = [fake_api.message_update(center.token, 2, "c")]
        threads = [threading.Thread(target=fake_api.push_update, args=(center.token, u)) for u in same + other]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
    finally:
        server.stop()
    user1 = [s for s in slow.spans if s[0] == 1]
    user2 = [s for s in slow.spans if s[0] == 2]
    assert len(user1) == 2 and len(user2) == 1
    assert not overlap(user1[0], user1[1]), "one user's updates overlapped"
    assert any(overlap(user2[0], s) for s in user1), "different users did not run in parallel"


def test_centers_are_isolated_same_user_two_states(app, make_center, conversation, fake_api, echo):
    a = make_center("alpha", enabled_plugins=["echo"])
    b = make_center("beta", enabled_plugins=["echo"])
    user = 555
    chat_a, chat_b = conversation(a, user_id=user), conversation(b, user_id=user)
    chat_a.send("one")
    assert chat_a.reply()["text"] == "echo: one #1"
    chat_a.send("two")
    assert chat_a.reply()["text"] == "echo: two #2"
    chat_b.send("first")
    assert chat_b.reply()["text"] == "echo: first #1"  # B has its own state for the same user
    assert all(c.token == a.token for c in fake_api.calls(method="sendMessage")
               if c.params["text"].startswith("echo: one") or c.params["text"].startswith("echo: two"))
    assert {c for c, _ in echo.seen} == {a.id, b.id}
    assert counts(app, a.id)["customers"] == 0 or counts(app, a.id)["customers"] == 1


def test_a_plugin_disabled_for_one_center_stops_there_and_keeps_answering_elsewhere(
        app, make_center, conversation, fake_api):
    from wowdash.extensions import db
    from wowdash.models import Center
    a = make_center("alpha", enabled_plugins=["echo", "wowdash_greeting"])
    b = make_center("beta", enabled_plugins=["echo", "wowdash_greeting"])
    chat_a, chat_b = conversation(a, user_id=1), conversation(b, user_id=1)
    chat_a.send("x")
    assert chat_a.reply()["text"].startswith("echo:")
    with app.app_context():  # no restart: the registry is read per update
        db.session.get(Center, a.id).enabled_plugins = ["wowdash_greeting"]
        db.session.commit()
    chat_a.send("y")
    assert not chat_a.reply()["text"].startswith("echo:")  # the greeting plugin's fallback answers
    chat_b.send("z")
    assert chat_b.reply()["text"] == "echo: z #1"
