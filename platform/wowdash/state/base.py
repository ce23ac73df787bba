"""The state store interface both backends implement."""
from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StateRecord:
    """What a load returns: the live data, or the name of the flow whose state expired."""

    data: dict[str, Any] = field(default_factory=dict)
    expired_flow: str | None = None


class LockTimeout(RuntimeError):
    """Another update of the same user held the lock too long; the update is not accepted (5xx)."""


class StateStore(abc.ABC):
    """Keys carry the center and the user; every write slides the expiry."""

    #: True when saves belong to the update's database transaction.
    transactional = False

    @abc.abstractmethod
    def load(self, center_id: int, user_id: int) -> StateRecord: ...

    @abc.abstractmethod
    def save(self, center_id: int, user_id: int, data: dict[str, Any], ttl: int) -> None: ...

    @abc.abstractmethod
    def delete(self, center_id: int, user_id: int) -> None: ...

    @abc.abstractmethod
    @contextmanager
    def lock(self, center_id: int, user_id: int, timeout: float) -> Iterator[None]:
        """Serialise one user's updates across threads, workers and hosts."""

    @abc.abstractmethod
    def cleanup(self) -> int:
        """Remove expired state; return how many were removed."""

    # Outbound pacing shared by every worker: a 429 pauses only that bot.
    @abc.abstractmethod
    def pause_bot(self, center_id: int, seconds: float) -> None: ...

    @abc.abstractmethod
    def bot_paused_for(self, center_id: int) -> float:
        """Seconds left of the bot's pause (0 when it may send)."""

    @abc.abstractmethod
    def take_send_slot(self, center_id: int, per_second: int) -> float:
        """Count one outbound call of the bot in this second; return how long to wait if over the limit."""
