"""Blueprints. Each view: load -> authorise -> call one service -> commit once -> respond."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint on ``app``."""
    from drafter.views import instruments

    app.register_blueprint(instruments.bp)
