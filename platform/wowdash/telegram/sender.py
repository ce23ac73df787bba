"""Delivers outbox rows after their transaction commits: retries, honours 429, isolates a 401.

The customer gets each message once: a row is claimed before it is sent and marked after. What still
cannot be delivered ends as ``failed`` with its error, listed for operators (admin, `flask outbox`).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from telebot.apihelper import ApiHTTPException, ApiInvalidJSONException, ApiTelegramException

from .. import tenancy
from ..extensions import db
from ..logs import redact
from ..models import OutboxMessage, utcnow
from . import api

log = logging.getLogger(__name__)
_local = threading.local()
_finished = threading.Condition()  # a row left "sending": senders waiting for it to keep order re-check
STALE_SENDING = timedelta(minutes=5)


# --- collecting what a commit queued ------------------------------------------------------------

def _after_flush(session: Session, flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        session.info.setdefault("wowdash_outbox", []).extend(new)


def _after_commit(session: Session) -> None:
    rows = session.info.pop("wowdash_outbox", [])
    if rows:
        pending = getattr(_local, "ids", None)
        if pending is None:
            pending = _local.ids = []
        pending.extend(row.id for row in rows if row.id is not None)


def _after_rollback(session: Session) -> None:
    session.info.pop("wowdash_outbox", None)


def install_listeners() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, prev: _after_rollback(s))


def take_committed() -> list[int]:
    """Ids of outbox rows this thread committed and has not delivered yet."""
    ids = getattr(_local, "ids", None) or []
    _local.ids = []
    return ids


# --- sending ------------------------------------------------------------------------------------

def deliver_committed() -> int:
    return deliver(take_committed())


def deliver(ids: Iterable[int]) -> int:
    """Send the given rows in order; return how many were sent."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    sent = 0
    tenants: dict[int, tenancy.Tenant | None] = {}  # one lookup (and token decryption) per center per call
    for row_id in ids:
        sent += _deliver_one(row_id, tenants)
    db.session.remove()
    return sent


def sweep(limit: int = 200) -> int:
    """Retry rows that are due (and reclaim rows a crashed worker left ``sending``)."""
    now = utcnow()
    ids = db.session.scalars(
        sa.select(OutboxMessage.id).where(sa.or_(
            sa.and_(OutboxMessage.status == "pending", OutboxMessage.created_at < now - timedelta(seconds=30)),
            sa.and_(OutboxMessage.status == "retry", OutboxMessage.next_attempt_at <= now),
            sa.and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now - STALE_SENDING),
        )).order_by(OutboxMessage.id).limit(limit)).all()
    db.session.commit()
    return deliver(ids)


@dataclass(frozen=True)
class Claimed:
    """What the sender needs of a claimed row (read in the claiming statement itself)."""

    id: int
    center_id: int
    chat_id: int | None
    method: str
    params: dict
    transport: str
    attempts: int


def _claim(row_id: int) -> Claimed | None:
    """Atomically move a row to ``sending`` (one UPDATE ... RETURNING) so two deliverers never send it
    twice; the commit ends the transaction before Telegram is called."""
    now = utcnow()
    stale = now - STALE_SENDING
    found = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row_id, sa.or_(
            OutboxMessage.status.in_(("pending", "retry")),
            sa.and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= stale)))
        .values(status="sending", next_attempt_at=now)
        .returning(OutboxMessage.id, OutboxMessage.center_id, OutboxMessage.chat_id, OutboxMessage.method,
                   OutboxMessage.params, OutboxMessage.transport, OutboxMessage.attempts)).first()
    db.session.commit()
    return Claimed(*found) if found is not None else None


def _finish(row_id: int, **values) -> None:
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()
    with _finished:
        _finished.notify_all()


def _deliver_one(row_id: int, tenants: dict, *, in_order: bool = True) -> int:
    row = _claim(row_id)
    if row is None:
        return 0
    sent = _send_earlier(row, tenants) if in_order else 0
    if row.transport == "sandbox":
        _finish(row.id, status="sent", sent_at=utcnow(), attempts=row.attempts + 1)
        return sent + 1
    if row.center_id not in tenants:
        tenants[row.center_id] = tenancy.by_id(row.center_id)
        db.session.commit()
    tenant = tenants[row.center_id]
    if tenant is None or not tenant.token:
        _finish(row.id, status="failed", last_error="center has no bot token", attempts=row.attempts + 1)
        log.warning("outbox %s failed: center %s has no bot token", row.id, row.center_id)
        return sent
    return sent + _send(tenant, row)


def _send_earlier(row: Claimed, tenants: dict) -> int:
    """Keep a chat's messages in order across updates and workers: earlier rows still pending are sent
    first (by us), and rows another thread is sending are waited for, a bounded time."""
    if row.chat_id is None:
        return 0
    sent = 0
    deadline = time.monotonic() + current_app.config["SEND_ORDER_WAIT"]
    while True:
        earlier = db.session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.status)
            .where(OutboxMessage.center_id == row.center_id, OutboxMessage.chat_id == row.chat_id,
                   OutboxMessage.id < row.id, OutboxMessage.status.in_(("pending", "sending")))
            .order_by(OutboxMessage.id)).all()
        db.session.commit()
        if not earlier:
            return sent
        if time.monotonic() > deadline:
            log.warning("outbox %s: sent without waiting longer for %d earlier message(s) to chat",
                        row.id, len(earlier))
            return sent
        first_id, first_status = earlier[0]
        if first_status == "pending":  # strictly in order: never past a row that is still in flight
            sent += _deliver_one(first_id, tenants, in_order=False)
        else:
            with _finished:  # woken when a row of this process is marked; other processes: the timeout
                _finished.wait(0.05)


def _send(tenant: tenancy.Tenant, row: Claimed) -> int:
    cfg = current_app.config
    store = current_app.extensions["wowdash"].store
    bot = api.bot_for(tenant.id, tenant.token, tenant.token_fingerprint)
    attempts = row.attempts
    error = ""
    inline = 0
    while inline < cfg["SEND_INLINE_ATTEMPTS"]:
        wait = store.bot_paused_for(tenant.id)
        if wait > cfg["SEND_MAX_WAIT"]:
            break
        if wait > 0:
            time.sleep(wait)
        while (slot_wait := store.take_send_slot(tenant.id, cfg["SEND_PER_SECOND"])) > 0:
            time.sleep(slot_wait)  # Telegram allows about 30 messages a second per bot
        attempts += 1
        inline += 1
        try:
            result = getattr(bot, row.method)(**row.params)
        except ApiTelegramException as exc:
            error = redact(f"{exc.error_code}: {exc.description}")
            if exc.error_code == 429:
                retry_after = float((exc.result_json.get("parameters") or {}).get("retry_after") or 1)
                store.pause_bot(tenant.id, retry_after)
                inline -= 1 if retry_after <= cfg["SEND_MAX_WAIT"] else 0  # waiting is not failing
                continue
            if exc.error_code == 401:
                tenancy.mark_unhealthy(tenant.id, "Bot API answered 401 Unauthorized: token revoked?")
                log.error("center %s: bot token rejected (401); center marked unhealthy", tenant.slug)
                _finish(row.id, status="failed", attempts=attempts, last_error=error)
                return 0
            if exc.error_code < 500:
                log.warning("center %s: %s refused: %s", tenant.slug, row.method, error)
                _finish(row.id, status="failed", attempts=attempts, last_error=error)
                return 0
        except (requests.RequestException, ApiHTTPException, ApiInvalidJSONException) as exc:
            error = redact(f"{type(exc).__name__}: {exc}")
        else:
            _finish(row.id, status="sent", attempts=attempts, sent_at=utcnow(), last_error=None,
                    result=_result_summary(result))
            return 1
        time.sleep(cfg["SEND_RETRY_BACKOFF"] * inline)
    if attempts >= cfg["SEND_MAX_ATTEMPTS"]:
        log.error("center %s: outbox %s undeliverable after %s attempts: %s",
                  tenant.slug, row.id, attempts, error)
        _finish(row.id, status="failed", attempts=attempts, last_error=error)
    else:
        delay = max(store.bot_paused_for(tenant.id), cfg["SEND_RETRY_BACKOFF"] * 2 ** attempts)
        log.warning("center %s: outbox %s will be retried: %s", tenant.slug, row.id, error)
        _finish(row.id, status="retry", attempts=attempts, last_error=error,
                next_attempt_at=utcnow() + timedelta(seconds=delay))
    return 0


def _result_summary(result) -> dict | None:
    message_id = getattr(result, "message_id", None)
    if message_id is not None:
        return {"message_id": message_id}
    return {"ok": bool(result)} if isinstance(result, bool) else None
