"""tenants/*.toml sync: secrets by env var name, idempotent, no restart, tokens unique across centers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from wowdash import tenancy
from wowdash.extensions import db
from wowdash.models import Branch, Center

TENANT = """
slug = "{slug}"
name = "{name}"
bot_token_env = "{env}"
languages = ["ru", "en"]
default_language = "ru"
enabled_plugins = ["wowdash_greeting"]

[[branches]]
code = "main"
name = "Main"
card_number = "8600 0000 0000 0001"
"""


def write(app, slug, name, env):
    from pathlib import Path
    folder = Path(app.config["TENANTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.toml").write_text(TENANT.format(slug=slug, name=name, env=env))


def sync(app):
    result = app.test_cli_runner().invoke(args=["sync-tenants"])
    assert result.exit_code == 0, result.output
    return result.output


def test_sync_creates_and_updates_centers_with_tokens_from_the_environment(app, fake_api, monkeypatch):
    token = fake_api.add_bot()
    monkeypatch.setenv("ALPHA_BOT_TOKEN", token)
    write(app, "alpha", "Alpha", "ALPHA_BOT_TOKEN")
    assert "alpha: Alpha (active, token set)" in sync(app)
    write(app, "alpha", "Alpha Renamed", "ALPHA_BOT_TOKEN")
    sync(app)  # idempotent: same center, same branch, renamed
    with app.app_context():
        centers = db.session.scalars(sa.select(Center)).all()
        assert [(c.slug, c.name) for c in centers] == [("alpha", "Alpha Renamed")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Branch)) == 1
        tenant = tenancy.by_slug("alpha")
        assert tenant.token == token and tenant.languages == ("ru", "en")
        assert centers[0].token_encrypted and token not in centers[0].token_encrypted  # encrypted at rest


def test_a_token_cannot_be_shared_by_two_centers(app, fake_api):
    token = fake_api.add_bot()
    with app.app_context():
        tenancy.create_center("alpha", "Alpha", token=token)
        db.session.commit()
        with pytest.raises(tenancy.DuplicateToken):
            tenancy.create_center("beta", "Beta", token=token)
        db.session.rollback()


def test_a_tenant_file_with_a_literal_token_is_refused(app, tmp_path):
    from wowdash.tenant_files import TenantFileError, load
    path = tmp_path / "bad.toml"
    path.write_text('slug = "x"\nname = "X"\nbot_token = "123:abc"\n')
    with pytest.raises(TenantFileError, match="never write a token"):
        load(path)


def test_a_re_tokened_center_answers_with_its_new_bot_without_restart(app, make_center, conversation, fake_api,
                                                                     live_server):
    center = make_center("alpha", enabled_plugins=["wowdash_greeting"])
    new_token = fake_api.add_bot()
    with app.app_context():
        tenancy.set_token(db.session.get(Center, center.id), new_token)
        db.session.commit()
        from wowdash.telegram.webhooks import set_webhook
        assert set_webhook(tenancy.by_id(center.id), live_server.url) is None
    center.token = new_token
    chat = conversation(center)
    chat.send("/start")
    assert "Welcome" in chat.reply()["text"]
    assert all(c.token == new_token for c in fake_api.calls(method="sendMessage"))
