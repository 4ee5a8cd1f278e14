"""Which versions of an instrument's clauses a reader may see: the one rule, as queries.

The secretariat prepares the next draft in a *working draft* that only it
sees (:func:`drafter.policies.sees_working_draft`). Everybody else reads
published drafts: a clause version is visible to them when some published
draft of its instrument holds it. Every page, export, CSV and count that
shows clause text asks this module, never ``Clause.current_version``
directly:

- :func:`version_filter` for queries over versions (or rows that point at one);
- :func:`may_see_version` for one version already loaded;
- :func:`reader_version` for "the clause as this reader reads it now":
  the working version for the secretariat, the version in the latest
  published draft holding the clause for everybody else;
- :func:`latest_draft` for the draft a reader opens the instrument on.

Stakeholders' own material (their organisation's comments and amendments)
stays visible to them whatever its state; the comment and amendment
queries add that on top of this rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from drafter import policies
from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, DraftEntry, Instrument, User


def latest_draft(instrument: Instrument) -> Draft | None:
    """The latest published draft of ``instrument`` (highest number), or ``None`` before the first."""
    return db.session.scalar(
        select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(1)
    )


def published_version_ids(instrument_id: int) -> Select[Any]:
    """A subquery of the ids of every version held by a published draft of the instrument."""
    return (
        select(DraftEntry.version_id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(Draft.instrument_id == instrument_id)
    )


def version_filter(
    user: User | None,
    instrument: Instrument,
    column: InstrumentedAttribute[int] | ColumnElement[int] = ClauseVersion.id,
) -> ColumnElement[bool]:
    """A WHERE condition keeping the rows whose version ``user`` may see.

    :param user: the reader.
    :param instrument: the instrument the rows belong to.
    :param column: the column holding a version id (``ClauseVersion.id``, ``Comment.version_id``, ...).
    :returns: ``true()`` for the secretariat; otherwise "``column`` is in a published draft".
    """
    if policies.sees_working_draft(user, instrument):
        return true()
    return column.in_(published_version_ids(instrument.id))


def is_published(version: ClauseVersion) -> bool:
    """Whether a published draft holds ``version`` (one query)."""
    return (
        db.session.scalar(select(DraftEntry.version_id).where(DraftEntry.version_id == version.id).limit(1)) is not None
    )


def may_see_clause(user: User | None, clause: Clause) -> bool:
    """Whether ``user`` may see ``clause`` at all: the secretariat always; anybody else once a
    published draft holds it (a clause inserted in the working draft is not there yet)."""
    if policies.sees_working_draft(user, clause.instrument):
        return True
    held = select(DraftEntry.clause_id).where(DraftEntry.clause_id == clause.id).limit(1)
    return db.session.scalar(held) is not None


def may_see_version(user: User | None, instrument: Instrument, version: ClauseVersion) -> bool:
    """Whether ``user`` may see ``version`` (of a clause of ``instrument``)."""
    return policies.sees_working_draft(user, instrument) or is_published(version)


@dataclass(frozen=True)
class Reading:
    """A clause as one reader reads it now.

    :ivar version: the version shown, or ``None`` when the reader has no text of the clause
        (never published, or deleted in the working draft and shown to the secretariat as such).
    :ivar draft: the published draft it is read in, or ``None`` for the working draft.
    :ivar latest: the latest published draft of the instrument (``None`` before the first).
    """

    version: ClauseVersion | None
    draft: Draft | None
    latest: Draft | None

    @property
    def in_latest(self) -> bool:
        """Whether the text shown is that of the latest published draft (not an older one)."""
        return self.draft is not None and self.latest is not None and self.draft.id == self.latest.id


def reader_version(user: User | None, clause: Clause) -> Reading:
    """The clause as ``user`` reads it now.

    The secretariat reads the working draft: the clause's current version.
    Everybody else reads the latest published draft holding the clause (an
    older one when the clause was deleted since): the version it holds there.

    :returns: a :class:`Reading`; its ``version`` is ``None`` for a reader who may not see any
        text of the clause (it was never published).
    """
    latest = latest_draft(clause.instrument)
    if policies.sees_working_draft(user, clause.instrument):
        return Reading(clause.current_version, None, latest)
    row = db.session.execute(
        select(ClauseVersion, Draft)
        .join(DraftEntry, DraftEntry.version_id == ClauseVersion.id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id == clause.id)
        .order_by(Draft.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return Reading(None, None, latest)
    return Reading(row[0], row[1], latest)


def visible_versions(user: User | None, clause: Clause) -> list[ClauseVersion]:
    """Every version of ``clause`` that ``user`` may see, oldest first, authors loaded (one query).

    :returns: all versions for the secretariat; the published ones for everybody else.
    """
    return list(
        db.session.scalars(
            select(ClauseVersion)
            .options(joinedload(ClauseVersion.author))
            .where(ClauseVersion.clause_id == clause.id, version_filter(user, clause.instrument))
            .order_by(ClauseVersion.seq)
        )
    )


def reader_versions(user: User | None, instrument: Instrument, clause_ids: Iterable[int]) -> dict[int, ClauseVersion]:
    """:func:`reader_version` for many clauses at once (one query): what lists of clauses label them with.

    :param clause_ids: ids of clauses of ``instrument``.
    :returns: clause id -> the version ``user`` reads it in; clauses without one (never published,
        for a reader who does not see the working draft) are absent.
    """
    wanted = set(clause_ids)
    if not wanted:
        return {}
    if policies.sees_working_draft(user, instrument):
        rows = db.session.execute(
            select(Clause.id, ClauseVersion)
            .join(ClauseVersion, ClauseVersion.id == Clause.current_version_id)
            .where(Clause.id.in_(wanted))
        ).all()
        return dict(rows)
    found: dict[int, ClauseVersion] = {}
    for clause_id, version in db.session.execute(
        select(DraftEntry.clause_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == DraftEntry.version_id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id.in_(wanted))
        .order_by(Draft.number.desc())
    ):
        found.setdefault(clause_id, version)  # the first row per clause is its latest published draft
    return found


def visible_version_ids(user: User | None, instrument: Instrument, version_ids: Iterable[int]) -> set[int]:
    """Which of ``version_ids`` (versions of ``instrument``'s clauses) ``user`` may see (at most one query)."""
    wanted = set(version_ids)
    if not wanted or policies.sees_working_draft(user, instrument):
        return wanted
    return set(
        db.session.scalars(
            select(ClauseVersion.id).where(ClauseVersion.id.in_(wanted), version_filter(user, instrument))
        )
    )
