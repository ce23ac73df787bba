"""Hook implementations of the payment plugin: payment choice, card receipts, admin verification."""
from __future__ import annotations

from pathlib import Path

import click

from wowdash import hookimpl

from . import flow, models  # noqa: F401  (models: the tables are on the metadata Alembic reads)
from .service import STORE
from .texts import TRANSLATIONS


@hookimpl
def wowdash_translations():
    return TRANSLATIONS


@hookimpl
def wowdash_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def wowdash_register_blueprints(app):
    from .views import bp
    app.register_blueprint(bp)


@hookimpl
def wowdash_admin_views(admin, app):
    from .admin import add_views
    add_views(admin, app)


@hookimpl
def wowdash_cli(cli):
    group = click.Group("payments", help="Card-transfer receipts and payments.")
    group.add_command(STORE.cleanup_command("receipt images"))
    cli.add_command(group)


@hookimpl
def wowdash_start_payment(ctx, order):
    return flow.start_payment(ctx, order)


@hookimpl
def wowdash_prepare_update(ctx):
    flow.prepare(ctx)


@hookimpl(tryfirst=True)
def wowdash_route_message(ctx):
    if not flow.in_receipt_step(ctx) or ctx.command is not None or not ctx.update.get("message"):
        return None
    return flow.on_message


@hookimpl
def wowdash_route_callback_query(ctx):
    # Stateless: each button names its order and is checked against the customer, so a "pay the rest"
    # button from "My orders" still works days later.
    return flow.on_callback if (ctx.callback_data or "").startswith("pay:") else None


@hookimpl
def wowdash_update_processed(ctx, outcome):
    flow.after_update(ctx, outcome)


@hookimpl
def wowdash_dashboard_figures(center_id):
    from .admin import dashboard_figures
    return dashboard_figures(center_id)
