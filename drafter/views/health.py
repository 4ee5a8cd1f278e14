"""``/healthz``: tells a load balancer whether this app server can reach its database."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from drafter.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 ``{"status": "ok"}`` when ``SELECT 1`` answers, else 503 (never cached)."""
    try:
        db.session.execute(text("SELECT 1"))
        status, code = "ok", 200
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error("health check: database unreachable: %s", exc.__class__.__name__)
        status, code = "database unreachable", 503
    response = jsonify(status=status)
    response.headers["Cache-Control"] = "no-store"
    return response, code
