"""Order prices as pure functions over integers (so'm): no database, no catalog reads.

per_page: first + other x (pages - 1); fixed: first; each plus the language's surcharges;
plus copies x (copy price + language copy surcharge); agency columns for agencies; then staff fees,
or a manual override that replaces the total.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

PRICING = ("per_page", "fixed")


@dataclass(frozen=True)
class UnitPrices:
    """The prices an order is charged at, frozen on the order when it is placed."""

    first_page: int = 0
    other_page: int = 0
    copy: int = 0
    lang_first_page: int = 0
    lang_other_page: int = 0
    lang_copy: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> UnitPrices:
        data = data or {}
        return cls(**{name: int(data.get(name) or 0) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Line:
    key: str  # first_page, other_pages, copies
    quantity: int
    unit: int
    amount: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Quote:
    lines: tuple[Line, ...]
    base: int
    fees: int
    override: int | None

    @property
    def total(self) -> int:
        return self.override if self.override is not None else self.base + self.fees


def _pick(row: Any, column: str, agency: bool) -> int:
    if row is None:
        return 0
    special = getattr(row, f"agency_{column}", None) if agency else None
    return int(special if special is not None else getattr(row, column) or 0)


def unit_prices(product: Any, language: Any = None, agency: bool = False) -> UnitPrices:
    """Read a product's and a target language's prices (agency columns, where set, for agencies)."""
    return UnitPrices(
        first_page=_pick(product, "first_page_price", agency),
        other_page=_pick(product, "other_page_price", agency),
        copy=_pick(product, "copy_price", agency),
        lang_first_page=_pick(language, "first_page_surcharge", agency),
        lang_other_page=_pick(language, "other_page_surcharge", agency),
        lang_copy=_pick(language, "copy_surcharge", agency),
    )


def quote(pricing: str, pages: int, copies: int, prices: UnitPrices, fees: Iterable[int] = (),
          override: int | None = None) -> Quote:
    """The price breakdown of an order."""
    if pricing not in PRICING:
        raise ValueError(f"unknown pricing {pricing!r}; expected one of {PRICING}")
    if pages < 1 or copies < 0:
        raise ValueError("pages must be at least 1 and copies not negative")
    first = prices.first_page + prices.lang_first_page
    lines = [Line("first_page" if pricing == "per_page" else "fixed", 1, first, first)]
    if pricing == "per_page" and pages > 1:
        other = prices.other_page + prices.lang_other_page
        lines.append(Line("other_pages", pages - 1, other, other * (pages - 1)))
    if copies:
        copy = prices.copy + prices.lang_copy
        lines.append(Line("copies", copies, copy, copy * copies))
    return Quote(tuple(lines), sum(line.amount for line in lines), sum(int(f) for f in fees), override)
