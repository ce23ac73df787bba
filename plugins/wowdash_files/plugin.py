"""Hook implementations of the file-upload plugin: upload step, private storage, admin download."""
from __future__ import annotations

from pathlib import Path

import click

from wowdash import hookimpl

from . import flow, models  # noqa: F401  (models: the table is on the metadata Alembic reads)
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
def wowdash_cli(cli):
    group = click.Group("files", help="Customer uploads kept by the file-upload plugin.")
    group.add_command(STORE.cleanup_command("upload files"))
    cli.add_command(group)


@hookimpl
def wowdash_request_files(ctx, owner, reference, prompt):
    return flow.request_files(ctx, owner, reference, prompt)


@hookimpl
def wowdash_prepare_update(ctx):
    flow.prepare(ctx)


@hookimpl(tryfirst=True)
def wowdash_route_message(ctx):
    if ctx.state.flow != flow.FLOW or ctx.command is not None:
        return None  # commands (/start) stay with their plugins
    return flow.on_message if ctx.update.get("message") else flow.ignore


@hookimpl
def wowdash_route_callback_query(ctx):
    if not (ctx.callback_data or "").startswith("fil:"):
        return None
    if ctx.state.flow == flow.FLOW:
        return flow.on_callback
    return None if ctx.state.expired else flow.stale


@hookimpl
def wowdash_update_processed(ctx, outcome):
    flow.after_update(ctx, outcome)
