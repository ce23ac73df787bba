"""Admin views: receipts to verify or reject (pending first, image through an authenticated route),
payments with a form to record cash received at the branch. Permissions are checked on the server."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_login import current_user
from markupsafe import Markup

from wowdash import db
from wowdash.admin import CenterScopedView, audit, current_center_id, has_permission

from . import service
from .models import PENDING, Payment, Receipt

CONFIRM, ACCEPT_FULL = "payments.confirm", "payments.accept_full"
PLUGIN = "wowdash_payments"  # its views are hidden, and 404, for centers that have not enabled it


def _thumbnail(view, context, model, name):
    image = url_for("wowdash_payments.receipt_image", receipt_id=model.id)
    review = url_for(".review_view", id=model.id)
    html = '<a href="{}"><img src="{}" alt="receipt" loading="lazy" style="max-height:60px"></a>'
    return Markup(html).format(review, image)


class ReceiptView(CenterScopedView):
    """Card-transfer receipts; a decision is final (a second verify or reject is refused)."""

    plugin = PLUGIN
    permission = CONFIRM
    can_create = can_edit = can_delete = False
    column_list = ("created_at", "center", "order_number", "customer", "amount_claimed", "storage_key",
                   "status", "verified_amount", "verified_by", "reason")
    column_labels = {"storage_key": "Receipt", "order_number": "Order №"}
    column_formatters = {"storage_key": _thumbnail}
    column_filters = ("status", "created_at")
    column_searchable_list = ("reason", "verified_by")
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-check-square-o", ".review_view", title="Review")]

    def get_query(self):
        query = super().get_query()
        if request.args.get("sort") is None:  # pending first, newest first within each group
            query = query.order_by(sa.case((Receipt.status == PENDING, 0), else_=1), Receipt.id.desc())
        return query

    @expose("/review/")
    def review_view(self):
        receipt = self.get_one(request.args.get("id", ""))
        order = service.order_info(receipt.center_id, receipt.order_id) or {}
        return self.render("wowdash_payments/review.html", receipt=receipt, order=order,
                           can_accept_full=has_permission(ACCEPT_FULL))

    @expose("/verify/", methods=["POST"])
    def verify_view(self):
        receipt = self.get_one(request.form.get("id", ""))
        full = request.form.get("full") == "1"
        if full and not has_permission(ACCEPT_FULL):
            abort(403)
        try:
            payment = service.verify_receipt(receipt.id, request.form.get("amount"), current_user,
                                             receipt.center_id, full=full)
        except service.PaymentError as exc:
            return self._refused(exc, receipt.id)
        audit("payments.verify_receipt", f"receipt:{receipt.id}",
              {"order_id": receipt.order_id, "amount": payment.amount, "full": full},
              center_id=receipt.center_id)
        db.session.commit()
        flash(f"Receipt #{receipt.id} verified: {payment.amount} recorded.", "success")
        return redirect(url_for(".index_view"))

    @expose("/reject/", methods=["POST"])
    def reject_view(self):
        receipt = self.get_one(request.form.get("id", ""))
        try:
            service.reject_receipt(receipt.id, request.form.get("reason", ""), current_user,
                                   receipt.center_id)
        except service.PaymentError as exc:
            return self._refused(exc, receipt.id)
        audit("payments.reject_receipt", f"receipt:{receipt.id}", {"reason": receipt.reason},
              center_id=receipt.center_id)
        db.session.commit()
        flash(f"Receipt #{receipt.id} rejected; the customer was told why.", "success")
        return redirect(url_for(".index_view"))

    def _refused(self, exc: Exception, receipt_id: int):
        db.session.rollback()  # nothing written, nothing sent
        flash(str(exc), "error")
        return redirect(url_for(".review_view", id=receipt_id))


class PaymentView(CenterScopedView):
    """Payments recorded (card after verification, cash at the branch, providers); never edited."""

    plugin = PLUGIN
    permission = CONFIRM
    can_create = can_edit = can_delete = False
    list_template = "wowdash_payments/payments_list.html"
    column_list = ("created_at", "center", "order_number", "order_id", "amount", "method", "full", "actor",
                   "receipt", "note")
    column_labels = {"order_number": "Order №", "full": "Accepted in full"}
    column_filters = ("method", "full", "created_at")
    column_default_sort = ("id", True)

    @expose("/record/", methods=["GET", "POST"])
    def record_view(self):
        """Cash received at the branch (partial amounts allowed); ``?order_id=`` pre-fills the form."""
        center_id = current_center_id()
        values = request.form if request.method == "POST" else request.args
        if center_id is None:  # the super admin names the center
            center_id = _int(values.get("center_id"))
        order_id = _int(values.get("order_id"))
        order = service.order_info(center_id, order_id) if center_id and order_id else None
        if request.method == "POST":
            full = values.get("full") == "1"
            if full and not has_permission(ACCEPT_FULL):
                abort(403)
            if order is None:
                flash("No such order in this center.", "error")
            else:
                try:
                    payment = service.record_payment(center_id, order_id, values.get("amount"), "cash",
                                                     current_user, full, note=(values.get("note") or None),
                                                     request_key=values.get("request_key") or None)
                except service.PaymentError as exc:
                    db.session.rollback()
                    flash(str(exc), "error")
                else:
                    audit("payments.record_cash", f"order:{order_id}",
                          {"amount": payment.amount, "full": full}, center_id=center_id)
                    db.session.commit()
                    flash(f"{payment.amount} recorded for order №{order.get('number')}.", "success")
                    return redirect(url_for(".index_view"))
        return self.render("wowdash_payments/record.html", order=order, order_id=order_id or "",
                           center_id=center_id or "", superadmin=current_center_id() is None,
                           can_accept_full=has_permission(ACCEPT_FULL), request_key=secrets.token_hex(16))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def add_views(admin, app) -> None:
    admin.add_view(ReceiptView(Receipt, db, name="Receipts", endpoint="receipts", category="Payments"))
    admin.add_view(PaymentView(Payment, db, name="Payments", endpoint="payments", category="Payments"))


def dashboard_figures(center_id: int | None) -> list[tuple[str, object]]:
    from wowdash.admin import day_start_utc, month_start_utc
    pending = sa.select(sa.func.count()).select_from(Receipt).where(Receipt.status == PENDING)
    received = sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
    if center_id is not None:
        pending = pending.where(Receipt.center_id == center_id)
        received = received.where(Payment.center_id == center_id)

    def money(since) -> str:
        total = int(db.session.scalar(received.where(Payment.created_at >= since)) or 0)
        return f"{total:,}".replace(",", " ") + " UZS"

    return [("Receipts waiting for verification", db.session.scalar(pending) or 0),
            ("Revenue today", money(day_start_utc())),
            ("Revenue this month", money(month_start_utc()))]
