"""Logging set-up with a filter that scrubs bot tokens from every record."""
from __future__ import annotations

import logging
import re

# A Telegram bot token: the bot id, a colon, and 30+ URL-safe characters.
TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


def redact(text: str) -> str:
    return TOKEN_RE.sub("<token>", text)


class RedactTokens(logging.Filter):
    """Replaces tokens in a record's message, arguments and traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        if TOKEN_RE.search(message):
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install() -> None:
    """Attach the filter to the root logger's handlers, and to every handler added later."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
    if not getattr(logging, "_wowdash_factory", False):
        old_factory = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = old_factory(*args, **kwargs)
            RedactTokens().filter(record)
            return record

        logging.setLogRecordFactory(factory)
        logging._wowdash_factory = True  # type: ignore[attr-defined]
