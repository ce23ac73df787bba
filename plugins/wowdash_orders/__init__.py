"""WowDash orders plugin."""
