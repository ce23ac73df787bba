"""`tenants/*.toml`: declarative centers synced into the database; secrets named by env var, never written."""
from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import tenancy
from .extensions import db
from .models import Branch, Center

log = logging.getLogger(__name__)
CENTER_FIELDS = ("name", "bot_username", "languages", "default_language", "contacts")
BRANCH_FIELDS = ("name", "name_i18n", "address", "phone", "map_url", "card_number", "card_holder",
                 "staff_chat_id", "is_active")


class TenantFileError(ValueError):
    """A tenant file is invalid; the message names the file and the field."""


def load(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantFileError(f"{path.name}: {exc}") from exc
    for key in ("slug", "name"):
        if not data.get(key):
            raise TenantFileError(f"{path.name}: '{key}' is required")
    if "bot_token" in data:
        raise TenantFileError(f"{path.name}: never write a token in a tenant file; use bot_token_env")
    return data


def sync_dir(directory: str | Path) -> list[Center]:
    files = sorted(Path(directory).glob("*.toml"))
    return [sync(load(path)) for path in files]


def sync(data: dict[str, Any]) -> Center:
    """Create or update one center (and its branches) from a definition; commits."""
    center = db.session.scalar(sa.select(Center).where(Center.slug == data["slug"]))
    if center is None:
        center = tenancy.create_center(data["slug"], data["name"])
    for field in CENTER_FIELDS:
        if field in data:
            setattr(center, field, data[field])
    center.is_active = bool(data.get("active", True))
    if "enabled_plugins" in data:
        center.enabled_plugins = list(data["enabled_plugins"])
    if "plugins" in data:
        center.plugin_settings = dict(data["plugins"])
    env_name = data.get("bot_token_env")
    if env_name and os.environ.get(env_name):
        tenancy.set_token(center, os.environ[env_name])
    elif env_name:
        log.info("center %s: %s is not set; keeping its current token (sandbox only if none)",
                 center.slug, env_name)
    _sync_branches(center, data.get("branches", []))
    db.session.flush()
    current_app.extensions["wowdash"].plugins.hooks_for(center.enabled_plugins).wowdash_sync_tenant(
        center=center, data=data)
    db.session.commit()
    return center


def _sync_branches(center: Center, branches: list[dict[str, Any]]) -> None:
    existing = {b.code: b for b in center.branches}
    for index, item in enumerate(branches):
        code = item.get("code") or f"branch-{index + 1}"
        branch = existing.get(code)
        if branch is None:
            branch = Branch(center=center, code=code, name=item.get("name", code))
            db.session.add(branch)
        for field in BRANCH_FIELDS:
            if field in item:
                setattr(branch, field, item[field])
