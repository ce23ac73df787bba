"""Plugins are found by entry point like any third-party package; mistakes fail at start-up."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wowdash.plugins import PluginError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def on_path():
    added = []

    def add(folder: str):
        path = str(FIXTURES / folder)
        sys.path.insert(0, path)
        added.append(path)

    yield add
    for path in added:
        sys.path.remove(path)
    for name in ("wowdash_fixture_plugin", "wowdash_misspelt"):
        sys.modules.pop(name, None)


def test_a_plugin_in_its_own_folder_is_discovered_by_entry_point_and_called(on_path, make_app, fake_api):
    on_path("third_party_plugin")
    from wowdash.testing.live import Conversation, LiveServer, create_center
    app = make_app()
    pm = app.extensions["wowdash"].plugins
    assert "fixture_plugin" in pm.optional_names()
    server = LiveServer(app).start()
    try:
        center = create_center(app, fake_api, server, "alpha", enabled_plugins=["fixture_plugin"],
                               languages=["uz", "ru"])
        chat = Conversation(fake_api, center, 4242, language_code="ru")
        chat.send("/ping")
        assert chat.reply()["text"] == "pong (ru)"
    finally:
        server.stop()


def test_a_misspelt_hookimpl_fails_at_start_up(on_path, make_app):
    on_path("misspelt_plugin")
    with pytest.raises(PluginError, match="wowdash_route_mesage"):
        make_app()


def test_the_essential_core_plugin_cannot_be_disabled(make_app):
    with pytest.raises(PluginError, match="essential"):
        make_app(DISABLED_PLUGINS=["wowdash_core"])


def test_blocking_an_optional_plugin_removes_it(make_app):
    app = make_app(DISABLED_PLUGINS=["wowdash_greeting"])
    assert "wowdash_greeting" not in app.extensions["wowdash"].plugins.optional_names()


def test_trace_hooks_logs_every_hook_call(make_app, caplog):
    import logging

    from wowdash import tenancy
    from wowdash.dispatcher import dispatch
    from wowdash.extensions import db
    app = make_app(TRACE_HOOKS=True)
    with caplog.at_level(logging.INFO, logger="wowdash.plugins"), app.app_context():
        tenancy.create_center("alpha", "Alpha", enabled_plugins=["wowdash_greeting"])
        db.session.commit()
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
                                              "chat": {"id": 5, "type": "private"},
                                              "from": {"id": 5, "is_bot": False, "first_name": "A"}}}
        assert dispatch(tenancy.by_slug("alpha"), update).status == "handled"
    assert "hook wowdash_route_message -> wowdash_greeting" in caplog.text
    assert "hook wowdash_process_update -> wowdash_core" in caplog.text
