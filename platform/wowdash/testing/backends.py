"""Throwaway storage for tests: a migrated SQLite file, or a PostgreSQL database plus a Redis prefix."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

PG_ADMIN_URL = os.environ.get("WOWDASH_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("WOWDASH_TEST_REDIS", "redis://127.0.0.1:6379/0")


class ServiceMissing(RuntimeError):
    """PostgreSQL or Redis is not reachable (a failure in CI, a skip elsewhere)."""


def _pg_engine():
    import sqlalchemy as sa
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def check_services() -> None:
    import redis
    import sqlalchemy as sa
    try:
        with _pg_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        raise ServiceMissing(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}") from exc
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        raise ServiceMissing(f"Redis at 127.0.0.1:6379 is not reachable: {exc}") from exc


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


class Templates:
    """Migrate once per test run, then copy: each test gets a fresh, fully migrated database fast."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.run = uuid.uuid4().hex[:8]
        self._sqlite: Path | None = None
        self._pg: str | None = None
        self.created: list[str] = []

    def _migrate(self, uri: str) -> None:
        from wowdash import create_app
        from wowdash.cli import upgrade_database
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x" * 40,
                          "INSTANCE_PATH": str(self.workdir / "template-instance")})
        with app.app_context():
            upgrade_database()
            from wowdash.extensions import db
            db.engine.dispose()

    def sqlite(self, target: Path) -> str:
        if self._sqlite is None:
            self._sqlite = self.workdir / "template.db"
            self._migrate(f"sqlite:///{self._sqlite}")
        shutil.copy(self._sqlite, target)
        return f"sqlite:///{target}"

    def postgres(self) -> str:
        import sqlalchemy as sa
        engine = _pg_engine()
        if self._pg is None:
            self._pg = f"wdt_{self.run}_template"
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self._pg}"'))
            self.created.append(self._pg)
            self._migrate(pg_url(self._pg))
        name = f"wdt_{self.run}_{uuid.uuid4().hex[:8]}"
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg}"'))
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        import sqlalchemy as sa
        with _pg_engine().connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(reversed(self.created)):
            try:
                self.drop(name)
            except Exception:
                pass


def storage_config(kind: str, templates: Templates, tmp_path: Path) -> tuple[dict[str, Any], Any]:
    """Settings for one test's storage, and a cleanup callable."""
    if kind == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": templates.sqlite(tmp_path / "wowdash.db"),
                "STATE_BACKEND": "sql", "USE_REDIS": False}, lambda: None
    name = templates.postgres()
    prefix = f"wdt:{name}:"

    def cleanup() -> None:
        import redis
        r = redis.Redis.from_url(REDIS_URL)
        keys = list(r.scan_iter(match=prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
        templates.drop(name)

    return {"SQLALCHEMY_DATABASE_URI": pg_url(name), "STATE_BACKEND": "redis", "USE_REDIS": True,
            "REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix}, cleanup
