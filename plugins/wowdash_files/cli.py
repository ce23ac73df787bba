"""``flask files cleanup``: delete stored bytes that no row references (left by crashed updates)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import service


@click.group("files")
def files_cli():
    """Customer uploads kept by the file-upload plugin."""


@files_cli.command("cleanup")
@click.option("--older-than", default=3600, show_default=True, type=int,
              help="Only files at least this many seconds old (newer ones may belong to an update in flight).")
@with_appcontext
def cleanup(older_than):
    """Delete orphaned upload bytes (no StoredFile row)."""
    removed = service.sweep(older_than)
    click.echo(f"removed {removed} orphaned files")
