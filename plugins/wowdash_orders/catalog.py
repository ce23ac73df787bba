"""The catalog as the bot sees it (active rows of one center and branch), and its sync from tenant files."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from wowdash import db
from wowdash.models import Branch

from .models import Category, Language, Product
from .pricing import PRICING


def categories_for(center_id: int, branch_id: int | None) -> list[Category]:
    """Active categories offered at the branch (or center-wide) that have at least one active product."""
    has_product = sa.exists().where(Product.category_id == Category.id, Product.is_active.is_(True))
    query = sa.select(Category).where(Category.center_id == center_id, Category.is_active.is_(True),
                                      has_product)
    query = query.where(sa.or_(Category.branch_id.is_(None), Category.branch_id == branch_id))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def category(center_id: int, category_id: Any, branch_id: int | None) -> Category | None:
    return next((c for c in categories_for(center_id, branch_id) if str(c.id) == str(category_id)), None)


def languages_of(cat: Category) -> list[Language]:
    return [lang for lang in cat.languages if lang.is_active]


def products_of(cat: Category) -> list[Product]:
    return [p for p in cat.products if p.is_active]


def pick(rows: list, row_id: Any):
    return next((row for row in rows if str(row.id) == str(row_id)), None)


def default_branch(center_id: int) -> int | None:
    return db.session.scalar(sa.select(Branch.id).where(
        Branch.center_id == center_id, Branch.is_active.is_(True)).order_by(Branch.id).limit(1))


# --- tenant files: [[catalog.categories]], [[catalog.products]], [[catalog.languages]] -----------------

CATEGORY_FIELDS = ("name", "name_i18n", "pricing", "position", "is_active")
PRODUCT_FIELDS = ("name", "name_i18n", "first_page_price", "other_page_price", "copy_price",
                  "agency_first_page_price", "agency_other_page_price", "agency_copy_price", "estimated_days",
                  "position", "is_active")
LANGUAGE_FIELDS = ("name", "name_i18n", "first_page_surcharge", "other_page_surcharge", "copy_surcharge",
                   "agency_first_page_surcharge", "agency_other_page_surcharge", "agency_copy_surcharge",
                   "extra_days", "position", "is_active")


class CatalogError(ValueError):
    """A ``[catalog]`` section is invalid; the message names the entry."""


def sync(center, data: dict[str, Any]) -> None:
    """Create or update the catalog by ``code`` (idempotent); rows missing from the file are kept."""
    section = data.get("catalog") or {}
    if not section:
        return
    branches = {b.code: b.id for b in center.branches}
    cats = {c.code: c for c in db.session.scalars(sa.select(Category).where(Category.center_id == center.id))}
    for index, item in enumerate(section.get("categories", [])):
        code = _code(item, "categories", index)
        if item.get("pricing", "per_page") not in PRICING:
            raise CatalogError(f"catalog.categories[{index}] ({code}): pricing must be one of {PRICING}")
        row = cats.get(code)
        if row is None:
            row = cats[code] = Category(center_id=center.id, code=code, name=item.get("name", code))
            db.session.add(row)
        _apply(row, item, CATEGORY_FIELDS)
        if "branch" in item:
            if item["branch"] and item["branch"] not in branches:
                raise CatalogError(f"catalog.categories[{index}] ({code}): no branch {item['branch']!r}")
            row.branch_id = branches.get(item["branch"]) if item["branch"] else None
    db.session.flush()
    products = {p.code: p for p in db.session.scalars(
        sa.select(Product).where(Product.center_id == center.id))}
    for index, item in enumerate(section.get("products", [])):
        code, parent = _code(item, "products", index), _parent(item, cats, "products", index)
        row = products.get(code)
        if row is None:
            row = products[code] = Product(center_id=center.id, code=code, name=item.get("name", code),
                                           category_id=parent.id)
            db.session.add(row)
        row.category_id = parent.id
        _apply(row, item, PRODUCT_FIELDS)
    for index, item in enumerate(section.get("languages", [])):
        code, parent = _code(item, "languages", index), _parent(item, cats, "languages", index)
        row = db.session.scalar(sa.select(Language).where(
            Language.center_id == center.id, Language.category_id == parent.id, Language.code == code))
        if row is None:
            row = Language(center_id=center.id, category_id=parent.id, code=code, name=item.get("name", code))
            db.session.add(row)
        _apply(row, item, LANGUAGE_FIELDS)
    db.session.flush()


def _code(item: dict, kind: str, index: int) -> str:
    code = item.get("code")
    if not code:
        raise CatalogError(f"catalog.{kind}[{index}]: 'code' is required")
    return str(code)


def _parent(item: dict, cats: dict[str, Category], kind: str, index: int) -> Category:
    parent = cats.get(item.get("category"))
    if parent is None:
        raise CatalogError(f"catalog.{kind}[{index}] ({item.get('code')}): "
                           f"unknown category {item.get('category')!r}")
    return parent


def _apply(row: Any, item: dict, fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in item:
            setattr(row, field, dict(item[field]) if field == "name_i18n" else item[field])
    if "name" not in item and row.name_i18n:  # the default name: English, else any translation
        row.name = row.name_i18n.get("en") or next(iter(row.name_i18n.values()))
