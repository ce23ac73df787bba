"""The benchmark's conversation, four updates like an order: /start, a button, a text that writes, confirm.

Installed only for the benchmark (bench/plugins is put on gunicorn's PYTHONPATH); its dist-info folder
registers it in the `wowdash` entry-point group exactly as pip would.
"""
from wowdash import hookimpl

MENU = {"inline_keyboard": [[{"text": "Order", "callback_data": "bench:order"}]]}
CONFIRM = {"inline_keyboard": [[{"text": "Confirm", "callback_data": "bench:confirm"}]]}


def menu(ctx):
    ctx.state.flow, ctx.state.step = "bench", "menu"
    ctx.reply("menu", reply_markup=MENU)


def ask_name(ctx):
    ctx.answer_callback()
    ctx.state.step = "name"
    ctx.reply("name?")


def take_name(ctx):
    ctx.customer.full_name = ctx.text[:100]  # the first step's customer row: an insert
    ctx.state.ns("bench_flow")["name"] = ctx.text
    ctx.state.step = "confirm"
    ctx.reply("confirm?", reply_markup=CONFIRM)


def confirm(ctx):
    ctx.answer_callback()
    ctx.state.clear()
    ctx.reply("done")


@hookimpl
def wowdash_route_message(ctx):
    if ctx.command == "start":
        return menu
    if ctx.state.flow == "bench" and ctx.state.step == "name" and ctx.text:
        return take_name
    return None


@hookimpl
def wowdash_route_callback_query(ctx):
    if ctx.state.flow != "bench":
        return None
    return {"bench:order": ask_name, "bench:confirm": confirm}.get(ctx.callback_data)
