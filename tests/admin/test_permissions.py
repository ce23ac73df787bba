"""Roles: the table in docs/admin.md, enforced on the server for views, edits and plugin endpoints."""
from __future__ import annotations

import pytest
from flask import Blueprint

from wowdash import hookimpl


class PaymentsProbe:
    """A stand-in plugin: a view needing payments.confirm and an endpoint needing orders.override_price."""

    name = "admin_probe"

    @hookimpl
    def wowdash_admin_views(self, admin, app):
        from wowdash.admin import CenterScopedView
        from wowdash.extensions import db
        from wowdash.models import Customer

        class ConfirmView(CenterScopedView):
            permission = "payments.confirm"

        admin.add_view(ConfirmView(Customer, db, name="Probe", endpoint="probe_payments"))

    @hookimpl
    def wowdash_register_blueprints(self, app):
        from wowdash.admin import require_permission
        bp = Blueprint("probe", __name__)

        @bp.get("/probe/override-price")
        def override_price():
            require_permission("orders.override_price")
            return "price changed"

        app.register_blueprint(bp)


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=[PaymentsProbe()])


def test_the_role_table():
    from wowdash.admin import PERMISSIONS, ROLE_PERMISSIONS
    assert ROLE_PERMISSIONS["owner"] == set(PERMISSIONS)
    assert ROLE_PERMISSIONS["manager"] == set(PERMISSIONS) - {"staff.manage", "center.manage",
                                                              "payments.accept_full"}
    assert ROLE_PERMISSIONS["staff"] == {"orders.view", "orders.change_status", "customers.view", "sandbox.use"}


def test_the_docs_table_matches_the_code():
    from pathlib import Path

    from wowdash.admin import PERMISSIONS, ROLE_PERMISSIONS
    text = (Path(__file__).resolve().parents[2] / "docs" / "admin.md").read_text()
    for perm in PERMISSIONS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{perm}`"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:5] == ["yes", *("yes" if perm in ROLE_PERMISSIONS[r] else "no"
                                       for r in ("owner", "manager", "staff"))], perm


@pytest.mark.parametrize("user,status", [("alpha_staff", 403), ("alpha_manager", 200), ("alpha_owner", 200),
                                         ("root", 200)])
def test_a_plugin_view_needs_its_permission(world, sign_in, user, status):
    assert sign_in(user).get("/admin/probe_payments/").status_code == status


@pytest.mark.parametrize("user,status", [("alpha_staff", 403), ("alpha_manager", 200), ("root", 200)])
def test_require_permission_refuses_on_the_server(world, sign_in, app, user, status):
    response = sign_in(user).get("/probe/override-price")
    assert response.status_code == status
    assert app.test_client().get("/probe/override-price").status_code == 401


def test_staff_management_needs_staff_manage(world, sign_in, app):
    from wowdash.admin.models import StaffUser
    from wowdash.extensions import db
    staff = sign_in("alpha_staff")
    assert staff.get("/admin/staff/").status_code == 403
    assert staff.post("/admin/staff/new/", {"username": "sneaky", "password": "long-enough-1",
                                            "role": "owner"}).status_code == 403
    manager = sign_in("alpha_manager")
    assert manager.get("/admin/staff/").status_code == 200  # sees the team
    assert manager.get("/admin/staff/new/").status_code == 403
    assert manager.post(f"/admin/staff/edit/?id={world.staff['alpha_staff']}",
                        {"username": "alpha_staff", "role": "owner"}).status_code == 403
    with app.app_context():
        assert db.session.query(StaffUser).filter_by(username="sneaky").count() == 0
        assert db.session.get(StaffUser, world.staff["alpha_staff"]).role == "staff"
    owner = sign_in("alpha_owner")
    response = owner.post("/admin/staff/new/", {"username": "newbie", "full_name": "New", "role": "staff",
                                                "is_active": "y", "password": "long-enough-1"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(StaffUser).filter_by(username="newbie").one()
        assert user.center_id == world.a and user.role == "staff" and not user.is_superadmin
        assert user.check_password("long-enough-1")


def test_staff_pages_never_show_password_hashes(world, sign_in, app):
    from wowdash.admin.models import StaffUser
    from wowdash.extensions import db
    with app.app_context():
        hashes = [u.password_hash for u in db.session.query(StaffUser)]
    owner = sign_in("alpha_owner")
    for url in ("/admin/staff/", f"/admin/staff/details/?id={world.staff['alpha_staff']}",
                f"/admin/staff/edit/?id={world.staff['alpha_staff']}", "/admin/staff/new/"):
        page = owner.get(url).text
        assert "pbkdf2:" not in page and "password_hash" not in page
        assert not any(h in page for h in hashes)


def test_staff_cannot_see_centers_failed_messages_or_the_audit_log(world, sign_in):
    staff = sign_in("alpha_staff")
    for url in ("/admin/centers/", "/admin/outbox_failed/", "/admin/audit_log/", "/admin/branches/"):
        assert staff.get(url).status_code == 403, url
    for url in ("/admin/", "/admin/customers/", "/admin/sandbox/"):
        assert staff.get(url).status_code == 200, url
    edit = staff.post(f"/admin/customers/edit/?id={world.customer_a}", {"full_name": "x"})
    assert edit.status_code == 403


def test_the_super_admin_cannot_create_a_center_role_without_a_center(world, sign_in, app):
    from wowdash.admin.models import StaffUser
    from wowdash.extensions import db
    root = sign_in("root")
    response = root.post("/admin/staff/new/", {"username": "floating", "role": "owner", "is_active": "y",
                                               "password": "long-enough-1", "center": "__None"})
    assert response.status_code == 200 and "belongs to a center" in response.text
    response = root.post("/admin/staff/new/", {"username": "placed", "role": "manager", "is_active": "y",
                                               "password": "long-enough-1", "center": str(world.b)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(StaffUser).filter_by(username="floating").count() == 0
        assert db.session.query(StaffUser).filter_by(username="placed").one().center_id == world.b
