"""audit(): one AuditLog row per staff action, in the same transaction as the change it records."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from .models import AuditLog


def client_ip() -> str | None:
    """The caller's address; behind nginx, ProxyFix has already replaced it with X-Forwarded-For's."""
    return request.remote_addr if has_request_context() else None


def audit(action: str, target: str, details: dict[str, Any] | None = None, *,
          center_id: int | None = None) -> AuditLog:
    """Add an AuditLog row (who, what, when, from where) to ``db.session``; the caller commits.

    ``center_id`` defaults to the staff member's center; give it when the super admin acts on one center.
    """
    user = current_user if has_request_context() and current_user.is_authenticated else None
    if center_id is None and user is not None:
        center_id = user.center_id
    row = AuditLog(center_id=center_id, user_id=user.id if user else None,
                   username=user.username if user else None, action=action[:64], target=str(target)[:200],
                   details=details, ip=client_ip())
    db.session.add(row)
    return row
