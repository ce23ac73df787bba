"""Platform -> Plugins lists what this deployment runs, for the super admin only."""
from __future__ import annotations


def test_the_super_admin_sees_every_plugin_its_version_and_hooks(world, sign_in):
    page = sign_in("root").get("/admin/plugins/")
    assert page.status_code == 200
    text = page.text
    for name in ("wowdash_core", "wowdash_greeting", "wowdash_registration", "wowdash_orders", "wowdash_files",
                 "wowdash_payments"):
        assert name in text, name
    assert "(essential)" in text and "0.1.0" in text
    assert "wowdash_process_update" in text and "wowdash_request_files" in text


def test_center_staff_cannot_open_it(world, sign_in):
    assert sign_in("alpha_owner").get("/admin/plugins/").status_code == 403
