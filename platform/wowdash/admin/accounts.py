"""Staff accounts from the command line: `flask create-admin`, and the demo owner `make run` prints."""
from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Center
from .models import ROLES, StaffUser

MIN_PASSWORD = 8


class AccountError(ValueError):
    """The account cannot be created as asked (unknown center, weak password...)."""


def create_staff(username: str, password: str, *, center_slug: str | None = None, role: str = "owner",
                 superadmin: bool = False, full_name: str | None = None, reset: bool = False) -> StaffUser:
    """Create (or with ``reset``, update) a staff account; the caller commits."""
    username = username.strip()
    if not username:
        raise AccountError("a username is required")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    center = None
    if center_slug:
        center = db.session.scalar(sa.select(Center).where(Center.slug == center_slug))
        if center is None:
            raise AccountError(f"no center with slug {center_slug!r}")
    elif not superadmin:
        raise AccountError("give --center for a center account, or --superadmin")
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
    if user is not None and not reset:
        raise AccountError(f"{username!r} already exists")
    if user is None:
        user = StaffUser(username=username)
        db.session.add(user)
    user.set_password(password)
    user.full_name = full_name or user.full_name
    user.is_superadmin = superadmin
    user.center_id = None if superadmin else center.id  # type: ignore[union-attr]
    user.role = role
    user.is_active = True
    db.session.flush()
    return user


def ensure_demo_admin(center_slug: str = "demo") -> tuple[str, str]:
    """Create or reset the "demo" owner of the demo center with a fresh random password.

    Returns ``(username, password)`` so ``make run`` can print it once; it is never logged or stored
    in clear text. Commits.
    """
    password = secrets.token_urlsafe(12)
    create_staff("demo", password, center_slug=center_slug, role="owner", full_name="Demo owner", reset=True)
    db.session.commit()
    return "demo", password


@click.command("create-admin")
@click.option("--username", prompt=True, help="Sign-in name (unique).")
@click.option("--password", default=None, help="Omit to be asked without echo.")
@click.option("--center", "center_slug", default=None, help="Slug of the staff member's center.")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True)
@click.option("--superadmin", is_flag=True, help="All centers; no --center needed.")
@click.option("--full-name", default=None)
@click.option("--reset", is_flag=True, help="Update an existing account (new password, role, center).")
@with_appcontext
def create_admin(username, password, center_slug, role, superadmin, full_name, reset):
    """Create a staff account (the seed's createsuperuser)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_staff(username, password, center_slug=center_slug, role=role, superadmin=superadmin,
                            full_name=full_name, reset=reset)
    except AccountError as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    where = "all centers" if user.is_superadmin else f"center {center_slug} as {role}"
    click.echo(f"created {user.username} ({where})")


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_admin)
