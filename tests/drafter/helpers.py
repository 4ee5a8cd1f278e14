"""Small builders and request helpers shared by the app tests.

Requests and database checks run in separate app contexts (see
``tests/drafter/accounts_helpers.py``): :func:`in_db` and :func:`committed`
run builders in their own and commit there (the edge of a set-up: builders
only flush), :func:`signed_in` prepares a client in its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Draft, Instrument, User
from drafter.services import drafts
from drafter.services.imports import import_parsed
from instrument.parse import parse_markdown
from tests.drafter.accounts_helpers import put_in_session

T = TypeVar("T")

#: The slug of the demo's instrument.
DEMO_SLUG = "asean-migrant-workers"


def article_md(n: int, text: str | None = None, heading: str | None = None) -> str:
    """One article in the demo convention."""
    heading = heading or f"Heading {n}"
    text = text or f"1. The Parties shall give effect to obligation number {n} in good faith and without delay."
    return f"### Article {n} — {heading}\n\n{text}\n"


def instrument_md(n_articles: int, *, title: str = "Test Instrument", overrides: dict | None = None) -> str:
    """A small instrument with one part and ``n_articles`` articles; ``overrides`` maps number -> text."""
    overrides = overrides or {}
    body = "\n".join(article_md(i, overrides.get(i)) for i in range(1, n_articles + 1))
    return (
        f"---\ntitle: {title}\n---\n\n# {title}\n\n## Preamble\n\nThe Parties agree.\n\n## Part I — General\n\n{body}"
    )


def import_text(text: str, slug: str, *, public: bool = True):
    """Parse and import ``text`` under ``slug`` (in the current app context) and flush; returns the import report."""
    report = import_parsed(
        parse_markdown(text, source_name=f"{slug}.md"),
        slug=slug,
        actor=None,
        source_name=f"{slug}.md",
        is_public=public,
    )
    db.session.flush()
    return report


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """A fresh app context of ``app`` whose session is committed when the block ends without an error.

    The edge of a test's set-up: builders only flush, so that what they make
    is written once, here, as requests and services do it at theirs.
    """
    with app.app_context():
        yield
        session = db.session()
        session.expire_on_commit = False  # what the block loaded stays readable after it, as without a commit
        session.commit()


def in_db(app: Flask, func: Callable[..., T], /, *args, **kwargs) -> T:
    """Run ``func(*args, **kwargs)`` in a fresh app context of ``app`` and commit; returns what it returns."""
    with committed(app):
        return func(*args, **kwargs)


def text_of(response) -> str:
    """The body of a test client ``response`` as text."""
    return response.get_data(as_text=True)


def signed_in(app: Flask, who: User | int | str, client: FlaskClient | None = None) -> FlaskClient:
    """A test client carrying the session of ``who``, as after signing in.

    :param who: the account, its id, or its e-mail address (as stored).
    :param client: the client to sign in; a new one of ``app`` by default.
    :returns: the client.
    :raises LookupError: when no account has that id or address.
    """
    client = client if client is not None else app.test_client()
    with app.app_context():
        if isinstance(who, User):
            user = who
        elif isinstance(who, int):
            user = db.session.get(User, who)
        else:
            user = db.session.scalar(select(User).where(User.email == who))
        if user is None:
            raise LookupError(f"no account {who!r}")
        put_in_session(client, user)
    return client


def draft_clauses(app: Flask, number: int | None, slug: str = DEMO_SLUG):
    """The clauses of draft ``number`` of instrument ``slug`` (the current text when ``None``).

    :returns: (the clauses as ``instrument`` clauses, {clause key: clause uid}).
    """
    with app.app_context():
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
        if number is None:
            rows = drafts.current_state(instrument)
        else:
            rows = drafts.draft_state(db.session.scalar(
                select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == number)))  # fmt: skip
        return drafts.to_parsed_clauses(rows), {r.key: r.clause.uid for r in rows}
