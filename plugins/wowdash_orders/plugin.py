"""Hook implementations of the orders plugin: routing and hand-overs only; the work is in flow.py etc."""
from __future__ import annotations

from pathlib import Path

from wowdash import hookimpl

from . import catalog, models, service, status  # noqa: F401  (models: tables on Alembic's metadata)
from . import flow as wizard
from .texts import TRANSLATIONS


@hookimpl
def wowdash_translations():
    return TRANSLATIONS


@hookimpl
def wowdash_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def wowdash_route_message(ctx):
    """Typed answers in the wizard (copies, pages); other messages at a button step re-show the step."""
    return wizard.route_message(ctx)


@hookimpl
def wowdash_route_callback_query(ctx):
    """Buttons ``ord:<action>[:<draft>][:<arg>]``: new, my, view, pay, and the wizard's steps."""
    return wizard.route_callback(ctx)


@hookimpl
def wowdash_resume_flow(ctx, flow, step):
    """The wizard's state expired: a polite restart message, never an error."""
    if flow == wizard.FLOW:
        return wizard.answering(wizard.expired, [])
    return None


@hookimpl
def wowdash_files_collected(ctx, owner, reference, files):
    if owner == wizard.NS:
        wizard.files_collected(ctx, reference, files)


@hookimpl
def wowdash_files_cancelled(ctx, owner, reference, action):
    if owner == wizard.NS:
        wizard.files_cancelled(ctx, reference, action)


@hookimpl
def wowdash_payment_recorded(tenant, order_id, payment):
    status.record_payment(tenant, order_id, payment)


@hookimpl
def wowdash_order_info(tenant, order_id):
    order = service.find(tenant.id, order_id)
    return service.order_dict(order, tenant) if order is not None else None


@hookimpl
def wowdash_sync_tenant(center, data):
    catalog.sync(center, data)


@hookimpl
def wowdash_admin_views(admin, app):
    from .admin import add_views
    add_views(admin, app)


@hookimpl
def wowdash_dashboard_figures(center_id):
    return service.dashboard_figures(center_id)
