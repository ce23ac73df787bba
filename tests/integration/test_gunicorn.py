"""The seed guide's multi-worker promise: 4 gunicorn workers on PostgreSQL + Redis, one conversation.

Updates of one user land on whichever worker accepts the connection; the conversation state (Redis),
the per-user lock (Redis) and the dedupe record (PostgreSQL) are shared, so the counter the test plugin
keeps in ``ctx.state`` must read 1, 2, 3... whatever worker served each step.
"""
from __future__ import annotations

import copy
import threading

import pytest
import sqlalchemy as sa

from wowdash.testing.live import Conversation

pytestmark = [pytest.mark.gunicorn, pytest.mark.slow]


def parse(reply: dict) -> tuple[int, int, str]:
    """The counter plugin answers "<n> <pid> <text>"."""
    n, pid, text = reply["text"].split(" ", 2)
    return int(n), int(pid), text


@pytest.fixture(scope="module")
def served(module_site, counter_plugin):
    """4 gthread workers x 4 threads serving one center that runs only the counter plugin.

    Shared by this module's tests: each talks as users of its own.
    """
    proc, url = module_site.gunicorn(workers=4, threads=4, pythonpath=counter_plugin)
    center = module_site.add_center("counting", webhook_base=url, enabled_plugins=["counter"])
    return proc, center


def test_one_conversation_across_workers_keeps_its_state(served, fake_api):
    proc, center = served
    chat = Conversation(fake_api, center, 910_001)
    replies = []
    for k in range(1, 41):
        chat.send(f"m{k}")  # returns once the webhook answered, i.e. after the update committed
        replies.append(parse(chat.reply(timeout=15)))  # a customer reads the answer, then writes again
    assert [(n, text) for n, _, text in replies] == [(k, f"m{k}") for k in range(1, 41)]
    pids = {pid for _, pid, _ in replies}
    assert len(pids) >= 2, f"every update was served by one worker ({pids}): nothing shared was tested"
    assert proc.pid not in pids  # the master only supervises
    chat.quiet(0.5)


def test_replies_to_a_fast_burst_arrive_in_order(served, fake_api):
    """Each worker sends its update's replies after its own response; the sender keeps the chat's order
    (earlier rows first) even when consecutive updates land on different workers."""
    proc, center = served
    chat = Conversation(fake_api, center, 940_001)
    for k in range(1, 31):
        chat.send(f"b{k}")  # the next update as soon as the previous one is accepted, like Telegram
    replies = [parse(r) for r in chat.replies(30, timeout=30)]
    assert sorted((n, text) for n, _, text in replies) == [(k, f"b{k}") for k in range(1, 31)]
    assert [n for n, _, _ in replies] == list(range(1, 31))


def test_concurrent_users_each_get_an_exact_sequence(served, fake_api):
    proc, center = served
    users, steps = 6, 12
    chats = [Conversation(fake_api, center, 920_000 + i) for i in range(users)]
    errors: list[BaseException] = []

    def talk(chat: Conversation) -> None:
        try:
            for k in range(1, steps + 1):
                chat.send(f"u{chat.user_id}-{k}")
        except BaseException as exc:  # noqa: B036 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=talk, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    pids = set()
    for chat in chats:
        replies = [parse(r) for r in chat.replies(steps, timeout=30)]
        # Each update saw exactly the state its predecessor left, whichever worker ran it.
        assert sorted((n, text) for n, _, text in replies) == [
            (k, f"u{chat.user_id}-{k}") for k in range(1, steps + 1)]
        pids |= {pid for _, pid, _ in replies}
        chat.quiet(0)
    assert len(pids) >= 2


def test_the_same_update_pushed_twice_at_once_is_answered_once(served, fake_api, module_site):
    proc, center = served
    chat = Conversation(fake_api, center, 930_001)
    rounds = 8
    statuses: list[int | None] = []
    update_ids = []
    for k in range(1, rounds + 1):
        update = fake_api.message_update(center.token, chat.user_id, f"d{k}")
        update_ids.append(update["update_id"])
        barrier = threading.Barrier(3)

        def push(body: dict, barrier: threading.Barrier) -> None:
            barrier.wait(5)
            statuses.append(fake_api.push_update(center.token, body))

        # Telegram redelivers an update whose answer it did not get in time, while the first is running.
        pushers = [threading.Thread(target=push, args=(copy.deepcopy(update), barrier)) for _ in range(3)]
        for thread in pushers:
            thread.start()
        for thread in pushers:
            thread.join(30)
    assert statuses == [200] * (3 * rounds)
    replies = [parse(r) for r in chat.replies(rounds, timeout=30)]
    assert sorted((n, text) for n, _, text in replies) == [(k, f"d{k}") for k in range(1, rounds + 1)]
    chat.quiet(1.0)
    from wowdash.extensions import db
    from wowdash.models import OutboxMessage, ProcessedUpdate
    with module_site.app.app_context():
        messages = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.center_id == center.id, OutboxMessage.chat_id == chat.user_id))
        updates = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessedUpdate).where(
            ProcessedUpdate.center_id == center.id, ProcessedUpdate.update_id.in_(update_ids)))
        assert (messages, updates) == (rounds, rounds)
        db.session.remove()
