"""Real processes (gunicorn workers, `flask run-bots`) on PostgreSQL + Redis, driven through the fake Bot API.

Each test gets its own migrated database and Redis prefix; the test process keeps a "control" app on the
same storage to create centers and inspect rows. Subprocesses write to log files (never pipes, which fill
and hang a child: the seed's defect 7); the logs are printed at teardown, so a failure shows them.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

import wowdash
from wowdash.testing.backends import storage_config
from wowdash.testing.pytest_plugin import require_services

REPO = Path(wowdash.__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "integration-secret-key-" + "k" * 32
# Settings the developer's shell may carry that must not leak into a test's processes.
SCRUBBED_PREFIXES = ("WOWDASH_", "FLASK_", "DATABASE_", "DB_", "REDIS_", "USE_", "GUNICORN", "TELEGRAM_",
                     "POLL_", "REGISTRY_", "DISABLED_PLUGINS", "SECRET_KEY", "DEBUG", "TENANTS_DIR")

COUNTER_PLUGIN = '''\
"""Test plugin: counts one user's messages in its state and answers "<n> <pid> <text>"."""
import os

from wowdash import hookimpl


def count(ctx):
    ns = ctx.state.ns("counter")
    ns["n"] = ns.get("n", 0) + 1
    ctx.reply(f"{ns['n']} {os.getpid()} {ctx.text}")


@hookimpl
def wowdash_route_message(ctx):
    return count if ctx.text and not ctx.text.startswith("/") else None
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_plugin(folder: Path, module: str, entry_name: str, source: str) -> Path:
    """A plugin as pip would leave it: the module plus a dist-info with a `wowdash` entry point."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source)
    dist = folder / f"{module}-0.1.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[wowdash]\n{entry_name} = {module}\n")
    return folder


class Proc:
    """A child process in its own session, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        with open(self.log_path, "wb") as log:
            self.popen = subprocess.Popen(args, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.output().count(text) < count:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {text!r} x{count} not logged in {timeout}s:\n{self.tail()}")
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout)

    def kill(self) -> None:
        """SIGTERM, then SIGKILL to this child's own process group (gunicorn's workers with it)."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group we created: stray workers too
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


@pytest.fixture
def pg_storage(wowdash_templates, tmp_path) -> Iterator[dict]:
    """A fresh migrated PostgreSQL database and a Redis prefix of this test's own."""
    require_services()
    storage, cleanup = storage_config("postgres", wowdash_templates, tmp_path)
    yield storage
    cleanup()


@pytest.fixture
def control_app(pg_storage, fake_api, tmp_path):
    """An app in the test process on the subprocesses' storage: create centers, read rows."""
    from wowdash import create_app
    from wowdash.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "TELEGRAM_API_URL": fake_api.base_url,
                      "INSTANCE_PATH": str(tmp_path / "control-instance"), **pg_storage})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if app.extensions["wowdash"].redis is not None:
        app.extensions["wowdash"].redis.close()


@pytest.fixture
def process_env(pg_storage, fake_api, tmp_path) -> Callable[..., dict[str, str]]:
    """``process_env(**extra)``: the environment of a production-like process on this test's storage."""

    def build(**extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
        env.update({
            "DATABASE_URL": pg_storage["SQLALCHEMY_DATABASE_URI"], "USE_REDIS": "true",
            "REDIS_URL": pg_storage["REDIS_URL"], "REDIS_KEY_PREFIX": pg_storage["REDIS_KEY_PREFIX"],
            "TELEGRAM_API_URL": fake_api.base_url, "SECRET_KEY": SECRET_KEY, "DEBUG": "false",
            "WOWDASH_INSTANCE": str(tmp_path / "instance"), "TENANTS_DIR": str(tmp_path / "tenants"),
            "SEND_RETRY_BACKOFF": "0.05", "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    return build


@pytest.fixture
def spawn(tmp_path) -> Iterator[Callable[..., Proc]]:
    """``spawn(name, args, env)`` starts a child; every child is killed at teardown."""
    started: list[Proc] = []

    def start(name: str, args: list[str], env: dict[str, str]) -> Proc:
        proc = Proc(name, args, env, tmp_path)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()
        print(f"----- {proc.name} (pid {proc.pid}, exit {proc.popen.returncode}) -----\n{proc.tail(120)}")


def _wait_healthy(url: str, proc: Proc, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.popen.poll() is not None:
            raise AssertionError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} not healthy within {timeout}s:\n{proc.tail()}")
        time.sleep(0.1)


def _wait_until(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)
    return result


@pytest.fixture
def wait_until() -> Callable[..., object]:
    """``wait_until(predicate, timeout, what)``: poll until truthy; AssertionError naming ``what``."""
    return _wait_until


@pytest.fixture
def counter_plugin(tmp_path) -> Path:
    """A folder for PYTHONPATH holding the installed test plugin ``counter``."""
    return install_plugin(tmp_path / "site", "counter_plugin", "counter", COUNTER_PLUGIN)


@pytest.fixture
def gunicorn(spawn, process_env):
    """``gunicorn(workers=4, threads=4, pythonpath=None)`` -> (Proc, base URL), healthy, with every worker booted."""

    def start(workers: int = 4, threads: int = 4, pythonpath: Path | None = None, **env: str):
        port = free_port()
        if pythonpath is not None:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(pythonpath), os.environ.get("PYTHONPATH")) if p)
        args = [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py"),
                "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}"]
        proc = spawn("gunicorn", args, process_env(**env))
        url = f"http://127.0.0.1:{port}"
        proc.wait_for_output("Booting worker", timeout=30, count=workers)
        _wait_healthy(url, proc)
        return proc, url

    return start


@pytest.fixture
def run_bots(spawn, process_env):
    """``run_bots(**env)`` -> Proc of `python -m flask --app wsgi:app run-bots`."""

    def start(**env: str) -> Proc:
        args = [sys.executable, "-m", "flask", "--app", "wsgi:app", "run-bots"]
        return spawn("run-bots", args, process_env(**env))

    return start


@pytest.fixture
def add_center(control_app, fake_api):
    """``add_center(slug, webhook_base=None, **fields)``: a center with a fresh fake bot (webhook optional)."""
    from types import SimpleNamespace

    from wowdash.testing.live import create_center

    def add(slug: str, webhook_base: str | None = None, **fields):
        server = SimpleNamespace(url=webhook_base) if webhook_base else None
        return create_center(control_app, fake_api, server, slug, webhook=server is not None, **fields)

    return add
