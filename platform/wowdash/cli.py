"""The seed guide's commands: sync-tenants, run-bots, setup-webhooks, cleanup-bot-states, outbox, dev."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import tenancy, tenant_files
from .extensions import db


def register(app: Flask) -> None:
    for command in (sync_tenants, run_bots, setup_webhooks, cleanup_bot_states, outbox, upgrade, plugins,
                    dev_setup):
        app.cli.add_command(command)


def upgrade_database() -> None:
    """Alembic upgrade to every head (the core's and each plugin's branch)."""
    from flask_migrate import upgrade as alembic_upgrade
    alembic_upgrade(revision="heads")


@click.command("upgrade")
@with_appcontext
def upgrade():
    """Apply every migration (core and plugins)."""
    upgrade_database()
    click.echo("database is up to date")


@click.command("sync-tenants")
@click.option("--dir", "directory", default=None, help="Folder of tenant TOML files (default TENANTS_DIR).")
@with_appcontext
def sync_tenants(directory):
    """Create or update centers from tenants/*.toml."""
    centers = tenant_files.sync_dir(directory or current_app.config["TENANTS_DIR"])
    for center in centers:
        state = "active" if center.is_active else "disabled"
        token = "token set" if center.token_fingerprint else "no token (sandbox only)"
        click.echo(f"{center.slug}: {center.name} ({state}, {token})")


@click.command("run-bots")
@with_appcontext
def run_bots():
    """Poll every active center's bot from this one process (development, or no public URL)."""
    from .telegram.poller import Runner
    click.echo("polling all active centers; Ctrl+C or SIGTERM stops")
    Runner(current_app._get_current_object()).run()


@click.command("setup-webhooks")
@click.option("--base-url", default=None, help="Public https base URL (default WEBHOOK_BASE_URL).")
@with_appcontext
def setup_webhooks(base_url):
    """Register every active center's webhook with Telegram."""
    from .telegram.webhooks import set_webhook
    base_url = base_url or current_app.config["WEBHOOK_BASE_URL"]
    if not base_url:
        raise click.UsageError("give --base-url or set WEBHOOK_BASE_URL")
    failed = 0
    tenants = tenancy.active()
    db.session.remove()
    for tenant in tenants:
        error = set_webhook(tenant, base_url)
        click.echo(f"{tenant.slug}: {'ok' if error is None else 'FAILED ' + error}")
        failed += error is not None
    sys.exit(1 if failed else 0)


@click.command("cleanup-bot-states")
@with_appcontext
def cleanup_bot_states():
    """Remove expired conversation state (run daily)."""
    removed = current_app.extensions["wowdash"].store.cleanup()
    from datetime import timedelta

    import sqlalchemy as sa

    from .models import ProcessedUpdate, utcnow
    old = db.session.execute(sa.delete(ProcessedUpdate).where(
        ProcessedUpdate.processed_at < utcnow() - timedelta(days=7)))
    db.session.commit()
    click.echo(f"removed {removed} expired states and {old.rowcount or 0} old update records")


@click.command("outbox")
@click.option("--loop", is_flag=True, help="Keep retrying due messages every few seconds.")
@click.option("--retry-failed", is_flag=True, help="Give failed messages another round of attempts.")
@with_appcontext
def outbox(loop, retry_failed):
    """Deliver due outbound messages and list the ones that failed."""
    import time

    import sqlalchemy as sa

    from .models import OutboxMessage
    from .telegram import sender
    if retry_failed:
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.status == "failed")
                           .values(status="retry", attempts=0, next_attempt_at=None))
        db.session.commit()
    while True:
        sent = sender.sweep()
        failed = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "failed"))
        db.session.commit()
        click.echo(f"sent {sent}; {failed} failed messages wait for an operator")
        if not loop:
            break
        time.sleep(5)


@click.command("plugins")
@with_appcontext
def plugins():
    """List installed plugins and the hooks each implements."""
    pm = current_app.extensions["wowdash"].plugins
    for name, plugin in sorted(pm.list_name_plugin()):
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        click.echo(f"{name}: {', '.join(hooks)}")


@click.command("dev-setup")
@click.option("--port", default=8000, envvar="PORT", help="Port the dev server will listen on.")
@with_appcontext
def dev_setup(port):
    """`make run`'s set-up: migrate, sync tenants/ (the demo center), a demo admin; print where to go."""
    upgrade_database()
    centers = tenant_files.sync_dir(current_app.config["TENANTS_DIR"])
    base = f"http://127.0.0.1:{port}"
    click.echo("")
    click.echo("=" * 64)
    click.echo(f" WowDash is starting at {base}/")
    for center in centers:
        mode = "Telegram bot" if center.token_fingerprint else "sandbox only (set its bot_token_env)"
        click.echo(f"   center {center.slug!r}: {center.name} [{mode}]")
    try:
        from .admin.accounts import ensure_demo_admin
    except ImportError:
        ensure_demo_admin = None
    if ensure_demo_admin is not None and centers:
        username, password = ensure_demo_admin(centers[0].slug)
        click.echo(f" Admin:   {base}/admin/   login {username} / {password}")
        click.echo(f" Sandbox: {base}/admin/sandbox/   chat with the demo bot, no Telegram needed")
    click.echo("=" * 64)
    click.echo("")


def main() -> None:
    """`wowdash ...`: the flask CLI bound to this app, for operators without FLASK_APP."""
    os.environ.setdefault("FLASK_APP", "wsgi:app")
    from . import create_app
    FlaskGroup(create_app=lambda: create_app())(prog_name="wowdash")
