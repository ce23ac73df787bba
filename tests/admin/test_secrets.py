"""A bot token never appears in any admin page once saved; saving one sets the webhook at once."""
from __future__ import annotations

import pytest


def _secrets(app, world):
    from wowdash.extensions import db
    from wowdash.models import Center
    values = list(world.tokens.values())
    with app.app_context():
        for center in db.session.query(Center):
            values += [center.token_encrypted, center.webhook_secret]
            values += [center.token_encrypted[:24], center.webhook_secret[:16]] if center.token_encrypted else []
    return [v for v in values if v]


def _every_admin_url(app):
    """Each registered view's pages: list, create, and edit/details of every row of its model."""
    from flask_admin.contrib.sqla import ModelView

    from wowdash.extensions import db
    urls = []
    with app.test_request_context():
        from flask import url_for
        for view in app.extensions["wowdash_admin"]._views:
            if isinstance(view, ModelView):
                urls += [url_for(f"{view.endpoint}.index_view"), url_for(f"{view.endpoint}.create_view")]
                mapper_pk = view.model.__mapper__.primary_key
                if len(mapper_pk) != 1:
                    continue
                for (pk,) in db.session.query(mapper_pk[0]).all():
                    for page in ("edit_view", "details_view"):
                        urls.append(url_for(f"{view.endpoint}.{page}", id=pk))
                    if view.endpoint == "centers":
                        urls.append(url_for("centers.health_view", id=pk))
            else:
                urls.append(url_for(f"{view.endpoint}.index"))
    return urls + ["/admin/sandbox/messages", "/admin/customers/export/csv/"]


def _grep(client, urls, secrets):
    seen = 0
    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=True) + str(response.headers)
        seen += response.status_code == 200
        for secret in secrets:
            assert secret not in body, f"a secret leaked on {url}"
    return seen


@pytest.mark.parametrize("user", ["root", "alpha_owner"])
def test_no_token_in_any_admin_page(world, sign_in, app, user):
    client = sign_in(user)
    # The owner sets a new token through the form: not echoed back, not shown afterwards.
    new_token = "123456789:" + "N" * 35
    response = client.post(f"/admin/centers/edit/?id={world.a}", {
        "name": "Alpha Center", "bot_username": "alpha_bot", "languages": ["uz", "en"],
        "default_language": "en", "bot_token": new_token, "contacts": "", **(
            {"slug": "alpha", "is_active": "y", "enabled_plugins": ["wowdash_greeting"]} if user == "root" else {})},
        follow_redirects=True)
    assert response.status_code == 200 and new_token not in response.text
    world.tokens["alpha-new"] = new_token
    secrets = _secrets(app, world)
    seen = _grep(client, _every_admin_url(app), secrets)
    assert seen > 15  # the pages really rendered (not just refused)
    edit = client.get(f"/admin/centers/edit/?id={world.a}").text
    assert 'name="bot_token"' in edit and 'type="password"' in edit


def test_a_duplicate_token_is_refused(world, sign_in, app):
    from wowdash.extensions import db
    from wowdash.models import Center
    root = sign_in("root")
    response = root.post(f"/admin/centers/edit/?id={world.b}", {
        "slug": "beta", "name": "Beta Center", "languages": ["en"], "default_language": "en", "is_active": "y",
        "bot_token": world.tokens["alpha"]})
    assert response.status_code == 200 and "already used by another center" in response.text
    assert world.tokens["alpha"] not in response.text
    with app.app_context():
        assert db.session.get(Center, world.b).token_fingerprint != db.session.get(Center, world.a).token_fingerprint


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_BASE_URL="https://bots.example.com")


def test_a_new_token_or_activation_sets_the_webhook_without_a_restart(world, sign_in, app, fake_api):
    root = sign_in("root")
    token = fake_api.add_bot(username="gamma_bot")
    response = root.post("/admin/centers/new/", {
        "slug": "gamma", "name": "Gamma", "languages": ["uz", "ru"], "default_language": "uz",
        "is_active": "y", "enabled_plugins": ["wowdash_greeting"], "bot_token": token})
    assert response.status_code == 302, response.text
    calls = fake_api.calls(token=token, method="setWebhook")
    assert calls and calls[-1].params["url"] == "https://bots.example.com/tg/gamma"
    assert token not in root.get(response.location).text
    from wowdash.extensions import db
    from wowdash.models import Center
    with app.app_context():
        center = db.session.query(Center).filter_by(slug="gamma").one()
        assert center.webhook_url_set == "https://bots.example.com/tg/gamma"
        assert center.enabled_plugins == ["wowdash_greeting"] and center.languages == ["uz", "ru"]
        gamma = center.id
    health = root.get(f"/admin/centers/health/?id={gamma}")
    assert "https://bots.example.com/tg/gamma" in health.text and "Pending updates" in health.text
    # Deactivate, then activate again: the webhook is set once more.
    form = {"slug": "gamma", "name": "Gamma", "languages": ["uz"], "default_language": "uz",
            "enabled_plugins": ["wowdash_greeting"]}
    assert root.post(f"/admin/centers/edit/?id={gamma}", form).status_code == 302
    before = len(fake_api.calls(token=token, method="setWebhook"))
    assert root.post(f"/admin/centers/edit/?id={gamma}", {**form, "is_active": "y"}).status_code == 302
    assert len(fake_api.calls(token=token, method="setWebhook")) == before + 1


def test_the_default_language_must_be_one_of_the_centers(world, sign_in):
    root = sign_in("root")
    response = root.post("/admin/centers/new/", {"slug": "delta", "name": "Delta", "languages": ["ru"],
                                                 "default_language": "uz", "is_active": "y"})
    assert response.status_code == 200 and "default language" in response.text
