"""The plugin manager: load entry points, block, verify, and a hook proxy per center."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import pluggy

from . import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "wowdash"
# The core refuses to start without these: they implement the update protocol's defaults.
ESSENTIAL_PLUGINS = ("wowdash_core",)


class PluginError(RuntimeError):
    """A plugin is missing, misspelt or incompatible; raised at start-up, not on the first update."""


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus per-center hook proxies, cached by the set of enabled plugins."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.add_hookspecs(hookspecs)
        self._proxies: dict[frozenset[str] | None, CenterHooks] = {}
        self._lock = threading.Lock()

    def load(self, *, blocked: Iterable[str] = (), extra: Iterable[Any] = ()) -> None:
        """Load, block, verify: the order tox and pytest use."""
        for name in blocked:
            if name in ESSENTIAL_PLUGINS:
                raise PluginError(f"{name} is essential and cannot be disabled")
            self.set_blocked(name)
        self.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for plugin in extra:
            name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
            self.register(plugin, name=name)
        missing = [name for name in ESSENTIAL_PLUGINS if self.get_plugin(name) is None]
        if missing:
            raise PluginError(f"essential plugins are not installed: {', '.join(missing)}")
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from exc

    def trace_calls(self) -> None:
        """TRACE_HOOKS: log every hook call with the plugins it reached (datasette's tracing switch)."""
        def before(hook_name, hook_impls, kwargs):
            log.info("hook %s -> %s", hook_name, ", ".join(i.plugin_name for i in hook_impls))

        def after(outcome, hook_name, hook_impls, kwargs):
            if outcome.exception is not None:
                log.info("hook %s raised %r", hook_name, outcome.exception)

        self.add_hookcall_monitoring(before, after)

    def optional_names(self) -> list[str]:
        """Plugins a center may switch on or off (everything but the essentials)."""
        return sorted(n for n, p in self.list_name_plugin() if p is not None and n not in ESSENTIAL_PLUGINS)

    def hooks_for(self, enabled: Iterable[str] | None) -> CenterHooks:
        """The hook proxy of a center that enabled ``enabled`` (None: every plugin)."""
        key = None if enabled is None else frozenset(enabled)
        proxy = self._proxies.get(key)
        if proxy is None:
            with self._lock:
                proxy = self._proxies.get(key)
                if proxy is None:
                    removed = [] if key is None else [
                        plugin for name, plugin in self.list_name_plugin()
                        if plugin is not None and name not in key and name not in ESSENTIAL_PLUGINS
                    ]
                    proxy = self._proxies[key] = CenterHooks(self, removed)
        return proxy

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        self._proxies.clear()
        return super().register(plugin, name)

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        self._proxies.clear()
        return super().unregister(plugin, name)


class CenterHooks:
    """Like ``pm.hook``, but leaving out the plugins a center has not enabled (pytest's gethookproxy)."""

    def __init__(self, pm: PluginManager, removed: list[Any]):
        self._pm = pm
        self._removed = removed
        self.enabled_names = {
            name for name, plugin in pm.list_name_plugin() if plugin is not None and plugin not in removed
        }

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("wowdash_"):
            raise AttributeError(name)
        caller = self._pm.subset_hook_caller(name, self._removed) if self._removed else getattr(
            self._pm.hook, name)
        setattr(self, name, caller)
        return caller
