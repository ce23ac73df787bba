"""A customer's conversation survives a restart of the app: the state lives in the store, not a worker."""
from __future__ import annotations

from wowdash import tenancy
from wowdash.telegram.webhooks import set_webhook
from wowdash.testing.live import Conversation, LiveServer, create_center


def test_a_conversation_continues_after_the_app_restarts(make_app, fake_api):
    first = make_app()
    server = LiveServer(first).start()
    center = create_center(first, fake_api, server, "restarts",
                           enabled_plugins=["wowdash_registration", "wowdash_orders"])
    chat = Conversation(fake_api, center, 810_001, language_code="en")
    chat.send("/start")
    chat.reply()
    chat.press("reg:lang:ru")
    assert "имя" in chat.reply()["text"]  # mid-registration: the next step asks for a name
    server.stop()

    second = make_app()  # a new process image: nothing survives but the database and the state store
    server = LiveServer(second).start()
    try:
        with second.app_context():
            assert set_webhook(tenancy.by_id(center.id), server.url) is None
        chat.send("Иван Петров")
        asked = chat.reply()
        assert asked["text"].startswith("Отправьте номер телефона"), asked  # the step after the name
        buttons = asked["reply_markup"]["keyboard"][0]
        assert buttons[0]["request_contact"] is True
    finally:
        server.stop()
