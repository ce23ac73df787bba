"""The admin index: a center's figures of the day and month, from the core and from plugins."""
from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from ..extensions import db
from ..models import Center, Customer, ProcessedUpdate
from .permissions import current_center_id

log = logging.getLogger(__name__)


def day_start_utc(now: datetime | None = None) -> datetime:
    """Midnight of today in the platform's time zone, as naive UTC (how the tables store times)."""
    zone = ZoneInfo(current_app.config.get("TIME_ZONE") or "UTC")
    local = (now or datetime.now(zone)).astimezone(zone)
    midnight = datetime.combine(local.date(), time(), tzinfo=zone)
    return midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def month_start_utc(now: datetime | None = None) -> datetime:
    """The first of this month, midnight in the platform's time zone, as naive UTC."""
    zone = ZoneInfo(current_app.config.get("TIME_ZONE") or "UTC")
    local = (now or datetime.now(zone)).astimezone(zone)
    first = datetime.combine(local.date().replace(day=1), time(), tzinfo=zone)
    return first.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _scoped_count(model, column, center_id, *where) -> int:
    query = sa.select(sa.func.count()).select_from(model).where(*where)
    if center_id is not None:
        query = query.where(column == center_id)
    return db.session.scalar(query) or 0


def core_figures(center_id: int | None) -> list[tuple[str, object]]:
    today = day_start_utc()
    figures: list[tuple[str, object]] = [
        ("Customers", _scoped_count(Customer, Customer.center_id, center_id)),
        ("New customers today", _scoped_count(Customer, Customer.center_id, center_id,
                                              Customer.created_at >= today)),
        ("Updates today", _scoped_count(ProcessedUpdate, ProcessedUpdate.center_id, center_id,
                                        ProcessedUpdate.processed_at >= today)),
    ]
    if center_id is None:
        figures.insert(0, ("Active centers", _scoped_count(Center, Center.id, None, Center.is_active.is_(True))))
    return figures


def plugin_figures(center_id: int | None) -> list[tuple[str, object]]:
    runtime = current_app.extensions["wowdash"]
    if center_id is None:
        hook = runtime.plugins.hook
    else:
        center = db.session.get(Center, center_id)
        hook = runtime.plugins.hooks_for(None if center is None else center.enabled_plugins)
    figures: list[tuple[str, object]] = []
    try:
        results = hook.wowdash_dashboard_figures(center_id=center_id)
    except Exception:  # a broken plugin must not take the dashboard down
        db.session.rollback()
        log.exception("wowdash_dashboard_figures failed")
        return [("Plugin figures", "unavailable (see the log)")]
    for result in results:
        for label, value in result or []:
            figures.append((str(label), value))
    return figures


class DashboardView(AdminIndexView):
    """``/admin/``: what happened today in the staff member's center (all centers for the super admin)."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.is_active

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("admin_auth.login", next=request.full_path))

    def is_visible(self) -> bool:
        return True

    @expose("/")
    def index(self):
        center_id = current_center_id()
        centers = []
        if center_id is None:  # the super admin: all centers, or one picked with ?center=<id>
            centers = db.session.scalars(sa.select(Center).order_by(Center.name)).all()
            wanted = request.args.get("center", "")
            center_id = int(wanted) if wanted.isdigit() and any(c.id == int(wanted) for c in centers) else None
        center = db.session.get(Center, center_id) if center_id is not None else None
        figures = core_figures(center_id) + plugin_figures(center_id)
        return self.render("wowdash_admin/dashboard.html", center=center, centers=centers, figures=figures)
