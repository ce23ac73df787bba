"""Sign-in for staff: hashed passwords, Flask-Login sessions that expire, CSRF on every form."""
from __future__ import annotations

import functools
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import utcnow
from .audit import audit
from .models import StaffUser

login_manager = LoginManager()
login_manager.login_view = "admin_auth.login"
login_manager.session_protection = "basic"
csrf = CSRFProtect()
bp = Blueprint("admin_auth", __name__, url_prefix="/admin")


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    ident, _, version = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(StaffUser, int(ident))
    if user is None or not user.is_active or str(user.session_version or 1) != (version or "1"):
        return None  # deactivated, or the password changed since this session signed in
    return user


def csrf_exempt(blueprint: Blueprint) -> Blueprint:
    """Exempt a blueprint that authenticates otherwise (a provider callback with a signature)."""
    return csrf.exempt(blueprint)


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
        ok = user.check_password(password) if user else _check_dummy(password)
        if ok and user is not None and user.is_active:
            session.clear()  # a fresh session on sign-in (no fixation)
            session.permanent = True
            login_user(user)
            user.last_login_at = utcnow()
            audit("login", f"staff:{user.id}", center_id=user.center_id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = "Wrong username or password."
    return render_template("wowdash_admin/login.html", error=error), (401 if error else 200)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _check_dummy(password: str) -> bool:
    """Hash anyway, so an unknown username costs as much time as a wrong password."""
    check_password_hash(_dummy_hash(), password)
    return False


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit("logout", f"staff:{current_user.id}")
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("admin_auth.login"))


def _csrf_refused(error: CSRFError):
    db.session.rollback()
    return render_template("wowdash_admin/error.html", title="Request refused",
                           message="The form expired or was not sent from this site. Reload the page "
                                   "and try again."), 400


def _admin_headers(response):
    """Admin pages hold customers' data: not framed by other sites, not cached, not sniffed."""
    if request.path.startswith("/admin"):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith(("/admin/static/", "/admin/wowdash-static/")):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_LIFETIME_MINUTES"])
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    if not app.config.get("DEBUG") and not app.config.get("TESTING"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
    # The token lives as long as the (expiring) session; an hour-long limit would break an open sandbox.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    csrf.init_app(app)
    for name in ("telegram_webhook", *app.config.get("CSRF_EXEMPT_BLUEPRINTS", ())):
        if name in app.blueprints:  # Telegram authenticates with its secret header instead
            csrf.exempt(app.blueprints[name])
    app.register_error_handler(CSRFError, _csrf_refused)
    app.after_request(_admin_headers)
    app.register_blueprint(bp)
