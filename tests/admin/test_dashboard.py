"""The dashboard: the core's figures plus what enabled plugins return from wowdash_dashboard_figures."""
from __future__ import annotations

import pytest
from admin_kit import HOSTILE

from wowdash import hookimpl


class Figures:
    name = "figures_probe"

    @hookimpl
    def wowdash_dashboard_figures(self, center_id):
        return [("Orders today", f"{center_id or 'all'}-7"), (HOSTILE, 1)]


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=[Figures()])


@pytest.fixture
def world(app, fake_api):
    from admin_kit import seed
    world = seed(app, fake_api, enabled_plugins=("wowdash_greeting", "figures_probe"))
    from wowdash.extensions import db
    from wowdash.models import Center
    with app.app_context():
        db.session.get(Center, world.b).enabled_plugins = ["wowdash_greeting"]
        db.session.commit()
    return world


def test_figures_of_the_staff_members_center_and_its_plugins(world, sign_in):
    page = sign_in("alpha_manager").get("/admin/").text
    assert "Alpha Center" in page and "Customers" in page and "Updates today" in page
    assert "Orders today" in page and f"{world.a}-7" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page


def test_a_plugin_the_center_has_not_enabled_adds_nothing(world, sign_in):
    page = sign_in("beta_manager").get("/admin/").text
    assert "Beta Center" in page and "Orders today" not in page


def test_the_super_admin_sees_all_centers(world, sign_in):
    page = sign_in("root").get("/admin/").text
    assert "All centers" in page and "Active centers" in page and "all-7" in page


def test_customer_counts_are_the_centers(world, app):
    from wowdash.admin.dashboard import core_figures
    with app.app_context():
        assert dict(core_figures(world.a))["Customers"] == 1
        assert dict(core_figures(None))["Customers"] == 2


def test_the_super_admin_can_look_at_one_center(world, sign_in):
    page = sign_in("root").get(f"/admin/?center={world.b}").text
    assert 'id="dashboard-scope">\n    Beta Center' in page and "Orders today" not in page
    assert f"{world.a}-7" in sign_in("root").get(f"/admin/?center={world.a}").text
    assert "all-7" in sign_in("root").get("/admin/?center=999").text  # unknown: all centers
