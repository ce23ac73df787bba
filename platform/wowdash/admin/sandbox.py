"""The sandbox: staff chat with their center's bot in the browser, through the real dispatcher, no Telegram.

The page posts Telegram-shaped updates (text, button presses, contacts, files) to ``dispatch(...,
source="sandbox")``; the bot's answers are the center's outbox rows for the staff member's synthetic chat,
read back by a small JSON endpoint the page polls. Bot messages take their outbox row id as message id,
so a plugin editing "the message with the buttons" edits the right bubble.
"""
from __future__ import annotations

import itertools
import json
import mimetypes
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from .. import tenancy
from ..dispatcher import InvalidUpdate, dispatch
from ..extensions import db
from ..models import Center, OutboxMessage, utcnow
from ..state.base import LockTimeout
from ..telegram import delivery
from .permissions import current_center_id, has_permission

SANDBOX_USER_BASE = 9_000_000_000
SHOWN_METHODS = ("send_message", "edit_message_text", "edit_message_reply_markup", "send_document",
                 "send_photo", "send_media_group", "answer_callback_query", "delete_message", "send_contact",
                 "send_location", "copy_message")
_counter = itertools.count()


def sandbox_user_id(staff_id: int) -> int:
    """The Telegram user (and private chat) id that stands for staff member ``staff_id``."""
    return SANDBOX_USER_BASE + staff_id


def next_update_id() -> int:
    """Unique per center in practice: microseconds since the epoch, times 100, plus a rolling counter."""
    return int(time.time() * 1_000_000) * 100 + next(_counter) % 100


def _message_id() -> int:
    return int(time.time() * 1000) % 2_000_000_000


class SandboxView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.is_active and has_permission("sandbox.use")

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin_auth.login", next=request.full_path))
        abort(403)

    # --- whose bot ------------------------------------------------------------------------------
    def _center(self) -> Center:
        """The staff member's center; the super admin picks one with ``?center=<id>``."""
        cid = current_center_id()
        if cid is None:
            wanted = request.values.get("center", "")
            query = sa.select(Center).order_by(Center.id)
            if wanted.isdigit():
                query = query.where(Center.id == int(wanted))
            center = db.session.scalar(query.limit(1))
        else:
            center = db.session.get(Center, cid)
        if center is None:
            abort(404)
        return center

    def _sender(self, language: str | None) -> dict[str, Any]:
        user = current_user
        return {"id": sandbox_user_id(user.id), "is_bot": False,
                "first_name": user.full_name or user.username, "username": f"sandbox_{user.username}"[:32],
                "language_code": language or "en"}

    def _chat(self) -> dict[str, Any]:
        user = current_user
        return {"id": sandbox_user_id(user.id), "type": "private", "first_name": user.full_name or user.username}

    # --- the page -------------------------------------------------------------------------------
    @expose("/")
    def index(self):
        center = self._center()
        centers = db.session.scalars(sa.select(Center).order_by(Center.name)).all() \
            if current_center_id() is None else [center]
        return self.render("wowdash_admin/sandbox.html", center=center, centers=centers,
                           chat_id=sandbox_user_id(current_user.id),
                           languages=list(center.languages or ["uz"]),
                           default_language=center.default_language)

    # --- what the staff member sends ------------------------------------------------------------
    def _dispatch(self, center: Center, update: dict[str, Any]):
        tenant = tenancy.to_tenant(center)
        db.session.commit()
        try:
            outcome = dispatch(tenant, update, source="sandbox")
        except InvalidUpdate as exc:
            return jsonify(ok=False, error=str(exc)), 400
        except (OperationalError, LockTimeout):
            db.session.rollback()
            return jsonify(ok=False, error="the bot is busy; try again"), 503
        response = jsonify(ok=True, status=outcome.status, update_id=update["update_id"])
        delivery.after_response(response, outcome.outbox_ids)
        return response

    def _message_update(self, language: str | None, **fields: Any) -> dict[str, Any]:
        message = {"message_id": _message_id(), "date": int(time.time()), "chat": self._chat(),
                   "from": self._sender(language), **fields}
        return {"update_id": next_update_id(), "message": message}

    @expose("/send", methods=("POST",))
    def send(self):
        center = self._center()
        body = request.get_json(silent=True) or {}
        language = _language(body.get("language"), center)
        kind = body.get("kind", "text")
        if kind == "text":
            text = str(body.get("text") or "")[:4096]
            if not text.strip():
                return jsonify(ok=False, error="empty message"), 400
            fields: dict[str, Any] = {"text": text}
            if text.startswith("/"):
                command = text.split()[0]
                fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
            update = self._message_update(language, **fields)
        elif kind == "contact":
            phone = str(body.get("phone") or "")[:32]
            if not phone.strip():
                return jsonify(ok=False, error="no phone number"), 400
            contact = {"phone_number": phone, "first_name": current_user.full_name or current_user.username,
                       "user_id": sandbox_user_id(current_user.id)}
            update = self._message_update(language, contact=contact)
        elif kind == "callback":
            data = str(body.get("data") or "")[:64]
            message_id = body.get("message_id")
            message = {"message_id": int(message_id) if str(message_id).isdigit() else _message_id(),
                       "date": int(time.time()), "chat": self._chat(),
                       "from": {"id": 1, "is_bot": True, "first_name": center.name},
                       "text": str(body.get("message_text") or "")[:4096]}
            user = self._sender(language)
            update = {"update_id": next_update_id(), "callback_query": {
                "id": f"sb{user['id']}:{next_update_id()}", "from": user, "chat_instance": "sandbox",
                "data": data, "message": message}}
        else:
            return jsonify(ok=False, error="unknown kind"), 400
        return self._dispatch(center, update)

    @expose("/upload", methods=("POST",))
    def upload(self):
        center = self._center()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return jsonify(ok=False, error="no file"), 400
        language = _language(request.form.get("language"), center)
        content = upload.read()
        name = uuid.uuid4().hex
        folder = Path(current_app.config["FILE_STORAGE_DIR"]) / "sandbox"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        file_name = Path(upload.filename).name[:255]
        mime = upload.mimetype or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        caption = (request.form.get("caption") or "")[:1024] or None
        fields: dict[str, Any] = {"caption": caption} if caption else {}
        if request.form.get("as_photo") == "1" and mime.startswith("image/"):
            fields["photo"] = [{"file_id": f"sandbox:{name}", "file_unique_id": name, "width": 1280,
                                "height": 960, "file_size": len(content)}]
        else:
            fields["document"] = {"file_id": f"sandbox:{name}", "file_unique_id": name, "file_name": file_name,
                                  "mime_type": mime, "file_size": len(content)}
        return self._dispatch(center, self._message_update(language, **fields))

    @expose("/reset", methods=("POST",))
    def reset(self):
        """Start over: forget this staff member's conversation state with the center's bot."""
        center = self._center()
        user_id = sandbox_user_id(current_user.id)
        runtime = current_app.extensions["wowdash"]
        db.session.commit()
        with runtime.store.lock(center.id, user_id, current_app.config["USER_LOCK_TIMEOUT"]):
            runtime.store.delete(center.id, user_id)
        db.session.commit()
        last = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id)).where(
            OutboxMessage.center_id == center.id)) or 0
        db.session.commit()
        return jsonify(ok=True, last_id=last)

    # --- what the bot sent ------------------------------------------------------------------------
    @expose("/messages")
    def messages(self):
        center = self._center()
        chat_id = sandbox_user_id(current_user.id)
        after = request.args.get("after", "0")
        after_id = int(after) if after.isdigit() else 0
        since = utcnow() - timedelta(hours=12)
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.center_id == center.id, OutboxMessage.id > after_id,
                OutboxMessage.transport == "sandbox", OutboxMessage.created_at >= since,
                sa.or_(OutboxMessage.chat_id == chat_id, OutboxMessage.chat_id.is_(None)),
            ).order_by(OutboxMessage.id).limit(200)).all()
        prefix = f"sb{chat_id}:"
        out = []
        for row in rows:
            params = dict(row.params or {})
            if row.chat_id is None and not str(params.get("callback_query_id", "")).startswith(prefix):
                continue  # another staff member's button answer
            if row.method not in SHOWN_METHODS:
                continue
            out.append(describe(row, params))
        last = rows[-1].id if rows else after_id
        db.session.commit()
        return jsonify(ok=True, messages=out, last_id=last)


def describe(row: OutboxMessage, params: dict[str, Any]) -> dict[str, Any]:
    """A bot call as the page draws it: plain data only (the page renders it with textContent)."""
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            markup = None
    item: dict[str, Any] = {"id": row.id, "method": row.method, "status": row.status,
                            "text": params.get("text"), "caption": params.get("caption"),
                            "reply_markup": markup if isinstance(markup, dict) else None,
                            "message_id": params.get("message_id")}
    if row.method in ("send_document", "send_photo"):
        value = params.get("document") or params.get("photo")
        item["file"] = value if isinstance(value, str) else "(file)"
    if row.method == "answer_callback_query":
        item["show_alert"] = bool(params.get("show_alert"))
    return item


def _language(value: Any, center: Center) -> str:
    languages = list(center.languages or ["uz"])
    return value if value in languages else center.default_language or languages[0]
