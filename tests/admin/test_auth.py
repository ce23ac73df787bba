"""Sign-in: hashed passwords, expiring sessions, sign-out, create-admin, the demo owner."""
from __future__ import annotations

import types

from admin_kit import PASSWORD, AdminClient, csrf_from


def test_pages_need_a_signed_in_staff_member(world, app):
    client = app.test_client()
    for url in ("/admin/", "/admin/customers/", "/admin/sandbox/", "/admin/centers/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.location, url
    assert client.get("/admin/sandbox/messages").status_code == 302


def test_passwords_are_hashed_and_a_wrong_one_is_refused(world, app):
    from wowdash.admin.models import StaffUser
    from wowdash.extensions import db
    with app.app_context():
        user = db.session.get(StaffUser, world.staff["alpha_owner"])
        assert PASSWORD not in user.password_hash and user.password_hash.startswith("pbkdf2:")
    client = AdminClient(app)
    assert client.login("alpha_owner", "wrong password").status_code == 401
    assert client.login("nobody", PASSWORD).status_code == 401
    assert client.get("/admin/").status_code == 302
    assert client.login("alpha_owner").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_sign_in_records_the_time_and_an_audit_row(world, sign_in, app):
    import sqlalchemy as sa

    from wowdash.admin.models import AuditLog, StaffUser
    from wowdash.extensions import db
    sign_in("alpha_owner")
    with app.app_context():
        assert db.session.get(StaffUser, world.staff["alpha_owner"]).last_login_at is not None
        row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "login"))
        assert row.center_id == world.a and row.username == "alpha_owner"


def test_sign_out_needs_a_post_with_the_token_and_ends_the_session(world, sign_in):
    client = sign_in("alpha_owner")
    assert client.client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout", csrf=False).status_code == 400
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_sessions_expire_after_the_configured_lifetime(world, sign_in, app, monkeypatch):
    import itsdangerous.timed
    assert app.permanent_session_lifetime.total_seconds() == app.config["SESSION_LIFETIME_MINUTES"] * 60
    client = sign_in("alpha_owner")
    assert client.get("/admin/").status_code == 200
    later = itsdangerous.timed.time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: later))
    assert client.get("/admin/").status_code == 302


def test_a_password_change_or_deactivation_ends_existing_sessions(world, sign_in, app):
    from wowdash.admin.models import StaffUser
    from wowdash.extensions import db
    client = sign_in("alpha_manager")
    with app.app_context():
        db.session.get(StaffUser, world.staff["alpha_manager"]).set_password("another-password-1")
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    client = AdminClient(app)
    assert client.login("alpha_manager", "another-password-1").status_code == 302
    with app.app_context():
        db.session.get(StaffUser, world.staff["alpha_manager"]).is_active = False
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    assert AdminClient(app).login("alpha_manager", "another-password-1").status_code == 401


def test_the_next_parameter_never_leaves_the_site(world, app):
    client = app.test_client()
    page = client.get("/admin/login")
    response = client.post("/admin/login?next=https://evil.example/", data={
        "username": "alpha_owner", "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.location == "/admin/"


def test_create_admin_command(world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "boss", "--password", "long-enough-1",
                                 "--center", "alpha", "--role", "manager"])
    assert result.exit_code == 0, result.output
    assert "long-enough-1" not in result.output
    assert AdminClient(app).login("boss", "long-enough-1").status_code == 302
    again = runner.invoke(args=["create-admin", "--username", "boss", "--password", "long-enough-1",
                                "--center", "alpha"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["create-admin", "--username", "x", "--password", "short", "--superadmin"])
    assert bad.exit_code != 0
    nowhere = runner.invoke(args=["create-admin", "--username", "y", "--password", "long-enough-1",
                                  "--center", "missing"])
    assert nowhere.exit_code != 0 and "no center" in nowhere.output
    root = runner.invoke(args=["create-admin", "--username", "root2", "--superadmin"],
                         input="long-enough-2\nlong-enough-2\n")
    assert root.exit_code == 0, root.output
    assert AdminClient(app).login("root2", "long-enough-2").status_code == 302


def test_the_demo_owner_gets_a_fresh_password_each_time(world, app, caplog):
    from wowdash import tenancy
    from wowdash.admin.accounts import ensure_demo_admin
    from wowdash.extensions import db
    with app.app_context():
        tenancy.create_center("demo", "Demo")
        db.session.commit()
        username, first = ensure_demo_admin()
        _, second = ensure_demo_admin()
    assert username == "demo" and first != second
    assert first not in caplog.text and second not in caplog.text
    assert AdminClient(app).login("demo", first).status_code == 401
    client = AdminClient(app)
    assert client.login("demo", second).status_code == 302
    assert "Demo" in client.get("/admin/").text
