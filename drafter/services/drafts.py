"""Publishing drafts and reading the state of an instrument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, DraftEntry, Instrument, User
from drafter.services import audit
from instrument.types import ClauseKind, ClauseState, ParsedClause


@dataclass(frozen=True)
class StateRow:
    """One clause of a state of the instrument, as shown to a reader.

    :ivar clause: the clause head row.
    :ivar version: the version it has in this state.
    :ivar depth: nesting depth (0 at top level).
    :ivar key: the clause key in this state.
    :ivar parent_id: id of the enclosing clause, or ``None``.
    :ivar kind: preamble, part or article in this state.
    """

    clause: Clause
    version: ClauseVersion
    depth: int
    key: str
    parent_id: int | None
    kind: ClauseKind


def current_state(instrument: Instrument) -> list[StateRow]:
    """Return the current text of ``instrument`` in document order, in one query.

    Deleted clauses are left out.

    :returns: list of :class:`StateRow`.
    """
    rows = db.session.execute(
        select(Clause, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == Clause.current_version_id)
        .where(Clause.instrument_id == instrument.id, Clause.deleted.is_(False))
        .order_by(Clause.position)
    ).all()
    return [StateRow(c, v, c.depth, c.key, c.parent_id, c.kind) for c, v in rows]


def draft_state(draft: Draft) -> list[StateRow]:
    """Return the text of ``draft`` in document order, in one query.

    :returns: list of :class:`StateRow`.
    """
    rows = db.session.execute(
        select(DraftEntry, Clause, ClauseVersion)
        .join(Clause, Clause.id == DraftEntry.clause_id)
        .join(ClauseVersion, ClauseVersion.id == DraftEntry.version_id)
        .where(DraftEntry.draft_id == draft.id)
        .order_by(DraftEntry.position)
    ).all()
    return [StateRow(c, v, e.depth, e.key, e.parent_clause_id, e.kind) for e, c, v in rows]


def to_clause_states(rows: list[StateRow]) -> list[ClauseState]:
    """Turn state rows into the domain's :class:`~instrument.types.ClauseState` values.

    The clause ``uid`` is used as identity so that renumbered clauses still match.
    """
    uid_by_id = {r.clause.id: r.clause.uid for r in rows}
    return [
        ClauseState(
            key=r.clause.uid,
            kind=r.kind,
            number=r.version.number,
            heading=r.version.heading,
            text=r.version.text,
            parent_key=uid_by_id.get(r.parent_id) if r.parent_id else None,
            position=i,
            version_id=r.version.id,
        )
        for i, r in enumerate(rows)
    ]


def to_parsed_clauses(rows: list[StateRow]) -> list[ParsedClause]:
    """Turn state rows into :class:`~instrument.types.ParsedClause` values for export.

    :returns: clauses with their keys, numbers, headings, texts, parents and depths.
    """
    key_by_id = {r.clause.id: r.key for r in rows}
    return [
        ParsedClause(
            key=r.key,
            kind=ClauseKind(r.kind),
            number=r.version.number,
            heading=r.version.heading,
            text=r.version.text,
            parent_key=key_by_id.get(r.parent_id) if r.parent_id else None,
            depth=r.depth,
        )
        for r in rows
    ]


def next_draft_number(instrument: Instrument) -> int:
    """Return the number the next published draft of ``instrument`` gets (1 for the first)."""
    last = db.session.scalar(select(func.max(Draft.number)).where(Draft.instrument_id == instrument.id))
    return (last or 0) + 1


def publish_draft(
    instrument: Instrument,
    *,
    actor: User | None,
    title: str = "",
    note: str = "",
    comments_close_at: datetime | None = None,
    amendments_close_at: datetime | None = None,
) -> Draft:
    """Snapshot the current state of ``instrument`` as the next numbered draft.

    :param instrument: the instrument to publish.
    :param actor: who publishes (``None`` for the system, e.g. an import).
    :param title: the draft's title ("Draft for the regional consultation").
    :param note: change note shown with the draft.
    :param comments_close_at: end of the comment period (aware UTC), if one is set.
    :param amendments_close_at: end of the amendment period (aware UTC), if one is set.
    :returns: the new flushed :class:`Draft`. A concurrent publisher taking
        the same number makes the unique constraint fail at flush or commit.
    """
    rows = current_state(instrument)
    draft = Draft(
        instrument_id=instrument.id,
        number=next_draft_number(instrument),
        title=title,
        note=note,
        published_by_id=actor.id if actor is not None else None,
        comments_close_at=comments_close_at,
        amendments_close_at=amendments_close_at,
    )
    db.session.add(draft)
    db.session.flush()
    db.session.add_all(
        DraftEntry(
            draft_id=draft.id,
            clause_id=r.clause.id,
            version_id=r.version.id,
            position=i,
            depth=r.depth,
            key=r.key,
            kind=r.kind,
            parent_clause_id=r.parent_id,
        )
        for i, r in enumerate(rows)
    )
    db.session.flush()
    audit.record("draft.publish", draft, actor=actor, instrument_id=instrument.id, number=draft.number)
    return draft


def unpublished_changes(instrument: Instrument, draft: Draft) -> int:
    """Count the clauses whose current state differs from ``draft`` (one query).

    A clause counts when it has another version than in the draft, was
    added since, or was deleted since.

    :returns: the number of such clauses (0 when the current text is the draft's text).
    """
    entry = aliased(DraftEntry)
    return db.session.execute(
        select(func.count())
        .select_from(Clause)
        .outerjoin(entry, and_(entry.clause_id == Clause.id, entry.draft_id == draft.id))
        .where(
            Clause.instrument_id == instrument.id,
            or_(
                and_(
                    Clause.deleted.is_(False),
                    or_(entry.version_id.is_(None), entry.version_id != Clause.current_version_id),
                ),
                and_(Clause.deleted.is_(True), entry.clause_id.is_not(None)),
            ),
        )
    ).scalar_one()
