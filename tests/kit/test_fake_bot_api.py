"""FakeBotAPI driven by the real pyTelegramBotAPI client over loopback HTTP."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import telebot
from telebot import apihelper, types
from telebot.apihelper import ApiTelegramException

from wowdash.testing.fake_bot_api import Call, FakeBotAPI


@pytest.fixture
def fake():
    with FakeBotAPI() as api, api.patch_telebot():
        yield api
    assert not api.errors, api.errors[0]


@pytest.fixture
def token(fake):
    return fake.add_bot(username="wow_test_bot")


@pytest.fixture
def bot(token):
    return telebot.TeleBot(token, threaded=False)


class _Hook:
    """A tiny webhook receiver: records what Telegram would POST and answers with a settable status."""

    def __init__(self):
        self.received, self.status = [], 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tg/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_patch_telebot_points_urls_at_fake_and_restores():
    saved = apihelper.API_URL, apihelper.FILE_URL
    with FakeBotAPI() as api:
        with api.patch_telebot():
            assert apihelper.API_URL == api.base_url + "/bot{0}/{1}"
            assert apihelper.FILE_URL == api.base_url + "/file/bot{0}/{1}"
        assert (apihelper.API_URL, apihelper.FILE_URL) == saved


def test_get_me(fake, token, bot):
    bot_id, secret = token.split(":")
    assert bot_id.isdigit() and len(secret) == 35
    me = bot.get_me()
    assert (me.id, me.is_bot, me.username) == (int(bot_id), True, "wow_test_bot")
    [call] = fake.calls(token, "getMe")
    assert isinstance(call, Call) and call.http_status == 200 and token not in repr(call)


def test_send_message_records_decoded_markup_and_numbers_messages_per_chat(fake, token, bot):
    markup = types.InlineKeyboardMarkup()
    markup.add(types.InlineKeyboardButton("Order", callback_data="order:1"))
    first = bot.send_message(42, "hello", reply_markup=markup)
    second = bot.send_message(42, "again")
    other = bot.send_message(7, "elsewhere")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private" and first.date > 0
    assert first.from_user.id == int(token.split(":")[0])
    assert first.reply_markup.keyboard[0][0].callback_data == "order:1"
    sent = fake.sent_messages(token, chat_id=42)
    assert [m["text"] for m in sent] == ["hello", "again"]
    assert sent[0]["chat_id"] == 42
    assert sent[0]["reply_markup"] == {"inline_keyboard": [[{"text": "Order", "callback_data": "order:1"}]]}


def test_missing_param_unknown_method_and_bad_button(fake, token, bot):
    r = requests.post(f"{fake.base_url}/bot{token}/sendMessage", data={"chat_id": 1})
    assert r.status_code == 400 and r.json()["description"] == "Bad Request: message text is empty"
    r = requests.post(f"{fake.base_url}/bot{token}/sendMessage", json={"text": "x"})
    assert r.json() == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    r = requests.get(f"{fake.base_url}/bot{token}/noSuchMethod")
    assert r.status_code == 404 and r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    markup = types.InlineKeyboardMarkup()
    markup.add(types.InlineKeyboardButton("x", callback_data="d" * 65))
    with pytest.raises(ApiTelegramException) as exc:
        bot.send_message(1, "too long data", reply_markup=markup)
    assert exc.value.description == "Bad Request: BUTTON_DATA_INVALID"
    assert fake.sent_messages(token) == []


def test_unknown_and_revoked_tokens_get_401(fake, token, bot):
    stranger = telebot.TeleBot("123456:" + "A" * 35, threaded=False)
    with pytest.raises(ApiTelegramException) as exc:
        stranger.get_me()
    assert exc.value.error_code == 401 and exc.value.result.status_code == 401
    assert exc.value.result_json == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    bot.get_me()
    fake.revoke(token)
    with pytest.raises(ApiTelegramException) as exc:
        bot.send_message(1, "hi")
    assert exc.value.error_code == 401
    assert fake.sent_messages(token) == []


def test_429_carries_retry_after_and_is_not_delivered(fake, token, bot):
    fake.fail_next(token, "sendMessage", retry_after=7)
    bot.get_me()  # other methods are unaffected
    with pytest.raises(ApiTelegramException) as exc:
        bot.send_message(5, "first try")
    assert exc.value.error_code == 429
    assert exc.value.result_json["parameters"]["retry_after"] == 7
    assert exc.value.description == "Too Many Requests: retry after 7"
    bot.send_message(5, "second try")
    assert [c.http_status for c in fake.calls(token, "sendMessage")] == [429, 200]
    assert [m["text"] for m in fake.sent_messages(token)] == ["second try"]


def test_fail_next_other_status_and_times(fake, token, bot):
    fake.fail_next(token, status=403, times=2)
    for _ in range(2):
        with pytest.raises(ApiTelegramException) as exc:
            bot.send_message(5, "x")
        assert exc.value.error_code == 403 and exc.value.description.startswith("Forbidden")
    assert bot.send_message(5, "x").message_id == 1


def test_drop_next_is_a_connection_error(fake, token, bot):
    fake.drop_next(token, "sendMessage")
    with pytest.raises(requests.exceptions.ConnectionError):
        bot.send_message(9, "lost")
    assert bot.send_message(9, "kept").message_id == 1
    assert [c.http_status for c in fake.calls(token, "sendMessage")] == [0, 200]
    assert [m["text"] for m in fake.sent_messages(token)] == ["kept"]


def test_latency_delays_answers(fake, token, bot):
    fake.set_latency(0.3, token)
    started = time.monotonic()
    bot.get_me()
    assert time.monotonic() - started >= 0.3


def test_get_updates_long_poll_returns_pushed_update_and_honours_offset(fake, token, bot):
    update = fake.message_update(token, 1001, "/start ref42", first_name="Ann")
    threading.Timer(0.3, fake.push_update, (token, update)).start()
    started = time.monotonic()
    [got] = bot.get_updates(timeout=10, long_polling_timeout=5)
    assert 0.2 < time.monotonic() - started < 3
    assert got.update_id == update["update_id"]
    assert got.message.text == "/start ref42" and got.message.chat.id == 1001
    assert got.message.from_user.first_name == "Ann"
    assert got.message.entities[0].type == "bot_command" and got.message.entities[0].length == 6
    assert fake.push_update(token, fake.message_update(token, 1001, "next")) is None
    # Not confirmed yet: both still there; offset confirms the first.
    assert len(bot.get_updates(timeout=10, long_polling_timeout=1)) == 2
    [second] = bot.get_updates(offset=got.update_id + 1, timeout=10, long_polling_timeout=1)
    assert second.update_id == got.update_id + 1 and second.message.message_id == got.message.message_id + 1


def test_get_updates_conflicts_with_webhook(fake, token, bot):
    bot.set_webhook("http://127.0.0.1:9/never")
    with pytest.raises(ApiTelegramException) as exc:
        bot.get_updates(timeout=10, long_polling_timeout=1)
    assert exc.value.error_code == 409 and "webhook is active" in exc.value.description


def test_webhook_push_secret_failure_and_redelivery(fake, token, bot):
    hook = _Hook()
    try:
        assert bot.set_webhook(hook.url, secret_token="s3cr3t", allowed_updates=["message", "callback_query"])
        status = fake.push_update(token, fake.message_update(token, 77, "hi"))
        assert status == 200
        [(path, headers, body)] = hook.received
        assert path == "/tg/hook" and headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cr3t"
        assert headers["Content-Type"] == "application/json"
        assert body["message"]["text"] == "hi" and isinstance(body["update_id"], int)
        assert telebot.types.Update.de_json(body).message.chat.id == 77

        hook.status = 500
        assert fake.push_update(token, fake.callback_update(token, 77, "btn")) == 500
        info = bot.get_webhook_info()
        assert info.url == hook.url and info.pending_update_count == 1
        assert info.allowed_updates == ["message", "callback_query"]
        assert "500" in info.last_error_message and info.last_error_date > 0

        hook.status = 200
        assert fake.redeliver_pending(token) == 0
        assert [b["callback_query"]["data"] for _, _, b in hook.received[1:]] == ["btn", "btn"]
        assert bot.get_webhook_info().pending_update_count == 0
    finally:
        hook.close()
    # The receiver is gone now: connection refused keeps the update pending.
    assert fake.push_update(token, fake.message_update(token, 77, "down")) == 0
    assert bot.get_webhook_info().last_error_message == "Connection refused"
    assert bot.delete_webhook() and bot.get_webhook_info().url == ""
    [pending] = bot.get_updates(timeout=10, long_polling_timeout=1)
    assert pending.message.text == "down"


def test_callback_query_can_be_answered_once(fake, token, bot):
    markup = types.InlineKeyboardMarkup()
    markup.add(types.InlineKeyboardButton("Yes", callback_data="yes"))
    sent = bot.send_message(55, "Sure?", reply_markup=markup)
    update = types.Update.de_json(fake.callback_update(token, 55, "yes", message_id=sent.message_id))
    query = update.callback_query
    assert query.data == "yes" and query.message.text == "Sure?" and query.from_user.id == 55
    assert bot.answer_callback_query(query.id, "ok")
    with pytest.raises(ApiTelegramException) as exc:
        bot.answer_callback_query(query.id)
    assert "query is too old" in exc.value.description


def test_edit_delete_and_not_modified(fake, token, bot):
    sent = bot.send_message(3, "v1")
    edited = bot.edit_message_text("v2", 3, sent.message_id)
    assert edited.text == "v2" and edited.edit_date
    with pytest.raises(ApiTelegramException) as exc:
        bot.edit_message_text("v2", 3, sent.message_id)
    assert exc.value.description.startswith("Bad Request: message is not modified")
    assert bot.delete_message(3, sent.message_id)
    with pytest.raises(ApiTelegramException) as exc:
        bot.edit_message_text("v3", 3, sent.message_id)
    assert exc.value.description == "Bad Request: message to edit not found"
    assert [m["text"] for m in fake.sent_messages(token, 3)] == ["v1", "v2"]


def test_get_file_and_download_roundtrip(fake, token, bot):
    content = bytes(range(256)) * 50 + b"\r\n--boundary-ish\r\n"
    doc = fake.add_file(token, content, "scan.pdf")
    assert doc["file_size"] == len(content) and doc["mime_type"] == "application/pdf"
    info = bot.get_file(doc["file_id"])
    assert info.file_size == len(content) and info.file_path.endswith(".pdf")
    assert bot.download_file(info.file_path) == content
    msg = types.Update.de_json(fake.message_update(token, 8, document=doc, caption="my scan")).message
    assert msg.document.file_id == doc["file_id"] and msg.document.file_name == "scan.pdf"

    huge = fake.add_file(token, b"x", "big.zip", file_size=25 * 1024 * 1024)
    with pytest.raises(ApiTelegramException) as exc:
        bot.get_file(huge["file_id"])
    assert exc.value.error_code == 400 and exc.value.description == "Bad Request: file is too big"


def test_uploads_and_file_ids_in_send_photo_and_document(fake, token, bot):
    payload = b"\x00\xffbinary\r\n\r\n" * 300
    sent = bot.send_document(8, payload, visible_file_name="report.bin", caption="here")
    assert sent.caption == "here" and sent.document.file_size == len(payload)
    [call] = fake.calls(token, "sendDocument")
    assert call.files["document"] == payload and call.params["document"]["file_name"] == "report.bin"
    assert bot.download_file(bot.get_file(sent.document.file_id).file_path) == payload
    photo = fake.add_file(token, b"\xff\xd8jpeg", "cat.jpg")
    echoed = bot.send_photo(8, photo["file_id"])
    assert echoed.photo[-1].file_id == photo["file_id"]
    with pytest.raises(ApiTelegramException) as exc:
        bot.send_photo(8, "not-a-file-id")
    assert exc.value.description == "Bad Request: wrong file identifier/HTTP URL specified"
    assert len(fake.sent_messages(token, 8)) == 2


def test_concurrent_senders_all_recorded_with_unique_ids(fake, token):
    barrier, results, errors = threading.Barrier(20), [], []

    def send(i):
        try:
            barrier.wait(5)
            results.append(telebot.TeleBot(token, threaded=False).send_message(100 + i % 3, f"m{i}"))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and len(results) == 20
    assert len(fake.wait_for_calls("sendMessage", 20, token=token, timeout=2)) == 20
    for chat in (100, 101, 102):
        ids = sorted(m.message_id for m in results if m.chat.id == chat)
        assert ids == list(range(1, len(ids) + 1))
    assert sorted(m["text"] for m in fake.sent_messages(token)) == sorted(f"m{i}" for i in range(20))


def test_wait_for_blocks_until_call_and_times_out_with_dump(fake, token, bot):
    threading.Timer(0.2, bot.send_message, (4, "later")).start()
    [call] = fake.wait_for_calls("sendMessage", 1, token=token, timeout=3)
    assert call.params["text"] == "later"
    with pytest.raises(AssertionError) as exc:
        fake.wait_for_calls("sendPhoto", 1, timeout=0.2)
    assert "sendMessage" in str(exc.value) and token not in str(exc.value)
    assert fake.wait_for(1) == fake.calls() and fake.wait_for_calls("sendPhoto", 0) == []
    assert fake.wait_for(lambda calls: [c.params["text"] for c in calls]) == ["later"]
    fake.reset_calls()
    assert fake.calls() == []


def test_nothing_logged_and_no_token_printed(fake, token, bot, capfd):
    bot.get_me()
    requests.get(f"{fake.base_url}/bot{token}/nope")
    fake.drop_next(token)
    with pytest.raises(requests.exceptions.ConnectionError):
        bot.get_me()
    out, err = capfd.readouterr()
    assert token not in out + err and err == ""


def test_media_group_copy_commands_chat_action_and_markup_edit(fake, token, bot):
    known = fake.add_file(token, b"\xff\xd8first", "a.jpg")
    album = bot.send_media_group(6, [types.InputMediaPhoto(known["file_id"], caption="one"),
                                     types.InputMediaDocument(b"%PDF-uploaded")])
    assert [m.message_id for m in album] == [1, 2] and album[0].media_group_id == album[1].media_group_id
    assert album[0].photo[-1].file_id == known["file_id"] and album[0].caption == "one"
    assert bot.download_file(bot.get_file(album[1].document.file_id).file_path) == b"%PDF-uploaded"
    [call] = fake.calls(token, "sendMediaGroup")
    assert isinstance(call.params["media"], list) and call.params["media"][0]["type"] == "photo"

    copied = bot.copy_message(9, 6, album[0].message_id, caption="copy")
    assert copied.message_id == 1
    with pytest.raises(ApiTelegramException, match="message to copy not found"):
        bot.copy_message(9, 6, 99)

    assert bot.set_my_commands([types.BotCommand("start", "Start"), types.BotCommand("orders", "My orders")])
    [call] = fake.calls(token, "setMyCommands")
    assert [c["command"] for c in call.params["commands"]] == ["start", "orders"]
    with pytest.raises(ApiTelegramException, match="BOT_COMMAND_INVALID"):
        bot.set_my_commands([types.BotCommand("Bad Command", "x")])

    assert bot.send_chat_action(6, "typing")
    with pytest.raises(ApiTelegramException, match="wrong parameter action"):
        bot.send_chat_action(6, "dancing")

    markup = types.InlineKeyboardMarkup()
    markup.add(types.InlineKeyboardButton("Go", url="https://example.org"))
    sent = bot.send_message(6, "menu")
    assert bot.edit_message_reply_markup(6, sent.message_id, reply_markup=markup).reply_markup
    with pytest.raises(ApiTelegramException, match="message is not modified"):
        bot.edit_message_reply_markup(6, sent.message_id, reply_markup=markup)


def test_json_and_form_bodies_record_the_same_params(fake, token):
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    url = f"{fake.base_url}/bot{token}/SENDMESSAGE"  # method names are case-insensitive
    assert requests.post(url, json={"chat_id": 11, "text": "j", "reply_markup": markup}).json()["ok"]
    form = {"chat_id": "11", "text": "f", "reply_markup": json.dumps(markup)}
    assert requests.post(url, data=form).json()["result"]["message_id"] == 2
    assert requests.get(url, params={"chat_id": "11", "text": "q"}).status_code == 200
    sent = fake.sent_messages(token, 11)
    assert [(m["chat_id"], m["text"]) for m in sent] == [(11, "j"), (11, "f"), (11, "q")]
    assert sent[0]["reply_markup"] == sent[1]["reply_markup"] == markup
    bad = requests.post(url, data={"chat_id": "11", "text": "x", "reply_markup": "{not json"})
    assert bad.status_code == 400 and "reply keyboard markup" in bad.json()["description"]


def test_second_get_updates_terminates_first_like_telegram(fake, token):
    url, results = f"{fake.base_url}/bot{token}/getUpdates", []
    def poll():
        results.append(requests.get(url, params={"timeout": 3}, timeout=5))

    first = threading.Thread(target=poll)
    first.start()
    time.sleep(0.3)  # let the first poll park (it is recorded only when it answers)
    assert requests.get(url, params={"timeout": 0}).json() == {"ok": True, "result": []}
    first.join(5)
    assert results[0].status_code == 409
    assert "terminated by other getUpdates" in results[0].json()["description"]


def test_allowed_updates_filter_and_photo_messages(fake, token, bot):
    assert fake.push_update(token, {"chat_member": {"chat": {"id": 1}}}) is None  # excluded by default
    photo = [fake.add_file(token, b"s", "s.jpg"), fake.add_file(token, b"big", "b.jpg")]
    fake.push_update(token, fake.message_update(token, 12, photo=photo, caption="look"))
    [update] = bot.get_updates(timeout=10, long_polling_timeout=1, allowed_updates=["callback_query"])
    assert update.message.caption == "look"
    assert [p.file_id for p in update.message.photo] == [p["file_id"] for p in photo]
    assert update.message.photo[0].width < update.message.photo[1].width
    assert fake.push_update(token, fake.message_update(token, 12, "filtered now")) is None
    assert bot.get_webhook_info().pending_update_count == 1  # only the unconfirmed photo update
