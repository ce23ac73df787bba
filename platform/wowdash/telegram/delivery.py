"""When the outbox is sent: after the response has gone (webhook), or at once (poller, CLI)."""
from __future__ import annotations

import logging

from flask import current_app

from . import sender

log = logging.getLogger(__name__)


def after_response(response, ids: list[int]) -> None:
    """Send ``ids`` once the response is written, so Telegram's round trip never delays the answer."""
    if not ids:
        return
    app = current_app._get_current_object()
    if app.config.get("DELIVERY") == "inline":
        sender.deliver(ids)
        return

    def send() -> None:
        with app.app_context():
            try:
                sender.deliver(ids)
            except Exception:
                log.exception("delivery after response failed; the sweeper retries")

    response.call_on_close(send)


def flush_request(response):
    """``after_request``: deliver what an admin or sandbox request committed."""
    ids = sender.take_committed()
    after_response(response, ids)
    return response
