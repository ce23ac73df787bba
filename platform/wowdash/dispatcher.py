"""dispatch(tenant, update): the one entry for webhook, poller and sandbox updates.

Per update: per-user lock -> dedupe check -> prepare hooks (I/O, no transaction) -> one transaction
holding the handler's writes, queued messages, state (SQL store) and the dedupe record -> delivery after
commit. Imports no Flask request and no plugin.
"""
from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from . import tenancy
from .context import UpdateContext, user_id_of
from .extensions import db
from .models import ProcessedUpdate
from .state import UserState
from .telegram import sender
from .telegram.client import BotClient

log = logging.getLogger(__name__)
UPDATE_KINDS = {
    "message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "inline_query",
    "chosen_inline_result", "shipping_query", "pre_checkout_query", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "message_reaction", "business_message",
}
_touched: dict[int, float] = {}


class InvalidUpdate(ValueError):
    """The body is not a Telegram update; answered 400 and nothing is stored."""


@dataclass
class Outcome:
    status: str
    update_id: int
    outbox_ids: list[int] = field(default_factory=list)


def validate(update: Any) -> dict[str, Any]:
    if not isinstance(update, dict):
        raise InvalidUpdate("an update must be a JSON object")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise InvalidUpdate("update_id must be a non-negative integer")
    kinds = [k for k in update if k != "update_id"]
    if not kinds or not all(isinstance(update[k], dict) for k in kinds):
        raise InvalidUpdate("an update must carry one update object")
    return update


def dispatch(tenant: tenancy.Tenant, update: Any, *, source: str = "webhook") -> Outcome:
    """Process one update exactly once in effect; the caller delivers ``outcome.outbox_ids``."""
    update = validate(update)
    runtime = current_app.extensions["wowdash"]
    user_id = user_id_of(update)
    lock = (runtime.store.lock(tenant.id, user_id, current_app.config["USER_LOCK_TIMEOUT"])
            if user_id is not None else nullcontext())
    with lock:
        outcome, ctx = _process(runtime, tenant, update, user_id, source)
    ids = sender.take_committed()
    if ctx is not None:
        try:
            ctx.hook.wowdash_update_processed(ctx=ctx, outcome=outcome)
        except Exception:
            log.exception("center %s: wowdash_update_processed failed", tenant.slug)
        _touch(tenant.id)
    return Outcome(outcome, update["update_id"], ids)


def _process(runtime, tenant, update, user_id, source) -> tuple[str, UpdateContext | None]:
    update_id = update["update_id"]
    if _seen(tenant.id, update_id):
        return "duplicate", None
    state = (runtime.states.get(user_id, tenant.id) if user_id is not None
             else UserState(tenant.id, 0))
    db.session.commit()  # close the read transaction: prepare hooks may wait on Telegram
    ctx = UpdateContext(
        tenant=tenant, update=update, hook=runtime.plugins.hooks_for(tenant.enabled_plugins), state=state,
        bot=BotClient(tenant.id, "sandbox" if source == "sandbox" else "telegram",
                      downloader=runtime.downloader(tenant, source)),
        catalog=runtime.catalog, config=current_app.config, source=source)
    try:
        ctx.hook.wowdash_prepare_update(ctx=ctx)
        db.session.rollback()  # prepare hooks must not write; drop anything they tried
        outcome = ctx.hook.wowdash_process_update(ctx=ctx) or "unhandled"
        db.session.flush()
    except Exception as exc:  # the handler failed: undo its work, keep the update answered
        db.session.rollback()
        ctx.bot.discard()
        state.reset()
        ctx._customer = None
        outcome = "error"
        _report(ctx, exc)
    db.session.add(ProcessedUpdate(center_id=tenant.id, update_id=update_id, outcome=outcome))
    if runtime.store.transactional and user_id is not None:
        runtime.states.save(state)
    try:
        db.session.commit()
    except IntegrityError:  # the same update committed concurrently by another worker
        db.session.rollback()
        sender.take_committed()
        return "duplicate", None
    if not runtime.store.transactional and user_id is not None:
        runtime.states.save(state)  # Redis holds only what can be rebuilt: after the commit
    return outcome, ctx


def _seen(center_id: int, update_id: int) -> bool:
    found = db.session.scalar(sa.select(ProcessedUpdate.outcome).where(
        ProcessedUpdate.center_id == center_id, ProcessedUpdate.update_id == update_id))
    return found is not None


def _report(ctx: UpdateContext, exc: Exception) -> None:
    try:
        ctx.hook.wowdash_handle_error(ctx=ctx, exc=exc)
    except Exception:
        db.session.rollback()
        ctx.bot.discard()
        log.exception("center %s: the error hook itself failed", ctx.tenant.slug)


def _touch(center_id: int) -> None:
    """Record the center's last update time at most once a minute per process (no hot-row writes)."""
    now = time.monotonic()
    if now - _touched.get(center_id, 0) > 60:
        _touched[center_id] = now
        try:
            tenancy.touch(center_id)
        except Exception:  # bookkeeping only
            log.debug("could not record last update time", exc_info=True)
