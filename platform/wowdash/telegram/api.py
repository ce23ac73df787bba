"""pyTelegramBotAPI instances: one per center per process, built lazily after fork, never per request."""
from __future__ import annotations

import logging
import os
import threading

import telebot
from telebot import apihelper

_bots: dict[tuple[int, str, int], telebot.TeleBot] = {}
_lock = threading.Lock()


def configure(api_url: str) -> None:
    """Point pyTelegramBotAPI at ``api_url``; its apihelper settings are process-wide."""
    apihelper.API_URL = api_url.rstrip("/") + "/bot{0}/{1}"
    apihelper.FILE_URL = api_url.rstrip("/") + "/file/bot{0}/{1}"
    apihelper.CONNECT_TIMEOUT = 5
    apihelper.READ_TIMEOUT = 30
    apihelper.RETRY_ON_ERROR = False  # our sender retries, with its own bookkeeping
    # apihelper logs request URLs (with the token) at DEBUG: keep that logger quiet.
    logging.getLogger("TeleBot").setLevel(logging.WARNING)


def bot_for(center_id: int, token: str, fingerprint: str) -> telebot.TeleBot:
    """The cached TeleBot of a center; a re-tokened center (new fingerprint) gets a new one."""
    key = (center_id, fingerprint, os.getpid())
    bot = _bots.get(key)
    if bot is None:
        with _lock:
            bot = _bots.get(key)
            if bot is None:
                for old in [k for k in _bots if k[0] == center_id]:
                    del _bots[old]
                bot = _bots[key] = telebot.TeleBot(token, threaded=False, parse_mode=None)
    return bot
