"""Settings from the environment and `.env`, accepting the seed guide's variable names."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

TELEGRAM_DEFAULT_API = "https://api.telegram.org"
WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "django-insecure"}


class ConfigError(RuntimeError):
    """Raised when production settings are unsafe; the app refuses to start."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(env: dict[str, str], instance_path: Path) -> str:
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        # psycopg2 is our driver; SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql:// URL.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg2://" + url[len(prefix):]
        return url
    if _bool(env.get("USE_POSTGRES")):
        user = env.get("DB_USER", "postgres")
        password = env.get("DB_PASSWORD", "")
        auth = f"{user}:{password}@" if password else f"{user}@"
        host, port = env.get("DB_HOST", "127.0.0.1"), env.get("DB_PORT", "5432")
        return f"postgresql+psycopg2://{auth}{host}:{port}/{env.get('DB_NAME', 'wowdash')}"
    return f"sqlite:///{instance_path / 'wowdash.db'}"


def _dev_secret(instance_path: Path) -> str:
    """A generated secret kept in the instance folder, so encrypted tokens survive restarts."""
    path = instance_path / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict: `.env`, then the environment, then explicit overrides (tests)."""
    # The environment wins over `.env`; reading (not loading) keeps os.environ untouched.
    env = {k: v for k, v in dotenv_values(Path.cwd() / ".env").items() if v is not None}
    env.update(os.environ)
    overrides = overrides or {}
    debug = _bool(env.get("DEBUG"), default=True)
    cfg: dict[str, Any] = {
        "DEBUG": debug,
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "ALLOWED_HOSTS": [h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()],
        "SQLALCHEMY_DATABASE_URI": _database_url(env, instance_path),
        "USE_REDIS": _bool(env.get("USE_REDIS")),
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "REDIS_KEY_PREFIX": env.get("REDIS_KEY_PREFIX", "wowdash:"),
        "WEBHOOK_BASE_URL": env.get("WEBHOOK_BASE_URL", "").rstrip("/"),
        "USE_WEBHOOK": _bool(env.get("USE_WEBHOOK")),
        "TIME_ZONE": env.get("TIME_ZONE", "Asia/Tashkent"),
        "TELEGRAM_API_URL": env.get("TELEGRAM_API_URL", TELEGRAM_DEFAULT_API).rstrip("/"),
        "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
        "TENANTS_DIR": env.get("TENANTS_DIR", str(Path(__file__).resolve().parents[2] / "tenants")),
        "FILE_STORAGE_DIR": env.get("FILE_STORAGE_DIR", str(instance_path / "files")),
        "STATE_TTL_SECONDS": int(env.get("STATE_TTL_SECONDS", 24 * 3600)),
        "MAX_UPDATE_BYTES": int(env.get("MAX_UPDATE_BYTES", 1024 * 1024)),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 100 * 1024 * 1024)),
        "USER_LOCK_TIMEOUT": float(env.get("USER_LOCK_TIMEOUT", 30)),
        "SEND_INLINE_ATTEMPTS": int(env.get("SEND_INLINE_ATTEMPTS", 3)),
        "SEND_MAX_ATTEMPTS": int(env.get("SEND_MAX_ATTEMPTS", 6)),
        "SEND_RETRY_BACKOFF": float(env.get("SEND_RETRY_BACKOFF", 0.3)),
        "SEND_MAX_WAIT": float(env.get("SEND_MAX_WAIT", 30)),
        "SEND_PER_SECOND": int(env.get("SEND_PER_SECOND", 30)),
        "SEND_ORDER_WAIT": float(env.get("SEND_ORDER_WAIT", 30)),
        "POLL_TIMEOUT": int(env.get("POLL_TIMEOUT", 25)),
        "REGISTRY_REFRESH_SECONDS": float(env.get("REGISTRY_REFRESH_SECONDS", 5)),
        "DISABLED_PLUGINS": [p for p in env.get("DISABLED_PLUGINS", "").split(",") if p],
        "TRACE_HOOKS": _bool(env.get("TRACE_HOOKS")),
        "SESSION_LIFETIME_MINUTES": int(env.get("SESSION_LIFETIME_MINUTES", 120)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    cfg.update(overrides)
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite serialises writers; wait for the lock instead of failing at once.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if cfg["ALLOWED_HOSTS"] and "*" not in cfg["ALLOWED_HOSTS"]:
        cfg.setdefault("TRUSTED_HOSTS", cfg["ALLOWED_HOSTS"])  # Flask refuses other Host headers
    cfg["STATE_BACKEND"] = cfg.get("STATE_BACKEND") or ("redis" if cfg["USE_REDIS"] else "sql")
    if not cfg["SECRET_KEY"]:
        if not cfg["DEBUG"] and not cfg.get("TESTING"):
            raise ConfigError("SECRET_KEY is required when DEBUG is off")
        cfg["SECRET_KEY"] = _dev_secret(instance_path)
    if not cfg["DEBUG"] and not cfg.get("TESTING"):
        check_production(cfg)
    return cfg


def check_production(cfg: dict[str, Any]) -> None:
    """The seed guide's security checklist, enforced instead of hoped for."""
    key = cfg["SECRET_KEY"] or ""
    if key.lower() in WEAK_SECRETS or len(key) < 32:
        raise ConfigError("SECRET_KEY is weak: use at least 32 random characters")
    if not cfg["SQLALCHEMY_DATABASE_URI"]:
        raise ConfigError("a database is required (USE_POSTGRES + DB_* or DATABASE_URL)")
