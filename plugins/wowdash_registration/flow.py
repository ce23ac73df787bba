"""Registration (language -> name -> phone -> branch), the main menu and profile edit."""
from __future__ import annotations

import functools

import sqlalchemy as sa

from wowdash import db, translated
from wowdash.models import Branch, utcnow

from .phone import normalize_phone

FLOWS = ("registration", "profile")
# The main menu's buttons: other plugins route these, so the callback data never changes.
MENU_BUTTONS = (("registration.menu.new_order", "ord:new", "wowdash_orders"),
                ("registration.menu.my_orders", "ord:my", "wowdash_orders"),
                ("registration.menu.profile", "reg:profile", None))
REMOVE_KEYBOARD = {"remove_keyboard": True}


def inline(rows: list[list[tuple[str, str]]]) -> dict:
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in rows]}


def active_branches(center_id: int) -> list[Branch]:
    return list(db.session.scalars(sa.select(Branch).where(
        Branch.center_id == center_id, Branch.is_active.is_(True)).order_by(Branch.id)))


# --- routing (called from plugin.py) ------------------------------------------------------------

def route_message(ctx):
    if ctx.command == "start":
        return start
    if ctx.state.flow in FLOWS:
        return {"name": on_name, "phone": on_phone}.get(ctx.state.step, ask_again)
    return None


def route_callback(ctx):
    prefix, _, rest = (ctx.callback_data or "").partition(":")
    if prefix != "reg":
        return None
    action, _, arg = rest.partition(":")
    return answering(functools.partial(CALLBACKS.get(action, stale), arg=arg))


def answering(handler):
    """Run ``handler`` and answer the button press once (unless the handler answered with a text)."""
    def run(ctx) -> None:
        handler(ctx)
        if ctx.callback_query and not ctx.extras.get("callback_answered"):
            ctx.answer_callback()
    return run


def resume(ctx, arg: str = "") -> None:
    """The conversation expired mid-registration or mid-edit: say so and carry on politely."""
    ctx.reply(ctx.t("registration.expired"))
    start(ctx)


# --- registration -------------------------------------------------------------------------------

def start(ctx, arg: str = "") -> None:
    ctx.state.clear()
    if ctx.customer.is_registered:
        show_menu(ctx)
        return
    ctx.state.flow = "registration"
    if len(ctx.tenant.languages) > 1:
        ask_language(ctx, welcome=True)
    else:
        ctx.customer.language = ctx.tenant.languages[0]
        ctx.reply(ctx.t("registration.welcome", center=ctx.tenant.name))
        ask_name(ctx)


def ask_language(ctx, welcome: bool = False) -> None:
    ctx.state.step = "language"
    languages = ctx.tenant.languages
    text = " / ".join(ctx.catalog.gettext("registration.choose_language", lang) for lang in languages)
    if welcome:
        welcome_text = ctx.catalog.gettext("registration.welcome", ctx.language, center=ctx.tenant.name)
        text = welcome_text + "\n\n" + text
    ctx.reply(text, reply_markup=inline([[(ctx.t(f"registration.lang.{lang}"), f"reg:lang:{lang}")]
                                         for lang in languages]))


def on_language(ctx, arg: str) -> None:
    if arg not in ctx.tenant.languages:
        return stale(ctx)
    customer = ctx.customer
    customer.language = arg
    if ctx.state.flow == "profile":
        return saved(ctx)
    if customer.is_registered:  # a language button from an old profile message: still applies
        return show_profile(ctx)
    if ctx.state.flow != "registration":
        ctx.state.flow = "registration"
    ask_name(ctx)


def ask_name(ctx) -> None:
    ctx.state.step = "name"
    ctx.reply(ctx.t("registration.ask_name"), reply_markup=REMOVE_KEYBOARD)


def on_name(ctx) -> None:
    name = " ".join((ctx.text or "").split())
    if ctx.command or not 2 <= len(name) <= 100:
        ctx.reply(ctx.t("registration.name_invalid"))
        return
    ctx.customer.full_name = name
    if ctx.state.flow == "profile":
        return saved(ctx)
    ask_phone(ctx)


def contact_keyboard(ctx) -> dict:
    return {"keyboard": [[{"text": ctx.t("registration.share_phone"), "request_contact": True}]],
            "resize_keyboard": True, "one_time_keyboard": True}


def ask_phone(ctx) -> None:
    ctx.state.step = "phone"
    ctx.reply(ctx.t("registration.ask_phone"), reply_markup=contact_keyboard(ctx))


def on_phone(ctx) -> None:
    contact = (ctx.message or {}).get("contact")
    if contact:
        if contact.get("user_id") != ctx.user_id:  # a forwarded contact card of someone else
            ctx.reply(ctx.t("registration.phone_not_own"), reply_markup=contact_keyboard(ctx))
            return
        digits = "".join(ch for ch in contact.get("phone_number", "") if ch.isdigit())
        phone = normalize_phone(contact.get("phone_number")) or ("+" + digits if digits else None)
    else:
        phone = normalize_phone(ctx.text)
    if not phone:
        ctx.reply(ctx.t("registration.phone_invalid"), reply_markup=contact_keyboard(ctx))
        return
    ctx.customer.phone = phone
    ctx.reply(ctx.t("registration.phone_saved", phone=phone), reply_markup=REMOVE_KEYBOARD)
    if ctx.state.flow == "profile":
        ctx.state.clear()
        return show_profile(ctx)
    ask_branch(ctx)


def ask_branch(ctx) -> None:
    branches = active_branches(ctx.tenant.id)
    if len(branches) > 1:
        ctx.state.step = "branch"
        rows = [[(translated(b.name_i18n, ctx.language, b.name), f"reg:branch:{b.id}")] for b in branches]
        ctx.reply(ctx.t("registration.ask_branch"), reply_markup=inline(rows))
        return
    if ctx.state.flow == "profile":  # nothing to choose any more
        return saved(ctx)
    ctx.customer.branch_id = branches[0].id if branches else None
    finish(ctx)


def on_branch(ctx, arg: str) -> None:
    if ctx.state.flow not in FLOWS:
        return resume(ctx) if not ctx.customer.is_registered else stale(ctx)
    branch = next((b for b in active_branches(ctx.tenant.id) if str(b.id) == arg), None)
    if branch is None:
        ctx.reply(ctx.t("registration.branch_unavailable"))
        return ask_branch(ctx)
    ctx.customer.branch_id = branch.id
    if ctx.state.flow == "profile":
        return saved(ctx)
    finish(ctx)


def finish(ctx) -> None:
    customer = ctx.customer
    customer.registered_at = utcnow()
    ctx.state.clear()
    ctx.reply(ctx.t("registration.done", name=customer.full_name))
    show_menu(ctx)


def ask_again(ctx) -> None:
    """A message while a button is expected: ask the same question again."""
    if ctx.state.step == "branch":
        return ask_branch(ctx)
    ask_language(ctx)


# --- main menu and profile ----------------------------------------------------------------------

def show_menu(ctx, arg: str = "") -> None:
    if ctx.callback_query and not ctx.customer.is_registered:
        return start(ctx)
    ctx.state.clear()
    buttons = [[(ctx.t(label), data)] for label, data, plugin in MENU_BUTTONS
               if plugin is None or ctx.tenant.plugin_enabled(plugin)]
    ctx.reply(ctx.t("registration.menu"), reply_markup=inline(buttons))


def show_profile(ctx, arg: str = "") -> None:
    customer = ctx.customer
    if not customer.is_registered:
        return start(ctx)
    not_set = ctx.t("registration.not_set")
    branch = customer.branch
    text = ctx.t("registration.profile", name=customer.full_name or not_set, phone=customer.phone or not_set,
                 lang=ctx.t(f"registration.lang.{ctx.language}"),
                 branch=translated(branch.name_i18n, ctx.language, branch.name) if branch else not_set)
    rows = [[(ctx.t("registration.edit.name"), "reg:edit:name"),
             (ctx.t("registration.edit.phone"), "reg:edit:phone")],
            [(ctx.t("registration.edit.language"), "reg:edit:language")]]
    if len(active_branches(ctx.tenant.id)) > 1:
        rows[1].append((ctx.t("registration.edit.branch"), "reg:edit:branch"))
    rows.append([(ctx.t("registration.back"), "reg:menu")])
    ctx.reply(text, reply_markup=inline(rows))


def edit(ctx, arg: str) -> None:
    if not ctx.customer.is_registered:
        return start(ctx)
    asks = {"name": ask_name, "phone": ask_phone, "language": ask_language, "branch": ask_branch}
    if arg not in asks:
        return stale(ctx)
    ctx.state.clear()
    ctx.state.flow = "profile"
    asks[arg](ctx)


def saved(ctx) -> None:
    ctx.state.clear()
    ctx.reply(ctx.t("registration.saved"))
    show_profile(ctx)


def stale(ctx, arg: str = "") -> None:
    ctx.extras["callback_answered"] = True
    ctx.answer_callback(ctx.t("registration.stale"))


CALLBACKS = {"lang": on_language, "branch": on_branch, "menu": show_menu, "profile": show_profile,
             "edit": edit, "start": start}
