"""Registration end to end through the fake Bot API: language -> name -> phone -> branch, profile edit."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from wowdash.extensions import db
from wowdash.models import Branch, Customer
from wowdash_registration.phone import normalize_phone

PLUGINS = ["wowdash_registration", "wowdash_orders"]
TWO_BRANCHES = [
    {"code": "a", "name": "Chilonzor", "name_i18n": {"ru": "Чиланзар", "en": "Chilanzar"}},
    {"code": "b", "name": "Yunusobod", "name_i18n": {"ru": "Юнусабад", "en": "Yunusabad"}},
]


def customer(app, center, user_id) -> Customer:
    with app.app_context():
        row = db.session.scalar(sa.select(Customer).where(
            Customer.center_id == center.id, Customer.telegram_id == user_id))
        db.session.expunge_all()
        return row


def _buttons(message):
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard") or [] for b in row]


def register(chat, name="Test User", phone="+998901234567", language="en", branch_id=None):
    """Drive a whole registration; returns the messages of the final step."""
    chat.send("/start")
    chat.reply()
    chat.press(f"reg:lang:{language}")
    chat.reply()
    chat.send(name)
    chat.reply()
    chat.share_contact(phone)
    if branch_id is None:
        return chat.replies(3)  # phone saved, done, menu
    chat.replies(2)
    chat.press(f"reg:branch:{branch_id}")
    return chat.replies(2)


def test_registration_end_to_end_with_a_contact_and_two_branches(app, make_center, conversation):
    center = make_center("reg1", enabled_plugins=PLUGINS, branches=TWO_BRANCHES)
    chat = conversation(center, language_code="en")
    chat.send("/start")
    first = chat.reply()
    assert _buttons(first) == ["reg:lang:uz", "reg:lang:ru", "reg:lang:en"]
    assert "Tilni tanlang" in first["text"] and "Выберите язык" in first["text"]

    chat.press("reg:lang:ru")
    assert "имя" in chat.reply()["text"]
    chat.send("Иван Петров")
    ask_phone = chat.reply()
    keyboard = ask_phone["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True

    chat.send("12345")
    refused = chat.reply()
    assert "Неверный номер" in refused["text"] and "+998" in refused["text"]
    assert refused["reply_markup"]["keyboard"][0][0]["request_contact"] is True

    chat.share_contact("998901234567")
    saved, ask_branch = chat.replies(2)
    assert "+998901234567" in saved["text"] and saved["reply_markup"] == {"remove_keyboard": True}
    with app.app_context():
        branch_b = db.session.scalar(sa.select(Branch.id).where(Branch.center_id == center.id,
                                                                Branch.code == "b"))
    labels = [b["text"] for row in ask_branch["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Чиланзар", "Юнусабад"]

    chat.press(f"reg:branch:{branch_b}")
    done, menu = chat.replies(2)
    assert "Иван Петров" in done["text"]
    assert _buttons(menu) == ["ord:new", "ord:my", "reg:profile"]
    row = customer(app, center, chat.user_id)
    assert (row.full_name, row.phone, row.language, row.branch_id) == (
        "Иван Петров", "+998901234567", "ru", branch_b)
    assert row.registered_at is not None

    chat.send("/start")  # registered: straight to the main menu
    assert _buttons(chat.reply()) == ["ord:new", "ord:my", "reg:profile"]
    chat.quiet(0.2)


def test_one_branch_is_chosen_without_asking_and_a_typed_number_is_accepted(app, make_center, conversation):
    center = make_center("reg2", enabled_plugins=["wowdash_registration"],
                         branches=[{"code": "main", "name": "Main"}])
    chat = conversation(center)
    chat.send("/start")
    chat.reply()
    chat.press("reg:lang:uz")
    chat.reply()
    chat.send("Ali Valiyev")
    chat.reply()
    chat.send("+998 (90) 123-45-67")
    saved, done, menu = chat.replies(3)
    assert "+998901234567" in saved["text"]
    assert "Ro'yxatdan o'tdingiz" in done["text"]
    assert _buttons(menu) == ["reg:profile"]  # the order plugin is off for this center
    row = customer(app, center, chat.user_id)
    with app.app_context():
        main = db.session.scalar(sa.select(Branch.id).where(Branch.center_id == center.id))
    assert row.branch_id == main and row.language == "uz" and row.is_registered


def test_someone_elses_contact_and_a_bad_name_are_refused(app, make_center, conversation, fake_api):
    center = make_center("reg3", enabled_plugins=["wowdash_registration"], languages=["en"])
    chat = conversation(center)
    chat.send("/start")
    welcome, ask_name = chat.replies(2)  # one language: no language step
    assert "Welcome" in welcome["text"]
    chat.send("x")
    assert "2 to 100" in chat.reply()["text"]
    chat.send("Jane Doe")
    chat.reply()
    chat.send(None, contact={"phone_number": "+998907654321", "user_id": 1})
    assert "your own number" in chat.reply()["text"]
    assert not customer(app, center, chat.user_id).phone


def test_profile_edit_changes_name_phone_language_and_branch(app, make_center, conversation):
    center = make_center("reg4", enabled_plugins=PLUGINS, branches=TWO_BRANCHES)
    with app.app_context():
        a, b = db.session.scalars(sa.select(Branch.id).where(Branch.center_id == center.id)
                                  .order_by(Branch.id)).all()
    chat = conversation(center)
    register(chat, branch_id=a)

    chat.press("reg:profile")
    profile = chat.reply()
    assert "Test User" in profile["text"] and "+998901234567" in profile["text"]
    assert {"reg:edit:name", "reg:edit:phone", "reg:edit:language", "reg:edit:branch", "reg:menu"} <= set(
        _buttons(profile))

    chat.press("reg:edit:name")
    chat.reply()
    chat.send("New Name")
    assert "Saved" in chat.replies(2)[0]["text"]

    chat.press("reg:edit:phone")
    chat.reply()
    chat.send("+44 20 7946 0958")
    saved, profile = chat.replies(2)
    assert "+442079460958" in profile["text"]

    chat.press("reg:edit:branch")
    chat.reply()
    chat.press(f"reg:branch:{b}")
    chat.replies(2)

    chat.press("reg:edit:language")
    chat.reply()
    chat.press("reg:lang:ru")
    saved, profile = chat.replies(2)
    assert saved["text"] == "Сохранено." and "Юнусабад" in profile["text"]
    row = customer(app, center, chat.user_id)
    assert (row.full_name, row.phone, row.language, row.branch_id) == ("New Name", "+442079460958", "ru", b)

    chat.press("reg:menu")
    assert _buttons(chat.reply()) == ["ord:new", "ord:my", "reg:profile"]


def test_an_expired_registration_restarts_politely(app, make_center, conversation):
    center = make_center("reg5", enabled_plugins=["wowdash_registration"], languages=["en", "ru"])
    chat = conversation(center)
    chat.send("/start")
    chat.reply()
    app.extensions["wowdash"].states.ttl = 1  # the next save expires in a second
    chat.press("reg:lang:en")
    chat.reply()
    time.sleep(1.3)
    chat.send("Jane")
    expired, again = chat.replies(2)
    assert "expired" in expired["text"] and "went wrong" not in expired["text"]
    assert _buttons(again) == ["reg:lang:en", "reg:lang:ru"]
    assert customer(app, center, chat.user_id).full_name != "Jane"


@pytest.mark.parametrize("raw, expected", [
    ("+998901234567", "+998901234567"), ("998 90 123 45 67", "+998901234567"),
    ("90 123 45 67", "+998901234567"), ("+998 (90) 123-45-67", "+998901234567"),
    ("+442079460958", "+442079460958"), ("0044 20 7946 0958", "+442079460958"),
    ("+99890123456", None), ("12345", None), ("+123456", None), ("+1234567890123456", None),
    ("phone", None), ("", None), (None, None),
])
def test_phone_numbers_are_checked(raw, expected):
    assert normalize_phone(raw) == expected
