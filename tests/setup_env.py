"""`make test`'s prerequisites: Debian's Chromium for the browser tests (no `playwright install` here)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def ensure_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(f"setup: {CHROMIUM} is missing; install Debian's chromium package to run browser tests")
        return
    print("setup: installing Debian's chromium for the browser tests ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    try:
        ensure_chromium()
    except subprocess.CalledProcessError as exc:
        print(f"setup: could not install chromium: {exc}", file=sys.stderr)
        sys.exit(1 if os.environ.get("CI") else 0)
