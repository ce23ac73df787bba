"""Customer-supplied text containing HTML is shown escaped, in lists, details, dashboards and the sandbox."""
from __future__ import annotations

from admin_kit import HOSTILE

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _hostile_customer(app, world):
    from wowdash.extensions import db
    from wowdash.models import Customer
    with app.app_context():
        customer = db.session.get(Customer, world.customer_a)
        customer.full_name = HOSTILE
        customer.username = '"><img src=x onerror=alert(2)>'
        db.session.commit()


def test_customer_names_are_escaped_in_lists_details_and_forms(world, sign_in, app):
    _hostile_customer(app, world)
    owner = sign_in("alpha_owner")
    for url in ("/admin/customers/", f"/admin/customers/details/?id={world.customer_a}",
                f"/admin/customers/edit/?id={world.customer_a}"):
        page = owner.get(url).text
        assert HOSTILE not in page and "<img src=x" not in page, url
    assert ESCAPED in owner.get("/admin/customers/").text


def test_audit_details_and_failed_message_errors_are_escaped(world, sign_in, app):
    from wowdash.admin.models import AuditLog
    from wowdash.extensions import db
    from wowdash.models import OutboxMessage
    with app.app_context():
        db.session.add(AuditLog(center_id=world.a, action="note", target=HOSTILE, details={"caption": HOSTILE}))
        db.session.add(OutboxMessage(center_id=world.a, chat_id=1, method="send_document", status="failed",
                                     params={"caption": HOSTILE, "document": "x"}, last_error=HOSTILE,
                                     attempts=6))
        db.session.commit()
        row = db.session.query(OutboxMessage).one()
    owner = sign_in("alpha_owner")
    for url in ("/admin/audit_log/", "/admin/outbox_failed/", f"/admin/outbox_failed/details/?id={row.id}"):
        page = owner.get(url).text
        assert HOSTILE not in page and "&lt;script&gt;" in page, url


def test_the_sandbox_hands_text_and_file_names_to_the_page_as_data(world, sign_in, app):
    import io
    owner = sign_in("alpha_owner")
    assert owner.post_json("/admin/sandbox/send", {"kind": "text", "text": HOSTILE}).status_code == 200
    upload = owner.client.post("/admin/sandbox/upload", headers={"X-CSRFToken": owner.token}, data={
        "file": (io.BytesIO(b"%PDF-1.4"), HOSTILE + ".pdf"), "caption": HOSTILE})
    assert upload.status_code == 200
    response = owner.get("/admin/sandbox/messages")
    assert response.mimetype == "application/json"  # drawn with textContent by sandbox.js
    page = owner.get("/admin/sandbox/").text
    assert HOSTILE not in page
    from pathlib import Path

    import wowdash.admin
    script = (Path(wowdash.admin.__file__).parent / "static" / "sandbox.js").read_text()
    assert "innerHTML" not in script.replace("never innerHTML", "")
