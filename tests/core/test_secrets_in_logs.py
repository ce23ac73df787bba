"""No bot token in any log line, even when an error message carries the request URL."""
from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from core_helpers import Echo

from wowdash.extensions import db
from wowdash.logs import redact
from wowdash.models import OutboxMessage
from wowdash.testing.fake_bot_api import FakeBotAPI
from wowdash.testing.pytest_plugin import token_leaks


def test_redact_removes_tokens():
    token = "123456789:" + "A" * 35
    assert redact(f"url /bot{token}/sendMessage failed") == "url /bot<token>/sendMessage failed"


def test_connection_errors_with_the_token_in_their_url_are_logged_without_it(make_app, caplog):
    dead = FakeBotAPI().start()
    base_url = dead.base_url
    token = dead.add_bot()
    dead.stop()  # every call now fails with a ConnectionError whose text holds the URL (and the token)
    app = make_app(PLUGINS=[Echo()], TELEGRAM_API_URL=base_url, SEND_INLINE_ATTEMPTS=1)
    from wowdash import tenancy
    from wowdash.dispatcher import dispatch
    from wowdash.telegram import sender
    with caplog.at_level(logging.DEBUG):
        with app.app_context():
            tenancy.create_center("alpha", "Alpha", token=token, enabled_plugins=["echo"])
            db.session.commit()
            tenant = tenancy.by_slug("alpha")
            update = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()), "text": "hi",
                                                  "chat": {"id": 5, "type": "private"},
                                                  "from": {"id": 5, "is_bot": False, "first_name": "A"}}}
            outcome = dispatch(tenant, update)
            sender.deliver(outcome.outbox_ids)
            error = db.session.scalar(sa.select(OutboxMessage.last_error))
    assert "Connection" in error and token not in error
    assert "will be retried" in caplog.text
    assert token not in caplog.text
    assert token.split(":")[1] not in caplog.text
    assert not token_leaks()


def test_the_leak_guard_catches_a_token_in_a_log_record():
    """The run-wide guard (a root handler) flags any record with a token; the autouse fixture then fails
    the test that logged it."""
    from wowdash.testing import pytest_plugin
    guard = pytest_plugin._guard
    before = len(guard.leaks)
    record = logging.LogRecord("leaky", logging.INFO, __file__, 1, "token %s", ("123456789:" + "B" * 35,), None)
    guard.emit(record)
    assert len(guard.leaks) == before + 1 and "leaky" in guard.leaks[-1]
    del guard.leaks[before:]  # this test planted it on purpose
