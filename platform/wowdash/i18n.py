"""Bot texts in translation catalogs keyed by message id; plugins contribute their own."""
from __future__ import annotations

import logging
from string import Formatter
from typing import Any

log = logging.getLogger(__name__)

LANGUAGES = ("uz", "ru", "en")
DEFAULT_LANGUAGE = "uz"
FALLBACK_ORDER = ("uz", "ru", "en")


class Catalog:
    """``{language: {key: text}}`` merged from every plugin's ``wowdash_translations``."""

    def __init__(self) -> None:
        self.messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}

    def add(self, messages: dict[str, dict[str, str]]) -> None:
        for lang, texts in messages.items():
            self.messages.setdefault(lang, {}).update(texts)

    def has(self, key: str, language: str) -> bool:
        return key in self.messages.get(language, {})

    def gettext(self, key: str, language: str | None, **params: Any) -> str:
        """Translate ``key``; a missing translation falls back (uz, ru, en), then shows the key."""
        for lang in (language or DEFAULT_LANGUAGE, *FALLBACK_ORDER):
            text = self.messages.get(lang, {}).get(key)
            if text is not None:
                break
        else:
            log.warning("missing translation %s", key)
            return key
        return text.format(**params) if params else text

    def keys(self) -> set[str]:
        return set().union(*(set(m) for m in self.messages.values()))

    def missing(self) -> dict[str, list[str]]:
        """Keys present in some language but absent in another: a test keeps this empty."""
        every = self.keys()
        return {lang: sorted(every - set(self.messages.get(lang, {}))) for lang in LANGUAGES
                if every - set(self.messages.get(lang, {}))}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def translated(names: dict[str, str] | None, language: str | None, default: str = "") -> str:
    """Pick a translated name (catalog data, not bot texts) with the same fallback order."""
    names = names or {}
    for lang in (language or DEFAULT_LANGUAGE, *FALLBACK_ORDER):
        if names.get(lang):
            return names[lang]
    return default
