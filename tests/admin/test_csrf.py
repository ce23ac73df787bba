"""Every form and action needs a valid CSRF token; a refused post changes nothing."""
from __future__ import annotations

import re

from admin_kit import PASSWORD


def _names(app):
    from wowdash.extensions import db
    from wowdash.models import Branch
    with app.app_context():
        return sorted(b.name for b in db.session.query(Branch))


def test_a_form_posted_without_a_token_or_with_a_wrong_one_is_refused(world, sign_in, app):
    owner = sign_in("alpha_owner")
    before = _names(app)
    for token in (None, "forged", owner.token + "x"):
        data = {"name": "Renamed", "code": "main", "is_active": "y"}
        if token is not None:
            data["csrf_token"] = token
        response = owner.post(f"/admin/branches/edit/?id={world.branch_a}", data, csrf=False)
        assert response.status_code == 400
        assert "Request refused" in response.text
    assert _names(app) == before
    assert owner.post(f"/admin/branches/edit/?id={world.branch_a}",
                      {"name": "Renamed", "code": "main", "is_active": "y"}).status_code == 302
    assert "Renamed" in _names(app)


def test_delete_and_bulk_actions_without_a_token_delete_nothing(world, sign_in, app):
    owner = sign_in("alpha_owner")
    assert owner.post("/admin/branches/delete/", {"id": str(world.branch_a)}, csrf=False).status_code == 400
    assert owner.post("/admin/branches/action/", {"action": "delete", "rowid": [str(world.branch_a)]},
                      csrf=False).status_code == 400
    assert "Alpha Main Office" in _names(app)


def test_the_list_views_delete_and_action_forms_carry_a_working_token(world, sign_in, app):
    owner = sign_in("alpha_owner")
    page = owner.get("/admin/branches/").text
    delete_form = re.search(r'<form[^>]*action="/admin/branches/delete/"[^>]*>(.*?)</form>', page, re.S).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', delete_form).group(1)
    action_form = re.search(r'<form[^>]*id="action_form"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', action_form)
    response = owner.post("/admin/branches/delete/", {"id": str(world.branch_a), "csrf_token": token}, csrf=False)
    assert response.status_code == 302
    assert "Alpha Main Office" not in _names(app)


def test_sign_in_and_sandbox_posts_need_the_token_too(world, app, sign_in):
    client = app.test_client()
    response = client.post("/admin/login", data={"username": "alpha_owner", "password": PASSWORD})
    assert response.status_code == 400
    owner = sign_in("alpha_owner")
    assert owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "/start"}, csrf=False).status_code == 400
    assert owner.post_json("/admin/sandbox/send", {"kind": "text", "text": "/start"}).status_code == 200


def test_the_telegram_webhook_is_exempt_it_checks_its_secret_header(world, app):
    from wowdash.extensions import db
    from wowdash.models import Center
    with app.app_context():
        secret = db.session.get(Center, world.a).webhook_secret
    client = app.test_client()
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
                                          "from": {"id": 5, "is_bot": False, "first_name": "A"}, "text": "/start"}}
    assert client.post("/tg/alpha", json=update).status_code == 401
    response = client.post("/tg/alpha", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
    assert response.status_code == 200
