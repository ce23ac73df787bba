"""gunicorn settings for WowDash: `gunicorn -c deploy/gunicorn.conf.py` serves `wsgi:app`.

Command-line flags override these (`-w 4 --threads 4 -b 127.0.0.1:8001`); the environment names below
let systemd/supervisor set them through the same EnvironmentFile as the app.
"""
import multiprocessing
import os
from pathlib import Path

# The repository root, so `wsgi:app` imports whatever the service's working directory is.
chdir = str(Path(__file__).resolve().parents[1])
wsgi_app = "wsgi:app"

# nginx proxies to this address; never bind a public interface (TLS and body limits live in nginx).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# gthread: each worker runs a pool of threads. A webhook is answered as soon as its transaction
# commits and the messages it queued are sent after the response (`response.call_on_close`), on the
# same thread. With sync workers that send ties the whole worker to Telegram's round trip, so a
# 25 ms Bot API caps a worker at ~30 updates/s (DESIGN.md: 493 -> 48 updates/s); threads overlap
# those waits. Workers scale CPU (Python holds the GIL per process); threads scale waiting.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY")
              or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# Every thread may hold one database connection: keep workers * threads under PostgreSQL's
# max_connections (or put PgBouncer in front); SQLAlchemy's default pool is 5 + 10 overflow.

# Each worker builds its own app, database pool, Redis pool and pyTelegramBotAPI clients after the
# fork: sockets opened before a fork would be shared by every worker.
preload_app = False

# Telegram waits up to 60 s for a webhook answer and then redelivers; a request (or the delivery
# after it) stuck longer than this is a bug, and the master replaces the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# On SIGTERM/SIGHUP workers finish what they hold (an update in flight, its delivery) before exiting;
# systemd's TimeoutStopSec must be longer than this.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# nginx keeps upstream connections open (upstream keepalive); a little longer than its idle time.
keepalive = 5

# Recycle workers now and then so a slow leak (a plugin's cache) cannot grow forever; the jitter keeps
# all workers from restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 500))

# The heartbeat file on tmpfs: a worker blocked on a disk-backed /tmp is not mistaken for a hung one.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to stdout/stderr: journald (systemd) or supervisor's files (rotated by deploy/logrotate).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path WITHOUT the query string: admin searches carry customers' names and phone numbers
# there. Webhook paths hold only the center's slug (never a token). %(M)s is the duration in ms.
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'

# gunicorn >= 25 opens a control socket (`gunicornc`) at one path per user by default, so two
# instances (web + a benchmark, two sites) would fight over it: only where the unit asks for it.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Trust X-Forwarded-* only from the local nginx.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "wowdash"
