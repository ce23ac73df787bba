"""A webhook update reaches the center's plugins and the reply goes out through its own bot."""


def test_start_is_answered_in_the_customers_language(make_center, conversation, fake_api):
    center = make_center("alpha", languages=["uz", "ru", "en"], enabled_plugins=["wowdash_greeting"])
    chat = conversation(center, language_code="ru")
    chat.send("/start")
    reply = chat.reply()
    assert "Добро пожаловать" in reply["text"]
    assert all(c.token == center.token for c in fake_api.calls(method="sendMessage")
               if c.params.get("chat_id") in (chat.user_id, str(chat.user_id)))
