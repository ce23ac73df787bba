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
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app

_KEY = re.compile(r"^(\d{1,12})/([0-9a-f]{32})$")
_PART = ".part"


class PrivateFiles:
    """Files of one ``area`` under ``FILE_STORAGE_DIR``, keyed ``"<center_id>/<32 hex>"``."""

    def __init__(self, area: str = ""):
        if area and not re.fullmatch(r"[a-z_]+", area):
            raise ValueError("area must be lower-case letters")
        self.area = area

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

    def remove_unreferenced(self, keys: Iterable[str], referenced: Callable[[list[str]], set[str]]) -> int:
        """Delete the files of ``keys`` that no row references (``referenced(keys)`` returns those that are)."""
        keys = [k for k in keys if k]
        if not keys:
            return 0
        keep = referenced(keys)
        gone = [k for k in keys if k not in keep]
        for key in gone:
            self.delete(key)
        return len(gone)

    def sweep(self, referenced: Callable[[list[str]], set[str]], older_than: float = 3600) -> int:
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
                removed += self.remove_unreferenced(candidates[start:start + 500], referenced)
        return removed
