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


@pytest.fixture
def make_people(app):
    """A factory of the amendment tests' set-up, committed.

    ``make_people(**instrument)`` imports an instrument (the arguments of
    ``amendments_helpers.add_instrument``) and adds the organisations and
    accounts of ``amendments_helpers.add_people``; returns their ``People`` ids.
    """
    from tests.drafter.amendments_helpers import People, add_instrument, add_people
    from tests.drafter.helpers import committed

    def make(**instrument) -> People:
        with committed(app):
            add_instrument(**instrument)
            return add_people()

    return make
