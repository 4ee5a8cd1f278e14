"""Blueprints. Each view: load -> authorise -> call one service -> commit once -> respond."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint on ``app``."""
    from drafter.views import amendments, editing
    from drafter.views import accounts, admin, auth, comments, compare, instruments

    app.register_blueprint(instruments.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(comments.bp)
    app.register_blueprint(amendments.bp)
    app.register_blueprint(editing.bp)
    from drafter.views import consultations, traceability

    app.register_blueprint(consultations.bp)
    app.register_blueprint(traceability.bp)
