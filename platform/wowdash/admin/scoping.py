"""CenterScopedView: a Flask-Admin ModelView that confines every path to the staff member's center.

Scoped paths: the list (``get_query``), its count (``get_count_query``), single rows (``get_one``: a
foreign id is a 404, for edit, details, delete and inline edits), bulk actions (every posted id must be
the center's, else 404), relation pickers (every QuerySelectField's choices, and AJAX lookups, limited
to the center) and writes (``center_id`` forced to the staff member's center; a related row of another
center is refused). The super admin sees every center; relations must still agree with the row's center.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_login import current_user
from sqlalchemy.exc import DataError, StatementError
from sqlalchemy.orm import RelationshipDirection
from wtforms.fields import FieldList, FormField
from wtforms.validators import ValidationError

from ..extensions import db
from ..models import Center
from .audit import audit
from .permissions import current_center_id, has_permission, is_superadmin, plugin_enabled

EDIT_VIEWS = frozenset({"create_view", "edit_view", "delete_view", "ajax_update", "action_view"})


def center_column(model: Any) -> Any:
    """The column holding a model's center (``Center.id`` for centers), or None for unscoped tables."""
    if isinstance(model, type) and issubclass(model, Center):
        return Center.id
    return getattr(model, "center_id", None)


def center_of(obj: Any) -> int | None:
    if isinstance(obj, Center):
        return obj.id
    return getattr(obj, "center_id", None)


def limit_to_center(query: Any, center_id: int | None) -> Any:
    """Restrict a picker's query (or a plain list of rows) to one center; None leaves it whole."""
    if center_id is None or query is None:
        return query
    descriptions = getattr(query, "column_descriptions", None)
    if descriptions:
        column = center_column(descriptions[0].get("entity"))
        return query if column is None else query.filter(column == center_id)
    return [obj for obj in query if belongs(obj, center_id)]


def belongs(obj: Any, center_id: int | None) -> bool:
    """True when ``obj`` is ``center_id``'s row, or a row no center owns (an unscoped table)."""
    if center_id is None or center_column(type(obj)) is None:
        return True
    return center_of(obj) == center_id


def _fields(form: Any) -> Iterator[Any]:
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_fields(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def scope_form(form: Any, center_id: int | None) -> Any:
    """Limit every relation picker of ``form`` to ``center_id`` (evaluated when its choices are read)."""
    if center_id is None:
        return form
    for field in _fields(form):
        if isinstance(field, QuerySelectField):
            factory = field.query_factory
            if factory is not None and not getattr(factory, "_wowdash_scoped", False):
                def scoped(factory=factory):
                    return limit_to_center(factory(), center_id)
                scoped._wowdash_scoped = True  # type: ignore[attr-defined]
                field.query_factory = scoped
            if field.query is not None:
                field.query = limit_to_center(field.query, center_id)
            if not isinstance(field, QuerySelectMultipleField):  # that one refuses unknown ids itself
                field.validators = [_known_choice, *field.validators]
    return form


def _known_choice(form: Any, field: QuerySelectField) -> None:
    """A posted id outside the (scoped) choices is an error, not silently a blank relation."""
    if field.data is None and field._formdata not in (None, "", "__None"):
        raise ValidationError(field.gettext("Not a valid choice"))


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Select2 AJAX lookups (``form_ajax_refs``) that only find the center's rows."""

    def get_query(self):
        return limit_to_center(super().get_query(), current_center_id())

    def get_one(self, pk):
        obj = super().get_one(pk)
        return obj if obj is None or belongs(obj, current_center_id()) else None


class CenterScopedView(ModelView):
    """Base class for every admin view of center-owned rows (core and plugins).

    Set ``permission`` (needed to see the view) and optionally ``edit_permission`` (needed to create,
    edit, delete or run actions). A plugin's view sets ``plugin`` to the plugin's name: staff of a center
    that has not enabled it neither see the view in the menu nor reach any of its pages (404).
    ``center_field`` names the model's center column. Override ``get_query`` / ``on_model_change`` freely
    but call ``super()``: the center checks also run after your ``on_model_change``, so a subclass cannot
    move a row to another center by mistake.
    """

    center_field = "center_id"
    permission: str | None = None
    edit_permission: str | None = None
    plugin: str | None = None  # the contributing plugin's name; None: a core view

    # --- access ---------------------------------------------------------------------------------
    def is_accessible(self) -> bool:
        if not current_user.is_authenticated or not current_user.is_active:
            return False
        if not plugin_enabled(self.plugin):
            return False
        return self.permission is None or has_permission(self.permission)

    def is_visible(self) -> bool:
        return super().is_visible() and plugin_enabled(self.plugin)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin_auth.login", next=request.full_path))
        if not plugin_enabled(self.plugin):
            abort(404)  # the plugin is off for this center: its pages do not exist here
        abort(403)

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is None and name in EDIT_VIEWS and self.edit_permission \
                and not has_permission(self.edit_permission):
            abort(403)
        return response

    # --- reads ----------------------------------------------------------------------------------
    def _center_attr(self) -> Any:
        return getattr(self.model, self.center_field)

    def scope_query(self, query: Any) -> Any:
        cid = current_center_id()
        return query if cid is None else query.filter(self._center_attr() == cid)

    def get_query(self):
        return self.scope_query(super().get_query())

    def get_count_query(self):
        return self.scope_query(super().get_count_query())

    def owns(self, obj: Any) -> bool:
        cid = current_center_id()
        return cid is None or getattr(obj, self.center_field) == cid

    def get_one(self, id):
        try:
            obj = super().get_one(id)
        except (DataError, StatementError, ValueError, TypeError):
            db.session.rollback()
            abort(404)
        if obj is None or not self.owns(obj):
            abort(404)
        return obj

    def handle_action(self, return_view=None):
        """Bulk actions: refuse (404) when any posted id is not one of the center's rows."""
        ids = request.form.getlist("rowid")
        if ids:
            from flask_admin.contrib.sqla import tools
            try:
                found = tools.get_query_for_ids(self.get_query(), self.model, ids).count()
            except (DataError, StatementError, ValueError, TypeError):
                db.session.rollback()
                abort(404)
            if found != len(set(ids)):
                abort(404)
        return super().handle_action(return_view)

    # --- forms ----------------------------------------------------------------------------------
    def _center_relations(self) -> list[str]:
        column = self._center_attr().property.columns[0]
        return [rel.key for rel in sa.inspect(self.model).relationships
                if rel.direction is RelationshipDirection.MANYTOONE and column in rel.local_columns]

    def _prepare_form(self, form: Any) -> Any:
        cid = current_center_id()
        if cid is not None:  # the center is implied; staff never pick it
            for name in [self.center_field, *self._center_relations()]:
                if name in form:
                    del form[name]
        return scope_form(form, cid)

    def create_form(self, obj=None):
        return self._prepare_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._prepare_form(super().edit_form(obj))

    def list_form(self, obj=None):
        return self._prepare_form(super().list_form(obj))

    def _create_ajax_loader(self, name, options):
        attr = getattr(self.model, name)
        return ScopedAjaxLoader(name, self.session, attr.prop.mapper.class_, **options)

    # --- writes ---------------------------------------------------------------------------------
    def enforce_center(self, form: Any, model: Any) -> None:
        """Force the row into the staff member's center; refuse related rows of another center."""
        cid = current_center_id()
        if cid is not None:
            setattr(model, self.center_field, cid)
            for name in self._center_relations():
                related = getattr(model, name)
                if related is not None and center_of(related) != cid:
                    setattr(model, name, None)
        owner = getattr(model, self.center_field)
        for name in self._center_relations():
            related = getattr(model, name)
            if related is not None:
                owner = center_of(related)
        if owner is None:
            if not is_superadmin():
                raise ValidationError("choose a center")
            return
        self._check_relations(form, model, owner)

    def _check_relations(self, form: Any, model: Any, owner: int) -> None:
        mapper = sa.inspect(type(model))
        center_relations = set(self._center_relations())
        for rel in mapper.relationships:
            if rel.key in center_relations:
                continue
            if rel.direction is not RelationshipDirection.MANYTOONE and (form is None or rel.key not in form):
                continue
            value = getattr(model, rel.key)
            items = value if isinstance(value, (list, set, tuple)) else [value]
            for item in items:
                if item is not None and center_of(item) not in (None, owner):
                    raise ValidationError(f"{rel.key}: that record belongs to another center")
        for column in mapper.columns:  # plain foreign-key fields (e.g. an integer branch_id input)
            value = getattr(model, column.key, None)
            if value is None or column.key == self.center_field:
                continue
            for fk in column.foreign_keys:
                target = _model_for_table(fk.column.table)
                if target is None or target is Center or center_column(target) is None:
                    continue
                related = db.session.get(target, value)
                if related is not None and center_of(related) not in (None, owner):
                    raise ValidationError(f"{column.key}: that record belongs to another center")

    def on_model_change(self, form, model, is_created):
        self.enforce_center(form, model)

    def _on_model_change(self, form, model, is_created):
        # What the form changed, read before any subclass hook flushes (which clears the history).
        changed = sorted(attr.key for attr in sa.inspect(model).attrs if attr.history.has_changes())
        super()._on_model_change(form, model, is_created)
        self.enforce_center(form, model)  # again, after any subclass hook
        db.session.flush()  # the new row's id, for the audit record
        self.record(model, "create" if is_created else "update", {"fields": changed})

    def delete_model(self, model):
        self.record(model, "delete")
        return super().delete_model(model)

    def record(self, model: Any, verb: str, details: dict[str, Any] | None = None) -> None:
        """Audit a write to ``model`` (only field names, never values: they may be secrets)."""
        pk = self.get_pk_value(model)
        audit(f"{self.endpoint}.{verb}", f"{self.endpoint}:{pk}", details,
              center_id=getattr(model, self.center_field, None))


def _model_for_table(table: sa.Table) -> type | None:
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None
