"""Settings accept the seed guide's names; production refuses unsafe ones."""
from __future__ import annotations

import pytest

from wowdash.config import ConfigError, load_config

SEED_NAMES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "USE_POSTGRES", "DB_NAME", "DB_USER", "DB_PASSWORD",
              "DB_HOST", "DB_PORT", "DATABASE_URL", "USE_REDIS", "REDIS_URL", "WEBHOOK_BASE_URL", "USE_WEBHOOK",
              "TIME_ZONE", "TELEGRAM_API_URL")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in SEED_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_newcomer_defaults_are_sqlite_sql_state_and_a_persistent_dev_secret(env, tmp_path):
    cfg = load_config(tmp_path / "instance")
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'wowdash.db'}"
    assert cfg["STATE_BACKEND"] == "sql" and cfg["DEBUG"] is True
    assert cfg["TIME_ZONE"] == "Asia/Tashkent"
    assert cfg["TELEGRAM_API_URL"] == "https://api.telegram.org"
    assert load_config(tmp_path / "instance")["SECRET_KEY"] == cfg["SECRET_KEY"]  # survives restarts


def test_seed_env_production_names(env, tmp_path):
    (tmp_path / ".env").write_text(
        "DEBUG=False\nSECRET_KEY=" + "k" * 50 + "\nALLOWED_HOSTS=bot.example.uz,www.bot.example.uz\n"
        "USE_POSTGRES=True\nDB_NAME=centers\nDB_USER=wow\nDB_PASSWORD=pw\nDB_HOST=10.0.0.5\nDB_PORT=6432\n"
        "USE_REDIS=True\nREDIS_URL=redis://127.0.0.1:6379/3\nWEBHOOK_BASE_URL=https://bot.example.uz/\n"
        "USE_WEBHOOK=True\nTELEGRAM_API_URL=http://127.0.0.1:9/\n")
    cfg = load_config(tmp_path / "instance")
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://wow:pw@10.0.0.5:6432/centers"
    assert cfg["STATE_BACKEND"] == "redis" and cfg["REDIS_URL"].endswith("/3")
    assert cfg["WEBHOOK_BASE_URL"] == "https://bot.example.uz" and cfg["USE_WEBHOOK"] is True
    assert cfg["TRUSTED_HOSTS"] == ["bot.example.uz", "www.bot.example.uz"]
    assert cfg["TELEGRAM_API_URL"] == "http://127.0.0.1:9"
    assert cfg["DEBUG"] is False


def test_database_url_uses_psycopg2(env, tmp_path):
    env.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@h/db"


@pytest.mark.parametrize("key", [None, "secret", "short-key"])
def test_production_refuses_a_missing_or_weak_secret_key(env, tmp_path, key):
    env.setenv("DEBUG", "false")
    if key:
        env.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)
