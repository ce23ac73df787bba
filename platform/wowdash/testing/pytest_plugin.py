"""pytest plugin (entry point ``pytest11``): fixtures for WowDash and for plugin authors.

``app`` runs each test on both storage backends (SQLite + SQL state, PostgreSQL + Redis);
``fake_api`` is the loopback Bot API; ``make_center`` and ``Conversation`` drive a bot like a customer.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest

from ..logs import TOKEN_RE
from .backends import ServiceMissing, Templates, check_services, storage_config
from .fake_bot_api import FakeBotAPI
from .live import CenterHandle, Conversation, LiveServer, create_center

BACKENDS = ("sqlite", "postgres")
__all__ = ["CenterHandle", "Conversation", "LiveServer"]


@pytest.fixture(scope="session")
def wowdash_templates(tmp_path_factory) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp("wowdash-templates"))
    yield templates
    templates.close()


@pytest.fixture(scope="session")
def fake_api_server() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
def fake_api(fake_api_server) -> FakeBotAPI:
    """The loopback Bot API, with this test's calls only."""
    fake_api_server.reset_calls()
    return fake_api_server


_services_checked: dict[str, str | None] = {}


def require_services() -> None:
    """PostgreSQL and Redis: a failure under CI=true, a skip on a machine without them."""
    if "error" not in _services_checked:
        try:
            check_services()
            _services_checked["error"] = None
        except ServiceMissing as exc:
            _services_checked["error"] = str(exc)
    error = _services_checked["error"]
    if error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(error, pytrace=False)
        pytest.skip(error)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgres":
        require_services()
    return request.param


@pytest.fixture
def make_app(backend, wowdash_templates, tmp_path, fake_api):
    """``make_app(**settings)``: an app on this test's fresh storage, pointed at the fake Bot API."""
    made = []
    storage, cleanup = storage_config(backend, wowdash_templates, tmp_path)

    def factory(**overrides: Any):
        config = {
            "TESTING": True, "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "TELEGRAM_API_URL": fake_api.base_url, "INSTANCE_PATH": str(tmp_path / "instance"),
            "FILE_STORAGE_DIR": str(tmp_path / "files"), "TENANTS_DIR": str(tmp_path / "tenants"),
            "SEND_RETRY_BACKOFF": 0.05, "POLL_TIMEOUT": 1, "REGISTRY_REFRESH_SECONDS": 0.3,
            "WTF_CSRF_ENABLED": True, **storage, **overrides,
        }
        from wowdash import create_app
        app = create_app(config)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            from wowdash.extensions import db
            db.session.remove()
            db.engine.dispose()
        runtime = app.extensions["wowdash"]
        if runtime.redis is not None:
            runtime.redis.close()
    cleanup()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def make_center(app, fake_api, live_server):
    """``make_center(slug=..., **fields)``: a center with a fresh fake bot and its webhook set."""
    counter = iter(range(1, 10_000))

    def factory(slug: str | None = None, **fields: Any) -> CenterHandle:
        return create_center(app, fake_api, live_server, slug or f"center{next(counter)}", **fields)

    return factory


@pytest.fixture
def conversation(fake_api):
    """``conversation(center, user_id=..., language_code=...)`` drives a chat like a customer."""
    ids = iter(range(700_001, 800_000))

    def factory(center: CenterHandle, user_id: int | None = None, **kw: Any) -> Conversation:
        return Conversation(fake_api, center, user_id or next(ids), **kw)

    return factory


class TokenLeakGuard(logging.Handler):
    """Sees every log record of the run; a bot token in any of them fails the session."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage() + (record.exc_text or "")
        except Exception:
            return
        if TOKEN_RE.search(text):
            self.leaks.append(f"{record.name}: {text[:300]}")


_guard = TokenLeakGuard()


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "backends: storage backends this test runs on")
    logging.getLogger().addHandler(_guard)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _guard.leaks:
        session.exitstatus = 1
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"BOT TOKENS IN LOG OUTPUT ({len(_guard.leaks)}):", red=True)
            for leak in _guard.leaks[:10]:
                reporter.write_line("  " + leak.replace("\n", " "))


@pytest.fixture(autouse=True)
def _no_bot_token_in_logs():
    """Fails the test during which any log record carried a bot token (works under xdist too)."""
    before = len(_guard.leaks)
    yield
    new = _guard.leaks[before:]
    if new:
        pytest.fail("bot token in log output: " + " | ".join(new[:3]), pytrace=False)


def token_leaks() -> list[str]:
    return list(_guard.leaks)
