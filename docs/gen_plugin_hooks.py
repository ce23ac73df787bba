"""Regenerate docs/plugin_hooks.md from the hookspecs: `python docs/gen_plugin_hooks.py`."""
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))

from wowdash import hookspecs  # noqa: E402

HEADER = """# Plugin hooks

Every hook WowDash calls, generated from and kept equal to `platform/wowdash/hookspecs.py` by
`tests/core/test_docs_and_layout.py`. Implement a hook with `@wowdash.hookimpl` on a function of the same
name in your plugin module; call hooks with keyword arguments.
"""


def render() -> str:
    out = [HEADER]
    for name, fn in vars(hookspecs).items():
        if not name.startswith("wowdash_"):
            continue
        args = ", ".join(inspect.signature(fn).parameters)
        first = " *(firstresult)*" if getattr(fn, "wowdash_spec", {}).get("firstresult") else ""
        out += [f"### `{name}({args})`{first}", "", inspect.cleandoc(fn.__doc__ or ""), ""]
    return "\n".join(out)


if __name__ == "__main__":
    (ROOT / "docs" / "plugin_hooks.md").write_text(render())
