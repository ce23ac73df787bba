"""The contract between the core and plugins: every hook WowDash calls, with its arguments.

Call hooks with keyword arguments. `docs/plugin_hooks.md` documents each one; a test keeps the two equal.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("wowdash")


# --- setup: called once per app, with every installed plugin -----------------------------------

@hookspec
def wowdash_config_defaults():
    """Return a dict of default settings; the environment and app config override them.

    Called by: the app factory, before configuration. All results are merged.
    """


@hookspec
def wowdash_configure(app):
    """Configure the Flask ``app`` (extensions, signals) once the settings are loaded.

    Called by: the app factory, after the database and state store are bound.
    """


@hookspec
def wowdash_register_blueprints(app):
    """Register Flask blueprints on ``app``.

    Called by: the app factory.
    """


@hookspec
def wowdash_migration_dirs():
    """Return a list of Alembic version folders holding this plugin's migrations.

    Called by: Flask-Migrate's configure callback; each folder's revisions carry a branch label.
    """


@hookspec
def wowdash_admin_views(admin, app):
    """Add Flask-Admin views to ``admin`` (a ``flask_admin.Admin``) for ``app``.

    Called by: the admin set-up. Views of center-owned rows must scope every query to the center.
    """


@hookspec
def wowdash_cli(cli):
    """Add click commands to ``cli`` (the app's ``flask`` command group).

    Called by: the app factory.
    """


@hookspec
def wowdash_translations():
    """Return ``{language: {message_id: text}}`` for this plugin's bot texts (uz, ru, en).

    Called by: the i18n catalog at start-up. Later plugins may override earlier keys.
    """


# --- tenant: called with the hook proxy of one center --------------------------------------------

@hookspec
def wowdash_tenant_activated(tenant):
    """A center (``tenant``) was activated or re-tokened; e.g. warm a cache.

    Called by: the registry after ``flask sync-tenants`` or the admin changed the center.
    """


@hookspec
def wowdash_allowed_updates(tenant):
    """Return a list of update types (``"message"``, ``"callback_query"``...) this plugin needs.

    Called by: webhook set-up and the poller; the union is passed to Telegram.
    """


@hookspec
def wowdash_bot_commands(tenant, language):
    """Return a list of ``(command, description)`` for the bot's menu in ``language``.

    Called by: webhook set-up (``setMyCommands``).
    """


# --- per update: called through the center's hook proxy, in this order ----------------------------

@hookspec
def wowdash_prepare_update(ctx):
    """Do slow input work for the update before the database transaction opens (e.g. download a file).

    ``ctx`` is the UpdateContext; store results in ``ctx.extras``. No database writes here; Telegram
    calls are allowed (this is the only phase where they are).
    Called by: the dispatcher, after the dedupe check and the per-user lock.
    """


@hookspec(firstresult=True)
def wowdash_process_update(ctx):
    """The update protocol: skip, route, run the handler; return an outcome string.

    Stops at the first non-None result. The core's default is ``trylast``; wrap it with
    ``wrapper=True`` for cross-cutting work (timing, tracing). Runs inside the update's transaction.
    Called by: the dispatcher.
    """


@hookspec(firstresult=True)
def wowdash_skip_update(ctx):
    """Return a reason (str) to ignore this update, or None.

    Stops at the first non-None result. Called by: the default protocol, before routing.
    """


@hookspec(firstresult=True)
def wowdash_route_message(ctx):
    """Return a handler ``callable(ctx)`` for a message update, or None.

    Only choose here; do the work in the handler. Stops at the first non-None result.
    Called by: the default protocol for ``message`` updates.
    """


@hookspec(firstresult=True)
def wowdash_route_callback_query(ctx):
    """Return a handler ``callable(ctx)`` for a button press (``callback_query``), or None.

    Route by ``ctx.callback_data``, never by a button's label. Stops at the first non-None result.
    Called by: the default protocol for ``callback_query`` updates.
    """


@hookspec(firstresult=True)
def wowdash_route_update(ctx):
    """Return a handler ``callable(ctx)`` for any other update type, or None.

    Stops at the first non-None result. Called by: the default protocol.
    """


@hookspec(firstresult=True)
def wowdash_resume_flow(ctx, flow, step):
    """Return a handler for an update that belongs to ``flow`` whose state has expired.

    ``flow`` is the flow name the expired state held (or the callback's prefix), ``step`` its last step
    (may be None). The handler should restart politely. Stops at the first non-None result.
    Called by: the default protocol when no route chose a handler and the user's state expired.
    """


@hookspec
def wowdash_handle_error(ctx, exc):
    """Report ``exc`` raised while handling the update; the update is still answered 200.

    The handler's database work is rolled back and its messages are dropped before this runs;
    messages sent from here are delivered. Called by: the dispatcher.
    """


@hookspec
def wowdash_update_processed(ctx, outcome):
    """The update's transaction committed with ``outcome`` (``handled``, ``unhandled``, ``skipped``,
    ``error``). Called by: the dispatcher, after the commit; no database writes expected.
    """


@hookspec
def wowdash_sync_tenant(center, data):
    """Apply a tenant file's extra sections (e.g. ``[[catalog...]]``) to ``center`` (a Center row).

    ``data`` is the parsed TOML. Runs inside the sync's transaction; do not commit.
    Called by: ``flask sync-tenants``, through the center's hook proxy.
    """


# --- between flows: how the order, file-upload and payment plugins hand over -----------------------

@hookspec(firstresult=True)
def wowdash_request_files(ctx, owner, reference, prompt):
    """Ask the customer for files; a file-upload plugin takes over the conversation.

    ``owner`` is the asking plugin's name, ``reference`` an opaque string it wants back (e.g. a draft id),
    ``prompt`` a message id to show (or None). Return True when a plugin took over; stops at the first
    non-None result. When the customer is done, that plugin calls ``wowdash_files_collected``.
    Called by: the order flow.
    """


@hookspec
def wowdash_files_collected(ctx, owner, reference, files):
    """The customer finished uploading for ``owner``/``reference``.

    ``files`` is a list of dicts: ``id`` (stored file id), ``name``, ``kind`` (pdf, docx, jpg...),
    ``pages``, ``size``, ``telegram_file_id``. Implementations check ``owner`` and resume their flow.
    Called by: the file-upload plugin, inside the update's transaction.
    """


@hookspec
def wowdash_files_cancelled(ctx, owner, reference, action):
    """The customer pressed back or cancel while uploading; ``owner`` resumes or ends its flow.

    ``action`` is ``"back"`` (the uploads are kept: asking again with the same ``reference`` shows them)
    or ``"cancel"`` (the uploads were deleted). Called by: the file-upload plugin.
    """


@hookspec(firstresult=True)
def wowdash_start_payment(ctx, order):
    """Offer payment for ``order`` (a dict: ``id``, ``number``, ``center_id``, ``branch_id``,
    ``customer_id``, ``total``, ``paid``, ``remaining``, ``currency``); a payment plugin takes over.

    Return True when a plugin took over; None leaves the order to be paid at pickup.
    Stops at the first non-None result. Called by: the order flow after placing an order, and from
    "My orders" to pay the rest.
    """


@hookspec
def wowdash_payment_methods(tenant, order):
    """Return a list of ``(code, message_id)`` payment methods this plugin offers for ``order``.

    A provider plugin (Payme, Click, Telegram Payments) adds one; the payment plugin shows them all and
    calls ``wowdash_begin_provider_payment`` for a code it does not own.
    Called by: the payment plugin when it shows the choice.
    """


@hookspec(firstresult=True)
def wowdash_begin_provider_payment(ctx, order, method):
    """Start an online payment with provider ``method`` for ``order``; return True if handled.

    Stops at the first non-None result. Called by: the payment plugin.
    """


@hookspec
def wowdash_payment_recorded(tenant, order_id, payment):
    """A payment was verified or recorded for ``order_id`` of center ``tenant``.

    ``payment`` is a dict: ``id``, ``amount``, ``method`` (cash, card, provider code), ``full``
    (True when staff accepted it as paying the order in full), ``actor`` (who, or None for a
    provider). The order plugin updates paid amounts and moves the status; runs inside the
    transaction that recorded the payment. Called by: the payment plugin (bot, admin, providers).
    """


@hookspec
def wowdash_order_status_changed(tenant, order, old, new, actor):
    """``order`` (a dict as for ``wowdash_start_payment`` plus ``status``) moved from ``old`` to ``new``.

    Runs inside the transaction; messages queued with the center's bot go out after the commit.
    Called by: the order status service, on every transition.
    """


@hookspec(firstresult=True)
def wowdash_order_info(tenant, order_id):
    """Return the order dict (as for ``wowdash_start_payment`` plus ``status``, ``customer_chat_id``,
    ``language``) for ``order_id`` of ``tenant``, or None. Lets other plugins read an order without
    importing the order plugin. Stops at the first non-None result.
    """


# --- admin ------------------------------------------------------------------------------------------

@hookspec
def wowdash_dashboard_figures(center_id):
    """Return a list of ``(label, value)`` pairs for the admin dashboard of center ``center_id``.

    ``center_id`` is None for the super admin's view of all centers; count only that center's rows
    (today's and this month's orders, revenue, payments waiting for verification...). ``value`` is
    shown as text (escaped); keep each query cheap. Read only: no writes, no Telegram calls.
    Called by: the admin dashboard, through the center's hook proxy (only plugins enabled there).
    """
