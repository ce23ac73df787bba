"""Fixtures come from the WowDash test kit (``wowdash.testing.pytest_plugin``, a pytest11 entry point)."""
