"""Private storage for customer uploads (documents, receipts): random names, mode 0600, no public URL.

Bytes are written in ``wowdash_prepare_update`` (before the update's transaction); the row that points
at them is written in the handler. A plugin therefore checks its keys after the update
(``remove_unreferenced``) and sweeps leftovers of crashed updates (``sweep``), so nothing stays
half-stored: bytes without a row are deleted, a row is written only after its bytes are complete.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask.cli import with_appcontext

from .extensions import db

_KEY = re.compile(r"^(\d{1,12})/([0-9a-f]{32})$")
_PART = ".part"


class PrivateFiles:
    """Files of one ``area`` under ``FILE_STORAGE_DIR``, keyed ``"<center_id>/<32 hex>"``.

    ``key_column`` is the model column holding the keys (e.g. ``StoredFile.storage_key``): a file whose
    key no row holds is an orphan.
    """

    def __init__(self, area: str, key_column: Any):
        if area and not re.fullmatch(r"[a-z_]+", area):
            raise ValueError("area must be lower-case letters")
        self.area = area
        self.key_column = key_column

    @property
    def root(self) -> Path:
        base = Path(current_app.config["FILE_STORAGE_DIR"])
        return base / self.area if self.area else base

    def path(self, key: str) -> Path:
        """The file behind ``key``; a malformed key (e.g. ``../``) raises ValueError."""
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key

    def save(self, center_id: int, data: bytes) -> str:
        """Write ``data`` under a new random key and return the key; complete or absent, never partial."""
        folder = self.root / str(int(center_id))
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = f"{int(center_id)}/{secrets.token_hex(16)}"
        final = self.root / key
        part = final.with_name(final.name + _PART)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return key

    def send(self, key: str, mimetype: str, *, download_name: str | None = None):
        """A response with the file (an attachment when ``download_name`` is given), never cached."""
        path = self.path(key)
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype=mimetype, as_attachment=download_name is not None,
                             download_name=download_name, max_age=0, conditional=False, etag=False)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except ValueError:
            pass

    def referenced(self, keys: list[str]) -> set[str]:
        return set(db.session.scalars(sa.select(self.key_column).where(self.key_column.in_(keys))))

    def remove_unreferenced(self, keys: Iterable[str]) -> int:
        """Delete the files of ``keys`` that no row references (after an update: rolled back or removed)."""
        keys = [k for k in keys if k]
        if not keys:
            return 0
        try:
            keep = self.referenced(keys)
        finally:
            db.session.rollback()  # end the read transaction; nothing was written
        gone = [k for k in keys if k not in keep]
        for key in gone:
            self.delete(key)
        return len(gone)

    def sweep(self, older_than: float = 3600) -> int:
        """Delete files (and interrupted writes) older than ``older_than`` seconds that no row references.

        The age guard leaves alone bytes whose update is still in flight (written, row not committed yet).
        """
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for folder in self.root.iterdir():
            if not (folder.is_dir() and folder.name.isdigit()):
                continue  # other areas (receipts/, sandbox/) live beside the center folders
            candidates = []
            for item in folder.iterdir():
                if not item.is_file() or item.stat().st_mtime > cutoff:
                    continue
                if item.name.endswith(_PART):
                    item.unlink(missing_ok=True)
                    removed += 1
                elif _KEY.match(f"{folder.name}/{item.name}"):
                    candidates.append(f"{folder.name}/{item.name}")
            for start in range(0, len(candidates), 500):
                removed += self.remove_unreferenced(candidates[start:start + 500])
        return removed

    def cleanup_command(self, what: str) -> click.Command:
        """A ``cleanup`` click command sweeping this area (for a plugin's ``wowdash_cli`` group)."""
        @click.command("cleanup", help=f"Delete {what} that no row references (left by crashed updates).")
        @click.option("--older-than", default=3600, show_default=True, type=int,
                      help="Only files at least this many seconds old (newer ones may be in flight).")
        @with_appcontext
        def cleanup(older_than: int) -> None:
            click.echo(f"removed {self.sweep(older_than)} orphaned {what}")
        return cleanup
