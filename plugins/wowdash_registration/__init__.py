"""WowDash registration plugin."""
