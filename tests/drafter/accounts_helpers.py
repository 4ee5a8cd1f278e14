"""Builders shared by the account, permission and security tests.

Requests and database checks run in separate app contexts: a test client
request inside an outer app context shares its ``g`` (where Flask-Login
keeps the current user) and its database session, which would let one
request's user leak into the next.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from drafter.extensions import db
from drafter.models import Organisation, OrganisationType, Role, User, UserState
from drafter.services.accounts import new_session_token

PASSWORD = "correct horse battery"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """The hash of :data:`PASSWORD`, computed once (hashing is deliberately slow)."""
    return generate_password_hash(PASSWORD)


def make_app(tmp_path: Path, **overrides) -> Flask:
    """A Drafter app on a fresh database, like the ``app`` fixture, with ``overrides`` applied.

    Tests of CSRF and rate limits pass ``WTF_CSRF_ENABLED=True`` / ``RATELIMIT_ENABLED=True``.
    """
    from drafter import create_app
    from tests.conftest import database_url, reset_schema

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        reset_schema(db)
    return app


def add_org(name: str = "Migrant Forum in Asia", type: OrganisationType = OrganisationType.NGO, country: str = "XX"):
    """Insert an organisation and flush (the caller's edge commits); returns a detached, loaded copy."""
    organisation = Organisation(name=name, type=type, country=country)
    db.session.add(organisation)
    db.session.flush()
    db.session.refresh(organisation)
    db.session.expunge(organisation)  # a loaded, detached copy: later commits cannot expire it
    return organisation


def add_user(
    email: str,
    *,
    role: Role = Role.STAKEHOLDER,
    state: UserState = UserState.ACTIVE,
    organisation: Organisation | None = None,
    name: str | None = None,
) -> User:
    """Insert an account whose password is :data:`PASSWORD` and flush; returns a detached, loaded copy."""
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        state=state,
        organisation_id=organisation.id if organisation is not None else None,
        password_hash=password_hash(),
        session_token=new_session_token(),
    )
    db.session.add(user)
    db.session.flush()
    db.session.refresh(user)
    db.session.expunge(user)  # a loaded, detached copy: later commits cannot expire it
    return user


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """POST the sign-in form (CSRF disabled); returns the response."""
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def put_in_session(client, user: User) -> None:
    """Make ``client`` carry ``user``'s session identity, as after a sign-in."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema (to prove that a refused request wrote nothing)."""
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def events(verb: str | None = None) -> list:
    """The audit events, oldest first, optionally only those with ``verb``."""
    from drafter.models import Event

    stmt = select(Event).order_by(Event.id)
    if verb is not None:
        stmt = stmt.where(Event.verb == verb)
    return list(db.session.scalars(stmt))
