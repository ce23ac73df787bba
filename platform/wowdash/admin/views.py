"""The core's admin views: centers, branches, customers, staff, failed messages and the audit log."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, after_this_request, current_app, flash, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import tools
from flask_admin.model.template import EndpointLinkRowAction
from wtforms import PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import ValidationError

from .. import tenancy
from ..extensions import db
from ..models import Branch, Center, Customer, OutboxMessage
from .audit import audit
from .models import ROLES, AuditLog, StaffUser
from .permissions import is_superadmin
from .scoping import CenterScopedView

LANGUAGES = [("uz", "O'zbekcha (uz)"), ("ru", "Русский (ru)"), ("en", "English (en)")]
# WTForms 3.3 wants SelectChoice objects; Flask-Admin's form_choices (Select2Field) still wants tuples.
LANGUAGE_CHOICES = [SelectChoice(value, label) for value, label in LANGUAGES]


class WriteOnlyField(PasswordField):
    """A secret typed in and never shown again: rendered empty, and never copied onto the row."""

    def populate_obj(self, obj, name) -> None:
        pass


class TranslationField(StringField):
    """One language's text of a JSON ``*_i18n`` column: the view copies it over in on_model_change."""

    def populate_obj(self, obj, name) -> None:
        pass


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def register_assets(app: Flask) -> None:
    """Templates and static files of the admin (names prefixed so they never shadow Flask-Admin's)."""
    app.register_blueprint(Blueprint("wowdash_admin_assets", __name__, template_folder="templates",
                                     static_folder="static", static_url_path="/admin/wowdash-static"))


class CenterView(CenterScopedView):
    """Centers: the super admin creates and edits them; an owner edits their own (``center.manage``)."""

    center_field = "id"
    permission = "center.manage"
    can_delete = False  # deactivate instead: deleting a center would delete its orders
    can_view_details = True
    column_list = ("slug", "name", "bot_username", "is_active", "healthy", "last_update_at", "webhook_url_set")
    column_details_list = ("slug", "name", "bot_username", "is_active", "healthy", "last_error", "last_update_at",
                           "webhook_url_set", "languages", "default_language", "enabled_plugins", "contacts",
                           "created_at", "updated_at")
    column_searchable_list = ("slug", "name")
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-heartbeat", ".health_view", title="Bot health")]
    form_columns = ("slug", "name", "bot_username", "is_active", "languages", "default_language", "enabled_plugins",
                    "contacts", "bot_token")
    form_extra_fields = {
        "languages": CheckboxesField("Languages", choices=LANGUAGE_CHOICES),
        "default_language": SelectField("Default language", choices=LANGUAGE_CHOICES),
        "enabled_plugins": CheckboxesField("Enabled plugins", choices=[]),
        "bot_token": WriteOnlyField("Bot token", description="Write-only: leave empty to keep the current "
                                                             "token. It is never shown again."),
    }
    SUPERADMIN_FIELDS = ("slug", "is_active", "enabled_plugins")

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return is_superadmin()

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is None and name == "create_view" and not is_superadmin():
            from flask import abort
            abort(403)
        return response

    def _center_form(self, form, obj):
        names = current_app.extensions["wowdash"].plugins.optional_names()
        form.enabled_plugins.choices = [SelectChoice(n) for n in names]
        if request.method == "GET" and obj is not None and obj.enabled_plugins is None:
            form.enabled_plugins.data = names
        if not is_superadmin():
            for name in self.SUPERADMIN_FIELDS:
                if name in form:
                    del form[name]
        return form

    def create_form(self, obj=None):
        form = self._center_form(super().create_form(obj), None)
        if request.method == "GET":
            form.languages.data = form.languages.data or ["uz", "ru", "en"]
        return form

    def edit_form(self, obj=None):
        return self._center_form(super().edit_form(obj), obj)

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if not model.languages:
            raise ValidationError("choose at least one language")
        if model.default_language not in model.languages:
            raise ValidationError("the default language must be one of the center's languages")
        if is_created:
            model.webhook_secret = tenancy.new_webhook_secret()
            model.plugin_settings = model.plugin_settings or {}
        history = sa.inspect(model).attrs
        model._wowdash_webhook = is_created or bool(history.is_active.history.added) or bool(
            history.enabled_plugins.history.added)
        token = (form.bot_token.data or "").strip()
        if token:
            try:
                tenancy.set_token(model, token)
            except tenancy.DuplicateToken as exc:
                raise ValidationError(str(exc)) from exc
            model._wowdash_webhook = True
        db.session.flush()
        if token:
            audit("center.token_set", f"center:{model.slug}", center_id=model.id)

    def after_model_change(self, form, model, is_created):
        if getattr(model, "_wowdash_webhook", False):
            apply_center_change(model.id)

    @expose("/health/")
    def health_view(self):
        center = self.get_one(request.args.get("id", ""))
        tenant = tenancy.to_tenant(center)
        facts = {"healthy": center.healthy, "last_error": center.last_error,
                 "last_update_at": center.last_update_at, "webhook_url_set": center.webhook_url_set,
                 "token": "set" if center.token_fingerprint else "not set (sandbox only)"}
        db.session.commit()  # no transaction stays open while Telegram answers
        from ..telegram.webhooks import webhook_info
        info = webhook_info(tenant) if tenant.token else {}
        return self.render("wowdash_admin/center_health.html", center_name=tenant.name, facts=facts, info=info)


def apply_center_change(center_id: int) -> None:
    """After the commit: tell plugins and (with WEBHOOK_BASE_URL) point Telegram at the center's webhook."""
    tenant = tenancy.by_id(center_id)
    db.session.commit()
    if tenant is None:
        return
    hook = current_app.extensions["wowdash"].plugins.hooks_for(tenant.enabled_plugins)
    hook.wowdash_tenant_activated(tenant=tenant)
    base_url = current_app.config.get("WEBHOOK_BASE_URL")
    if not (tenant.is_active and tenant.token and base_url):
        return
    from ..telegram.webhooks import set_webhook
    error = set_webhook(tenant, base_url)
    if error:
        flash(f"The webhook could not be set: {error}", "error")
    else:
        flash("The bot's webhook is set.", "success")


class BranchView(CenterScopedView):
    permission = "catalog.manage"
    edit_permission = "center.manage"  # card details decide where customers send money
    can_view_details = True
    column_list = ("center", "code", "name", "address", "phone", "card_number", "card_holder", "staff_chat_id",
                   "is_active")
    column_searchable_list = ("name", "code", "address")
    form_columns = ("center", "code", "name", "name_uz", "name_ru", "name_en", "address", "phone", "map_url",
                    "card_number", "card_holder", "staff_chat_id", "is_active")
    form_extra_fields = {f"name_{code}": TranslationField(f"Name ({code})", description="What customers "
                                                          "see in this language; empty: the name above.")
                         for code, _ in LANGUAGES}

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None:
            for code, _ in LANGUAGES:
                form[f"name_{code}"].data = (obj.name_i18n or {}).get(code, "")
        return form

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.name_i18n = {code: form[f"name_{code}"].data.strip() for code, _ in LANGUAGES
                           if (form[f"name_{code}"].data or "").strip()}


class CustomerView(CenterScopedView):
    permission = "customers.view"
    edit_permission = "orders.assign"
    can_create = False  # customers come from the bot
    can_delete = False  # their orders refer to them
    can_view_details = True
    column_list = ("center", "full_name", "username", "phone", "telegram_id", "language", "branch", "is_agency",
                   "registered_at")
    column_searchable_list = ("full_name", "username", "phone")
    column_filters = ("is_agency", "language", "registered_at")
    column_default_sort = ("id", True)
    form_columns = ("full_name", "phone", "language", "branch", "is_agency")
    form_choices = {"language": LANGUAGES}


class StaffView(CenterScopedView):
    """The center's staff accounts. Password hashes never leave the database."""

    permission = "orders.assign"  # managers see the team; only staff.manage changes it
    edit_permission = "staff.manage"
    can_view_details = True
    column_list = ("center", "username", "full_name", "role", "is_superadmin", "is_active", "last_login_at")
    column_details_list = ("center", "username", "full_name", "role", "is_superadmin", "is_active",
                           "last_login_at", "created_at")
    column_searchable_list = ("username", "full_name")
    form_columns = ("center", "username", "full_name", "role", "is_active", "password")
    form_choices = {"role": [(r, r) for r in ROLES]}
    form_extra_fields = {"password": WriteOnlyField("Password", description="Leave empty to keep the current "
                                                                           "password (at least 8 characters).")}

    def get_query(self):
        query = super().get_query()
        return query if is_superadmin() else query.filter(StaffUser.is_superadmin.is_(False))

    def get_count_query(self):
        query = super().get_count_query()
        return query if is_superadmin() else query.filter(StaffUser.is_superadmin.is_(False))

    def get_one(self, id):
        user = super().get_one(id)
        if user.is_superadmin and not is_superadmin():
            from flask import abort
            abort(404)
        return user

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        password = form.password.data or ""
        if password:
            if len(password) < 8:
                raise ValidationError("the password needs at least 8 characters")
            model.set_password(password)
        elif is_created:
            raise ValidationError("a new account needs a password")
        if model.role not in ROLES:
            raise ValidationError("unknown role")
        if not model.is_superadmin and model.center is None and model.center_id is None:
            raise ValidationError("a staff account belongs to a center")


class FailedOutboxView(CenterScopedView):
    """Messages the sender gave up on, for an operator to read and retry."""

    permission = "center.manage"
    can_create = can_edit = can_delete = False
    can_view_details = True
    column_list = ("center", "chat_id", "method", "last_error", "attempts", "created_at")
    column_details_list = ("center", "chat_id", "method", "transport", "last_error", "attempts", "created_at",
                           "params")
    column_default_sort = ("id", True)

    def get_query(self):
        return super().get_query().filter(OutboxMessage.status == "failed")

    def get_count_query(self):
        return super().get_count_query().filter(OutboxMessage.status == "failed")

    def get_one(self, id):
        row = super().get_one(id)
        if row.status != "failed":
            from flask import abort
            abort(404)
        return row

    @action("retry", "Retry", "Send the selected messages again?")
    def action_retry(self, ids):
        rows = tools.get_query_for_ids(self.get_query(), OutboxMessage, ids).all()
        for row in rows:
            row.status, row.attempts, row.next_attempt_at = "retry", 0, None
            audit("outbox.retry", f"outbox:{row.id}", {"method": row.method}, center_id=row.center_id)
        db.session.commit()
        retried = [row.id for row in rows]

        @after_this_request
        def send(response):
            from ..telegram import delivery
            delivery.after_response(response, retried)
            return response

        flash(f"{len(retried)} messages will be sent again.", "success")


class AuditLogView(CenterScopedView):
    """Read-only: who did what, when, from which address."""

    permission = "center.manage"
    can_create = can_edit = can_delete = False
    can_view_details = True
    column_list = ("created_at", "center", "username", "action", "target", "ip", "details")
    column_filters = ("action", "username", "created_at")
    column_searchable_list = ("action", "target", "username")
    column_default_sort = ("id", True)


def add_core_views(admin, app: Flask) -> None:
    from .plugins_view import PluginsView
    from .sandbox import SandboxView
    session = db  # Flask-Admin 2 takes the Flask-SQLAlchemy object
    admin.add_view(CenterView(Center, session, name="Centers", endpoint="centers", category="Platform"))
    admin.add_view(BranchView(Branch, session, name="Branches", endpoint="branches", category="Center"))
    admin.add_view(CustomerView(Customer, session, name="Customers", endpoint="customers", category="Center"))
    admin.add_view(StaffView(StaffUser, session, name="Staff", endpoint="staff", category="Center"))
    admin.add_view(FailedOutboxView(OutboxMessage, session, name="Failed messages", endpoint="outbox_failed",
                                    category="Operations"))
    admin.add_view(AuditLogView(AuditLog, session, name="Audit log", endpoint="audit_log", category="Operations"))
    admin.add_view(SandboxView(name="Sandbox", endpoint="sandbox", url="/admin/sandbox"))
    admin.add_view(PluginsView(name="Plugins", endpoint="plugins", url="/admin/plugins", category="Platform"))
