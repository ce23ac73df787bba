"""The seed guide's API shape: ``StateManager.get(user_id, center_id)`` and attribute access."""
from __future__ import annotations

import copy
from typing import Any

from .base import StateStore


class UserState:
    """One user's conversation state in one center.

    Attribute access reads and writes top-level keys (``state.flow``, ``state.step``); plugins keep
    their own keys under ``state.ns("<plugin>")`` so flows never trample each other.
    """

    _fields = ("center_id", "user_id", "_data", "_original", "expired_flow")

    def __init__(self, center_id: int, user_id: int, data: dict[str, Any] | None = None,
                 expired_flow: str | None = None):
        object.__setattr__(self, "center_id", center_id)
        object.__setattr__(self, "user_id", user_id)
        object.__setattr__(self, "_data", dict(data or {}))
        object.__setattr__(self, "_original", copy.deepcopy(self._data))
        object.__setattr__(self, "expired_flow", expired_flow)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._data.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._fields:
            object.__setattr__(self, name, value)
        elif value is None:
            self._data.pop(name, None)
        else:
            self._data[name] = value

    @property
    def expired(self) -> bool:
        return self.expired_flow is not None

    def ns(self, plugin: str) -> dict[str, Any]:
        """The plugin's own dict inside the state (created on first use)."""
        return self._data.setdefault("ns", {}).setdefault(plugin, {})

    def add_file(self, file: dict[str, Any]) -> None:
        self._data.setdefault("files", []).append(file)

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self._data.get("files", []))

    def clear(self) -> None:
        """End the conversation: drop flow, step and every plugin's keys."""
        self._data.clear()

    def reset(self) -> None:
        """Undo this update's changes (the handler failed)."""
        object.__setattr__(self, "_data", copy.deepcopy(self._original))

    @property
    def changed(self) -> bool:
        return self._data != self._original

    def to_dict(self) -> dict[str, Any]:
        return self._data


class StateManager:
    """Loads and saves UserState through the configured store."""

    def __init__(self, store: StateStore, ttl: int):
        self.store = store
        self.ttl = ttl

    def get(self, user_id: int, center_id: int) -> UserState:
        record = self.store.load(center_id, user_id)
        return UserState(center_id, user_id, record.data, record.expired_flow)

    def save(self, state: UserState) -> None:
        if state.to_dict():
            self.store.save(state.center_id, state.user_id, state.to_dict(), self.ttl)
        elif state.changed or state.expired:
            self.store.delete(state.center_id, state.user_id)
