"""`flask run-bots`: one process long-polls every active center and follows the registry while it runs.

The seed's runner started a child per bot whose unread output filled a pipe until it hung, and a bot
that died stayed dead (defect 7). Here one process polls all centers, picks up added and disabled
centers from the database, isolates a revoked token and stops cleanly on SIGTERM.
"""
from __future__ import annotations

import signal

import pytest
import sqlalchemy as sa

from wowdash.testing.live import Conversation

pytestmark = [pytest.mark.gunicorn, pytest.mark.slow]

POLL_TIMEOUT = 2
REFRESH = 0.3
GREETING = ["wowdash_greeting"]


class Chat(Conversation):
    """A customer of a polled bot: Telegram queues the update for getUpdates (no webhook status)."""

    def push(self, update: dict, expect: int | None = None) -> dict:
        return super().push(update, expect)


def start_runner(site):
    """The runner with short long-polls, so the test (and SIGTERM) never waits long."""
    return site.run_bots(POLL_TIMEOUT=str(POLL_TIMEOUT), REGISTRY_REFRESH_SECONDS=str(REFRESH))


def greet(chat: Chat, timeout: float = 15) -> dict:
    chat.send("/start")
    reply = chat.reply(timeout=timeout)
    assert reply["text"].startswith("Hello! Welcome to the"), reply
    return reply


def set_center(app, center_id: int, **values) -> None:
    from wowdash.extensions import db
    from wowdash.models import Center
    with app.app_context():
        db.session.execute(sa.update(Center).where(Center.id == center_id).values(**values))
        db.session.commit()
        db.session.remove()


def test_one_process_serves_every_center_and_follows_the_registry(site, fake_api):
    alpha = site.add_center("alpha", enabled_plugins=GREETING, languages=["en"], default_language="en")
    beta = site.add_center("beta", enabled_plugins=GREETING, languages=["en"], default_language="en")
    # Queued before the runner starts: getUpdates hands them over once it polls.
    a_chat, b_chat = Chat(fake_api, alpha, 950_001), Chat(fake_api, beta, 950_002)
    a_chat.send("/start")
    b_chat.send("/start")
    proc = start_runner(site)
    assert "Alpha" in a_chat.reply(timeout=20)["text"]
    assert "Beta" in b_chat.reply(timeout=10)["text"]

    # A center added while the runner runs is served within a refresh or two.
    gamma = site.add_center("gamma", enabled_plugins=GREETING, languages=["en"], default_language="en")
    greet(Chat(fake_api, gamma, 950_003), timeout=10)

    # A disabled center stops being served; its update stays unconfirmed at Telegram.
    set_center(site.app, beta.id, is_active=False)
    proc.wait_for_output("stopped polling center beta", timeout=10)
    b_chat.send("/start")
    greet(a_chat)  # the others carry on
    b_chat.quiet(POLL_TIMEOUT + 0.5)
    last_poll = {c.token: c.time for c in fake_api.calls(method="getUpdates")}
    assert last_poll[beta.token] < last_poll[alpha.token]  # beta is no longer polled

    # SIGTERM: every long-poll ends, the process exits 0 well within POLL_TIMEOUT + 5 s.
    proc.signal(signal.SIGTERM)
    assert proc.wait(POLL_TIMEOUT + 5) == 0
    assert "Traceback" not in proc.output()


def test_a_revoked_token_marks_only_its_center_unhealthy(site, fake_api, wait_until):
    from wowdash import tenancy
    from wowdash.extensions import db
    revoked = site.add_center("revoked", enabled_plugins=GREETING, languages=["en"], default_language="en")
    fine = site.add_center("fine", enabled_plugins=GREETING, languages=["en"], default_language="en")
    proc = start_runner(site)
    fine_chat = Chat(fake_api, fine, 960_001)
    greet(Chat(fake_api, revoked, 960_002), timeout=20)
    greet(fine_chat)

    fake_api.revoke(revoked.token)  # the owner revoked the token in @BotFather

    def unhealthy() -> bool:
        with site.app.app_context():
            tenant = tenancy.by_id(revoked.id)
            db.session.remove()
        return not tenant.healthy
    wait_until(unhealthy, POLL_TIMEOUT + 10, "the revoked center is marked unhealthy")
    proc.wait_for_output("stopped polling center revoked", timeout=10)
    refused = len([c for c in fake_api.calls(revoked.token) if c.http_status == 401])
    for _ in range(3):
        greet(fine_chat)  # the healthy center is not affected
    # ...and the runner does not hammer the Bot API with the dead token.
    assert len([c for c in fake_api.calls(revoked.token) if c.http_status == 401]) == refused
    with site.app.app_context():
        assert tenancy.by_id(fine.id).healthy
        db.session.remove()

    proc.signal(signal.SIGTERM)
    assert proc.wait(POLL_TIMEOUT + 5) == 0
