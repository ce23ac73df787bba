"""Alembic version folders: the core's plus each plugin's (``wowdash_migration_dirs``)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from .extensions import migrate

CORE_VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def version_locations(app) -> list[str]:
    dirs = [str(CORE_VERSIONS)]
    for result in app.extensions["wowdash"].plugins.hook.wowdash_migration_dirs():
        dirs.extend(str(d) for d in result or [])
    return dirs


@migrate.configure
def _configure(config):
    config.set_main_option("path_separator", "space")
    config.set_main_option("version_locations", " ".join(version_locations(current_app)))
    return config
