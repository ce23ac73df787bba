"""Regenerate docs/plugin_hooks.md from the hookspecs: `python docs/gen_plugin_hooks.py`."""
import inspect, sys
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
from wowdash import hookspecs
out = ["# Plugin hooks", "", "Every hook WowDash calls, generated from and kept equal to `platform/wowdash/hookspecs.py` by",
       "`tests/core/test_docs_and_layout.py`. Implement a hook with `@wowdash.hookimpl` on a function of the same",
       "name in your plugin module; call hooks with keyword arguments.", ""]
section = None
src = inspect.getsource(hookspecs)
for name, fn in vars(hookspecs).items():
    if not name.startswith("wowdash_"): continue
    args = ", ".join(inspect.signature(fn).parameters)
    opts = fn.wowdash_spec if hasattr(fn, "wowdash_spec") else {}
    first = " *(firstresult)*" if opts.get("firstresult") else ""
    out.append(f"### `{name}({args})`{first}")
    out.append("")
    out.append(inspect.cleandoc(fn.__doc__ or ""))
    out.append("")
open(ROOT / "docs" / "plugin_hooks.md", "w").write("\n".join(out))
