"""What other code may ask of stored files; STORE holds their bytes (private, swept of orphans)."""
from __future__ import annotations

import sqlalchemy as sa

from wowdash import PrivateFiles, db

from .models import StoredFile

STORE = PrivateFiles("", StoredFile.storage_key)  # FILE_STORAGE_DIR/<center_id>/<random hex>


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
