"""Fixtures shared by the app tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo(app):
    """``app`` with the demo loaded (the ASEAN instrument, its drafts, accounts, comments, amendments, consultation)."""
    from drafter.demo import load_demo

    with app.app_context():
        list(load_demo())
    return app
