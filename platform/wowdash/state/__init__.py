"""Conversation state per (center, user), behind one interface with SQL and Redis backends."""
from .base import StateRecord, StateStore
from .manager import StateManager, UserState


def make_store(app) -> StateStore:
    """The store named by STATE_BACKEND: ``sql`` (embedded default) or ``redis`` (production)."""
    backend = app.config["STATE_BACKEND"]
    if backend == "redis":
        from .redis_store import RedisStateStore
        return RedisStateStore(app.extensions["wowdash"].redis, prefix=app.config["REDIS_KEY_PREFIX"])
    if backend == "sql":
        from .sql_store import SqlStateStore
        return SqlStateStore()
    raise ValueError(f"unknown STATE_BACKEND {backend!r}")


__all__ = ["StateManager", "StateRecord", "StateStore", "UserState", "make_store"]
