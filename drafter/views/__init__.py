"""Blueprints. Each view: load -> authorise -> call one service -> commit once -> respond."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint on ``app``."""
    from drafter.views import (
        accounts,
        admin,
        amendments,
        auth,
        comments,
        compare,
        consultations,
        drafts,
        editing,
        health,
        instruments,
        traceability,
        working,
    )

    for module in (
        instruments,
        drafts,
        auth,
        accounts,
        admin,
        compare,
        comments,
        amendments,
        editing,
        consultations,
        traceability,
        working,
        health,
    ):
        app.register_blueprint(module.bp)
