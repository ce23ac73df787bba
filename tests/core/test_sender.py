"""Outbound delivery: 429 pauses only that bot, 401 marks only that center, 5xx and drops are retried."""
from __future__ import annotations

import logging
import time

import pytest
import sqlalchemy as sa
from core_helpers import Echo

from wowdash.extensions import db
from wowdash.models import Center, OutboxMessage


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=[Echo()])


def outbox(app, center_id, settle: float = 5.0):
    """The center's outbox rows, once no row is still being sent (the sender marks rows after the Bot
    API answered, so a reply can reach the fake a moment before its row says ``sent``)."""
    deadline = time.monotonic() + settle
    while True:
        with app.app_context():
            rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.center_id == center_id)
                                      .order_by(OutboxMessage.id)).all()
            result = [(r.status, r.attempts, r.last_error) for r in rows]
            db.session.remove()
        if all(status not in ("pending", "sending") for status, _, _ in result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def test_429_pauses_that_bot_and_retries_while_another_bot_keeps_sending(app, make_center, conversation,
                                                                         fake_api):
    a = make_center("alpha", enabled_plugins=["echo"])
    b = make_center("beta", enabled_plugins=["echo"])
    fake_api.fail_next(a.token, "sendMessage", status=429, retry_after=1)
    chat_a, chat_b = conversation(a), conversation(b)
    started = time.monotonic()
    chat_a.send("slow down")
    chat_b.send("fast")
    assert chat_b.reply()["text"] == "echo: fast #1"
    b_done = time.monotonic()
    assert chat_a.reply(timeout=10)["text"] == "echo: slow down #1"
    a_done = time.monotonic()
    assert a_done - started >= 1.0, "the 429's retry_after was not honoured"
    assert b_done < a_done, "the other center's bot waited for the paused one"
    chat_a.quiet(0.3)
    statuses = [c.http_status for c in fake_api.calls(token=a.token, method="sendMessage")]
    assert statuses == [429, 200]
    assert outbox(app, a.id) == [("sent", 2, None)]


def test_401_marks_only_that_center_unhealthy(app, make_center, conversation, fake_api):
    a = make_center("alpha", enabled_plugins=["echo"])
    b = make_center("beta", enabled_plugins=["echo"])
    fake_api.revoke(a.token)
    chat_a, chat_b = conversation(a), conversation(b)
    chat_a.send("anyone?")
    chat_b.send("hello")
    assert chat_b.reply()["text"] == "echo: hello #1"
    fake_api.wait_for(lambda calls: [c for c in calls if c.token == a.token and c.http_status == 401])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with app.app_context():
            health = {c.slug: (c.healthy, c.last_error) for c in db.session.scalars(sa.select(Center))}
            db.session.remove()
        if not health["alpha"][0] and outbox(app, a.id)[0][0] == "failed":
            break
        time.sleep(0.05)
    assert health["alpha"][0] is False and "401" in health["alpha"][1]
    assert health["beta"] == (True, None)
    assert outbox(app, a.id)[0][0] == "failed"  # recorded for an operator, not dropped


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_a_5xx_or_dropped_connection_is_retried_and_delivered_once(app, make_center, conversation, fake_api,
                                                                   fault):
    a = make_center("alpha", enabled_plugins=["echo"])
    if fault == "drop":
        fake_api.drop_next(a.token, "sendMessage")
    else:
        fake_api.fail_next(a.token, "sendMessage", status=500, description="Internal Server Error")
    chat = conversation(a)
    chat.send("retry me")
    assert chat.reply()["text"] == "echo: retry me #1"
    chat.quiet(0.3)
    assert [c.http_status for c in fake_api.calls(token=a.token, method="sendMessage")] == \
        [0 if fault == "drop" else 500, 200]
    assert outbox(app, a.id) == [("sent", 2, None)]


def test_an_undeliverable_message_is_recorded_for_an_operator(app, make_center, conversation, fake_api,
                                                              caplog):
    from wowdash.telegram import sender
    a = make_center("alpha", enabled_plugins=["echo"])
    fake_api.drop_next(a.token, "sendMessage", times=100)
    chat = conversation(a)
    with caplog.at_level(logging.WARNING):
        chat.send("lost?")
        fake_api.wait_for(lambda calls: len([c for c in calls if c.token == a.token and c.method ==
                                             "sendMessage"]) >= app.config["SEND_INLINE_ATTEMPTS"])
        deadline = time.monotonic() + 5
        while outbox(app, a.id)[0][0] != "retry" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox(app, a.id)[0][0] == "retry"
        with app.app_context():  # the sweeper (flask outbox --loop, run-bots) retries until it gives up
            db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=OutboxMessage.created_at))
            db.session.commit()
            sender.sweep()
    status, attempts, error = outbox(app, a.id)[0]
    assert status == "failed" and attempts == app.config["SEND_MAX_ATTEMPTS"]
    assert "ConnectionError" in error or "Connection" in error
    assert "undeliverable" in caplog.text
    assert a.token not in caplog.text and a.token not in error


def test_replies_to_a_fast_burst_keep_the_chats_order(app, make_center, conversation, fake_api):
    """Each update's replies are sent after its own response, by its own thread; the sender still keeps a
    chat's messages in order (earlier pending rows first, in-flight ones waited for)."""
    a = make_center("alpha", enabled_plugins=["echo"])
    fake_api.set_latency(0.03, token=a.token)
    try:
        chat = conversation(a)
        for k in range(1, 21):
            chat.send(f"m{k}")  # the next update as soon as the previous one is accepted, like Telegram
        texts = [m["text"] for m in chat.replies(20, timeout=30)]
    finally:
        fake_api.set_latency(0, token=a.token)
    assert texts == [f"echo: m{k} #{k}" for k in range(1, 21)]
