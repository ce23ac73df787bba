"""Admin views: orders (filters, search, a details page with files and actions) and the catalog.

Every order action goes through the status service / order services, is refused server-side without its
permission, and is written to the audit log in the same transaction.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, has_request_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import DateBetweenFilter, FilterEqual
from flask_login import current_user
from wtforms import StringField

from wowdash import db
from wowdash.admin import CenterScopedView, audit, current_center_id, has_permission, require_permission
from wowdash.admin.models import StaffUser
from wowdash.models import Branch

from . import service
from .models import Category, Language, Order, Product
from .pricing import PRICING
from .status import STATUSES, IllegalTransition, allowed_next, change_status

PLUGIN = "wowdash_orders"
LANGUAGES = ("uz", "ru", "en")
PAYMENT_STATES = ("unpaid", "partial", "paid")
ACTIONS = {"status": "orders.change_status", "assign": "orders.assign", "fee": "orders.add_fee",
           "override": "orders.override_price", "pages": "orders.override_price"}


class ActionError(ValueError):
    """A staff action's input is invalid; shown to them as a flash message."""


def _signed_in() -> bool:
    return has_request_context() and current_user.is_authenticated


def _scoped(query, model) -> Any:
    cid = current_center_id()
    return query if cid is None else query.where(model.center_id == cid)


def branch_options() -> list[tuple[str, str]]:
    """The center's branches (evaluated per request; nothing while the views are being set up)."""
    if not _signed_in():
        return []
    branches = db.session.scalars(_scoped(sa.select(Branch), Branch).order_by(Branch.id))
    return [(str(b.id), b.name) for b in branches]


def staff_options() -> list[tuple[str, str]]:
    if not _signed_in():
        return []
    query = _scoped(sa.select(StaffUser).where(StaffUser.is_active.is_(True),
                                               StaffUser.is_superadmin.is_(False)), StaffUser)
    return [(str(s.id), str(s)) for s in db.session.scalars(query.order_by(StaffUser.username))]


def _money(view, context, model, name) -> str:
    return f"{getattr(model, name):,}".replace(",", " ")


class OrderView(CenterScopedView):
    plugin = PLUGIN  # hidden, and 404, for centers that have not enabled this plugin
    permission = "orders.view"
    edit_permission = "orders.change_status"
    can_create = can_edit = can_delete = False  # orders change only through the actions below
    can_view_details = True
    details_template = "wowdash_orders/order_details.html"
    list_template = "wowdash_orders/order_list.html"
    column_list = ("number", "created_at", "status", "payment_state", "total", "paid", "customer_name",
                   "customer_phone", "branch", "assignee_name", "source")
    column_labels = {"number": "No.", "payment_state": "Payment", "assignee_name": "Assignee"}
    column_searchable_list = ("number", "customer_name", "customer_phone")
    column_default_sort = ("id", True)
    column_formatters = {"total": _money, "paid": _money}
    column_filters = (
        FilterEqual(Order.status, "Status", options=[(s, s) for s in STATUSES]),
        FilterEqual(Order.payment_state, "Payment", options=[(s, s) for s in PAYMENT_STATES]),
        FilterEqual(Order.branch_id, "Branch", options=branch_options),
        FilterEqual(Order.assignee_id, "Assignee", options=staff_options),
        DateBetweenFilter(Order.created_at, "Date"),
        FilterEqual(Order.source, "Source", options=[("bot", "bot"), ("walk_in", "walk-in")]),
    )

    def _get_filter_groups(self):
        self._refresh_filters_cache()  # branch and staff options are the signed-in center's, per request
        return super()._get_filter_groups()

    # --- the details page -------------------------------------------------------------------------
    def details_context(self, order: Order) -> dict[str, Any]:
        downloads = "wowdash_files.download" in current_app.view_functions
        files = [{"name": f.name or f"file {f.position + 1}", "kind": f.kind, "pages": f.pages,
                  "url": url_for("wowdash_files.download", file_id=int(f.file_ref))
                  if downloads and (f.file_ref or "").isdigit() else None} for f in order.files]
        return {"order": order, "files": files, "next_statuses": allowed_next(order.status),
                "staff": staff_options() if has_permission("orders.assign") else [],
                "can": {name: has_permission(perm) for name, perm in ACTIONS.items()},
                "breakdown": service.breakdown_text(order, "en").splitlines()}

    @expose("/order/<int:order_id>/<what>", methods=("POST",))
    def order_action(self, order_id: int, what: str):
        if what not in ACTIONS:
            abort(404)
        require_permission(ACTIONS[what])
        order = self.get_one(str(order_id))
        form = request.form
        try:
            details = getattr(self, f"_do_{what}")(order, form)
        except (ActionError, IllegalTransition, ValueError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            audit(f"order.{what}", f"order:{order.number}", details, center_id=order.center_id)
            db.session.commit()  # the customer's message (if any) goes out after this commit
            flash(f"Order #{order.number}: done.", "success")
        return redirect(url_for(".details_view", id=order_id))

    def _do_status(self, order: Order, form) -> dict:
        old, new = order.status, form.get("status", "")
        change_status(order, new, actor=current_user, reason=(form.get("reason") or "").strip() or None)
        return {"old": old, "new": new}

    def _do_assign(self, order: Order, form) -> dict:
        staff_id = form.get("staff_id") or ""
        if not staff_id:
            service.assign(order, None, None)
            return {"assignee": None}
        name = dict(staff_options()).get(staff_id)
        if name is None:
            raise ActionError("choose a staff member of this center")
        service.assign(order, int(staff_id), name)
        return {"assignee": int(staff_id)}

    def _do_fee(self, order: Order, form) -> dict:
        fee = service.add_fee(order, _amount(form.get("amount")), form.get("reason", ""), actor=current_user)
        return {"amount": fee.amount, "reason": fee.reason, "total": order.total}

    def _do_override(self, order: Order, form) -> dict:
        raw = (form.get("total") or "").strip()
        change = service.override_price(order, _amount(raw) if raw else None, form.get("reason", ""),
                                        actor=current_user)
        return {"old_total": change.old_total, "new_total": change.new_total, "reason": change.reason}

    def _do_pages(self, order: Order, form) -> dict:
        old = order.pages
        service.set_pages(order, _amount(form.get("pages")))
        return {"old_pages": old, "pages": order.pages, "total": order.total}

    # --- walk-in orders ---------------------------------------------------------------------------
    @expose("/walk-in/", methods=("GET", "POST"))
    def walk_in_view(self):
        require_permission("orders.change_status")
        products = db.session.scalars(_scoped(sa.select(Product).where(Product.is_active.is_(True)), Product)
                                      .order_by(Product.category_id, Product.position, Product.id)).all()
        languages = db.session.scalars(_scoped(sa.select(Language).where(Language.is_active.is_(True)),
                                               Language).order_by(Language.category_id, Language.id)).all()
        if request.method == "POST":
            try:
                order = self._place_walk_in(request.form)
            except (ActionError, ValueError) as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                audit("order.walk_in", f"order:{order.number}", {"total": order.total},
                      center_id=order.center_id)
                db.session.commit()
                flash(f"Walk-in order #{order.number} created.", "success")
                return redirect(url_for(".details_view", id=order.id))
        return self.render("wowdash_orders/walk_in.html", products=products, languages=languages,
                           branches=branch_options(), form=request.form)

    def _place_walk_in(self, form) -> Order:
        product = self._own(Product, form.get("product_id"))
        if product is None:
            raise ActionError("choose a product")
        language = self._own(Language, form.get("language_id")) if form.get("language_id") else None
        if language is not None and language.category_id != product.category_id:
            raise ActionError("that language is not offered for this product's category")
        branch = self._own(Branch, form.get("branch_id"))
        if branch is None or branch.center_id != product.center_id:
            raise ActionError("choose a branch of the product's center")
        name = (form.get("customer_name") or "").strip()
        if not name:
            raise ActionError("the customer's name is required")
        return service.place_order(
            center_id=product.center_id, customer=None, category=product.category, product=product,
            language=language, pages=_amount(form.get("pages") or "1"),
            copies=_amount(form.get("copies") or "0"),
            branch_id=branch.id, source="walk_in", customer_name=name[:200],
            customer_phone=(form.get("customer_phone") or "").strip()[:32] or None,
            note=(form.get("note") or "").strip() or None, actor=current_user)

    @staticmethod
    def _own(model, row_id) -> Any:
        if not (row_id or "").isdigit():
            return None
        row = db.session.get(model, int(row_id))
        cid = current_center_id()
        return row if row is not None and (cid is None or row.center_id == cid) else None


def _amount(raw: Any) -> int:
    text = str(raw or "").replace(" ", "").replace("\u00a0", "")
    if not text.lstrip("-").isdigit():
        raise ActionError(f"{raw!r} is not a whole number")
    return int(text)


# --- the catalog ----------------------------------------------------------------------------------------

class NameField(StringField):
    """One language's name; the view copies it into ``name_i18n``."""

    def populate_obj(self, obj, name) -> None:
        pass


class CatalogView(CenterScopedView):
    plugin = PLUGIN
    permission = "catalog.manage"
    column_formatters = {"name": lambda v, c, m, n: m.title("en")}
    form_extra_fields = {f"name_{code}": NameField(f"Name ({code})", description="What customers see in this "
                                                   "language; empty: the name above.") for code in LANGUAGES}
    column_searchable_list = ("code", "name")

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None:
            for code in LANGUAGES:
                form[f"name_{code}"].data = (obj.name_i18n or {}).get(code, "")
        return form

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.name_i18n = {code: form[f"name_{code}"].data.strip() for code in LANGUAGES
                           if (form[f"name_{code}"].data or "").strip()}


NAMES = ("name", "name_uz", "name_ru", "name_en")
PRICES = ("first_page_price", "other_page_price", "copy_price", "agency_first_page_price",
          "agency_other_page_price", "agency_copy_price")


class CategoryView(CatalogView):
    column_list = ("center", "code", "name", "pricing", "branch", "position", "is_active")
    form_columns = ("center", "code", *NAMES, "pricing", "branch", "position", "is_active")
    form_choices = {"pricing": [(p, p.replace("_", " ")) for p in PRICING]}


class ProductView(CatalogView):
    column_list = ("center", "category", "code", "name", *PRICES, "estimated_days", "is_active")
    column_filters = ("is_active",)
    form_columns = ("center", "category", "code", *NAMES, *PRICES, "estimated_days", "position", "is_active")


class LanguageView(CatalogView):
    column_list = ("center", "category", "code", "name", "first_page_surcharge", "other_page_surcharge",
                   "copy_surcharge", "extra_days", "is_active")
    form_columns = ("center", "category", "code", *NAMES, "first_page_surcharge", "other_page_surcharge",
                    "copy_surcharge", "agency_first_page_surcharge", "agency_other_page_surcharge",
                    "agency_copy_surcharge", "extra_days", "position", "is_active")


def add_views(admin, app) -> None:
    app.register_blueprint(Blueprint("wowdash_orders_admin", __name__, template_folder="templates"))
    admin.add_view(OrderView(Order, db, name="Orders", endpoint="orders", category="Orders"))
    for view, model, name, endpoint in ((CategoryView, Category, "Categories", "order_categories"),
                                        (ProductView, Product, "Document types", "order_products"),
                                        (LanguageView, Language, "Languages", "order_languages")):
        admin.add_view(view(model, db, name=name, endpoint=endpoint, category="Catalog"))

