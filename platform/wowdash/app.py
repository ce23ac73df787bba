"""The app factory: reads like a table of contents of the platform."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import logs
from .config import load_config
from .crypto import TokenCipher
from .extensions import db, migrate
from .i18n import Catalog
from .plugins import PluginManager
from .state import StateManager, make_store
from .telegram import api, sender


class Runtime:
    """Per-app services the dispatcher and plugins reach through ``app.extensions['wowdash']``."""

    def __init__(self, app: Flask, plugins: PluginManager):
        self.app = app
        self.plugins = plugins
        self.cipher = TokenCipher(app.config["SECRET_KEY"])
        self.catalog = Catalog()
        self.redis = None
        if app.config["USE_REDIS"] or app.config["STATE_BACKEND"] == "redis":
            import redis
            self.redis = redis.Redis.from_url(app.config["REDIS_URL"])
        self.store = None  # bound by the factory once self.redis exists
        self.states: StateManager | None = None

    def downloader(self, tenant, source: str):
        """How ``ctx.bot.download`` fetches a file: the Bot API, or the sandbox's upload folder."""
        if source == "sandbox":
            root = Path(self.app.config["FILE_STORAGE_DIR"]) / "sandbox"

            def from_sandbox(file_id: str) -> bytes:
                name = file_id.removeprefix("sandbox:")
                if not name.isalnum():
                    raise ValueError("bad sandbox file id")
                return (root / name).read_bytes()
            return from_sandbox
        if not tenant.token:
            return None

        def from_telegram(file_id: str) -> bytes:
            bot = api.bot_for(tenant.id, tenant.token, tenant.token_fingerprint)
            info = bot.get_file(file_id)
            return bot.download_file(info.file_path)
        return from_telegram


def create_app(config: dict[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    extra_plugins = config.pop("PLUGINS", ())
    app = Flask("wowdash", instance_path=config.pop("INSTANCE_PATH", None) or _instance_path(),
                root_path=str(Path(__file__).parent))
    os.makedirs(app.instance_path, exist_ok=True)
    logs.install()

    plugins = PluginManager()
    blocked = config.get("DISABLED_PLUGINS") or [
        p for p in os.environ.get("DISABLED_PLUGINS", "").split(",") if p]
    plugins.load(blocked=blocked, extra=extra_plugins)
    defaults: dict[str, Any] = {}
    for result in reversed(plugins.hook.wowdash_config_defaults()):
        defaults.update(result or {})
    app.config.update(defaults)
    app.config.update(load_config(Path(app.instance_path), config))
    app.config.setdefault("PLUGIN_DEFAULTS", {})

    if app.config["TRACE_HOOKS"]:
        plugins.trace_calls()
    init_db(app)
    runtime = Runtime(app, plugins)
    app.extensions["wowdash"] = runtime
    runtime.store = make_store(app)
    runtime.states = StateManager(runtime.store, app.config["STATE_TTL_SECONDS"])
    for messages in reversed(plugins.hook.wowdash_translations()):
        runtime.catalog.add(messages or {})
    api.configure(app.config["TELEGRAM_API_URL"])
    sender.install_listeners()

    register_blueprints(app, plugins)
    from .admin import init_app as init_admin
    init_admin(app)
    register_cli(app, plugins)
    plugins.hook.wowdash_configure(app=app)
    return app


def _instance_path() -> str:
    return os.environ.get("WOWDASH_INSTANCE") or str(Path.cwd() / "instance")


def init_db(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parents[2] / "migrations"))
    from . import migrations_config  # noqa: F401  (registers Flask-Migrate's configure callback)


def register_blueprints(app: Flask, plugins: PluginManager) -> None:
    from .telegram import delivery, webhook
    from .web import bp as web_bp
    app.register_blueprint(webhook.bp)
    app.register_blueprint(web_bp)
    app.after_request(delivery.flush_request)
    plugins.hook.wowdash_register_blueprints(app=app)


def register_cli(app: Flask, plugins: PluginManager) -> None:
    from . import cli
    cli.register(app)
    plugins.hook.wowdash_cli(cli=app.cli)
