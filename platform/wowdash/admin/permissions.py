"""Roles and permissions: who may do what, checked on the server for every view and action."""
from __future__ import annotations

from flask import abort, has_request_context
from flask_login import current_user

PERMISSIONS: dict[str, str] = {
    "orders.view": "See the center's orders",
    "orders.change_status": "Move an order through its statuses",
    "orders.assign": "Assign an order to a staff member or branch",
    "orders.add_fee": "Add an extra fee to an order",
    "orders.override_price": "Change an order's computed price",
    "payments.confirm": "Confirm a customer's card transfer or a cash payment",
    "payments.accept_full": "Accept a short payment as paying the order in full",
    "catalog.manage": "Edit services, prices and languages",
    "customers.view": "See the center's customers",
    "staff.manage": "Add, edit and deactivate the center's staff accounts",
    "center.manage": "Edit the center's settings and bot token",
    "sandbox.use": "Chat with the center's bot in the browser",
}

# The super admin holds every permission in every center; these are the per-center roles.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "manager": frozenset(PERMISSIONS) - {"staff.manage", "center.manage", "payments.accept_full"},
    "staff": frozenset({"orders.view", "orders.change_status", "customers.view", "sandbox.use"}),
}


def _user():
    if not has_request_context():
        return None
    user = current_user
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user


def is_superadmin() -> bool:
    user = _user()
    return bool(user and user.is_superadmin)


def permissions_of(user) -> frozenset[str]:
    if user is None:
        return frozenset()
    if user.is_superadmin:
        return frozenset(PERMISSIONS)
    if user.center_id is None:
        return frozenset()  # a center role without a center grants nothing
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_permission(perm: str) -> bool:
    """True when the signed-in staff member holds ``perm`` (always for the super admin)."""
    if perm not in PERMISSIONS:
        raise KeyError(f"unknown permission {perm!r}")
    return perm in permissions_of(_user())


def require_permission(perm: str) -> None:
    """Abort with 403 unless the signed-in staff member holds ``perm`` (401 when nobody is signed in)."""
    if _user() is None:
        abort(401)
    if not has_permission(perm):
        abort(403)


def plugin_enabled(plugin: str | None) -> bool:
    """False when the signed-in staff member's center has not enabled ``plugin`` (``Center.enabled_plugins``
    None: every plugin). Always True for the super admin, for ``plugin`` None (the core) and when nobody is
    signed in (the caller's sign-in check decides then)."""
    user = _user()
    if plugin is None or user is None or user.is_superadmin or user.center is None:
        return True
    enabled = user.center.enabled_plugins
    return enabled is None or plugin in enabled


def current_center_id() -> int | None:
    """The signed-in staff member's center; None for the super admin (all centers).

    Anyone else (nobody signed in, or a center role without a center) is refused with 403, so a caller
    can never mistake "no user" for "all centers".
    """
    user = _user()
    if user is None:
        abort(403)
    if user.is_superadmin:
        return None
    if user.center_id is None:
        abort(403)
    return user.center_id
