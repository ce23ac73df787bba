"""The migrations (core + every plugin's branch) build exactly the models' schema, on both backends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wowdash.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == [], "run `flask db revision --autogenerate` for: " + repr(diff)[:2000]


def test_every_plugin_table_has_a_migration_branch(app):
    from wowdash.migrations_config import version_locations
    with app.app_context():
        locations = version_locations(app)
    assert locations[0].endswith("migrations/versions")
    assert len(locations) == len(set(locations))
