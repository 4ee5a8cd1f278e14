"""Amendments are numbered within their instrument ("Amendment 1" is each instrument's first), not by database id."""

from __future__ import annotations

import csv
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment
from drafter.services.amendments import operations
from tests.drafter.amendments_helpers import BASE, accept, add_instrument, add_people, clause, user
from tests.drafter.helpers import committed, signed_in


@pytest.fixture
def people(app):
    with committed(app):
        add_instrument("older", texts={1: BASE})
        add_instrument("t", texts={1: BASE})
        return add_people()


def propose_in(slug: str, proposer_id: int, text: str) -> int:
    """Propose (submitted) on Article 1 of ``slug`` through the service and commit; returns the id."""
    target = clause("Article 1", slug)
    made = operations.propose(
        target,
        actor=user(proposer_id),
        kind="modify",
        base_version_id=target.current_version_id,
        rationale="The workshop asked for it.",
        text=text,
        submit=True,
    )
    db.session.commit()
    return made.id


def test_a_new_instruments_first_amendment_is_amendment_1_wherever_it_is_named(app, people):
    with app.app_context():
        for n in range(3):
            propose_in("older", people.mfa, f"States shall cooperate on recruitment {n}.")
        first = propose_in("t", people.mfa, "States must cooperate on recruitment.")
        second = propose_in("t", people.asetuc, "States shall cooperate closely on recruitment.")
        assert first > 3  # the ids run across instruments; the numbers do not
        rows = db.session.execute(select(Amendment.id, Amendment.seq).where(Amendment.id.in_([first, second])))
        numbers = dict(rows.all())
        assert numbers == {first: 1, second: 2}
        assert db.session.get(Amendment, first).title == "Amendment 1"
    client = signed_in(app, people.secretariat)
    page = client.get(f"/i/t/amendments/{first}/").get_data(as_text=True)  # the URL keeps the id
    assert "Amendment 1" in page and f"Amendment {first}" not in page
    listing = client.get("/i/t/amendments/").get_data(as_text=True)
    assert f'href="/i/t/amendments/{first}/">Amendment 1<' in listing
    assert f'href="/i/t/amendments/{second}/">Amendment 2<' in listing
    side_by_side = client.get("/i/t/c/article-1/amendments").get_data(as_text=True)
    assert re.search(rf'href="/i/t/amendments/{second}/">Amendment 2</a>', side_by_side)
    assert f"Amendment {first}<" not in side_by_side and f"Amendment {second}<" not in side_by_side
    with committed(app):
        accept(first, people.secretariat)
    history = client.get("/i/t/c/article-1/").get_data(as_text=True)
    assert f'href="/i/t/amendments/{first}/">Amendment 1</a>' in history
    assert f"Amendment {first}<" not in history
    report = client.get(f"/i/t/organisations/{people.mfa_org}/report.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(report)) if row and row[0] == "Amendment"]
    assert [row[1] for row in rows] == ["1"]


@pytest.fixture
def together(monkeypatch):
    """Make the next two proposals both read the instrument's highest number before either takes one.

    With ``lock=True`` the instrument's lock is kept (it makes them take
    numbers one after the other); with ``lock=False`` it is skipped, and the
    unique (instrument, seq) constraint and the retry must keep the numbers apart.
    """

    def install(lock: bool):
        barrier = threading.Barrier(2, timeout=30)
        waited: set[int] = set()
        real_lock, real_next = operations.lock_numbering, operations.next_number

        def lock_numbering(instrument_id):
            if lock:
                barrier.wait()
                real_lock(instrument_id)

        def next_number(instrument_id):
            number = real_next(instrument_id)
            if not lock and threading.get_ident() not in waited:
                waited.add(threading.get_ident())
                barrier.wait()  # both have read the same highest number
            return number

        monkeypatch.setattr(operations, "lock_numbering", lock_numbering)
        monkeypatch.setattr(operations, "next_number", next_number)

    return install


@pytest.mark.parametrize("lock", [True, False], ids=["instrument-lock", "unique-constraint-and-retry"])
def test_two_amendments_proposed_at_the_same_moment_get_two_numbers(app, people, together, lock):
    with app.app_context():
        base_id = clause("Article 1", "t").current_version_id
    together(lock)

    def proposal(user_id, text):
        client = signed_in(app, user_id)
        data = {
            "kind": "modify",
            "base_version_id": base_id,
            "heading": "Heading 1",
            "text": text,
            "rationale": "The workshop asked for it.",
            "action": "submit",
        }
        return lambda: client.post("/i/t/c/article-1/amend", data=data)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(r)
            for r in (
                proposal(people.mfa, "States must cooperate on recruitment."),
                proposal(people.asetuc, "States shall cooperate closely on recruitment."),
            )
        ]
        responses = [f.result(timeout=60) for f in futures]
    assert [r.status_code for r in responses] == [302, 302], [r.get_data(as_text=True)[:500] for r in responses]
    with app.app_context():
        instrument_id = clause("Article 1", "t").instrument_id
        rows = db.session.scalars(select(Amendment).where(Amendment.instrument_id == instrument_id))
        assert sorted(a.seq for a in rows) == [1, 2]
