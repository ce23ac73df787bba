"""The admin's only way to a customer's file: signed in, same center (or super admin), as a download."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app
from flask_login import current_user

from wowdash import db
from wowdash.admin import current_center_id, has_permission, plugin_enabled

from . import service
from .models import StoredFile

bp = Blueprint("wowdash_files", __name__)


@bp.get("/admin/files/<int:file_id>")
def download(file_id: int):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    center_id = current_center_id()  # None: the super admin
    if not has_permission("orders.view"):
        abort(403)
    if not plugin_enabled("wowdash_files"):
        abort(404)  # switched off for this admin's center
    row = db.session.get(StoredFile, file_id)
    if row is None or (center_id is not None and row.center_id != center_id):
        abort(404)  # another center's file does not exist for this admin
    return service.STORE.send(row.storage_key, row.mime_type, download_name=download_name(row))


def download_name(row: StoredFile) -> str:
    """``<id>-<name>.<kind>``: the extension comes from the sniffed content, never the customer's name."""
    stem = (row.original_name or "photo").rsplit(".", 1)[0]
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("._")[:80] or "file"
    return f"{row.id}-{stem}.{row.kind}"
