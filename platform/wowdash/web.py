"""Small public routes: the front page and a health check for load balancers."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, url_for

from .extensions import db

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    if "admin.index" in current_app.view_functions:
        return redirect(url_for("admin.index"))
    return jsonify(name="WowDash", ok=True)


@bp.get("/healthz")
def healthz():
    """200 when the database (and Redis, if used) answer; 503 otherwise."""
    checks = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "down"
    runtime = current_app.extensions["wowdash"]
    if runtime.redis is not None:
        try:
            runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "down"
    ok = all(v == "ok" for v in checks.values())
    return jsonify(ok=ok, **checks), (200 if ok else 503)
