"""Telegram I/O: inbound (webhook, poller) and outbound (client facade, sender)."""
