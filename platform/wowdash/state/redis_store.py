"""Redis-backed state for production: shared by every worker and host, one round trip per step."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from .base import LockTimeout, StateRecord, StateStore

# How long we remember that a conversation existed, to tell the user it expired.
SEEN_TTL = 7 * 24 * 3600


class RedisStateStore(StateStore):
    """Keys ``<prefix>state:{center:user}``; the hash tag keeps one user's keys on one cluster slot."""

    def __init__(self, client: redis.Redis, prefix: str = "wowdash:"):
        self.r = client
        self.prefix = prefix

    def _key(self, kind: str, center_id: int, user_id: int) -> str:
        return f"{self.prefix}{kind}:{{{center_id}:{user_id}}}"

    def load(self, center_id: int, user_id: int) -> StateRecord:
        pipe = self.r.pipeline(transaction=False)
        pipe.get(self._key("state", center_id, user_id))
        pipe.get(self._key("seen", center_id, user_id))
        raw, seen = pipe.execute()
        if raw is not None:
            return StateRecord(data=json.loads(raw))
        if seen is not None:
            return StateRecord(expired_flow=seen.decode() if isinstance(seen, bytes) else seen)
        return StateRecord()

    def save(self, center_id: int, user_id: int, data: dict[str, Any], ttl: int) -> None:
        pipe = self.r.pipeline(transaction=True)
        if data:
            pipe.set(self._key("state", center_id, user_id), json.dumps(data, separators=(",", ":")), ex=ttl)
            pipe.set(self._key("seen", center_id, user_id), data.get("flow") or "", ex=SEEN_TTL)
        else:
            pipe.delete(self._key("state", center_id, user_id), self._key("seen", center_id, user_id))
        pipe.execute()

    def delete(self, center_id: int, user_id: int) -> None:
        self.r.delete(self._key("state", center_id, user_id), self._key("seen", center_id, user_id))

    @contextmanager
    def lock(self, center_id: int, user_id: int, timeout: float) -> Iterator[None]:
        lock = self.r.lock(self._key("lock", center_id, user_id), timeout=max(timeout * 2, 60),
                           blocking_timeout=timeout, sleep=0.005)
        if not lock.acquire():
            raise LockTimeout(f"user lock busy for center {center_id}")
        try:
            yield
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # expired while we worked; the next holder already has it

    def cleanup(self) -> int:
        """Redis expires keys itself; this only removes state keys that lost their TTL."""
        removed = 0
        for key in self.r.scan_iter(match=f"{self.prefix}state:*", count=500):
            if self.r.ttl(key) == -1:
                removed += self.r.delete(key)
        return removed

    def pause_bot(self, center_id: int, seconds: float) -> None:
        until = time.time() + seconds
        self.r.set(f"{self.prefix}pause:{center_id}", until, px=max(1, int(seconds * 1000)))

    def bot_paused_for(self, center_id: int) -> float:
        raw = self.r.get(f"{self.prefix}pause:{center_id}")
        return max(0.0, float(raw) - time.time()) if raw else 0.0

    def take_send_slot(self, center_id: int, per_second: int) -> float:
        """A per-second counter shared by every worker and host (one round trip)."""
        now = time.time()
        key = f"{self.prefix}rate:{center_id}:{int(now)}"
        pipe = self.r.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 2)
        used = pipe.execute()[0]
        return 0.0 if used <= per_second else (int(now) + 1) - now
