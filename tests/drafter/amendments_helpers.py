"""Builders shared by the amendment tests: an instrument whose clause texts the test chooses, and people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Instrument, OrganisationType, Role, User
from drafter.services import drafts, visibility
from drafter.services.amendments import decisions, operations
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import import_text, instrument_md

#: The sentence of the first and third reference cases of merging amendments.
BASE = "States shall cooperate on recruitment."

#: Two paragraphs, for the second reference case.
PARAGRAPHS = (
    "1. Each Member State shall protect the rights of migrant workers. It shall do so without discrimination.\n"
    "\n"
    "2. Recruitment agencies shall be licensed. Fees shall not be charged to workers. Licences shall be public."
)


@dataclass(frozen=True)
class People:
    """Ids of the accounts and organisations of a test."""

    secretariat: int
    mfa: int  # a stakeholder of Migrant Forum in Asia
    mfa_colleague: int  # another member of the same organisation
    asetuc: int  # a stakeholder of another organisation
    mfa_org: int
    asetuc_org: int
    mmn_org: int


def add_people() -> People:
    """Organisations and accounts: the secretariat, two MFA delegates, an ASETUC delegate (flushed)."""
    task_force = add_org("Task Force on ASEAN Migrant Workers", OrganisationType.SECRETARIAT)
    mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
    asetuc = add_org("ASETUC", OrganisationType.TRADE_UNION)
    mmn = add_org("Mekong Migrant Network", OrganisationType.MIGRANT_WORKERS)
    return People(
        secretariat=add_user(
            "sec@example.org", role=Role.SECRETARIAT, organisation=task_force, name="Secretariat officer"
        ).id,
        mfa=add_user("mfa@example.org", organisation=mfa, name="MFA delegate").id,
        mfa_colleague=add_user("mfa2@example.org", organisation=mfa, name="MFA colleague").id,
        asetuc=add_user("asetuc@example.org", organisation=asetuc, name="ASETUC delegate").id,
        mfa_org=mfa.id,
        asetuc_org=asetuc.id,
        mmn_org=mmn.id,
    )


def add_instrument(slug: str = "t", *, articles: int = 3, texts: dict[int, str] | None = None, public: bool = False):
    """Import an instrument whose Article ``n`` has ``texts[n]`` as its text (flushed)."""
    return import_text(instrument_md(articles, overrides=texts or {}), slug, public=public)


def instrument_named(slug: str = "t") -> Instrument | None:
    """The instrument ``slug`` in the current session, or ``None``."""
    return db.session.scalar(select(Instrument).where(Instrument.slug == slug))


def user(user_id: int) -> User:
    """The account ``user_id`` in the current session."""
    return db.session.get(User, user_id)


def clause(key: str = "Article 1", slug: str | None = None) -> Clause:
    """The clause with ``key`` (in the only instrument, or in ``slug``'s)."""
    stmt = select(Clause).where(Clause.key == key)
    if slug is not None:
        stmt = stmt.join(Instrument, Instrument.id == Clause.instrument_id).where(Instrument.slug == slug)
    return db.session.scalar(stmt)


def amendment(amendment_id: int) -> Amendment:
    """The amendment ``amendment_id``, fresh from the database."""
    db.session.expire_all()
    return db.session.get(Amendment, amendment_id)


def propose(
    proposer_id: int,
    text: str = "",
    *,
    key: str = "Article 1",
    kind: str = "modify",
    submit: bool = True,
    base_version_id: int | None = None,
    **kwargs,
) -> int:
    """Propose an amendment on ``key`` through the service and flush (the caller's edge commits); returns its id.

    Without ``base_version_id`` it is written on the clause's current text; stakeholders amend published
    text only, so when no draft holds that text yet the working draft is published first (the next round).
    """
    target = clause(key)
    if base_version_id is None and not visibility.may_see_version(
        user(proposer_id), target.instrument, target.current_version
    ):
        drafts.publish_draft(target.instrument, actor=None)
    amendment = operations.propose(
        target,
        actor=user(proposer_id),
        kind=kind,
        base_version_id=base_version_id or target.current_version_id,
        rationale=kwargs.pop("rationale", "Because the workshop asked for it."),
        text=text,
        submit=submit,
        **kwargs,
    )
    db.session.flush()
    return amendment.id


def accept(amendment_id: int, secretariat_id: int, **kwargs) -> decisions.Outcome:
    """Accept (or decide otherwise, with ``outcome=``) through the service and flush (the caller's edge commits)."""
    kwargs.setdefault("outcome", "accepted")
    outcome = decisions.decide(amendment(amendment_id), actor=user(secretariat_id), **kwargs)
    db.session.flush()
    return outcome


def current_text(key: str = "Article 1") -> str:
    """The current text of clause ``key``, fresh from the database."""
    db.session.expire_all()
    return clause(key).current_version.text


def versions_of(key: str = "Article 1") -> list[ClauseVersion]:
    """Every version of clause ``key``, oldest first."""
    db.session.expire_all()
    target = clause(key)
    return list(
        db.session.scalars(
            select(ClauseVersion).where(ClauseVersion.clause_id == target.id).order_by(ClauseVersion.seq)
        )
    )
