"""What other code may ask of stored files: list them, resolve their bytes, sweep orphans."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from wowdash import PrivateFiles, db

from .models import StoredFile

STORE = PrivateFiles()  # FILE_STORAGE_DIR/<center_id>/<random hex>


def files_for(center_id: int, owner: str, reference: str) -> list[StoredFile]:
    """The files uploaded for ``owner``/``reference`` in one center, oldest first."""
    return list(db.session.scalars(sa.select(StoredFile).where(
        StoredFile.center_id == center_id, StoredFile.owner == owner,
        StoredFile.reference == str(reference)).order_by(StoredFile.id)))


def customer_files(center_id: int, telegram_id: int, ids: list[int]) -> list[StoredFile]:
    """``ids`` narrowed to the rows of this customer in this center (state never grants access alone)."""
    if not ids:
        return []
    return list(db.session.scalars(sa.select(StoredFile).where(
        StoredFile.center_id == center_id, StoredFile.telegram_id == telegram_id,
        StoredFile.id.in_(ids)).order_by(StoredFile.id)))


def path_of(row: StoredFile) -> Path:
    return STORE.path(row.storage_key)


def referenced_keys(keys: list[str]) -> set[str]:
    return set(db.session.scalars(sa.select(StoredFile.storage_key).where(StoredFile.storage_key.in_(keys))))


def drop_unreferenced(keys: list[str]) -> int:
    """After an update: delete the bytes of ``keys`` whose row was rolled back or deleted."""
    try:
        return STORE.remove_unreferenced(keys, referenced_keys)
    finally:
        db.session.rollback()  # end the read transaction; nothing was written


def sweep(older_than: float = 3600) -> int:
    """Delete stored bytes that no row references (left by an update that crashed before its commit)."""
    try:
        return STORE.sweep(referenced_keys, older_than)
    finally:
        db.session.rollback()
