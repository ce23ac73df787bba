"""Fixtures of the admin tests (helpers live in admin_kit.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from admin_kit import AdminClient, World, seed

# The order plugin's test helpers (catalog_factory) serve the admin tests too.
_PLUGIN_TESTS = str(Path(__file__).resolve().parents[1] / "plugins")
if _PLUGIN_TESTS not in sys.path:
    sys.path.append(_PLUGIN_TESTS)


@pytest.fixture
def world(app, fake_api) -> World:
    return seed(app, fake_api)


@pytest.fixture
def sign_in(app):
    """``sign_in(username)`` -> an AdminClient already signed in."""
    def factory(username: str) -> AdminClient:
        client = AdminClient(app)
        response = client.login(username)
        assert response.status_code == 302, response.text
        return client
    return factory
