"""POST /tg/<slug>: Telegram's webhook, one unguessable secret per center, compared in constant time."""
from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy.exc import OperationalError

from .. import tenancy
from ..dispatcher import InvalidUpdate, dispatch
from ..state.base import LockTimeout
from . import delivery

log = logging.getLogger(__name__)
bp = Blueprint("telegram_webhook", __name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _error(status: int, message: str):
    response = jsonify(ok=False, error=message)
    response.status_code = status
    return response


@bp.post("/tg/<slug>")
def receive(slug: str):
    limit = current_app.config["MAX_UPDATE_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        return _error(413, "update too large")
    tenant = tenancy.by_slug(slug)
    if tenant is None or not tenant.is_active:
        return _error(404, "unknown bot")
    given = request.headers.get(SECRET_HEADER)
    if not given:
        return _error(401, "missing secret token")
    if not hmac.compare_digest(given.encode(), tenant.webhook_secret.encode()):
        log.warning("center %s: webhook called with a wrong secret from %s", slug, request.remote_addr)
        return _error(403, "wrong secret token")
    body = request.get_data(cache=False)
    if len(body) > limit:
        return _error(413, "update too large")
    try:
        update = json.loads(body)
        outcome = dispatch(tenant, update, source="webhook")
    except (ValueError, InvalidUpdate) as exc:  # json.JSONDecodeError is a ValueError
        return _error(400, f"malformed update: {exc}")
    except (OperationalError, LockTimeout):
        # Not accepted: a 5xx makes Telegram deliver it again later.
        log.exception("center %s: update not accepted", slug)
        abort(503)
    response = jsonify(ok=True, status=outcome.status)
    delivery.after_response(response, outcome.outbox_ids)
    return response
