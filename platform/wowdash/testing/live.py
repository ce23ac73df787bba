"""A live WSGI server for an app, a center factory, and a conversation driver over the fake Bot API."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import make_server

from .fake_bot_api import FakeBotAPI


class LiveServer:
    """The app served on 127.0.0.1 by a threaded werkzeug server, so webhooks arrive over real HTTP."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@dataclass
class CenterHandle:
    id: int
    slug: str
    token: str
    webhook_secret: str
    app: Any


def create_center(app, fake: FakeBotAPI, server: LiveServer | None, slug: str, *, webhook: bool = True,
                  **fields: Any) -> CenterHandle:
    from .. import tenancy
    from ..extensions import db
    from ..telegram.webhooks import set_webhook
    token = fake.add_bot(username=f"{slug}_bot")
    fields.setdefault("bot_username", f"{slug}_bot")
    fields.setdefault("name", slug.title())
    branches = fields.pop("branches", None)
    with app.app_context():
        center = tenancy.create_center(slug, fields.pop("name"), token=token, **fields)
        if branches is not None:
            from ..models import Branch
            for item in branches:
                db.session.add(Branch(center=center, **item))
        db.session.commit()
        handle = CenterHandle(center.id, slug, token, center.webhook_secret, app)
        if webhook and server is not None:
            error = set_webhook(tenancy.by_id(center.id), server.url)
            db.session.remove()
            assert error is None, error
    return handle


class Conversation:
    """One customer chatting with one center's bot through the fake Bot API, as Telegram would."""

    def __init__(self, fake: FakeBotAPI, center: CenterHandle, user_id: int, *,
                 language_code: str = "en", first_name: str = "Test"):
        self.fake, self.center, self.user_id = fake, center, user_id
        self.language_code, self.first_name = language_code, first_name
        self.seen = 0
        self.last_update: dict | None = None

    # --- sending, like a customer -------------------------------------------------------------
    def push(self, update: dict, expect: int = 200) -> dict:
        self.last_update = update
        status = self.fake.push_update(self.center.token, update)
        assert status == expect, f"webhook answered {status}, expected {expect}"
        return update

    def send(self, text: str | None = None, **kw: Any) -> dict:
        kw.setdefault("language_code", self.language_code)
        kw.setdefault("first_name", self.first_name)
        return self.push(self.fake.message_update(self.center.token, self.user_id, text, **kw))

    def press(self, data: str, message_id: int = 1) -> dict:
        return self.push(self.fake.callback_update(self.center.token, self.user_id, data, message_id=message_id,
                                                   first_name=self.first_name,
                                                   language_code=self.language_code))

    def share_contact(self, phone: str) -> dict:
        contact = {"phone_number": phone, "first_name": self.first_name, "user_id": self.user_id}
        return self.send(None, contact=contact)

    def send_document(self, content: bytes, file_name: str, mime_type: str = "application/octet-stream",
                      file_size: int | None = None, caption: str | None = None) -> dict:
        kw = {"file_size": file_size} if file_size is not None else {}
        doc = self.fake.add_file(self.center.token, content, file_name=file_name, mime_type=mime_type, **kw)
        return self.send(None, document=doc, caption=caption)

    def send_photo(self, content: bytes) -> dict:
        info = self.fake.add_file(self.center.token, content, mime_type="image/jpeg")
        photo = [{"file_id": info["file_id"], "file_unique_id": info["file_unique_id"], "width": 800,
                  "height": 600, "file_size": info["file_size"]}]
        return self.send(None, photo=photo)

    # --- reading what the bot sent ------------------------------------------------------------
    def replies(self, count: int = 1, timeout: float = 8.0) -> list[dict]:
        """Wait for ``count`` new messages to this chat and return them (params as sent)."""
        messages = self.fake.wait_for_sent(self.seen + count, token=self.center.token, chat_id=self.user_id,
                                           timeout=timeout)
        new = messages[self.seen:self.seen + count]
        self.seen += len(new)
        return new

    def reply(self, timeout: float = 8.0) -> dict:
        return self.replies(1, timeout)[0]

    def quiet(self, seconds: float = 0.5) -> None:
        """Assert the bot sends nothing more to this chat for ``seconds``."""
        time.sleep(seconds)
        extra = self.fake.sent_messages(token=self.center.token, chat_id=self.user_id)[self.seen:]
        assert not extra, f"unexpected messages: {extra}"

    @staticmethod
    def buttons(message: dict) -> list[tuple[str, str]]:
        """(label, callback_data) pairs of a message's inline keyboard."""
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        return [(b.get("text"), b.get("callback_data")) for row in rows for b in row]
