"""Every main page costs the same number of SQL statements whether the negotiation is small or large.

Two records of the same shape are built with :mod:`benchmarks.synthetic`
(the generator of ``benchmarks/run.py``): a small one (12 clauses, 2 drafts,
40 comments, 12 amendments, 4 inputs) and one 20 to 75 times larger (300
clauses, 6 drafts, 3,000 comments, 400 amendments, 80 inputs). Each page is
requested for the object of the same kind in both (the busiest clause, the
showcase article with an amended and an edited version, an accepted
amendment ...), once to warm the caches, then counted. An N+1 query, or a
list that is not paginated, shows up as a difference.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from benchmarks.synthetic import Scale, World, build, identity, main_pages
from drafter.extensions import db
from tests.conftest import QueryCounter, database_url, reset_schema

SMALL = Scale(clauses=12, drafts=2, comments=40, amendments=12, inputs=4, organisations=4, users=8, consultations=2)
LARGE = Scale(
    clauses=300, drafts=6, comments=3_000, amendments=400, inputs=80, organisations=12, users=40, consultations=4
)

#: Pages whose statements depend on what the first page of the list holds, not on its length:
#: the register lists inputs before amendments, so its first page has amendments only when
#: inputs are few. Its two halves are compared separately (filters what=inputs / what=amendments).
SHAPE_DEPENDENT = {"disposition register"}

#: Pages of lists: at the large size each must still fit in this many bytes (unpaginated, the
#: comments list or the audit log would be over a megabyte, the busiest clause's comments 150 KB).
LIST_PAGES = {
    "clause page (most comments)",
    "clause comments (most comments)",
    "comments list",
    "comments list, last page",
    "amendments review queue",
    "our organisation's amendments",
    "events (audit log)",
    "accounts",
    "registrations",
    "consultation page",
    "disposition register, inputs",
    "disposition register, amendments",
    "traceability matrix",
}
LIST_PAGE_BYTES = 150_000

NAMES = [p.name for p in main_pages(World(slug="x", instrument_id=0, drafts=2))]


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    """One app and database holding both records; yields ``(app, {"small": world, "large": world}, identities)``."""
    from drafter import create_app

    tmp = tmp_path_factory.mktemp("query-counts")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "INSTANCE_UPLOADS": str(tmp / "uploads"),
        }
    )
    with app.app_context():
        reset_schema(db)
        made = {"small": build(SMALL, slug="small"), "large": build(LARGE, slug="large")}
        identities = {
            (size, who): identity(world, who)
            for size, world in made.items()
            for who in ("anonymous", "stakeholder", "secretariat", "admin")
        }
    yield app, made, identities
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _request(app, identities, size: str, world: World, name: str):
    """Request page ``name`` of ``world`` twice; returns the second response and its statement count."""
    page = next(p for p in main_pages(world) if p.name == name)
    client = app.test_client()
    who = identities[(size, page.who)]
    if who is not None:
        with client.session_transaction() as session:
            session["_user_id"] = who
            session["_fresh"] = True
    assert client.get(page.path).status_code == 200, page.path
    with app.app_context():
        engine = db.engine
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(page.path)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    assert response.status_code == 200, page.path
    return response, counter


def test_the_two_records_differ_in_size(worlds):
    _, made, _ = worlds
    small, large = made["small"].counts, made["large"].counts
    for table in (
        "clause",
        "clause_version",
        "draft",
        "comment",
        "comment_anchor",
        "amendment",
        "consultation_input",
        "event",
    ):
        assert large[table] >= 3 * small[table], table


@pytest.mark.parametrize("name", [n for n in NAMES if n not in SHAPE_DEPENDENT])
def test_page_runs_the_same_statements_at_both_sizes(worlds, name):
    app, made, identities = worlds
    _, small = _request(app, identities, "small", made["small"], name)
    large_response, large = _request(app, identities, "large", made["large"], name)
    assert small.count == large.count, "\n".join(["small:", *small.statements, "large:", *large.statements])
    if name in LIST_PAGES:
        assert len(large_response.get_data()) < LIST_PAGE_BYTES, f"{name} is not paginated"


def test_the_register_runs_no_more_statements_when_long(worlds):
    app, made, identities = worlds
    _, small = _request(app, identities, "small", made["small"], "disposition register")
    _, large = _request(app, identities, "large", made["large"], "disposition register")
    assert large.count <= small.count
