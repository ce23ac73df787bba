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
                raise AssertionError(f"{self.name}: {text!r} x{count} not in its log after {timeout}s:\n"
                                     f"{self.tail()}")
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout)

    def kill(self) -> None:
        """SIGINT (gunicorn's quick stop), then SIGKILL to the child's own process group (its workers)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
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


class Site:
    """One deployment under test: its own database and Redis prefix, a control app, its processes.

    The control app runs in the test process on the same storage (and SECRET_KEY, which encrypts the
    bot tokens) as the children: it creates centers and reads rows.
    """

    def __init__(self, templates, fake, workdir: Path):
        require_services()
        from wowdash import create_app
        self.fake, self.workdir = fake, workdir
        self.storage, self._drop_storage = storage_config("postgres", templates, workdir)
        self.procs: list[Proc] = []
        self.app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "TELEGRAM_API_URL": fake.base_url,
                               "INSTANCE_PATH": str(workdir / "control-instance"), **self.storage})

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a production-like child (DEBUG off) on this site's storage."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
        env.update({
            "DATABASE_URL": self.storage["SQLALCHEMY_DATABASE_URI"], "USE_REDIS": "true",
            "REDIS_URL": self.storage["REDIS_URL"], "REDIS_KEY_PREFIX": self.storage["REDIS_KEY_PREFIX"],
            "TELEGRAM_API_URL": self.fake.base_url, "SECRET_KEY": SECRET_KEY, "DEBUG": "false",
            "WOWDASH_INSTANCE": str(self.workdir / "instance"), "TENANTS_DIR": str(self.workdir / "tenants"),
            "SEND_RETRY_BACKOFF": "0.05", "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    def spawn(self, name: str, args: list[str], **env: str) -> Proc:
        proc = Proc(name, args, self.env(**env), self.workdir)
        self.procs.append(proc)
        return proc

    def gunicorn(self, workers: int = 4, threads: int = 4, pythonpath: Path | None = None,
                 **env: str) -> tuple[Proc, str]:
        """gunicorn with deploy/gunicorn.conf.py on a free loopback port; returns once every worker booted."""
        port = free_port()
        if pythonpath is not None:
            paths = (str(pythonpath), os.environ.get("PYTHONPATH"))
            env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        args = [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py"),
                "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}"]
        proc = self.spawn("gunicorn", args, **env)
        url = f"http://127.0.0.1:{port}"
        proc.wait_for_output("Booting worker", timeout=30, count=workers)
        _wait_healthy(url, proc)
        return proc, url

    def run_bots(self, **env: str) -> Proc:
        """`python -m flask --app wsgi:app run-bots`, as deploy/systemd/wowdash-bots.service runs it."""
        return self.spawn("run-bots", [sys.executable, "-m", "flask", "--app", "wsgi:app", "run-bots"], **env)

    def add_center(self, slug: str, webhook_base: str | None = None, **fields):
        """A center with a fresh fake bot; its webhook points at ``webhook_base`` when given."""
        from types import SimpleNamespace

        from wowdash.testing.live import create_center
        server = SimpleNamespace(url=webhook_base) if webhook_base else None
        return create_center(self.app, self.fake, server, slug, webhook=server is not None, **fields)

    def close(self) -> None:
        from wowdash.extensions import db
        for proc in self.procs:
            proc.kill()
            print(f"----- {proc.name} (pid {proc.pid}, exit {proc.popen.returncode}) -----\n{proc.tail(120)}")
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.app.extensions["wowdash"].redis is not None:
            self.app.extensions["wowdash"].redis.close()
        self._drop_storage()


@pytest.fixture
def site(wowdash_templates, fake_api, tmp_path) -> Iterator[Site]:
    """A deployment of this test's own."""
    deployment = Site(wowdash_templates, fake_api, tmp_path)
    yield deployment
    deployment.close()


@pytest.fixture(scope="module")
def module_site(wowdash_templates, fake_api_server, tmp_path_factory) -> Iterator[Site]:
    """A deployment shared by a module's tests (they keep apart by their own centers and users)."""
    deployment = Site(wowdash_templates, fake_api_server, tmp_path_factory.mktemp("site"))
    yield deployment
    deployment.close()


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


@pytest.fixture(scope="module")
def counter_plugin(tmp_path_factory) -> Path:
    """A folder for PYTHONPATH holding the installed test plugin ``counter``."""
    folder = tmp_path_factory.mktemp("site-packages")
    return install_plugin(folder, "counter_plugin", "counter", COUNTER_PLUGIN)
