"""Every bot text exists in uz, ru and en, with the same placeholders in each."""
from __future__ import annotations

from wowdash.i18n import LANGUAGES, Catalog, placeholders


def test_every_text_key_exists_in_all_three_languages(app):
    catalog = app.extensions["wowdash"].catalog
    assert len(catalog.keys()) > 5
    assert catalog.missing() == {}


def test_placeholders_agree_across_languages(app):
    catalog = app.extensions["wowdash"].catalog
    for key in catalog.keys():
        expected = placeholders(catalog.messages["en"][key])
        for lang in LANGUAGES:
            assert placeholders(catalog.messages[lang][key]) == expected, (key, lang)


def test_each_plugin_contributes_complete_catalogs(app):
    pm = app.extensions["wowdash"].plugins
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        impl = [i for i in pm.hook.wowdash_translations.get_hookimpls() if i.plugin is plugin]
        if not impl:
            continue
        catalog = Catalog()
        catalog.add(impl[0].function())
        assert catalog.missing() == {}, name


def test_fallback_order_and_missing_keys():
    catalog = Catalog()
    catalog.add({"uz": {"a": "A uz"}, "ru": {"b": "B ru {n}"}})
    assert catalog.gettext("a", "en") == "A uz"
    assert catalog.gettext("b", "en", n=3) == "B ru 3"
    assert catalog.gettext("nope", "ru") == "nope"
