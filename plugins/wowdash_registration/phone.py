"""Phone numbers typed or shared by customers, normalised to +<digits>."""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
UZ_CODE = "998"


def normalize_phone(raw: str | None) -> str | None:
    """Return ``+<digits>`` for a valid number, else None.

    Uzbek numbers: +998 and 9 digits (also typed as 998..., or just the 9 national digits).
    Other countries: + and 7-15 digits (E.164).
    """
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("00"):
        value = "+" + value[2:]
    plus = value.startswith("+")
    digits = value[1:] if plus else value
    if not digits.isdigit():
        return None
    if digits.startswith(UZ_CODE):
        return "+" + digits if len(digits) == len(UZ_CODE) + 9 else None
    if not plus:
        return "+" + UZ_CODE + digits if len(digits) == 9 else None
    return "+" + digits if 7 <= len(digits) <= 15 else None
