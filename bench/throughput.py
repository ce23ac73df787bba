"""Webhook throughput of a real deployment shape: gunicorn (deploy/gunicorn.conf.py), PostgreSQL, Redis.

    python bench/throughput.py --centers 100 --latency 0 0.025 --seconds 20

Starts the loopback fake Bot API (answering after ``--latency`` seconds), a throwaway PostgreSQL database
and Redis prefix (both removed at the end), gunicorn with the benchmark plugin (bench/plugins), and N
centers with their webhooks pointed at it. A pool of client threads then plays customers: each runs a
4-update conversation (/start, a button, a text that inserts a customer row, confirm) through the
centers' webhooks, sending the next update as soon as the previous one is answered, for ``--seconds``.

Printed per latency: updates answered per second, replies delivered per second, the webhook answer
time (p50/p95) and the time from sending an update to its reply reaching the Bot API (p50/p95), with
the CPU share this process itself used (fake Bot API + clients), the cores other programs kept busy
meanwhile ("others": compare runs only when it is near 0) and the CPU milliseconds each update cost
gunicorn, PostgreSQL and Redis.
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (WOWDASH_TEST_PG, WOWDASH_TEST_REDIS
override them).
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import redis
import requests

import wowdash
from wowdash.testing.backends import REDIS_URL, Templates, check_services, pg_url
from wowdash.testing.fake_bot_api import FakeBotAPI
from wowdash.testing.live import create_center

REPO = Path(wowdash.__file__).resolve().parents[2]
PLUGINS = Path(__file__).resolve().parent / "plugins"  # bench_flow, with its entry point
SECRET_KEY = "bench-secret-key-" + "b" * 40
STEPS = ("menu", "name?", "confirm?", "done")  # the reply to each of the 4 updates
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


POSTGRES_SHARED = ("checkpointer", "walwriter", "background writer")


def cpu_seconds(master_pid: int, db_name: str) -> dict[str, float]:
    """CPU time so far of gunicorn (master + workers), PostgreSQL and Redis, from /proc (Linux only).

    PostgreSQL: the backends connected to the benchmark's database plus the WAL and checkpoint writers
    (other databases on the same server are someone else's work).
    """
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        pid = int(raw.split(" ", 1)[0])
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if pid == master_pid or ppid == master_pid:
            totals["gunicorn"] += used
        elif name.startswith("postgres"):
            try:
                cmd = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if f" {db_name} " in cmd or any(k in cmd for k in POSTGRES_SHARED):
                totals["postgres"] += used
        elif name.startswith("redis-server"):
            totals["redis"] += used
    return totals


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat), to see others' load."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Deployment:
    """Storage, fake Bot API, gunicorn and centers; ``close()`` removes every trace."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args, self.workdir = args, workdir
        self.templates = Templates(workdir)
        self.prefix = f"wdbench:{uuid.uuid4().hex[:8]}:"
        self.fake = FakeBotAPI().start()
        self.proc: subprocess.Popen | None = None
        self.app = None
        self.centers: list = []
        self.log_path = workdir / "gunicorn.log"

    def start(self) -> None:
        self.db_name = self.templates.postgres()
        self.url = f"http://127.0.0.1:{free_port()}"
        self._start_gunicorn()
        from wowdash import create_app
        self.app = create_app({
            "TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": pg_url(self.db_name),
            "STATE_BACKEND": "redis", "USE_REDIS": True, "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": self.prefix, "TELEGRAM_API_URL": self.fake.base_url,
            "INSTANCE_PATH": str(self.workdir / "control-instance")})
        server = SimpleNamespace(url=self.url)
        for i in range(self.args.centers):
            self.centers.append(create_center(
                self.app, self.fake, server, f"bench{i:04d}", enabled_plugins=["bench_flow"],
                languages=["en"], default_language="en"))

    def _start_gunicorn(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WOWDASH_", "FLASK_", "DATABASE_", "DB_", "REDIS_", "USE_", "GUNICORN"))}
        env.update({
            "DATABASE_URL": pg_url(self.db_name), "USE_REDIS": "true", "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": self.prefix, "TELEGRAM_API_URL": self.fake.base_url,
            "SECRET_KEY": SECRET_KEY, "DEBUG": "false", "WOWDASH_INSTANCE": str(self.workdir / "instance"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH")) if p),
            # The access log costs the workers CPU and is not what is measured.
            "GUNICORN_ACCESS_LOG": "/dev/null",
        })
        args = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"),
                "-b", self.url.removeprefix("http://"), "-k", self.args.worker_class]
        if self.args.workers:
            args += ["-w", str(self.args.workers)]
        if self.args.worker_class == "sync":
            args += ["--threads", "1"]  # gunicorn turns sync with threads > 1 into gthread
        elif self.args.threads:
            args += ["--threads", str(self.args.threads)]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn not healthy in 60 s:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        time.sleep(2)  # let every worker finish importing the app

    def outbox_backlog(self) -> dict[str, int]:
        import sqlalchemy as sa

        from wowdash.extensions import db
        from wowdash.models import OutboxMessage
        with self.app.app_context():
            rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                      .group_by(OutboxMessage.status)).all()
            db.session.remove()
        return {status: n for status, n in rows}

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.app is not None:
            from wowdash.extensions import db
            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()
            self.app.extensions["wowdash"].redis.close()
        self.fake.stop()
        r = redis.Redis.from_url(REDIS_URL)
        keys = list(r.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
        r.close()
        self.templates.close()


class Customers:
    """Client threads that each play one customer after another through the 4 steps."""

    def __init__(self, deployment: Deployment, seconds: float, clients: int, keepalive: bool = True):
        self.d, self.seconds, self.clients, self.keepalive = deployment, seconds, clients, keepalive
        self.user_ids = itertools.count(10_000_000 + int(time.time() * 1000) % 10**8 * 10)
        self.lock = threading.Lock()
        self.sent: list[tuple[int, str, float, float]] = []  # (chat, expected reply, start, answered)
        self.errors = 0

    def run(self) -> tuple[float, float]:
        self.stop_at = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        start = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.seconds + 120)
        return start, time.time()

    def _client(self, index: int) -> None:
        host, port = self.d.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        fake = self.d.fake
        while time.monotonic() < self.stop_at:
            with self.lock:
                user = next(self.user_ids)
            center = self.d.centers[user % len(self.d.centers)]
            steps = (  # (build the update, the reply it gets)
                (partial(fake.message_update, center.token, user, "/start"), STEPS[0]),
                (partial(fake.callback_update, center.token, user, "bench:order"), STEPS[1]),
                (partial(fake.message_update, center.token, user, f"Customer {user}"), STEPS[2]),
                (partial(fake.callback_update, center.token, user, "bench:confirm"), STEPS[3]),
            )
            for build, reply in steps:
                if time.monotonic() >= self.stop_at:
                    break
                body = json.dumps(build()).encode()
                started = time.time()
                conn = self._post(conn, host, port, center, body)
                if conn is None:
                    conn = http.client.HTTPConnection(host, int(port), timeout=60)
                    break
                with self.lock:
                    self.sent.append((user, reply, started, time.time()))
        conn.close()

    def _post(self, conn, host, port, center, body):
        headers = {"Content-Type": "application/json", SECRET_HEADER: center.webhook_secret}
        if not self.keepalive:
            headers["Connection"] = "close"
        for _ in range(2):  # a keep-alive connection the worker closed: reconnect once
            try:
                conn.request("POST", f"/tg/{center.slug}", body, headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    if not self.keepalive:
                        conn.close()  # the next request opens a new connection
                    return conn
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
        with self.lock:
            self.errors += 1
        conn.close()
        return None


def measure(d: Deployment, latency: float, args: argparse.Namespace) -> dict:
    d.fake.set_latency(latency)
    Customers(d, min(2.0, args.seconds), args.clients).run()  # warm-up: pools, caches, TCP
    wait_drained(d, 30)
    d.fake.reset_calls()
    customers = Customers(d, args.seconds, args.clients, keepalive=not args.no_keepalive)
    cpu, servers, busy = time.process_time(), cpu_seconds(d.proc.pid, d.db_name), machine_busy_seconds()
    start, end = customers.run()
    cpu = time.process_time() - cpu  # this process: the fake Bot API and the clients, not the server
    servers = {k: v - servers[k] for k, v in cpu_seconds(d.proc.pid, d.db_name).items()}
    # CPU the rest of the machine used meanwhile (other programs): results are only comparable near 0.
    others = max(0.0, machine_busy_seconds() - busy - sum(servers.values()) - cpu) / (end - start)
    per_update = {k: v / max(1, len(customers.sent)) * 1000 for k, v in servers.items()}
    window = end - start
    drained_in = wait_drained(d, 60)
    replies = {}
    for call in d.fake.calls(method="sendMessage"):
        if call.ok:
            replies.setdefault((call.params.get("chat_id"), call.params.get("text")), call.time)
    delivered_in_window = sum(1 for t in replies.values() if t <= end)
    answer = [answered - started for _, _, started, answered in customers.sent]
    e2e = [replies[(chat, text)] - started for chat, text, started, _ in customers.sent
           if (chat, text) in replies]
    return {
        "latency_ms": latency * 1000, "updates": len(customers.sent), "seconds": window,
        "updates_per_s": len(customers.sent) / window, "replies_per_s": delivered_in_window / window,
        "answer_p50_ms": percentile(answer, 50) * 1000, "answer_p95_ms": percentile(answer, 95) * 1000,
        "reply_p50_ms": percentile(e2e, 50) * 1000, "reply_p95_ms": percentile(e2e, 95) * 1000,
        "missing_replies": len(customers.sent) - len(e2e), "errors": customers.errors,
        "drained_after_s": drained_in, "outbox": d.outbox_backlog(), "bench_cpu": cpu / window,
        "load_avg_1m": os.getloadavg()[0], "other_cpu_cores": others,
        "cpu_ms_per_update": {**per_update, "bench": cpu / max(1, len(customers.sent)) * 1000},
    }


def wait_drained(d: Deployment, timeout: float) -> float:
    """Seconds until no outbox row is pending or sending (deliveries still running after the window)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        backlog = d.outbox_backlog()
        if not backlog.get("pending") and not backlog.get("sending"):
            break
        time.sleep(0.25)
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=100)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.025],
                        help="Bot API answer delay(s) in seconds, one run each (default: 0 0.025)")
    parser.add_argument("--seconds", type=float, default=20, help="measured time per latency")
    parser.add_argument("--clients", type=int, default=32, help="concurrent customers (client threads)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the conf)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: the conf)")
    parser.add_argument("--worker-class", default="gthread", help="gthread (ours) or sync, to compare")
    parser.add_argument("--no-keepalive", action="store_true",
                        help="a new connection per update (default: keep-alive, as Telegram's pusher)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON lines too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # no migration chatter between the results
    check_services()
    with tempfile.TemporaryDirectory(prefix="wowdash-bench-") as tmp:
        d = Deployment(args, Path(tmp))
        try:
            d.start()
            threads = 1 if args.worker_class == "sync" else args.threads or "conf"
            print(f"gunicorn -k {args.worker_class} workers={args.workers or 'conf'} threads={threads}, "
                  f"{args.centers} centers, {args.clients} clients, {os.cpu_count()} CPUs")
            print(f"{'Bot API':>8} {'upd/s':>7} {'replies/s':>9} {'answer p50/p95 ms':>18} "
                  f"{'reply p50/p95 ms':>17} {'missing':>7} {'errors':>6} {'drain s':>7} "
                  f"{'bench CPU':>9} {'others':>6}")
            for latency in args.latency:
                r = measure(d, latency, args)
                print(f"{r['latency_ms']:>6.0f}ms {r['updates_per_s']:>7.0f} {r['replies_per_s']:>9.0f} "
                      f"{r['answer_p50_ms']:>9.1f}/{r['answer_p95_ms']:<8.1f} "
                      f"{r['reply_p50_ms']:>8.1f}/{r['reply_p95_ms']:<8.1f} {r['missing_replies']:>7} "
                      f"{r['errors']:>6} {r['drained_after_s']:>7.1f} {r['bench_cpu']:>8.0%} "
                      f"{r['other_cpu_cores']:>6.2f}", flush=True)
                print("         CPU ms per update: " + ", ".join(
                    f"{k} {v:.1f}" for k, v in r["cpu_ms_per_update"].items()), flush=True)
                if args.json:
                    print(json.dumps(r))
        finally:
            d.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
