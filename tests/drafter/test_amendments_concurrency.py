"""Real concurrent requests deciding and editing one clause: never a lost version.

Two threads, each with its own test client (so its own app context, session
and database connection), send their requests at the same moment. A barrier
placed just before each request takes the clause's lock
(:func:`drafter.services.editing.lock_clause`) makes sure both requests have
read the clause before either writes, which is the dangerous interleaving.

The database is the ``app`` fixture's: a SQLite file in WAL mode, or
PostgreSQL when ``DATABASE_URL`` is set (CI runs both).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from drafter.services import editing
from drafter.services.amendments import decisions
from instrument.amendments import AmendmentState as S
from tests.drafter.accounts_helpers import events
from tests.drafter.amendments_helpers import (
    BASE,
    amendment,
    clause,
    propose,
    versions_of,
)
from tests.drafter.helpers import committed, signed_in

A1 = "/i/t/c/article-1"


@pytest.fixture
def people(make_people):
    return make_people(texts={1: BASE})


@pytest.fixture
def together(monkeypatch):
    """Make the next two clause locks wait for each other, so both requests read before either writes.

    With ``lock=False`` the lock itself is skipped (only the barrier stays):
    then the compare-and-set in ``add_version`` and the one retry must keep
    both changes on their own.
    """

    def install(lock: bool = True):
        barrier = threading.Barrier(2, timeout=30)
        real = editing.lock_clause

        def lock_after_both_read(clause_):
            barrier.wait()
            if lock:
                real(clause_)

        monkeypatch.setattr(editing, "lock_clause", lock_after_both_read)
        monkeypatch.setattr(decisions, "lock_clause", lock_after_both_read)

    return install


def at_once(*requests):
    """Run the request callables in parallel threads; return their responses in order."""
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(r) for r in requests]
        return [f.result(timeout=60) for f in futures]


def accept_request(app, user_id, amendment_id, **data):
    client = signed_in(app, user_id)
    return lambda: client.post(f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted", **data})


@pytest.mark.parametrize("lock", [True, False], ids=["row-lock", "compare-and-set-only"])
def test_two_amendments_on_one_clause_accepted_at_the_same_moment_are_both_merged(app, people, together, lock):
    with committed(app):
        closely = propose(people.mfa, "States shall closely cooperate on recruitment.")
        fair = propose(people.asetuc, "States shall cooperate on fair recruitment.")
    together(lock=lock)
    responses = at_once(accept_request(app, people.secretariat, closely), accept_request(app, people.secretariat, fair))
    statuses = sorted(r.status_code for r in responses)
    with app.app_context():
        history = versions_of()
        text = history[-1].text
        states = {amendment(closely).state, amendment(fair).state}
        if statuses == [302, 302]:
            # Both merged, one after the other: three versions, the last holding both changes.
            assert [v.seq for v in history] == [1, 2, 3]
            assert text == "States shall closely cooperate on fair recruitment."
            assert states == {S.ACCEPTED}
            assert {v.amendment_id for v in history[1:]} == {closely, fair}
            assert history[2].parent_version_id == history[1].id
        else:
            # Or one was told to retry with the merge; the other's version stands.
            assert statuses == [302, 409]
            assert len(history) == 2 and states == {S.ACCEPTED, S.SUBMITTED}
            refused = next(r for r in responses if r.status_code == 409)
            assert "changed meanwhile" in refused.get_data(as_text=True)
        assert clause().current_version_id == history[-1].id
        merges = events("amendment.merge")
        assert len(merges) == len(history) - 1
    assert lock is False or statuses == [302, 302]  # with the row lock nobody has to retry


def test_one_amendment_accepted_twice_at_the_same_moment_makes_one_version(app, people, together):
    with committed(app):
        amendment_id = propose(people.mfa, "States shall closely cooperate on recruitment.")
        from drafter.models import Role
        from tests.drafter.accounts_helpers import add_user

        colleague = add_user("sec2@example.org", role=Role.SECRETARIAT).id
    together()
    responses = at_once(
        accept_request(app, people.secretariat, amendment_id), accept_request(app, colleague, amendment_id)
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert "The amendment is already accepted." in refused.get_data(as_text=True)
    with app.app_context():
        assert [v.seq for v in versions_of()] == [1, 2]
        assert len(events("amendment.accept")) == 1


def test_two_conflicting_amendments_accepted_at_once_one_goes_in_the_other_asks_for_a_resolution(app, people, together):
    with committed(app):
        should = propose(people.mfa, "States should cooperate on recruitment.")
        must = propose(people.asetuc, "States must cooperate on recruitment.")
    together()
    responses = at_once(accept_request(app, people.secretariat, should), accept_request(app, people.secretariat, must))
    assert sorted(r.status_code for r in responses) == [302, 409]
    resolution = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "Accept with these modifications" in resolution and "=======" in resolution
    with app.app_context():
        history = versions_of()
        assert len(history) == 2
        winner = should if amendment(should).state is S.ACCEPTED else must
        assert history[-1].amendment_id == winner
        assert history[-1].text in ("States should cooperate on recruitment.", "States must cooperate on recruitment.")


def test_a_direct_edit_and_an_acceptance_at_the_same_moment_lose_nothing(app, people, together):
    with committed(app):
        closely = propose(people.mfa, "States shall closely cooperate on recruitment.")
        base_id = clause().current_version_id
    together()
    editor = signed_in(app, people.secretariat)
    edit = lambda: editor.post(  # noqa: E731
        A1 + "/edit",
        data={
            "base_version_id": base_id,
            "heading": "Heading 1",
            "text": "States shall cooperate on fair recruitment.",
        },
    )
    accepted, edited = at_once(accept_request(app, people.secretariat, closely), edit)
    assert accepted.status_code == 302
    with app.app_context():
        history = versions_of()
        if edited.status_code == 302:
            # The edit went first; the amendment was merged onto it.
            assert [v.cause.value for v in history] == ["import", "edit", "amendment"]
            assert history[-1].text == "States shall closely cooperate on fair recruitment."
        else:
            # The amendment went first; the edit was answered with the merge, nothing overwritten.
            assert edited.status_code == 409
            assert "States shall closely cooperate on fair recruitment.</textarea>" in edited.get_data(as_text=True)
            assert [v.cause.value for v in history] == ["import", "amendment"]
