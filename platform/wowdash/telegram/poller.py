"""`flask run-bots`: every active center polled from one process, following registry changes.

One thread per center runs getUpdates long polls and feeds the same dispatch() as the webhook. A failing
center restarts with backoff; others keep running. SIGTERM stops every thread cleanly.
"""
from __future__ import annotations

import logging
import signal
import threading
import time

from flask import Flask
from telebot import apihelper
from telebot.apihelper import ApiTelegramException

from .. import tenancy
from ..dispatcher import InvalidUpdate, dispatch
from ..extensions import db
from ..logs import redact
from . import api, sender
from .webhooks import allowed_updates

log = logging.getLogger(__name__)


class CenterPoller(threading.Thread):
    def __init__(self, app: Flask, tenant: tenancy.Tenant, stop: threading.Event):
        super().__init__(name=f"poll-{tenant.slug}", daemon=True)
        self.app, self.tenant, self.stop_event = app, tenant, stop
        self.done = threading.Event()  # this center alone was stopped (disabled or re-tokened)
        self.failures = 0

    def stopped(self) -> bool:
        return self.stop_event.is_set() or self.done.is_set()

    def run(self) -> None:
        with self.app.app_context():
            offset = None
            bot = api.bot_for(self.tenant.id, self.tenant.token, self.tenant.token_fingerprint)
            while not self.stopped():
                try:
                    if offset is None:
                        bot.delete_webhook()
                        offset = 0
                    timeout = self.app.config["POLL_TIMEOUT"]
                    # Raw dicts, exactly what a webhook receives (telebot's Update objects keep no JSON).
                    updates = apihelper.get_updates(
                        self.tenant.token, offset=offset or None, timeout=timeout,
                        long_polling_timeout=timeout, allowed_updates=allowed_updates(self.tenant))
                    for update in updates:
                        if self.stopped():
                            break  # not confirmed: a later poller (center re-enabled) still gets it
                        self._handle(update)
                        # Confirmed only once handled: an update that could not be accepted (database
                        # down) comes back on the next poll, and the dedupe record absorbs repeats.
                        offset = max(offset, update["update_id"] + 1)
                    self.failures = 0
                except ApiTelegramException as exc:
                    if exc.error_code == 401:
                        tenancy.mark_unhealthy(self.tenant.id, "Bot API answered 401 Unauthorized")
                        log.error("center %s: token rejected; poller stops", self.tenant.slug)
                        return
                    self._backoff(exc)
                except Exception as exc:
                    self._backoff(exc)
                finally:
                    db.session.remove()

    def _handle(self, update: dict) -> None:
        try:
            outcome = dispatch(self.tenant, update, source="polling")
        except InvalidUpdate as exc:
            log.warning("center %s: ignored malformed update: %s", self.tenant.slug, exc)
            return
        sender.deliver(outcome.outbox_ids)

    def _backoff(self, exc: Exception) -> None:
        self.failures += 1
        delay = min(60.0, 0.5 * 2 ** min(self.failures, 7))
        log.warning("center %s: poller error (%s); retrying in %.1fs", self.tenant.slug,
                    redact(str(exc))[:200], delay)
        deadline = time.monotonic() + delay
        while not self.stopped() and time.monotonic() < deadline:  # a disabled center stops waiting too
            self.stop_event.wait(min(1.0, deadline - time.monotonic()))


class Runner:
    """Supervises one CenterPoller per active center with a token."""

    def __init__(self, app: Flask):
        self.app = app
        self.stop = threading.Event()
        self.pollers: dict[int, CenterPoller] = {}

    def refresh(self) -> None:
        with self.app.app_context():
            # An unhealthy center's token was refused (401); a new token marks it healthy again.
            wanted = {t.id: t for t in tenancy.active() if t.token and t.healthy}
            db.session.remove()
        for center_id, poller in list(self.pollers.items()):
            tenant = wanted.get(center_id)
            if tenant is None or tenant.token_fingerprint != poller.tenant.token_fingerprint \
                    or not poller.is_alive():
                poller.done.set()
                del self.pollers[center_id]
                log.info("stopped polling center %s", poller.tenant.slug)
            else:
                poller.tenant = tenant  # renamed, plugins or settings changed: the next update sees it
        for center_id, tenant in wanted.items():
            if center_id not in self.pollers:
                poller = self.pollers[center_id] = CenterPoller(self.app, tenant, self.stop)
                poller.start()
                log.info("polling center %s", tenant.slug)

    def sweep(self) -> None:
        with self.app.app_context():
            try:
                sender.sweep()
            except Exception:
                log.exception("outbox sweep failed")

    def run(self, install_signals: bool = True) -> None:
        if install_signals:
            signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
            signal.signal(signal.SIGINT, lambda *_: self.stop.set())
        every = self.app.config["REGISTRY_REFRESH_SECONDS"]
        while not self.stop.is_set():
            self.refresh()
            self.sweep()
            self.stop.wait(every)
        log.info("stopping %d pollers", len(self.pollers))
        deadline = time.monotonic() + self.app.config["POLL_TIMEOUT"] + 5
        for poller in self.pollers.values():
            poller.join(max(0.1, deadline - time.monotonic()))
