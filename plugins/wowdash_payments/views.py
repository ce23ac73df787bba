"""The receipt image, only for signed-in staff who confirm payments in the receipt's center."""
from __future__ import annotations

from flask import Blueprint, abort

from wowdash import db
from wowdash.admin import current_center_id, plugin_enabled, require_permission

from .models import Receipt
from .service import STORE

# Also carries this plugin's admin templates (templates/wowdash_payments/).
bp = Blueprint("wowdash_payments", __name__, template_folder="templates")


@bp.get("/admin/receipts/<int:receipt_id>/image")
def receipt_image(receipt_id: int):
    require_permission("payments.confirm")  # 401 signed out, 403 without the permission
    if not plugin_enabled("wowdash_payments"):
        abort(404)  # switched off for this admin's center
    center_id = current_center_id()
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None or (center_id is not None and receipt.center_id != center_id):
        abort(404)
    return STORE.send(receipt.storage_key, receipt.mime_type)
