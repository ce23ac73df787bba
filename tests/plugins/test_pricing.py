"""Pricing: the seed's 299 000 example, fixed prices, agency columns, language surcharges, frozen prices."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from catalog_factory import make_catalog

from wowdash import tenancy
from wowdash.extensions import db
from wowdash.models import Customer, utcnow
from wowdash_orders import service
from wowdash_orders.models import Language, Order, Product
from wowdash_orders.pricing import UnitPrices, quote, unit_prices

SEED = UnitPrices(first_page=50_000, other_page=40_000, copy=30_000,
                  lang_first_page=5_000, lang_other_page=5_000, lang_copy=2_000)


def row(**columns):
    return SimpleNamespace(**columns)


PRODUCT = row(first_page_price=50_000, other_page_price=40_000, copy_price=30_000,
              agency_first_page_price=45_000, agency_other_page_price=None, agency_copy_price=25_000)
LANGUAGE = row(first_page_surcharge=5_000, other_page_surcharge=5_000, copy_surcharge=2_000,
               agency_first_page_surcharge=None, agency_other_page_surcharge=None,
               agency_copy_surcharge=1_000)


def test_the_seed_example_costs_299_000():
    # 5 pages, 2 copies: 55 000 + 45 000 x 4 + 2 x 32 000
    q = quote("per_page", pages=5, copies=2, prices=unit_prices(PRODUCT, LANGUAGE))
    assert [(line.key, line.quantity, line.unit, line.amount) for line in q.lines] == [
        ("first_page", 1, 55_000, 55_000), ("other_pages", 4, 45_000, 180_000), ("copies", 2, 32_000, 64_000)]
    assert q.base == q.total == 299_000


def test_one_page_and_no_copies_is_the_first_page_only():
    assert quote("per_page", 1, 0, SEED).total == 55_000


def test_a_fixed_price_category_ignores_the_page_count():
    q = quote("fixed", pages=7, copies=1, prices=SEED)
    assert [line.key for line in q.lines] == ["fixed", "copies"]
    assert q.total == 55_000 + 32_000


def test_language_surcharges_are_added_to_every_part():
    without = quote("per_page", 5, 2, unit_prices(PRODUCT))
    with_language = quote("per_page", 5, 2, unit_prices(PRODUCT, LANGUAGE))
    assert without.total == 50_000 + 40_000 * 4 + 2 * 30_000 == 270_000
    assert with_language.total - without.total == 5_000 + 5_000 * 4 + 2 * 2_000


def test_agency_customers_get_the_agency_columns_where_set():
    prices = unit_prices(PRODUCT, LANGUAGE, agency=True)
    # agency first page and copy; no agency other-page price, so the regular one
    assert prices == UnitPrices(45_000, 40_000, 25_000, 5_000, 5_000, 1_000)
    assert quote("per_page", 5, 2, prices).total == 50_000 + 45_000 * 4 + 2 * 26_000
    assert unit_prices(PRODUCT, LANGUAGE, agency=False) == SEED


def test_fees_add_and_an_override_replaces_the_total():
    assert quote("per_page", 5, 2, SEED, fees=[10_000, 5_000]).total == 314_000
    overridden = quote("per_page", 5, 2, SEED, fees=[10_000], override=250_000)
    assert overridden.base == 299_000 and overridden.total == 250_000
    assert quote("per_page", 5, 2, SEED, override=0).total == 0


def test_unit_prices_round_trip_through_the_order_row():
    assert UnitPrices.from_dict(SEED.to_dict()) == SEED
    assert UnitPrices.from_dict(None) == UnitPrices()


@pytest.mark.parametrize("pricing, pages, copies", [("per_word", 1, 0), ("per_page", 0, 0), ("fixed", 1, -1)])
def test_nonsense_is_refused(pricing, pages, copies):
    with pytest.raises(ValueError):
        quote(pricing, pages, copies, SEED)


def test_later_catalog_changes_do_not_change_a_placed_order(app):
    with app.app_context():
        center = tenancy.create_center("frozen", "Frozen")
        cat = make_catalog(center.id)
        customer = Customer(center_id=center.id, telegram_id=1, full_name="A", registered_at=utcnow())
        db.session.add(customer)
        db.session.flush()
        product, english = db.session.get(Product, cat.passport), db.session.get(Language, cat.english)
        order = service.place_order(center_id=center.id, customer=customer, category=product.category,
                                    product=product, language=english, pages=5, copies=2)
        db.session.commit()
        assert order.total == 299_000 and order.number == 1

        product.first_page_price, product.other_page_price, product.copy_price = 99_000, 99_000, 99_000
        english.first_page_surcharge = 50_000
        product.name_i18n = {"en": "Renamed"}
        db.session.commit()

        order = db.session.get(Order, order.id)
        service.add_fee(order, 10_000, "urgent", actor="staff")  # re-priced from the order's own prices
        db.session.commit()
        assert (order.base_total, order.fees_total, order.total) == (299_000, 10_000, 309_000)
        assert order.title("en") == "Translation / Passport / English"
        service.set_pages(order, 6)
        assert order.total == 299_000 + 45_000 + 10_000
        second = service.place_order(center_id=center.id, customer=customer, category=product.category,
                                     product=product, language=english, pages=5, copies=2)
        assert second.number == 2 and second.total == 149_000 + 104_000 * 4 + 2 * 101_000
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2
