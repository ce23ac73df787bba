"""Failed outbound messages for operators (with retry) and the read-only audit log."""
from __future__ import annotations

import sqlalchemy as sa


def _failed(app, world):
    from wowdash.extensions import db
    from wowdash.models import OutboxMessage
    with app.app_context():
        rows = [OutboxMessage(center_id=center, chat_id=chat, method="send_message", status="failed",
                              params={"chat_id": chat, "text": "hello"}, transport="sandbox",
                              last_error=f"403: blocked {chat}", attempts=6)
                for center, chat in ((world.a, 111), (world.b, 222))]
        db.session.add_all(rows)
        db.session.add(OutboxMessage(center_id=world.a, chat_id=333, method="send_message", status="sent",
                                     params={}, attempts=1))
        db.session.commit()
        return [r.id for r in rows]


def test_failed_messages_are_listed_per_center_and_can_be_retried(world, sign_in, app):
    from wowdash.admin.models import AuditLog
    from wowdash.extensions import db
    from wowdash.models import OutboxMessage
    mine, theirs = _failed(app, world)
    owner = sign_in("alpha_owner")
    page = owner.get("/admin/outbox_failed/").text
    assert "blocked 111" in page and "blocked 222" not in page and "333" not in page
    assert owner.get(f"/admin/outbox_failed/details/?id={theirs}").status_code == 404
    assert owner.post("/admin/outbox_failed/action/", {"action": "retry",
                                                       "rowid": [str(theirs)]}).status_code == 404
    response = owner.post("/admin/outbox_failed/action/", {"action": "retry", "rowid": [str(mine)]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, mine).status in ("retry", "sending", "sent")
        assert db.session.get(OutboxMessage, theirs).status == "failed"
        audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "outbox.retry"))
        assert audit.center_id == world.a and audit.target == f"outbox:{mine}"


def test_the_audit_log_records_who_what_and_from_where(world, sign_in, app):
    from wowdash.admin.models import AuditLog
    from wowdash.extensions import db
    owner = sign_in("alpha_owner")
    response = owner.post(f"/admin/branches/edit/?id={world.branch_a}",
                          {"name": "Alpha HQ", "code": "main", "is_active": "y"},
                          headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "branches.update"))
        assert row.username == "alpha_owner" and row.center_id == world.a and row.ip == "203.0.113.7"
        assert row.target == f"branches:{world.branch_a}" and "name" in row.details["fields"]
    page = owner.get("/admin/audit_log/").text
    assert "branches.update" in page and "203.0.113.7" in page
    assert sign_in("beta_owner").get("/admin/audit_log/").text.count("branches.update") == 0


def test_the_audit_log_is_read_only(world, sign_in, app):
    from wowdash.admin.models import AuditLog
    from wowdash.extensions import db
    owner = sign_in("alpha_owner")
    with app.app_context():
        row_id = db.session.scalar(sa.select(AuditLog.id).where(AuditLog.center_id == world.a))
    assert owner.get("/admin/audit_log/new/").status_code == 302  # Flask-Admin: not allowed -> back to list
    owner.post(f"/admin/audit_log/edit/?id={row_id}", {"action": "forged"})
    owner.post("/admin/audit_log/delete/", {"id": str(row_id)})
    with app.app_context():
        row = db.session.get(AuditLog, row_id)
        assert row is not None and row.action == "login"


def test_audit_helper_outside_a_view(world, app):
    from wowdash.admin import audit
    from wowdash.extensions import db
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        row = audit("payment.confirmed", "payment:1", {"amount": 1000}, center_id=world.a)
        db.session.commit()
        assert row.ip == "198.51.100.4" and row.user_id is None and row.details == {"amount": 1000}


def test_edits_of_a_center_are_audited_with_the_fields_changed(world, sign_in, app):
    from wowdash.admin.models import AuditLog
    from wowdash.extensions import db
    owner = sign_in("alpha_owner")
    response = owner.post(f"/admin/centers/edit/?id={world.a}", {
        "name": "Alpha Renamed", "bot_username": "alpha_bot", "languages": ["en"], "default_language": "en",
        "contacts": "", "bot_token": ""})
    assert response.status_code == 302
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "centers.update"))
        assert row.center_id == world.a and {"name", "languages"} <= set(row.details["fields"])
