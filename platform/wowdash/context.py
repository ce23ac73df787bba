"""UpdateContext: everything a handler needs for one update, so plugins import nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .extensions import db
from .models import Customer
from .state import UserState
from .telegram.client import BotClient
from .tenancy import Tenant

_UNSET = object()


@dataclass
class UpdateContext:
    tenant: Tenant
    update: dict[str, Any]
    hook: Any
    state: UserState
    bot: BotClient
    catalog: Any
    config: Any
    source: str = "webhook"
    extras: dict[str, Any] = field(default_factory=dict)
    _customer: Customer | None = field(default=None, repr=False)
    _stored_language: Any = field(default=_UNSET, repr=False)

    # --- what the update is -------------------------------------------------------------------
    @property
    def update_id(self) -> int:
        return self.update["update_id"]

    @property
    def kind(self) -> str:
        return next((k for k in self.update if k != "update_id"), "unknown")

    @property
    def message(self) -> dict[str, Any] | None:
        return self.update.get("message") or self.update.get("edited_message")

    @property
    def callback_query(self) -> dict[str, Any] | None:
        return self.update.get("callback_query")

    @property
    def callback_data(self) -> str | None:
        cq = self.callback_query
        return cq.get("data") if cq else None

    @property
    def text(self) -> str | None:
        msg = self.message
        return (msg.get("text") or "").strip() if msg and msg.get("text") is not None else None

    @property
    def command(self) -> str | None:
        """``/start payload`` gives ``"start"``; also strips ``@botname``."""
        text = self.text
        if not text or not text.startswith("/"):
            return None
        return text[1:].split()[0].split("@")[0].lower()

    @property
    def from_user(self) -> dict[str, Any]:
        body = self.update.get(self.kind) or {}
        return body.get("from") or {}

    @property
    def user_id(self) -> int | None:
        return user_id_of(self.update)

    @property
    def chat_id(self) -> int | None:
        msg = self.message or (self.callback_query or {}).get("message")
        if msg and msg.get("chat"):
            return msg["chat"]["id"]
        return self.user_id

    # --- who is asking --------------------------------------------------------------------------
    @property
    def customer(self) -> Customer:
        """The center's customer for this Telegram user, created on first contact."""
        if self._customer is None:
            uid = self.user_id
            customer = db.session.scalar(sa.select(Customer).where(
                Customer.center_id == self.tenant.id, Customer.telegram_id == uid))
            if customer is None:
                user = self.from_user
                customer = Customer(center_id=self.tenant.id, telegram_id=uid,
                                    username=user.get("username"),
                                    full_name=" ".join(filter(None, [user.get("first_name"),
                                                                     user.get("last_name")])) or None)
                db.session.add(customer)
                db.session.flush()
            self._customer = customer
        return self._customer

    @property
    def language(self) -> str:
        """The customer's chosen language, else Telegram's if the center offers it, else the default."""
        chosen = self.state.language or (self._customer.language if self._customer else None)
        if chosen is None and self.user_id is not None:
            if self._stored_language is _UNSET:  # looked up once per update, not once per ctx.t()
                self._stored_language = db.session.scalar(sa.select(Customer.language).where(
                    Customer.center_id == self.tenant.id, Customer.telegram_id == self.user_id))
            chosen = self._stored_language
        if chosen in self.tenant.languages:
            return chosen
        telegram = (self.from_user.get("language_code") or "")[:2]
        return telegram if telegram in self.tenant.languages else self.tenant.default_language

    def t(self, key: str, **params: Any) -> str:
        return self.catalog.gettext(key, self.language, **params)

    def settings(self, plugin: str) -> dict[str, Any]:
        defaults = self.config.get("PLUGIN_DEFAULTS", {}).get(plugin, {})
        return {**defaults, **self.tenant.plugin_settings(plugin)}

    # --- answering ---------------------------------------------------------------------------
    def reply(self, text: str, **params: Any):
        """Send ``text`` to the chat this update came from."""
        return self.bot.send_message(chat_id=self.chat_id, text=text, **params)

    def answer_callback(self, text: str | None = None, **params: Any):
        if self.callback_query:
            return self.bot.answer_callback_query(callback_query_id=self.callback_query["id"], text=text, **params)
        return None


def user_id_of(update: dict[str, Any]) -> int | None:
    for kind, body in update.items():
        if kind != "update_id" and isinstance(body, dict):
            user = body.get("from") or body.get("user")
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                return user["id"]
            chat = body.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return chat["id"]
    return None
