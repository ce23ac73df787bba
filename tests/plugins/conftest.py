"""Make `plugins/` importable so tests can `import wowdash_files.inspect_file`."""
import sys
from pathlib import Path

_PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(_PLUGINS) not in sys.path:
    sys.path.insert(0, str(_PLUGINS))
