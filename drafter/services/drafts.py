"""Publishing drafts, their consultation periods, the final text, an instrument's settings;
and reading the state of an instrument.

The periods themselves are judged by :mod:`drafter.services.phases`; this
module sets them: at publication, when the secretariat changes them, and
when a later draft (or the final text) closes the earlier ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, DraftEntry, Event, Instrument, User
from drafter.services import audit, visibility
from drafter.services.errors import Conflict, InvalidInput
from drafter.services.timezones import aware, format_day, format_moment, zone_named, zone_of
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


def final_draft(instrument: Instrument) -> Draft | None:
    """The draft of ``instrument`` declared final (its adopted text), or ``None``."""
    return db.session.scalar(
        select(Draft).where(Draft.instrument_id == instrument.id, Draft.final_at.is_not(None)).limit(1)
    )


def final_drafts(instruments: Iterable[Instrument]) -> dict[int, Draft]:
    """The final drafts of ``instruments``, in one query: instrument id -> its final draft (absent when none)."""
    ids = [i.id for i in instruments]
    if not ids:
        return {}
    found = db.session.scalars(select(Draft).where(Draft.instrument_id.in_(ids), Draft.final_at.is_not(None)))
    return {d.instrument_id: d for d in found}


def ensure_not_adopted(instrument: Instrument) -> None:
    """Refuse a new draft of ``instrument`` (publication or import), or a change to its working
    draft (an edit, an acceptance, a restore), once it has a final text.

    :raises Conflict: (409) naming the final draft and its day of adoption.
    """
    final = final_draft(instrument)
    if final is not None:
        adopted = format_day(final.final_at or final.published_at, zone_of(final.instrument))
        raise Conflict(
            f"Draft {final.number} is the final text, adopted on {adopted}: the text no longer changes "
            "and no further draft can be published.",
            next_step="The final text can be read, compared and downloaded.",
        )


# --- consultation periods -------------------------------------------------------------


@dataclass(frozen=True)
class Periods:
    """A draft's consultation periods as moments (aware UTC); ``None`` where unset.

    :ivar comments_open_from: comments, replies and amendments are taken from then (publication when ``None``).
    :ivar comments_close_at: last moment comments and replies are taken (no end when ``None``).
    :ivar amendments_close_at: last moment amendments are proposed and submitted (no end when ``None``).
    """

    comments_open_from: datetime | None = None
    comments_close_at: datetime | None = None
    amendments_close_at: datetime | None = None

    @classmethod
    def of(cls, draft: Draft) -> Periods:
        """The periods stored on ``draft`` (made aware: SQLite returns naive UTC)."""
        return cls(*(_aware(getattr(draft, f.name)) for f in fields(cls)))

    def iso(self) -> dict[str, str | None]:
        """The periods as ISO 8601 strings (UTC) or ``None``, for the audit log."""
        return {f.name: _iso(getattr(self, f.name)) for f in fields(self)}


def _aware(moment: datetime | None) -> datetime | None:
    return aware(moment).replace(microsecond=0) if moment is not None else None


def _kept(new: datetime | None, stored: datetime | None) -> datetime | None:
    """``stored`` when ``new`` is it as a form shows it (to the minute), else ``new``.

    A moment with seconds (a period closed by a later publication) comes back from
    the form without them; sent back unchanged, it is the same moment, not a new one.
    """
    if new is not None and stored is not None and new.replace(second=0) == stored.replace(second=0):
        return stored
    return new


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).astimezone(UTC).isoformat() if moment is not None else None


def check_periods(periods: Periods, *, opens: datetime, now: datetime, before: Periods | None = None) -> None:
    """Refuse periods that cannot work.

    Rules: each end comes after the opening (``periods.comments_open_from``,
    or ``opens`` when unset); amendments close no later than comments, so
    that every amendment can still be discussed (checked when either end
    changes); an end newly set (one that differs from ``before``) is still
    to come. An end already passed that is kept as it was is allowed: a
    closed period may stay closed.

    :param periods: the periods asked for.
    :param opens: the publication moment (aware), the opening when none is set.
    :param now: the present moment (aware).
    :param before: the periods stored so far, or ``None`` at publication.
    :raises InvalidInput: naming the form field (``comments_close_on``, ``amendments_close_on``) at fault.
    """
    start = periods.comments_open_from or opens
    for name, field, noun in (
        ("comments_close_at", "comments_close_on", "Comments"),
        ("amendments_close_at", "amendments_close_on", "Amendments"),
    ):
        end = getattr(periods, name)
        if end is None:
            continue
        if end <= now and (before is None or getattr(before, name) != end):
            raise InvalidInput("That moment has passed: choose today or a later day.", field=field)
        if end <= start:
            raise InvalidInput(f"{noun} must close after they open.", field=field)
    ends_changed = before is None or (before.comments_close_at, before.amendments_close_at) != (
        periods.comments_close_at,
        periods.amendments_close_at,
    )
    if (
        ends_changed
        and periods.amendments_close_at is not None
        and periods.comments_close_at is not None
        and periods.amendments_close_at > periods.comments_close_at
    ):
        raise InvalidInput(
            "Amendments must close no later than comments, so that every amendment can still be discussed.",
            field="amendments_close_on",
        )


def _set_periods(draft: Draft, periods: Periods) -> None:
    for f in fields(periods):
        setattr(draft, f.name, getattr(periods, f.name))


def _record_periods(
    draft: Draft, before: Periods, after: Periods, *, actor: User | None, reason: str = ""
) -> Event | None:
    if before == after:
        return None
    return audit.record(
        "draft.phases",
        draft,
        actor=actor,
        instrument_id=draft.instrument_id,
        number=draft.number,
        before=before.iso(),
        after=after.iso(),
        reason=reason,
    )


def change_periods(draft: Draft, periods: Periods, *, actor: User | None, now: datetime | None = None) -> bool:
    """Set ``draft``'s consultation periods, audited as ``draft.phases`` (before and after, ISO UTC).

    :param draft: a published draft.
    :param periods: the new periods (see :func:`check_periods` for the rules).
    :param actor: who changes them.
    :param now: the present moment (aware; default now).
    :returns: whether anything changed (nothing is recorded when not).
    :raises Conflict: (409) for a final draft, whose periods never change.
    :raises InvalidInput: for periods that break a rule of :func:`check_periods`.
    """
    if draft.is_final:
        raise Conflict(
            f"Draft {draft.number} is the final text: its periods no longer change.",
            next_step="The final text can be read, compared and downloaded.",
        )
    moment = now or datetime.now(UTC)
    before = Periods.of(draft)
    periods = Periods(*(_kept(_aware(getattr(periods, f.name)), getattr(before, f.name)) for f in fields(periods)))
    check_periods(periods, opens=aware(draft.published_at), now=moment, before=before)
    _set_periods(draft, periods)
    db.session.flush()
    return _record_periods(draft, before, periods, actor=actor) is not None


def close_earlier_drafts(instrument: Instrument, later: Draft, *, actor: User | None, reason: str) -> list[Draft]:
    """End the periods of every draft of ``instrument`` before ``later`` that still takes anything.

    An end that is unset or later than ``later``'s moment (its publication,
    or its adoption when declared final) becomes that moment; an opening
    still to come becomes it too, so that the period is over rather than
    never begun. Each closed draft gets a ``draft.phases`` audit event.

    :param instrument: the instrument.
    :param later: the draft just published or declared final.
    :param actor: who published it or declared it final.
    :param reason: said in the audit log and the history ("Draft 3 published").
    :returns: the drafts whose periods changed, oldest first.
    """
    moment = _aware(later.final_at or later.published_at) or datetime.now(UTC).replace(microsecond=0)
    earlier = db.session.scalars(
        select(Draft)
        .where(Draft.instrument_id == instrument.id, Draft.number < later.number, Draft.final_at.is_(None))
        .order_by(Draft.number)
    ).all()
    closed = []
    for draft in earlier:
        before = Periods.of(draft)
        after = replace(
            before,
            comments_open_from=moment
            if before.comments_open_from is not None and before.comments_open_from > moment
            else before.comments_open_from,
            comments_close_at=moment
            if before.comments_close_at is None or before.comments_close_at > moment
            else before.comments_close_at,
            amendments_close_at=moment
            if before.amendments_close_at is None or before.amendments_close_at > moment
            else before.amendments_close_at,
        )
        if after != before:
            _set_periods(draft, after)
            _record_periods(draft, before, after, actor=actor, reason=reason)
            closed.append(draft)
    db.session.flush()
    return closed


@dataclass(frozen=True)
class PeriodChange:
    """One change of a draft's periods, as the draft page and the drafts list tell it.

    :ivar at: when it was made (aware UTC).
    :ivar by: who made it ("Secretariat", an account's name), or "" for the system.
    :ivar sentence: what changed, in the instrument's zone with the zone named.
    """

    at: datetime
    by: str
    sentence: str


def _describe_change(before: dict[str, Any], after: dict[str, Any], zone, reason: str) -> str:
    def moment(value: str) -> str:
        return format_moment(datetime.fromisoformat(value), zone)

    parts = []
    old, new = before.get("comments_open_from"), after.get("comments_open_from")
    if old != new:
        parts.append(f"comments open from {moment(new)}" if new else "comments open from the publication")
    for name, noun in (("comments_close_at", "comment period"), ("amendments_close_at", "amendment period")):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if new is None:
            parts.append(f"{noun} no longer has an end")
        elif reason:
            parts.append(f"{noun} closed on {moment(new)}")
        elif old is None:
            parts.append(f"{noun} set to end on {moment(new)}")
        elif datetime.fromisoformat(new) > datetime.fromisoformat(old):
            parts.append(f"{noun} extended to {moment(new)}")
        else:
            parts.append(f"{noun} shortened to {moment(new)}")
    sentence = "; ".join(parts) or "periods unchanged"
    return sentence[0].upper() + sentence[1:] + (f" ({reason})" if reason else "")


def period_changes(instrument: Instrument, drafts: Iterable[Draft] | None = None) -> dict[int, list[PeriodChange]]:
    """The changes of the periods of ``instrument``'s drafts, from the audit log, in one query.

    :param instrument: the instrument (its zone names the moments).
    :param drafts: only these drafts (default: all of the instrument's).
    :returns: draft id -> its changes, oldest first (drafts without changes are absent).
    """
    query = (
        select(Event)
        .options(joinedload(Event.actor))
        .where(Event.instrument_id == instrument.id, Event.verb == "draft.phases", Event.object_type == "draft")
        .order_by(Event.created_at, Event.id)
    )
    if drafts is not None:
        query = query.where(Event.object_id.in_([d.id for d in drafts]))
    zone = zone_of(instrument)
    changes: dict[int, list[PeriodChange]] = {}
    for event in db.session.scalars(query):
        details = event.details or {}
        sentence = _describe_change(
            details.get("before") or {}, details.get("after") or {}, zone, details.get("reason") or ""
        )
        by = event.actor.name if event.actor is not None else ""
        changes.setdefault(event.object_id or 0, []).append(PeriodChange(aware(event.created_at), by, sentence))
    return changes


# --- publishing and the final text -----------------------------------------------------


def publish_draft(
    instrument: Instrument,
    *,
    actor: User | None,
    title: str = "",
    note: str = "",
    comments_open_from: datetime | None = None,
    comments_close_at: datetime | None = None,
    amendments_close_at: datetime | None = None,
    now: datetime | None = None,
) -> Draft:
    """Snapshot the current state of ``instrument`` as the next numbered draft, with the periods given as they are.

    The secretariat's publication goes through :func:`publish_round`, which checks the periods and
    closes the earlier drafts; imports and set-ups call this directly.

    :param instrument: the instrument to publish.
    :param actor: who publishes (``None`` for the system, e.g. an import).
    :param title: the draft's title ("Draft for the regional consultation").
    :param note: change note shown with the draft.
    :param comments_open_from: start of the comment and amendment periods (aware UTC); publication when unset.
    :param comments_close_at: end of the comment period (aware UTC), if one is set.
    :param amendments_close_at: end of the amendment period (aware UTC), if one is set.
    :param now: the moment of publication (aware; default now).
    :returns: the new flushed :class:`Draft`.
    :raises Conflict: (409) when a concurrent publisher took the same number first.
    :raises Conflict: (409) when the instrument has a final text: it is adopted.
    """
    ensure_not_adopted(instrument)
    # Not rounded: drafter.integrity compares it with the versions made just before.
    moment = now or datetime.now(UTC)
    periods = Periods(_aware(comments_open_from), _aware(comments_close_at), _aware(amendments_close_at))
    rows = current_state(instrument)
    draft = Draft(
        instrument_id=instrument.id,
        number=next_draft_number(instrument),
        title=title,
        note=note,
        published_at=moment,
        published_by_id=actor.id if actor is not None else None,
    )
    _set_periods(draft, periods)
    try:
        # A savepoint: the loser of two simultaneous publications gets a refusal, not a broken session.
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        raise Conflict(
            f"Draft {draft.number} was published by someone else a moment ago.",
            next_step="Open the drafts list to see it, and publish again only if a further draft is needed.",
        ) from None
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
    audit.record("draft.publish", draft, actor=actor, instrument_id=instrument.id, number=draft.number, **periods.iso())
    return draft


def publish_round(
    instrument: Instrument,
    *,
    actor: User | None,
    title: str,
    note: str,
    periods: Periods,
    close_earlier: bool = True,
    now: datetime | None = None,
    expected_number: int | None = None,
) -> Draft:
    """The secretariat publishes the working draft as the next draft, opening its consultation periods.

    :param instrument: the instrument.
    :param actor: who publishes.
    :param title: the draft's title.
    :param note: the change note shown with the draft.
    :param periods: the new draft's periods (aware UTC), checked by :func:`check_periods`.
    :param close_earlier: end the periods of every earlier draft at this publication
        (:func:`close_earlier_drafts`); ``False`` when the secretariat keeps them open.
    :param now: the moment of publication (aware; default now).
    :param expected_number: the number the publishing page announced ("Publish Draft 4"); a form
        sent twice, or from a second tab after another publication, then publishes nothing.
    :returns: the new flushed :class:`Draft`.
    :raises Conflict: (409) when the instrument has a final text: it is adopted; or when
        ``expected_number`` is no longer the next number: that draft is already published.
    :raises InvalidInput: for periods that break a rule of :func:`check_periods`.
    """
    ensure_not_adopted(instrument)
    if expected_number is not None and expected_number != next_draft_number(instrument):
        raise Conflict(
            f"Draft {expected_number} has already been published; this form was sent twice or from an older page.",
            next_step="Open the drafts list to see it; publish again only if a further draft is needed.",
        )
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    periods = Periods(*(_aware(getattr(periods, f.name)) for f in fields(periods)))
    check_periods(periods, opens=moment, now=moment)
    draft = publish_draft(
        instrument,
        actor=actor,
        title=title,
        note=note,
        comments_open_from=periods.comments_open_from,
        comments_close_at=periods.comments_close_at,
        amendments_close_at=periods.amendments_close_at,
        now=now,
    )
    if close_earlier:
        close_earlier_drafts(instrument, draft, actor=actor, reason=f"Draft {draft.number} published")
    return draft


def declare_final(draft: Draft, *, actor: User | None, now: datetime | None = None) -> Draft:
    """Declare ``draft`` the final, adopted text: read-only for good (audited as ``draft.final``).

    Only the latest draft can be declared final: the adopted text is the
    last one negotiated, and no later draft may stand beside it. Every
    earlier draft still taking comments or amendments is closed at the same moment.

    :param draft: a published draft of its instrument.
    :param actor: who declares it.
    :param now: the moment of adoption (aware; default now).
    :returns: ``draft``, with ``final_at`` set and flushed.
    :raises Conflict: (409) when the instrument already has a final text, or a later draft exists.
    """
    instrument = draft.instrument
    ensure_not_adopted(instrument)
    latest = visibility.latest_draft(instrument)
    if latest is not None and latest.number != draft.number:
        raise Conflict(
            f"Only the latest draft, Draft {latest.number}, can be declared final.",
            next_step="Open the latest draft and declare it final there.",
        )
    draft.final_at = (now or datetime.now(UTC)).replace(microsecond=0)
    db.session.flush()
    audit.record(
        "draft.final", draft, actor=actor, instrument_id=instrument.id, number=draft.number, at=_iso(draft.final_at)
    )
    close_earlier_drafts(instrument, draft, actor=actor, reason=f"Draft {draft.number} declared final")
    return draft


def change_settings(instrument: Instrument, *, time_zone: str, is_public: bool, actor: User | None) -> list[str]:
    """Set ``instrument``'s time zone and whether anonymous visitors may read it; each change audited.

    Stored moments do not move: deadlines already set are shown in the new zone.

    :param instrument: the instrument.
    :param time_zone: an IANA zone name ("Asia/Jakarta").
    :param is_public: whether visitors who are not signed in may read its published drafts.
    :param actor: who changes them.
    :returns: the names of the settings changed (``time_zone``, ``is_public``), in that order.
    :raises InvalidInput: (field ``time_zone``) for a name that is not an IANA time zone.
    """
    try:
        zone_named(time_zone)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="time_zone") from exc
    changed = []
    for name, value in (("time_zone", time_zone), ("is_public", is_public)):
        before = getattr(instrument, name)
        if before == value:
            continue
        setattr(instrument, name, value)
        verb = "instrument.time_zone" if name == "time_zone" else "instrument.visibility"
        audit.record(verb, instrument, actor=actor, instrument_id=instrument.id, before=before, after=value)
        changed.append(name)
    db.session.flush()
    return changed


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
