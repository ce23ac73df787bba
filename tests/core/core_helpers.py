"""Tiny test plugins (classes registered through make_app(PLUGINS=[...])) and database probes."""
from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from wowdash import hookimpl
from wowdash.extensions import db
from wowdash.models import Customer, OutboxMessage, ProcessedUpdate


class Echo:
    """Replies "<name>: <text> #<n>" where n counts this user's messages in the state."""

    def __init__(self, name: str = "echo"):
        self.name = name
        self.seen: list[tuple[int, int]] = []  # (center_id, user_id)

    @hookimpl
    def wowdash_route_message(self, ctx):
        if ctx.text is not None and not ctx.text.startswith("/boom"):
            return self.handle
        return None

    def handle(self, ctx):
        self.seen.append((ctx.tenant.id, ctx.user_id))
        ns = ctx.state.ns(self.name)
        ns["n"] = ns.get("n", 0) + 1
        ctx.reply(f"{self.name}: {ctx.text} #{ns['n']}")


class Boom:
    """``/boom`` writes a customer row and a message, then raises: both must be rolled back."""

    name = "boom"

    def __init__(self):
        self.errors: list[str] = []

    @hookimpl
    def wowdash_route_message(self, ctx):
        return self.explode if ctx.text == "/boom" else None

    def explode(self, ctx):
        ctx.customer.full_name = "should be rolled back"
        ctx.reply("half-done message that must never be sent")
        raise RuntimeError("handler failed on purpose")

    @hookimpl
    def wowdash_handle_error(self, ctx, exc):
        self.errors.append(str(exc))


class Slow:
    """Sleeps inside the handler and records when each update ran, to see overlap."""

    name = "slow"

    def __init__(self, seconds: float = 0.4):
        self.seconds = seconds
        self.spans: list[tuple[int, float, float]] = []
        self._lock = threading.Lock()

    @hookimpl
    def wowdash_route_message(self, ctx):
        return self.handle

    def handle(self, ctx):
        start = time.monotonic()
        time.sleep(self.seconds)
        with self._lock:
            self.spans.append((ctx.user_id, start, time.monotonic()))
        ctx.reply("done")


def overlap(a: tuple[int, float, float], b: tuple[int, float, float]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def counts(app, center_id: int) -> dict[str, int]:
    with app.app_context():
        def n(model):
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
                model.center_id == center_id))
        result = {"updates": n(ProcessedUpdate), "customers": n(Customer), "outbox": n(OutboxMessage)}
        db.session.remove()
        return result
