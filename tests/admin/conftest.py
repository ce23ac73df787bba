"""Fixtures of the admin tests (helpers live in admin_kit.py)."""
from __future__ import annotations

import pytest
from admin_kit import AdminClient, World, seed


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
