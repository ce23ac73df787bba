"""WowDash files plugin."""
