"""The web admin (Flask-Admin): login, roles, center-scoped views, audit log, dashboard, sandbox."""


def init_app(app) -> None:
    """Set up the admin on ``app`` (filled in by the admin module)."""
