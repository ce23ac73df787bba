"""The update protocol's defaults, marked ``trylast`` so any plugin can override them."""
from __future__ import annotations

import logging
import time

from wowdash import hookimpl

log = logging.getLogger("wowdash.protocol")

TRANSLATIONS = {
    "uz": {
        "core.error": "Kechirasiz, xatolik yuz berdi. Iltimos, qaytadan urinib ko'ring yoki /start bosing.",
        "core.session_expired": "Suhbat muddati tugadi. Iltimos, /start orqali qaytadan boshlang.",
        "core.button_expired": "Bu tugma eskirgan.",
        "core.unknown": "Tushunmadim. Boshlash uchun /start bosing.",
    },
    "ru": {
        "core.error": "Извините, произошла ошибка. Попробуйте ещё раз или нажмите /start.",
        "core.session_expired": "Время сеанса истекло. Пожалуйста, начните заново: /start.",
        "core.button_expired": "Эта кнопка устарела.",
        "core.unknown": "Не понял. Нажмите /start, чтобы начать.",
    },
    "en": {
        "core.error": "Sorry, something went wrong. Please try again or press /start.",
        "core.session_expired": "This conversation has expired. Please start again with /start.",
        "core.button_expired": "This button is out of date.",
        "core.unknown": "I did not understand that. Press /start to begin.",
    },
}


@hookimpl
def wowdash_translations():
    return TRANSLATIONS


@hookimpl(trylast=True)
def wowdash_process_update(ctx):
    hook = ctx.hook
    reason = hook.wowdash_skip_update(ctx=ctx)
    if reason:
        return "skipped"
    if ctx.message is not None:
        handler = hook.wowdash_route_message(ctx=ctx)
    elif ctx.callback_query is not None:
        handler = hook.wowdash_route_callback_query(ctx=ctx)
    else:
        handler = hook.wowdash_route_update(ctx=ctx)
    if handler is None and ctx.state.expired:
        handler = hook.wowdash_resume_flow(ctx=ctx, flow=ctx.state.expired_flow, step=None)
    if handler is None:
        return "unhandled"
    handler(ctx)
    return "handled"


@hookimpl(wrapper=True, specname="wowdash_process_update")
def trace_process_update(ctx):
    """Wraps the protocol (as pytest wraps its run-test protocol): timing when TRACE_HOOKS is on."""
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        if ctx.config.get("TRACE_HOOKS"):
            log.info("center %s update %s (%s) took %.1f ms", ctx.tenant.slug, ctx.update_id, ctx.kind,
                     (time.perf_counter() - start) * 1000)


def _expired(ctx) -> None:
    ctx.state.clear()
    if ctx.callback_query:
        ctx.answer_callback(ctx.t("core.button_expired"))
    ctx.reply(ctx.t("core.session_expired"))


@hookimpl(trylast=True)
def wowdash_resume_flow(ctx, flow, step):
    return _expired


@hookimpl(trylast=True)
def wowdash_handle_error(ctx, exc):
    log.error("center %s: update %s failed: %s", ctx.tenant.slug, ctx.update_id, exc,
              exc_info=(type(exc), exc, exc.__traceback__))
    if ctx.chat_id is not None:
        if ctx.callback_query:
            ctx.answer_callback()
        ctx.reply(ctx.t("core.error"))


@hookimpl
def wowdash_allowed_updates(tenant):
    return ["message", "callback_query"]
