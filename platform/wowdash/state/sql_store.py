"""SQL-backed state: the embedded default, so `make run` needs no Redis."""
from __future__ import annotations

import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import BotState, utcnow
from .base import LockTimeout, StateRecord, StateStore

# An expired row is kept this long, so the user is told the conversation expired.
EXPIRED_GRACE = timedelta(days=7)


class SqlStateStore(StateStore):
    """Rows in ``bot_states``; saves join the update's transaction (state and orders commit together)."""

    transactional = True

    def __init__(self) -> None:
        self._local_locks: dict[tuple[int, int], threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._pauses: dict[int, float] = {}
        self._slots: dict[int, tuple[int, int]] = {}

    def load(self, center_id: int, user_id: int) -> StateRecord:
        row = db.session.get(BotState, (center_id, user_id))
        if row is None:
            return StateRecord()
        if row.expires_at <= utcnow():
            return StateRecord(expired_flow=row.flow or "")
        return StateRecord(data=dict(row.data or {}))

    def save(self, center_id: int, user_id: int, data: dict[str, Any], ttl: int) -> None:
        row = db.session.get(BotState, (center_id, user_id))
        if row is None:
            row = BotState(center_id=center_id, user_id=user_id)
            db.session.add(row)
        row.data = data
        row.flow = data.get("flow")
        row.expires_at = utcnow() + timedelta(seconds=ttl)
        row.updated_at = utcnow()

    def delete(self, center_id: int, user_id: int) -> None:
        db.session.execute(sa.delete(BotState).where(
            BotState.center_id == center_id, BotState.user_id == user_id))

    @contextmanager
    def lock(self, center_id: int, user_id: int, timeout: float) -> Iterator[None]:
        if db.engine.dialect.name == "postgresql":
            with self._pg_lock(center_id, user_id, timeout):
                yield
            return
        with self._guard:
            lock = self._local_locks[(center_id, user_id)]
        if not lock.acquire(timeout=timeout):
            raise LockTimeout(f"user lock busy for center {center_id}")
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def _pg_lock(self, center_id: int, user_id: int, timeout: float) -> Iterator[None]:
        """A session-level advisory lock on its own connection: held across the update's transaction."""
        key = zlib.crc32(f"{center_id}:{user_id}".encode()) - 2**31
        deadline = time.monotonic() + timeout
        with db.engine.connect() as conn:
            while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                if time.monotonic() > deadline:
                    raise LockTimeout(f"user lock busy for center {center_id}")
                time.sleep(0.01)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    def cleanup(self) -> int:
        result = db.session.execute(sa.delete(BotState).where(BotState.expires_at < utcnow() - EXPIRED_GRACE))
        db.session.commit()
        return result.rowcount or 0

    def pause_bot(self, center_id: int, seconds: float) -> None:
        self._pauses[center_id] = max(self._pauses.get(center_id, 0), time.monotonic() + seconds)

    def bot_paused_for(self, center_id: int) -> float:
        return max(0.0, self._pauses.get(center_id, 0) - time.monotonic())

    def take_send_slot(self, center_id: int, per_second: int) -> float:
        """One process serves the embedded default, so an in-process window is shared enough."""
        now = time.time()
        second = int(now)
        with self._guard:
            window, used = self._slots.get(center_id, (second, 0))
            if window != second:
                window, used = second, 0
            self._slots[center_id] = (window, used + 1)
        return 0.0 if used < per_second else (second + 1) - now
