"""Admin views of orders and the catalog (filled in below)."""


def add_views(admin, app) -> None:
    """Add the order and catalog views to ``admin``."""
