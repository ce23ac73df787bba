"""WowDash payments plugin."""
