"""``ctx.bot``: records Bot API calls into the transactional outbox; the sender makes them after commit.

Handlers never wait for Telegram and never call it inside a database transaction, and a rolled-back
update sends nothing.
"""
from __future__ import annotations

import json
from typing import Any

from ..extensions import db
from ..models import OutboxMessage

# Methods plugins may queue: pyTelegramBotAPI's names, so plugin authors read its docs.
QUEUED_METHODS = {
    "send_message", "send_photo", "send_document", "send_media_group", "edit_message_text",
    "edit_message_reply_markup", "delete_message", "answer_callback_query", "send_chat_action",
    "copy_message", "send_contact", "send_location",
}
_JSON_PARAMS = ("reply_markup", "media", "entities", "caption_entities")
_POSITIONAL = {"send_message": ("chat_id", "text"), "answer_callback_query": ("callback_query_id", "text")}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if hasattr(value, "to_dict"):
        return json.dumps(value.to_dict())
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


class BotClient:
    """Queues outbound calls for one center; ``download`` is the only direct call (prepare phase)."""

    def __init__(self, center_id: int, transport: str = "telegram", downloader=None):
        self.center_id = center_id
        self.transport = transport
        self._downloader = downloader
        self.queued: list[OutboxMessage] = []

    def __getattr__(self, method: str):
        if method not in QUEUED_METHODS:
            raise AttributeError(f"ctx.bot has no method {method!r}")

        def queue(*args: Any, **params: Any) -> OutboxMessage:
            return self.call(method, *args, **params)

        return queue

    def call(self, method: str, *args: Any, **params: Any) -> OutboxMessage:
        if args:  # positional (chat_id, text) like pyTelegramBotAPI; anything more goes by keyword
            names = _POSITIONAL.get(method, ("chat_id",))
            if len(args) > len(names):
                raise TypeError(f"ctx.bot.{method}: pass arguments after {', '.join(names)} by keyword")
            params.update(zip(names, args, strict=False))
        params = {k: (_jsonable(v) if k in _JSON_PARAMS else v) for k, v in params.items() if v is not None}
        chat_id = params.get("chat_id")
        row = OutboxMessage(center_id=self.center_id, chat_id=int(chat_id) if _is_int(chat_id) else None,
                            method=method, params=params, transport=self.transport, status="pending",
                            attempts=0)
        db.session.add(row)
        self.queued.append(row)
        return row

    def download(self, file_id: str) -> bytes:
        """Fetch a file's bytes (getFile + download). Only in ``wowdash_prepare_update``."""
        if self._downloader is None:
            raise RuntimeError("downloads are not available in this context")
        return self._downloader(file_id)

    def discard(self) -> None:
        """Forget queued calls (the handler failed and its transaction was rolled back)."""
        self.queued.clear()


def _is_int(value: Any) -> bool:
    try:
        int(value)
        return True
    except (TypeError, ValueError):
        return False
