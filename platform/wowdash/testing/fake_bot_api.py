"""Loopback fake of the Telegram Bot API: a real HTTP server with recording and fault injection."""
from __future__ import annotations

import contextlib
import copy
import email
import email.message
import http.client
import json
import mimetypes
import re
import secrets
import string
import threading
import time
import traceback
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["Call", "FakeBotAPI"]

TOKEN_RE = re.compile(r"^\d{1,15}:[A-Za-z0-9_-]{35}$")
# Sent as JSON strings in form/query encodings; recorded decoded.
JSON_FIELDS = {"reply_markup", "allowed_updates", "media", "entities", "caption_entities", "commands",
               "scope", "reply_parameters", "link_preview_options"}
# Recorded as int whatever the encoding, so form and JSON clients record the same params.
INT_FIELDS = {"chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "timeout"}
SENT_METHODS = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText")
MAX_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note",
                "upload_video_note"}
DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
WEBHOOK_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; "
                  "use deleteWebhook to delete the webhook first")
POLL_TERMINATED = ("Conflict: terminated by other getUpdates request; "
                   "make sure that only one bot instance is running")
DESCRIPTIONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
                404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway"}
PHOTO_WIDTHS = (90, 320, 800, 1280)


@dataclass
class Call:
    """One recorded Bot API request; the token stays out of repr so it never lands in logs or asserts."""
    token: str = field(repr=False)
    method: str
    params: dict
    time: float
    http_status: int  # 0 = connection dropped without a response
    files: dict = field(default_factory=dict, repr=False)  # multipart field -> uploaded bytes

    @property
    def bot_id(self) -> str:
        return self.token.split(":")[0]

    @property
    def ok(self) -> bool:
        return self.http_status == 200


class _ApiError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.payload = status, _error(status, description)


def _error(status, description, parameters=None) -> dict:
    out = {"ok": False, "error_code": status, "description": description}
    return {**out, "parameters": parameters} if parameters else out


@dataclass
class _Bot:
    token: str
    id: int
    username: str
    revoked: bool = False
    webhook: dict | None = None
    allowed_updates: list | None = None
    last_error: tuple | None = None  # (unix time, message) of the last failed webhook push
    updates: list = field(default_factory=list)  # not yet confirmed (getUpdates) or delivered (webhook)
    next_update_id: int = field(default_factory=lambda: 10 ** 8 + secrets.randbelow(8 * 10 ** 8))
    attempts: dict = field(default_factory=dict)  # update_id -> status of its last webhook attempt
    poll_gen: int = 0
    files: dict = field(default_factory=dict)  # file_id -> stored file (with "content")
    paths: dict = field(default_factory=dict)  # file_path -> stored file
    commands: dict = field(default_factory=dict)
    callbacks: set = field(default_factory=set)  # callback_query ids that may still be answered
    deliver_lock: threading.Lock = field(default_factory=threading.Lock)  # webhook pushes stay in order

    def user(self) -> dict:
        return {"id": self.id, "is_bot": True, "first_name": self.username, "username": self.username}

    def take_update_id(self) -> int:
        self.next_update_id += 1
        return self.next_update_id - 1


def _need(params, name, description=None):
    value = params.get(name)
    if value is None or value == "":
        raise _ApiError(400, "Bad Request: " + (description or f"{name} is empty"))
    return value


def _truthy(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _multipart(content_type, body):
    """Split multipart/form-data byte-exactly (email.parser may alter binary payloads)."""
    holder = email.message.Message()
    holder["content-type"] = content_type
    if not holder.get_boundary():
        raise ValueError("multipart boundary is missing")
    for chunk in body.split(b"--" + holder.get_boundary().encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        part = email.message_from_string(head.decode("utf-8", "replace") + "\r\n\r\n")
        mime = part.get_content_type() if part.get("content-type") else None
        yield part.get_param("name", header="content-disposition"), part.get_filename(), mime, content[:-2]


def _parse(query, content_type, body):
    """Merge the query string and a form, multipart or JSON body, as the Bot API accepts them all."""
    params, files = dict(parse_qsl(query, keep_blank_values=True)), {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        data = json.loads(body)
        params.update(data if isinstance(data, dict) else {})
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    elif kind == "multipart/form-data":
        for name, filename, mime, content in _multipart(content_type, body):
            if filename is None:
                params[name] = content.decode()
            else:
                files[name] = content
                params[name] = {"file_name": filename, "mime_type": mime, "file_size": len(content)}
    for key, value in params.items():
        if key in JSON_FIELDS and isinstance(value, str) and value.startswith(("[", "{")):
            try:
                params[key] = json.loads(value)
            except ValueError:
                if key == "reply_markup":
                    raise ValueError("can't parse reply keyboard markup JSON object") from None
        elif key in INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
    return params, files


def _post_json(url, payload, secret, timeout) -> tuple[int, str | None]:
    """POST one update like Telegram's webhook pusher; returns (HTTP status or 0, error message or None)."""
    parts = urlsplit(url)
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", target, json.dumps(payload).encode(), headers)
        resp = conn.getresponse()
        resp.read()
    except TimeoutError:
        return 0, "Read timeout expired"
    except ConnectionRefusedError:
        return 0, "Connection refused"
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"Connection error: {type(exc).__name__}"
    finally:
        conn.close()
    if 200 <= resp.status < 300:
        return resp.status, None
    return resp.status, f"Wrong response from the webhook: {resp.status} {resp.reason}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 stalls bursts of concurrent clients for ~1 s

    def handle_error(self, request, client_address):
        """Print nothing (requests carry tokens); keep the traceback for tests to inspect."""
        self.fake.errors.append(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    server_version, sys_version = "nginx", ""

    def do_GET(self):
        self.server.fake._serve(self)

    do_POST = do_GET

    def log_message(self, format, *args):  # the request line contains the token
        pass


class FakeBotAPI:
    """Thread-safe stand-in for api.telegram.org, speaking the Bot API's HTTP and JSON."""

    webhook_timeout = 10.0

    def __init__(self):
        self._cond = threading.Condition(threading.RLock())
        self._bots: dict[str, _Bot] = {}
        self._calls: list[Call] = []
        self._faults: list[dict] = []
        self._latency: dict[str | None, float] = {}
        self._chats: dict[tuple, dict] = {}  # (bot id, chat id) -> {"next": id, "msgs": {id: message}}
        self._users: dict[int, dict] = {}
        self._server: _Server | None = None
        self._stopping = False
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself (answered with 500)
        self._methods = {n[3:].lower(): n[3:] for n in dir(self) if n.startswith("_m_")}

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeBotAPI:
        if self._server is None:
            self._stopping = False
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                             name="FakeBotAPI", daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()  # release long-polls
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextlib.contextmanager
    def patch_telebot(self):
        """Point pyTelegramBotAPI's process-wide API_URL/FILE_URL here for the block, then restore them."""
        from telebot import apihelper
        saved = apihelper.API_URL, apihelper.FILE_URL
        apihelper.API_URL = self.base_url + "/bot{0}/{1}"
        apihelper.FILE_URL = self.base_url + "/file/bot{0}/{1}"
        try:
            yield self
        finally:
            apihelper.API_URL, apihelper.FILE_URL = saved

    # -- bots, files, faults ------------------------------------------------------------------
    def add_bot(self, token: str | None = None, username: str | None = None) -> str:
        if token is None:
            secret = "".join(secrets.choice(string.ascii_letters + string.digits + "_-") for _ in range(35))
            token = f"{6 * 10 ** 9 + secrets.randbelow(10 ** 9)}:{secret}"
        elif not TOKEN_RE.match(token):
            raise ValueError("a token looks like '<digits>:<35 url-safe chars>'")
        bot_id = int(token.split(":")[0])
        with self._cond:
            self._bots.setdefault(token, _Bot(token, bot_id, username or f"fake{bot_id}_bot"))
        return token

    def revoke(self, token: str) -> None:
        with self._cond:
            self._bot(token).revoked = True

    def add_file(self, token: str, content: bytes, file_name: str | None = None,
                 mime_type: str | None = None, *, file_size: int | None = None) -> dict:
        """Store a file as if a user had sent it; file_size may exceed len(content) to fake huge files."""
        with self._cond:
            f = self._store_file(self._bot(token), content, file_name, mime_type, "document", file_size)
        return {k: f[k] for k in ("file_id", "file_unique_id", "file_size", "file_name", "mime_type")}

    def fail_next(self, token: str | None, method: str | None = None, *, status: int = 429,
                  retry_after: int | None = None, description: str | None = None, times: int = 1) -> None:
        """Answer the next `times` matching calls with an error (token/method None = any)."""
        parameters = None
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        payload = _error(status, description or DESCRIPTIONS.get(status, "Error"), parameters)
        self._add_fault(token, method, times, status, payload)

    def drop_next(self, token: str | None, method: str | None = None, times: int = 1) -> None:
        """Close the TCP connection of the next `times` matching calls without answering."""
        self._add_fault(token, method, times, 0, None)

    def set_latency(self, seconds: float, token: str | None = None) -> None:
        with self._cond:
            self._latency[token] = seconds

    def _add_fault(self, token, method, times, status, payload):
        method = method and self._methods.get(method.lower(), method)
        with self._cond:
            self._faults.append({"token": token, "method": method, "times": times, "status": status,
                                 "payload": payload})

    def _take_fault(self, token, method):
        for fault in self._faults:
            if fault["token"] in (None, token) and fault["method"] in (None, method):
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _bot(self, token) -> _Bot:
        if token not in self._bots:
            raise ValueError("unknown bot token (call add_bot first)")
        return self._bots[token]

    def _store_file(self, bot, content, file_name, mime_type, kind, file_size=None) -> dict:
        mime = (mime_type or (file_name and mimetypes.guess_type(file_name)[0])
                or ("image/jpeg" if kind == "photo" else "application/octet-stream"))
        suffix = re.search(r"\.\w{1,8}$", file_name or "")
        ext = suffix[0] if suffix else mimetypes.guess_extension(mime) or ""
        folder = {"photo": "photos", "video": "videos", "audio": "music"}.get(kind, "documents")
        prefix = {"photo": "AgACAgIAAxkBAA", "video": "BAACAgIAAxkBAA"}.get(kind, "BQACAgIAAxkBAA")
        f = {"file_id": prefix + secrets.token_urlsafe(33),
             "file_unique_id": "AgAD" + secrets.token_urlsafe(9),
             "file_size": len(content) if file_size is None else file_size, "file_name": file_name,
             "mime_type": mime, "file_path": f"{folder}/file_{len(bot.files)}{ext}",
             "content": bytes(content)}
        bot.files[f["file_id"]] = bot.paths[f["file_path"]] = f
        return f

    # -- HTTP plumbing ------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        match = re.match(r"^/(file/)?bot([^/]*)/(.+)$", url.path)
        if not match:
            return self._reply(h, 404, _error(404, "Not Found"))
        is_file, token, name = bool(match[1]), unquote(match[2]), unquote(match[3])
        try:
            params, files = ({"file_path": name}, {}) if is_file else \
                _parse(url.query, h.headers.get("Content-Type", ""), body)
        except ValueError as exc:
            return self._reply(h, 400, _error(400, f"Bad Request: {exc}"))
        method = "downloadFile" if is_file else self._methods.get(name.lower(), name)
        delay = self._latency.get(token, self._latency.get(None, 0))
        if delay:
            time.sleep(delay)
        with self._cond:
            bot = self._bots.get(token)
            fault = self._take_fault(token, method) if bot and not bot.revoked else None
        if bot is None or bot.revoked:
            status, payload = 401, _error(401, "Unauthorized")
        elif fault:
            status, payload = fault["status"], fault["payload"]
        else:
            status, payload = self._execute(bot, method, params, files)
        with self._cond:
            self._calls.append(Call(token, method, params, time.time(), status, files))
            self._cond.notify_all()
        if status == 0:  # dropped: the socket closes without a byte of response
            h.close_connection = True
            return
        self._reply(h, status, payload)

    @staticmethod
    def _reply(h, status, payload) -> None:
        raw = isinstance(payload, bytes)
        body = payload if raw else json.dumps(payload).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/octet-stream" if raw else "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Connection", "close")  # no keep-alive: a stopped fake leaves no live sockets
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its read timeout fired during a long-poll)

    def _execute(self, bot, method, params, files):
        if method == "downloadFile":
            with self._cond:
                f = bot.paths.get(params["file_path"])
            return (200, f["content"]) if f else (404, _error(404, "Not Found"))
        if method not in self._methods.values():
            return 404, _error(404, "Not Found")
        try:
            with self._cond:  # copied under the lock: stored messages change with later edits
                result = copy.deepcopy(getattr(self, f"_m_{method}")(bot, params, files))
        except _ApiError as exc:
            return exc.status, exc.payload
        except Exception:
            self.errors.append(traceback.format_exc())
            return 500, _error(500, "Internal Server Error")
        result, description = result if isinstance(result, tuple) else (result, None)
        return 200, {"ok": True, "result": result, **({"description": description} if description else {})}

    # -- recording ----------------------------------------------------------------------------
    def calls(self, token: str | None = None, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if token in (None, c.token) and method in (None, c.method)]

    def sent_messages(self, token: str | None = None, chat_id: int | str | None = None) -> list[dict]:
        """Params of delivered (HTTP 200) sendMessage/sendPhoto/sendDocument/editMessageText calls."""
        return [c.params for c in self.calls(token) if c.method in SENT_METHODS and c.ok
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def reset_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    def wait_for(self, predicate_or_count, timeout: float = 5.0, what: str | None = None) -> object:
        """Block until predicate(calls) is truthy (and return it) or `count` calls exist (return them)."""
        if callable(predicate_or_count):
            return self._wait(lambda calls: predicate_or_count(calls) or None, timeout, what)
        count = predicate_or_count
        return self._wait(lambda calls: calls if len(calls) >= count else None, timeout, f"{count} calls")

    def _wait(self, pred, timeout, what) -> object:
        """Wait on the condition until pred(calls) is not None; AssertionError with a call dump on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (result := pred(list(self._calls))) is None:
                if (left := deadline - time.monotonic()) <= 0:
                    raise AssertionError(f"FakeBotAPI: no {what or pred} within {timeout}s\n{self._dump()}")
                self._cond.wait(left)
            return result

    def wait_for_calls(self, method: str, count: int = 1, token: str | None = None,
                       timeout: float = 5.0) -> list[Call]:
        """Block until `count` successful calls of `method` are recorded; returns all of them."""
        def pred(calls):
            hits = [c for c in calls if c.method == method and c.ok and token in (None, c.token)]
            return hits if len(hits) >= count else None
        return self._wait(pred, timeout, f"{count} successful {method} call(s)")

    def wait_for_sent(self, count: int = 1, token: str | None = None, chat_id=None,
                      timeout: float = 5.0) -> list[dict]:
        def pred(calls):
            sent = self.sent_messages(token, chat_id)
            return sent if len(sent) >= count else None
        return self._wait(pred, timeout, f"{count} message(s) sent to chat {chat_id}")

    def _dump(self, last=40) -> str:
        def short(params):
            text = repr({k: "***" if k == "secret_token" else v for k, v in params.items()})
            return text if len(text) < 240 else text[:240] + "..."
        lines = [f"  {c.method} bot={c.bot_id} status={c.http_status} params={short(c.params)}"
                 for c in self._calls[-last:]]
        return f"recorded calls (last {last} of {len(self._calls)}):\n" + ("\n".join(lines) or "  (none)")

    # -- inbound updates ----------------------------------------------------------------------
    def push_update(self, token: str, update: dict) -> int | None:
        """Hand an update to the bot as Telegram would: POST it to the webhook, or queue it for getUpdates.

        Returns the webhook's HTTP status (0 = unreachable), or None when queued for getUpdates or
        filtered out by allowed_updates. Sets update["update_id"] in place when missing.
        """
        with self._cond:
            bot = self._bot(token)
            if "update_id" not in update:
                update["update_id"] = bot.take_update_id()
            bot.next_update_id = max(bot.next_update_id, update["update_id"] + 1)
            if "callback_query" in update:
                bot.callbacks.add(update["callback_query"]["id"])
            kind = next((k for k in update if k != "update_id"), None)
            allowed = bot.allowed_updates
            if (kind not in allowed) if allowed else (kind in DEFAULT_EXCLUDED_UPDATES):
                return None
            if not bot.webhook:
                bot.updates.append(update)
                self._cond.notify_all()
                return None
            hook = dict(bot.webhook)
        # Like Telegram (up to max_connections at once), pushes run concurrently: no per-bot lock here.
        status, error = _post_json(hook["url"], update, hook["secret_token"], self.webhook_timeout)
        with self._cond:
            bot.attempts[update["update_id"]] = status
            if error:
                bot.last_error = (int(time.time()), error)
                bot.updates.append(update)  # pending: redeliver_pending() retries it
        return status

    def redeliver_pending(self, token: str) -> int:
        """Retry pending webhook deliveries in order, as Telegram keeps doing; returns how many still pend."""
        with self._cond:
            bot = self._bot(token)
        self._flush(bot)
        with self._cond:
            return len(bot.updates)

    def _flush(self, bot) -> list[int]:
        """Push queued updates to the webhook in order, stopping at the first failure (no lock held)."""
        statuses = []
        with bot.deliver_lock:
            while True:
                with self._cond:
                    if not bot.webhook or not bot.updates:
                        return statuses
                    hook, update = dict(bot.webhook), bot.updates[0]
                status, error = _post_json(hook["url"], update, hook["secret_token"], self.webhook_timeout)
                with self._cond:
                    bot.attempts[update["update_id"]] = status
                    statuses.append(status)
                    if error:
                        bot.last_error = (int(time.time()), error)
                        return statuses
                    if bot.updates and bot.updates[0] is update:
                        bot.updates.pop(0)

    def message_update(self, token: str, user_id: int, text: str | None = None, *, first_name: str = "Test",
                       language_code: str = "en", contact=None, document: dict | None = None, photo=None,
                       caption: str | None = None, chat_id: int | None = None) -> dict:
        """Build (not push) an update with a user's message; the message joins the chat's history."""
        with self._cond:
            bot = self._bot(token)
            user = self._users[user_id] = {"id": user_id, "is_bot": False, "first_name": first_name,
                                           "language_code": language_code}
            chat = self._chat(user_id if chat_id is None else chat_id)
            content = {}
            if text is not None:
                content["text"] = text
                command = text.split()[0] if text.strip() else ""
                if len(command) > 1 and command.startswith("/"):
                    length = len(command.encode("utf-16-le")) // 2
                    content["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
            if contact is not None:
                given = {"phone_number": contact} if isinstance(contact, str) else dict(contact)
                content["contact"] = {"first_name": first_name, "user_id": user_id, **given}
            if document is not None:
                content["document"] = self._file_view(document, "document")
            if photo is not None:
                sizes = photo if isinstance(photo, list) else [photo]
                content["photo"] = [self._photo_size(p, i) for i, p in enumerate(sizes)]
            if caption is not None:
                content["caption"] = caption
            message = self._new_message(bot, chat, user, **content)
            return {"update_id": bot.take_update_id(), "message": copy.deepcopy(message)}

    def callback_update(self, token: str, user_id: int, data: str, message_id: int = 1, *,
                        first_name: str | None = None, language_code: str | None = None) -> dict:
        """Build (not push) a callback_query update for a button under message_id in the user's chat."""
        with self._cond:
            bot = self._bot(token)
            user = dict(self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Test",
                                                     "language_code": "en"})
            if first_name is not None:
                user["first_name"] = first_name
            if language_code is not None:
                user["language_code"] = language_code
            message = self._chats.get((bot.id, user_id), {}).get("msgs", {}).get(message_id) or {
                "message_id": message_id, "from": bot.user(), "chat": self._chat(user_id),
                "date": int(time.time()), "text": "..."}
            query_id = str(10 ** 18 + secrets.randbelow(8 * 10 ** 18))
            bot.callbacks.add(query_id)
            query = {"id": query_id, "from": user, "message": copy.deepcopy(message), "data": data,
                     "chat_instance": str(zlib.crc32(f"{bot.id}:{user_id}".encode()) * 7919)}
            return {"update_id": bot.take_update_id(), "callback_query": query}

    # -- Telegram objects ---------------------------------------------------------------------
    def _chat(self, chat_id) -> dict:
        if isinstance(chat_id, str) and re.fullmatch(r"@\w{4,}", chat_id):
            return {"id": -10 ** 12 - zlib.crc32(chat_id.encode()), "title": chat_id[1:],
                    "username": chat_id[1:], "type": "channel"}
        if not isinstance(chat_id, int) or chat_id == 0:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            first_name = self._users.get(chat_id, {}).get("first_name", "Test")
            return {"id": chat_id, "first_name": first_name, "type": "private"}
        kind = "supergroup" if chat_id < -10 ** 12 else "group"
        return {"id": chat_id, "title": "Test group", "type": kind}

    def _new_message(self, bot, chat, sender, **content) -> dict:
        box = self._chats.setdefault((bot.id, chat["id"]), {"next": 1, "msgs": {}})
        msg = {"message_id": box["next"], "from": sender, "chat": chat, "date": int(time.time()), **content}
        box["next"] += 1
        box["msgs"][msg["message_id"]] = msg
        return msg

    def _find(self, bot, params, action) -> dict:
        chat = self._chat(_need(params, "from_chat_id" if action == "copy" else "chat_id"))
        if not isinstance(params.get("message_id"), int):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        msg = self._chats.get((bot.id, chat["id"]), {}).get("msgs", {}).get(params["message_id"])
        if msg is None:
            raise _ApiError(400, f"Bad Request: message to {action} not found")
        if action == "edit" and msg["from"].get("id") != bot.id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return msg

    @staticmethod
    def _markup(params) -> dict:
        """Validate reply_markup like Telegram; only inline keyboards show up in the sent Message."""
        markup = params.get("reply_markup")
        if markup is None:
            return {}
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            if any(len(str(b.get("callback_data", "")).encode()) > 64 for b in row):
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return {"reply_markup": markup} if markup.get("inline_keyboard") else {}

    @staticmethod
    def _caption(params) -> dict:
        caption = params.get("caption")
        if caption and len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption} if caption else {}

    @staticmethod
    def _file_view(f, kind):
        if kind == "photo":
            return [FakeBotAPI._photo_size(f, len(PHOTO_WIDTHS) - 1)]
        keys = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
        return {k: f[k] for k in keys if f.get(k) is not None}

    @staticmethod
    def _photo_size(f, index) -> dict:
        width = f.get("width", PHOTO_WIDTHS[min(index, len(PHOTO_WIDTHS) - 1)])
        return {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"], "file_size": f["file_size"],
                "width": width, "height": f.get("height", width * 3 // 4)}

    def _resolve_file(self, bot, value, upload, kind) -> dict:
        """A file param is an uploaded file, a file_id this bot knows, or an HTTP URL Telegram fetches."""
        if upload is not None:
            return self._store_file(bot, upload[1], upload[0]["file_name"], upload[0]["mime_type"], kind)
        if isinstance(value, str) and value in bot.files:
            return bot.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self._store_file(bot, b"", value.rsplit("/", 1)[-1], None, kind)
        raise _ApiError(400, WRONG_FILE)

    # -- Bot API methods: run under the lock, return a result or (result, description) ---------
    def _m_getMe(self, bot, p, files):
        return {**bot.user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _m_sendMessage(self, bot, p, files):
        chat = self._chat(_need(p, "chat_id"))
        text = _need(p, "text", "message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        entities = {"entities": p["entities"]} if p.get("entities") else {}
        return self._new_message(bot, chat, bot.user(), text=text, **entities, **self._markup(p))

    def _send_file(self, bot, p, files, kind):
        chat = self._chat(_need(p, "chat_id"))
        _need(p, kind, f"there is no {kind} in the request")
        caption, markup = self._caption(p), self._markup(p)
        f = self._resolve_file(bot, p[kind], (p[kind], files[kind]) if kind in files else None, kind)
        media = {kind: self._file_view(f, kind)}
        return self._new_message(bot, chat, bot.user(), **media, **caption, **markup)

    def _m_sendPhoto(self, bot, p, files):
        return self._send_file(bot, p, files, "photo")

    def _m_sendDocument(self, bot, p, files):
        return self._send_file(bot, p, files, "document")

    def _m_sendMediaGroup(self, bot, p, files):
        chat = self._chat(_need(p, "chat_id"))
        if not isinstance(p.get("media"), list) or not p["media"]:
            raise _ApiError(400, "Bad Request: media is empty")
        resolved = []  # resolve every item first, so a bad one sends nothing
        for item in p["media"]:
            kind, value = item.get("type", "photo"), str(item.get("media", ""))
            name = value.removeprefix("attach://") if value.startswith("attach://") else None
            if name is not None and name not in files:
                raise _ApiError(400, WRONG_FILE)
            f = self._resolve_file(bot, value, (p[name], files[name]) if name else None, kind)
            resolved.append((kind, f, self._caption(item)))
        group = str(secrets.randbelow(10 ** 18))
        return [self._new_message(bot, chat, bot.user(), media_group_id=group,
                                  **{kind: self._file_view(f, kind)}, **caption)
                for kind, f, caption in resolved]

    def _m_editMessageText(self, bot, p, files):
        text = _need(p, "text", "message text is empty")
        if p.get("inline_message_id"):
            return True
        msg, markup = self._find(bot, p, "edit"), self._markup(p)
        if "text" not in msg:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        if msg["text"] == text and msg.get("reply_markup") == markup.get("reply_markup"):
            raise _ApiError(400, NOT_MODIFIED)
        for key in ("reply_markup", "entities"):  # an edit without them removes them, as on Telegram
            msg.pop(key, None)
        entities = {"entities": p["entities"]} if p.get("entities") else {}
        msg.update(text=text, edit_date=int(time.time()), **markup, **entities)
        return msg

    def _m_editMessageReplyMarkup(self, bot, p, files):
        if p.get("inline_message_id"):
            return True
        msg, markup = self._find(bot, p, "edit"), self._markup(p)
        if msg.get("reply_markup") == markup.get("reply_markup"):
            raise _ApiError(400, NOT_MODIFIED)
        msg.pop("reply_markup", None)
        msg.update(edit_date=int(time.time()), **markup)
        return msg

    def _m_deleteMessage(self, bot, p, files):
        msg = self._find(bot, p, "delete")
        del self._chats[(bot.id, msg["chat"]["id"])]["msgs"][msg["message_id"]]
        return True

    def _m_copyMessage(self, bot, p, files):
        chat, source = self._chat(_need(p, "chat_id")), self._find(bot, p, "copy")
        skip = {"message_id", "from", "chat", "date", "edit_date", "reply_markup", "media_group_id"}
        content = {k: v for k, v in source.items() if k not in skip}
        if "caption" in p:
            content.pop("caption", None)
            content.update(self._caption(p))
        copied = self._new_message(bot, chat, bot.user(), **content, **self._markup(p))
        return {"message_id": copied["message_id"]}

    def _m_answerCallbackQuery(self, bot, p, files):
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in bot.callbacks:
            raise _ApiError(400, BAD_QUERY)
        bot.callbacks.discard(query_id)  # a query is answered once
        return True

    def _m_sendChatAction(self, bot, p, files):
        self._chat(_need(p, "chat_id"))
        if p.get("action") not in CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_setMyCommands(self, bot, p, files):
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for cmd in commands:
            if not isinstance(cmd, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        bot.commands[(json.dumps(p.get("scope"), sort_keys=True), p.get("language_code") or "")] = commands
        return True

    def _m_getFile(self, bot, p, files):
        f = bot.files.get(p.get("file_id"))  # file_ids are per bot, as on Telegram
        if f is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if f["file_size"] > MAX_DOWNLOAD:
            raise _ApiError(400, "Bad Request: file is too big")
        return {k: f[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def _m_setWebhook(self, bot, p, files):
        url, secret = str(p.get("url") or ""), p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):  # plain http is allowed for loopback
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if _truthy(p.get("drop_pending_updates")):
            bot.updates.clear()
        if not url:
            return self._m_deleteWebhook(bot, {}, files)
        same = bool(bot.webhook) and bot.webhook["url"] == url
        bot.webhook = {"url": url, "secret_token": secret,
                       "max_connections": int(p.get("max_connections") or 40)}
        if "allowed_updates" in p:
            bot.allowed_updates = p["allowed_updates"] or None
        bot.last_error = None
        self._cond.notify_all()  # a long-poll in flight now gets 409
        return True, "Webhook is already set" if same else "Webhook was set"

    def _m_deleteWebhook(self, bot, p, files):
        if _truthy(p.get("drop_pending_updates")):
            bot.updates.clear()
        was_set, bot.webhook, bot.last_error = bot.webhook, None, None
        return True, "Webhook was deleted" if was_set else "Webhook is already deleted"

    def _m_getWebhookInfo(self, bot, p, files):
        info = {"url": bot.webhook["url"] if bot.webhook else "", "has_custom_certificate": False,
                "pending_update_count": len(bot.updates)}
        if bot.webhook:
            info.update(max_connections=bot.webhook["max_connections"], ip_address="127.0.0.1")
            if bot.allowed_updates:
                info["allowed_updates"] = bot.allowed_updates
            if bot.last_error:
                info["last_error_date"], info["last_error_message"] = bot.last_error
        return info

    def _m_getUpdates(self, bot, p, files):
        if bot.webhook:
            raise _ApiError(409, WEBHOOK_ACTIVE)
        offset, timeout = int(p.get("offset") or 0), float(p.get("timeout") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        if "allowed_updates" in p:
            bot.allowed_updates = p["allowed_updates"] or None
        if offset > 0:  # everything below offset is confirmed and forgotten
            bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]
        elif offset < 0:
            del bot.updates[:offset]
        bot.poll_gen += 1
        generation = bot.poll_gen
        self._cond.notify_all()  # an older long-poll of this bot is terminated, as on Telegram
        deadline = time.monotonic() + timeout
        while not bot.updates and not self._stopping and time.monotonic() < deadline:
            self._cond.wait(deadline - time.monotonic())
            if bot.poll_gen != generation:
                raise _ApiError(409, POLL_TERMINATED)
            if bot.webhook:
                raise _ApiError(409, WEBHOOK_ACTIVE)
        return bot.updates[:limit]
