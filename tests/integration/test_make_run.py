"""`make run` on a fresh instance: SQLite, the demo center, and the URL and admin login printed."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_starts_on_sqlite_with_the_demo_center_and_prints_its_url(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "USE_", "REDIS"))}
    env.update(PORT=str(port), WOWDASH_INSTANCE=str(tmp_path / "instance"), VENV=str(Path(sys.prefix)))
    env.pop("DEMO_BOT_TOKEN", None)
    # Run in this interpreter's environment; -o keeps make from reinstalling the package into it from
    # this checkout (make test already installed it; another checkout's venv must not be repointed).
    keep = ["-o", f"{sys.prefix}/.installed", "-o", f"{sys.prefix}/bin/activate"]
    proc = subprocess.Popen(["make", "-s", *keep, "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    try:
        deadline = time.monotonic() + 240
        url = f"http://127.0.0.1:{port}/"
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Sandbox:" in line:
                break
        text = "".join(output)
        assert f"WowDash is starting at {url}" in text, text
        assert "center 'demo'" in text and "sandbox only" in text
        assert "login demo / " in text
        for _ in range(100):
            try:
                response = requests.get(url + "healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        assert (tmp_path / "instance" / "wowdash.db").exists()  # the embedded default: SQLite
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
        proc.stdout.close()
