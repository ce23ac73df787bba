"""Answers /start in the customer's language, and anything unrouted, so the path works end to end."""
from __future__ import annotations

from wowdash import hookimpl

TRANSLATIONS = {
    "uz": {"greeting.welcome": "Assalomu alaykum! {center} botiga xush kelibsiz.",
           "greeting.command.start": "Boshlash"},
    "ru": {"greeting.welcome": "Здравствуйте! Добро пожаловать в бот {center}.",
           "greeting.command.start": "Начать"},
    "en": {"greeting.welcome": "Hello! Welcome to the {center} bot.",
           "greeting.command.start": "Start"},
}


@hookimpl
def wowdash_translations():
    return TRANSLATIONS


def welcome(ctx) -> None:
    ctx.reply(ctx.t("greeting.welcome", center=ctx.tenant.name))


def unknown(ctx) -> None:
    ctx.reply(ctx.t("core.unknown"))


def stale_button(ctx) -> None:
    ctx.answer_callback(ctx.t("core.button_expired"))


@hookimpl(trylast=True)
def wowdash_route_message(ctx):
    if ctx.command == "start":
        return welcome
    if ctx.state.expired:
        return None  # let wowdash_resume_flow tell the user politely
    return unknown


@hookimpl(trylast=True)
def wowdash_route_callback_query(ctx):
    return None if ctx.state.expired else stale_button


@hookimpl
def wowdash_bot_commands(tenant, language):
    return [("start", TRANSLATIONS.get(language, TRANSLATIONS["en"])["greeting.command.start"])]
