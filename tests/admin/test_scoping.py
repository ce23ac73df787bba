"""A center's staff reach only their center's rows: lists, counts, ids, pickers, posted forms, actions."""
from __future__ import annotations

import re

import pytest


def _customer(app, customer_id):
    from wowdash.extensions import db
    from wowdash.models import Customer
    with app.app_context():
        row = db.session.get(Customer, customer_id)
        return {"full_name": row.full_name, "branch_id": row.branch_id, "center_id": row.center_id}


@pytest.mark.parametrize("url,own,foreign", [
    ("/admin/customers/", "Alice Alpha", "Bob Beta"),
    ("/admin/branches/", "Alpha Main Office", "Beta Secret Office"),
    ("/admin/staff/", "alpha_staff", "beta_staff"),
])
def test_lists_and_counts_show_only_the_managers_center(world, sign_in, url, own, foreign):
    manager = sign_in("alpha_manager")
    page = manager.get(url)
    assert page.status_code == 200
    assert own in page.text and foreign not in page.text
    assert "root" not in re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", page.text)  # the super admin is hidden
    root = sign_in("root").get(url)
    assert own in root.text and foreign in root.text


def test_the_count_is_the_centers(world, sign_in, app):
    from wowdash.admin.scoping import CenterScopedView
    manager = sign_in("alpha_manager")
    with app.test_request_context():
        from flask_login import login_user

        from wowdash.admin.models import StaffUser
        from wowdash.extensions import db
        login_user(db.session.get(StaffUser, world.staff["alpha_manager"]))
        view = next(v for v in app.extensions["wowdash_admin"]._views
                    if isinstance(v, CenterScopedView) and v.endpoint == "customers")
        assert view.get_count_query().scalar() == 1
        count, rows = view.get_list(0, None, None, None, [])
        assert count == 1 and [r.full_name for r in rows] == ["Alice Alpha"]
    assert "Bob Beta" not in manager.get("/admin/customers/?search=Bob").text


@pytest.mark.parametrize("path", ["customers/edit/?id={customer_b}", "customers/details/?id={customer_b}",
                                  "branches/edit/?id={branch_b}", "staff/details/?id={beta_staff}",
                                  "staff/edit/?id={root}", "customers/edit/?id=nonsense"])
def test_a_foreign_id_in_the_url_is_a_404(world, sign_in, path):
    owner = sign_in("alpha_owner")
    url = "/admin/" + path.format(customer_b=world.customer_b, branch_b=world.branch_b,
                                  beta_staff=world.staff["beta_staff"], root=world.staff["root"])
    assert owner.get(url).status_code == 404


def test_the_relation_picker_offers_only_the_centers_branches(world, sign_in):
    manager = sign_in("alpha_manager")
    page = manager.get(f"/admin/customers/edit/?id={world.customer_a}")
    assert page.status_code == 200
    assert "Alpha Main Office" in page.text and "Beta Secret Office" not in page.text
    assert f'value="{world.branch_b}"' not in page.text


def test_posting_another_centers_branch_is_refused_and_changes_nothing(world, sign_in, app):
    manager = sign_in("alpha_manager")
    before = _customer(app, world.customer_a)
    response = manager.post(f"/admin/customers/edit/?id={world.customer_a}",
                            {"full_name": "Changed", "branch": str(world.branch_b), "language": "en"})
    assert response.status_code == 200  # the form is shown again with its error
    assert "Not a valid choice" in response.text
    assert _customer(app, world.customer_a) == before


def test_posting_an_own_branch_works(world, sign_in, app):
    manager = sign_in("alpha_manager")
    response = manager.post(f"/admin/customers/edit/?id={world.customer_a}",
                            {"full_name": "Alice A.", "branch": str(world.branch_a), "language": "en"})
    assert response.status_code == 302
    assert _customer(app, world.customer_a) == {"full_name": "Alice A.", "branch_id": world.branch_a,
                                                "center_id": world.a}


def test_editing_a_foreign_row_by_post_is_a_404_and_changes_nothing(world, sign_in, app):
    manager = sign_in("alpha_manager")
    before = _customer(app, world.customer_b)
    response = manager.post(f"/admin/customers/edit/?id={world.customer_b}", {"full_name": "Hijacked"})
    assert response.status_code == 404
    assert _customer(app, world.customer_b) == before


def test_a_created_row_lands_in_the_owners_center_whatever_is_posted(world, sign_in, app):
    from wowdash.extensions import db
    from wowdash.models import Branch
    owner = sign_in("alpha_owner")
    page = owner.get("/admin/branches/new/")
    assert 'name="center"' not in page.text  # the center is implied, never picked
    response = owner.post("/admin/branches/new/", {"name": "Alpha North", "code": "north", "center": str(world.b),
                                                   "center_id": str(world.b), "is_active": "y"})
    assert response.status_code == 302
    with app.app_context():
        branch = db.session.query(Branch).filter_by(name="Alpha North").one()
        assert branch.center_id == world.a


def test_bulk_actions_with_a_foreign_id_are_a_404_and_delete_nothing(world, sign_in, app):
    from wowdash.extensions import db
    from wowdash.models import Branch
    owner = sign_in("alpha_owner")
    response = owner.post("/admin/branches/action/", {"action": "delete",
                                                      "rowid": [str(world.branch_a), str(world.branch_b)]})
    assert response.status_code == 404
    response = owner.post("/admin/branches/delete/", {"id": str(world.branch_b)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Branch, world.branch_b) is not None
        assert db.session.get(Branch, world.branch_a) is not None


def test_the_super_admin_cannot_tie_a_row_to_another_centers_branch(world, sign_in, app):
    root = sign_in("root")
    before = _customer(app, world.customer_a)
    response = root.post(f"/admin/customers/edit/?id={world.customer_a}",
                         {"full_name": "Alice", "branch": str(world.branch_b), "language": "en"})
    assert response.status_code == 200 and "another center" in response.text
    assert _customer(app, world.customer_a) == before


def test_owner_sees_and_edits_only_their_own_center(world, sign_in):
    owner = sign_in("alpha_owner")
    page = owner.get("/admin/centers/")
    assert "Alpha Center" in page.text and "Beta Center" not in page.text
    assert owner.get(f"/admin/centers/edit/?id={world.b}").status_code == 404
    assert owner.get("/admin/centers/new/").status_code == 403
    edit = owner.get(f"/admin/centers/edit/?id={world.a}")
    assert edit.status_code == 200 and 'name="slug"' not in edit.text and 'name="enabled_plugins"' not in edit.text


def test_every_scoped_view_core_or_plugin_lists_counts_and_loads_only_the_centers_rows(world, app):
    """Generic over every registered CenterScopedView (plugins' too): query, count and get_one."""
    from flask_login import login_user
    from werkzeug.exceptions import NotFound

    from wowdash.admin.models import StaffUser
    from wowdash.admin.scoping import CenterScopedView
    from wowdash.extensions import db
    views = [v for v in app.extensions["wowdash_admin"]._views if isinstance(v, CenterScopedView)]
    assert {"customers", "branches", "staff", "centers", "outbox_failed", "audit_log"} <= {v.endpoint for v in views}
    with app.test_request_context():
        login_user(db.session.get(StaffUser, world.staff["alpha_owner"]))
        for view in views:
            column = getattr(view.model, view.center_field)
            rows = view.get_query().all()
            assert all(getattr(r, view.center_field) == world.a for r in rows), view.endpoint
            assert view.get_count_query().scalar() == len(rows), view.endpoint
            pk = view.model.__mapper__.primary_key[0]
            for (foreign,) in db.session.query(pk).filter(column != world.a):
                with pytest.raises(NotFound):
                    view.get_one(str(foreign))


def test_branch_names_per_language(world, sign_in, app):
    from wowdash.extensions import db
    from wowdash.models import Branch
    owner = sign_in("alpha_owner")
    response = owner.post(f"/admin/branches/edit/?id={world.branch_a}", {
        "name": "Main", "code": "main", "name_uz": "Bosh ofis", "name_ru": "Главный офис", "name_en": " ",
        "is_active": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Branch, world.branch_a).name_i18n == {"uz": "Bosh ofis", "ru": "Главный офис"}
    assert 'value="Главный офис"' in owner.get(f"/admin/branches/edit/?id={world.branch_a}").text
