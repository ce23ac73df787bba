"""Guards for what docs and config forget: hooks documented, packages listed, `platform` not shadowed."""
from __future__ import annotations

import configparser
import inspect
import re
import subprocess
import sys
from pathlib import Path

from wowdash import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def _specs() -> dict[str, list[str]]:
    return {name: list(inspect.signature(fn).parameters)
            for name, fn in vars(hookspecs).items() if name.startswith("wowdash_") and callable(fn)}


def test_every_hook_is_documented_with_its_exact_arguments():
    text = (ROOT / "docs" / "plugin_hooks.md").read_text()
    documented = {m.group(1): [a.strip() for a in m.group(2).split(",") if a.strip()]
                  for m in re.finditer(r"^### `(wowdash_\w+)\(([^)]*)\)`", text, re.M)}
    assert documented == _specs(), "run: python docs/gen_plugin_hooks.py"


def test_every_hookspec_has_a_docstring_naming_who_calls_it():
    for name, fn in vars(hookspecs).items():
        if name.startswith("wowdash_") and callable(fn):
            assert fn.__doc__ and ("Called by" in fn.__doc__ or "Stops at" in fn.__doc__), name


def test_setup_cfg_lists_exactly_the_packages_on_disk():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    mapping = dict(line.split(" = ") for line in cfg["options"]["package_dir"].strip().splitlines())
    on_disk = set()
    for root in ("platform", "plugins"):
        for init in (ROOT / root).rglob("__init__.py"):
            if "__pycache__" in init.parts or "migrations" in init.parts:
                continue
            rel = init.parent.relative_to(ROOT / root)
            on_disk.add(".".join(rel.parts))
    assert listed == on_disk
    assert set(mapping) == listed
    for name, folder in mapping.items():
        assert (ROOT / folder / "__init__.py").exists(), name


def test_platform_is_a_source_root_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert not (ROOT / "plugins" / "__init__.py").exists()


def test_standard_library_platform_still_works_from_the_repo_root_in_pytest_and_in_the_app(app):
    import platform
    assert platform.system() and hasattr(platform, "python_version")
    code = "import platform, sqlalchemy; from wowdash import create_app; print(platform.system())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == platform.system()
    with app.app_context():
        import platform as inside
        assert inside.system() == platform.system()


def test_plugins_import_none_of_each_other():
    """import-linter's contracts in setup.cfg: flow plugins independent, core imports no plugin."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg")], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout
