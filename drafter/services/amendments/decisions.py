"""Amendments: the secretariat decides, accepting with a three-way merge.

Accepting an amendment:

1. the clause's row is locked (:func:`drafter.services.editing.lock_clause`),
   which serialises deciders and editors of one clause, and its current
   version re-read;
2. a clause deleted since the amendment was made makes it *superseded*,
   never applied;
3. a modification is merged with :func:`instrument.merge.merge`: base
   (the version the proposer saw) -> proposed, onto base -> current. A clean
   merge becomes a new version with ``cause=AMENDMENT`` linked to the
   amendment; a conflict raises :class:`AmendmentConflict` carrying the
   :class:`~instrument.merge.MergeResult`, and the secretariat's resolved
   text is accepted "with modifications" (a reason is required, conflict
   markers are refused);
4. if :func:`~drafter.services.versions.add_version` still finds the clause
   moved on (:class:`~instrument.errors.StaleBase`), the merge is redone
   once on the newer text; a second failure is :class:`ClauseChanged`;
5. an insertion makes a new clause after the target (and after the
   target's sub-clauses), shifting the positions after it; a deletion makes
   a deleted version and supersedes the other open amendments of the clause.

Services flush and never commit; the caller commits once, or rolls back on
any exception raised here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, User, VersionCause
from drafter.services import audit, versions
from drafter.services.amendments.operations import acting_role, claim_state, record_change
from drafter.services.amendments.queries import DECISIONS, merge_heading, merge_onto_current, state_machine_refusals
from drafter.services.editing import lock_clause
from drafter.services.errors import Conflict, InvalidInput
from instrument.amendments import (
    OPEN_STATES,
    Actor,
    AmendmentKind,
    AmendmentState,
    check_transition,
)
from instrument.errors import StaleBase
from instrument.matching import clause_uid
from instrument.merge import MergeResult, has_conflict_markers, merge

S = AmendmentState


class AmendmentConflict(Conflict):
    """Accepting would need a choice between two changes of the same words; nothing was written.

    :ivar amendment: the amendment being accepted.
    :ivar base_text: the text the change was made on (the amendment's base,
        or the version a resolution was made on).
    :ivar proposed_text: the text being accepted (the amendment's, or a resolution).
    :ivar current: the clause's current version.
    :ivar merge: the :class:`~instrument.merge.MergeResult` (``marked_text``
        prefills the resolution form).
    :ivar heading: the heading to prefill: the proposed one when the
        headings conflict, else the merged one.
    :ivar heading_conflict: whether the amendment and the current text
        changed the heading differently.
    """

    def __init__(
        self,
        amendment: Amendment,
        *,
        base_text: str,
        proposed_text: str,
        current: ClauseVersion,
        result: MergeResult,
        heading: str,
        heading_conflict: bool,
    ):
        parts = []
        if not result.clean:
            n = len(result.conflicts)
            parts.append(f"{n} place{'s' if n != 1 else ''} in the text")
        if heading_conflict:
            parts.append("the heading")
        super().__init__(
            f"{amendment.title} and the current text of {current.label or 'the clause'} "
            f"(version {current.seq}) change the same words differently: {' and '.join(parts)}. "
            "Resolve the conflict to accept it with modifications."
        )
        self.amendment = amendment
        self.base_text = base_text
        self.proposed_text = proposed_text
        self.current = current
        self.merge = result
        self.heading = heading
        self.heading_conflict = heading_conflict


class ClauseChanged(Conflict):
    """The clause kept changing while an amendment was being accepted; nothing was written."""


_REVIEW_MERGE = "The clause changed meanwhile: review the merge on the amendment's page."


@dataclass(frozen=True)
class Outcome:
    """What a decision did.

    :ivar amendment: the amendment decided.
    :ivar state: its new state (``superseded`` when its clause had been deleted).
    :ivar version: the version the decision made, or ``None`` (rejected,
        superseded, or the text already said what the amendment asked).
    :ivar merged: whether the clause had moved on since the amendment's
        base, so a three-way merge made the text.
    :ivar superseded: other amendments the decision made moot (after a deletion).
    """

    amendment: Amendment
    state: AmendmentState
    version: ClauseVersion | None = None
    merged: bool = False
    superseded: tuple[Amendment, ...] = field(default=())


# --- deciding ------------------------------------------------------------------------


def decide(
    amendment: Amendment,
    *,
    actor: User,
    outcome: AmendmentState | str,
    reason: str | None = None,
    text: str | None = None,
    heading: str | None = None,
    number: str | None = None,
    base_version_id: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """The secretariat accepts, accepts with modifications, or rejects an amendment.

    :param amendment: the amendment (loaded in this session).
    :param actor: the deciding secretariat member.
    :param outcome: ``accepted``, ``accepted_with_modifications`` or ``rejected``.
    :param reason: required for rejections and acceptances with modifications.
    :param text: with modifications: the text as accepted (a resolved
        conflict, or the secretariat's own rewording); for an insertion,
        the new clause's text. Refused while it holds conflict markers.
    :param heading: with modifications: the heading as accepted (default:
        the three-way choice of headings).
    :param number: with modifications of an insertion: the new clause's number.
    :param base_version_id: with modifications of a modification: the
        version of the clause that ``text`` was written on (default: the
        current one). If the clause has moved on since, ``text`` is merged
        onto the newer text like an amendment.
    :param now: the time of the decision (default: now, UTC).
    :returns: an :class:`Outcome`.
    :raises InvalidInput: for unusable input (markers left in, no text, wrong version), on the
        field it concerns (``reason`` for what belongs to no field: the form shows it there).
    :raises AmendmentConflict: (a :class:`Conflict`) when the change cannot be merged cleanly;
        nothing is written.
    :raises ClauseChanged: (a :class:`Conflict`) when the clause changed underneath twice; nothing is written.
    :raises Refused: as :func:`~drafter.services.amendments.queries.state_machine_refusals`
        when the state machine refuses (:class:`NotPermitted`, :class:`InvalidInput` on
        ``reason``, :class:`Conflict`); :class:`NotPermitted` also for someone with no role.
    """
    target = AmendmentState(outcome)
    if target not in DECISIONS:
        raise ValueError(f"{target.value} is not a decision")
    role = acting_role(amendment, actor, target)
    with state_machine_refusals():
        check_transition(amendment.state, target, role, reason=reason)
    modified = target is S.ACCEPTED_WITH_MODIFICATIONS
    if modified and amendment.kind is AmendmentKind.DELETE:
        raise InvalidInput("A deletion is accepted or rejected as it stands.", field="reason")
    if modified and not (text or "").strip():
        raise InvalidInput("Give the text as accepted.", field="text")
    if modified and has_conflict_markers(text or ""):
        raise InvalidInput(
            "The text still has conflict markers (lines such as “<<<<<<< amendment”). "
            "Keep the words you want and remove the marker lines.",
            field="text",
        )

    if target is S.REJECTED:
        claim_state(amendment, target, role, actor=actor, reason=reason, now=now)
        record_change(amendment, target, actor, role)
        return Outcome(amendment, target)

    clause = amendment.clause
    lock_clause(clause)
    current = clause.current_version
    if clause.deleted or current is None or current.deleted:
        return _supersede(amendment, now=now, why=f"{clause.key} has been deleted since {amendment.title} was made.")

    if amendment.kind is AmendmentKind.INSERT:
        claim_state(amendment, target, role, actor=actor, reason=reason, now=now)
        if modified:
            number = (number or "").strip() or amendment.number
            heading = amendment.heading if heading is None else heading.strip()
        else:
            number, heading, text = amendment.number, amendment.heading, amendment.text
        inserted = _insert_after(clause, amendment, actor=actor, number=number, heading=heading, text=text or "")
        return _accepted(amendment, target, role, actor, inserted, merged=False)

    if amendment.kind is AmendmentKind.DELETE:
        claim_state(amendment, target, role, actor=actor, reason=reason, now=now)
        version = versions.add_version(
            clause,
            number=current.number,
            heading=current.heading,
            text=current.text,
            cause=VersionCause.AMENDMENT,
            actor=actor,
            base_version_id=current.id,
            deleted=True,
            note=f"proposed by {amendment.organisation.name}",
            amendment_id=amendment.id,
        )
        others = _supersede_others(amendment, now=now)
        return _accepted(amendment, target, role, actor, version, merged=False, superseded=others)

    # A modification: the amendment's own text, or the secretariat's text written on some version.
    if modified:
        on = db.session.get(ClauseVersion, base_version_id) if base_version_id is not None else current
        if on is None or on.clause_id != clause.id:
            raise InvalidInput("The version the text was written on is not a version of this clause.", field="reason")
        source = (on, text or "", amendment.heading if heading is None else heading.strip())
    else:
        source = (amendment.base_version, amendment.text, amendment.heading)
    claim_state(amendment, target, role, actor=actor, reason=reason, now=now)
    version, merged = _merge_and_write(clause, amendment, source, actor=actor, modified=modified)
    return _accepted(amendment, target, role, actor, version, merged=merged)


def _merge_and_write(
    clause: Clause,
    amendment: Amendment,
    source: tuple[ClauseVersion, str, str],
    *,
    actor: User,
    modified: bool,
) -> tuple[ClauseVersion | None, bool]:
    """Merge ``source`` (base version, text, heading) onto the clause's current text and write it.

    Redone once on the newer text if the clause moved on underneath
    (:class:`StaleBase` from :func:`~drafter.services.versions.add_version`).

    :returns: ``(new version or None when nothing changed, whether the base was not current)``.
    :raises AmendmentConflict: when the merge is not clean.
    :raises ClauseChanged: on a second :class:`StaleBase`.
    """
    base, proposed_text, proposed_heading = source
    for attempt in (1, 2):
        current = clause.current_version
        if current is None:  # every clause has had a version since it was made
            raise ClauseChanged(f"{clause.key} has no current text; nothing was saved.", next_step=_REVIEW_MERGE)
        if modified and base.id == current.id:
            result = MergeResult(proposed_text, True, (), proposed_text)
        elif modified:
            result = merge(base.text, proposed_text, current.text)
        else:
            result = merge_onto_current(amendment, current)
        heading = merge_heading(base.heading, proposed_heading, current.heading)
        if not result.clean or heading is None:
            raise AmendmentConflict(
                amendment,
                base_text=base.text,
                proposed_text=proposed_text,
                current=current,
                result=result,
                heading=proposed_heading if heading is None else heading,
                heading_conflict=heading is None,
            )
        try:
            with db.session.begin_nested():
                version = versions.add_version(
                    clause,
                    number=current.number,
                    heading=heading,
                    text=result.text,
                    cause=VersionCause.AMENDMENT,
                    actor=actor,
                    base_version_id=current.id,
                    note=f"proposed by {amendment.organisation.name}",
                    amendment_id=amendment.id,
                )
        except StaleBase as exc:
            if attempt == 2:
                raise ClauseChanged(
                    f"{clause.key} changed meanwhile, twice; nothing was saved. Review the merge and accept again.",
                    next_step=_REVIEW_MERGE,
                ) from exc
            db.session.refresh(clause)
            continue
        merged = base.id != current.id
        audit.record(
            "amendment.merge",
            amendment,
            actor=actor,
            instrument_id=amendment.instrument_id,
            clause=clause.uid,
            base_version=base.id,
            onto_version=current.id,
            three_way=merged,
            resolution=modified,
            version=version.id if version is not None else None,
            attempts=attempt,
        )
        return version, merged
    raise AssertionError("unreachable")  # pragma: no cover


def _accepted(
    amendment: Amendment,
    target: AmendmentState,
    role: Actor,
    actor: User,
    version: ClauseVersion | None,
    *,
    merged: bool,
    superseded: Sequence[Amendment] = (),
) -> Outcome:
    if version is not None:
        amendment.result_version_id = version.id
        db.session.flush()
    record_change(
        amendment,
        target,
        actor,
        role,
        version=version.id if version is not None else None,
        unchanged=version is None,
        merged=merged,
    )
    return Outcome(amendment, target, version, merged, tuple(superseded))


def _supersede(amendment: Amendment, *, now: datetime | None, why: str) -> Outcome:
    """Mark ``amendment`` superseded by the system, with ``why`` as the reason."""
    claim_state(amendment, S.SUPERSEDED, Actor.SYSTEM, actor=None, reason=why, now=now)
    record_change(amendment, S.SUPERSEDED, None, Actor.SYSTEM)
    return Outcome(amendment, S.SUPERSEDED)


def _supersede_others(amendment: Amendment, *, now: datetime | None) -> list[Amendment]:
    """Mark the other open amendments of the deleted clause superseded."""
    others = list(
        db.session.scalars(
            select(Amendment)
            .where(
                Amendment.clause_id == amendment.clause_id,
                Amendment.id != amendment.id,
                Amendment.state.in_(OPEN_STATES),
            )
            .order_by(Amendment.id)
        )
    )
    for other in others:
        _supersede(other, now=now, why=f"{amendment.title} deleted {amendment.clause.key}.")
    return others


def _insert_after(
    target: Clause, amendment: Amendment, *, actor: User, number: str, heading: str, text: str
) -> ClauseVersion:
    """Make a new clause right after ``target`` and its sub-clauses, with its first version."""
    later = db.session.execute(
        select(Clause.position, Clause.depth)
        .where(Clause.instrument_id == target.instrument_id, Clause.position > target.position)
        .order_by(Clause.position)
    ).all()
    last = target.position
    for position, depth in later:
        if depth <= target.depth:
            break
        last = position
    db.session.execute(
        update(Clause)
        .where(Clause.instrument_id == target.instrument_id, Clause.position > last)
        .values(position=Clause.position + 1)
    )
    taken = db.session.scalars(select(Clause.uid).where(Clause.instrument_id == target.instrument_id)).all()
    clause = Clause(
        instrument_id=target.instrument_id,
        uid=clause_uid(number, taken),
        key=number,
        kind=target.kind,
        parent_id=target.parent_id,
        position=last + 1,
        depth=target.depth,
    )
    db.session.add(clause)
    db.session.flush()
    version = versions.add_version(
        clause,
        number=number,
        heading=heading,
        text=text,
        cause=VersionCause.AMENDMENT,
        actor=actor,
        note=f"proposed by {amendment.organisation.name}",
        amendment_id=amendment.id,
    )
    assert version is not None  # a new clause always gets its first version
    audit.record(
        "amendment.merge",
        amendment,
        actor=actor,
        instrument_id=amendment.instrument_id,
        clause=clause.uid,
        inserted_after=target.uid,
        version=version.id,
    )
    return version
