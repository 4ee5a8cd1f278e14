"""Amendments: the use cases that propose and move them through their simple changes of state.

Every change of state goes through :func:`instrument.amendments.decide`
(which calls :func:`~instrument.amendments.check_transition`), so a change
the state machine does not list is refused with its message and nothing is
written. The new state is written by a compare-and-set UPDATE (``WHERE
state = <the state the decision was checked against>``), so two people
deciding the same amendment at once cannot both succeed. The secretariat's
decisions are in :mod:`drafter.services.amendments.decisions`.

Services flush and never commit; the caller commits once, or rolls back on
any exception raised here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import attributes

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Instrument, Organisation, User
from drafter.policies import can_propose
from drafter.services import audit, phases, visibility
from drafter.services.amendments.queries import DECISIONS, roles_for, state_machine_refusals
from drafter.services.comments.queries import latest_drafts_holding
from drafter.services.errors import Conflict, InvalidInput, NotPermitted
from instrument.amendments import (
    Actor,
    AmendmentKind,
    AmendmentState,
    allowed,
    check_transition,
    is_open,
)
from instrument.amendments import (
    decide as decide_transition,
)
from instrument.text import comparison_form

S = AmendmentState

MAX_TEXT = 200_000
MAX_RATIONALE = 20_000


def acting_role(amendment: Amendment, actor: User | None, target: AmendmentState) -> Actor:
    """The role in which ``actor`` asks for ``target``.

    :raises NotPermitted: when ``actor`` holds no role for the amendment at all.
    """
    if actor is None:
        return Actor.SYSTEM
    roles = roles_for(amendment, actor)
    if not roles:
        raise NotPermitted(
            f"Only members of {amendment.organisation.name} or the secretariat may act on {amendment.title}."
        )
    fitting = [r for r in Actor if r in roles and allowed(amendment.state, target, r)]
    # With no fitting role, check_transition explains why (no such change, or not for this role).
    return fitting[0] if fitting else next(r for r in Actor if r in roles)


# --- proposing and simple changes of state ------------------------------------------


def propose(
    clause: Clause,
    *,
    actor: User,
    kind: AmendmentKind | str,
    base_version_id: int,
    rationale: str,
    text: str = "",
    heading: str | None = None,
    number: str = "",
    sponsor_ids: Iterable[int] = (),
    submit: bool = False,
    now: datetime | None = None,
) -> Amendment:
    """Record an amendment proposed by ``actor`` for their organisation, as a draft or submitted.

    :param clause: the clause to modify or delete, or to insert a new clause after.
    :param actor: an active account with an organisation.
    :param kind: ``modify``, ``insert`` or ``delete``.
    :param base_version_id: the version of ``clause`` the proposer saw.
    :param rationale: why (required).
    :param text: the proposed text (modify, insert).
    :param heading: the proposed heading (modify: ``None`` keeps the base's; insert: the new clause's).
    :param number: the new clause's number label (insert only, required there).
    :param sponsor_ids: ids of co-sponsoring organisations (the proposer's own is ignored).
    :param submit: submit at once instead of keeping a private draft.
    :param now: the time (default: now, UTC), for the amendment period.
    :returns: the new flushed :class:`Amendment`; its ``draft`` is the latest published draft
        holding the base version (the draft the proposer read), or ``None`` for a base in the
        secretariat's working draft only.
    :raises NotPermitted: when ``actor`` has no organisation (or is not an active account).
    :raises Conflict: when the clause has been deleted.
    :raises InvalidInput: for missing or unusable input (``field`` names the input), a base
        version the proposer may not read (:func:`drafter.services.visibility.may_see_version`) included.
    :raises phases.PeriodClosed: (a :class:`Conflict`) when that draft takes no amendments now, or the
        instrument's latest draft is final (for everybody, the secretariat included).
    """
    kind = AmendmentKind(kind)
    if not can_propose(actor):
        raise NotPermitted("Amendments are proposed on behalf of an organisation; your account has none.")
    if clause.deleted:
        raise Conflict("This clause has been deleted; it can no longer be amended.")
    base = db.session.get(ClauseVersion, base_version_id)
    if base is None or base.clause_id != clause.id or not visibility.may_see_version(actor, clause.instrument, base):
        raise InvalidInput("The version you started from is not a version of this clause.", field="base_version_id")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InvalidInput("Explain why you propose this change.", field="rationale")
    if len(rationale) > MAX_RATIONALE or len(text or "") > MAX_TEXT:
        raise InvalidInput("The text is too long.", field="text")
    text = (text or "").strip()
    heading = base.heading if heading is None else heading.strip()
    number = (number or "").strip()
    if kind is AmendmentKind.MODIFY:
        if not text:
            raise InvalidInput("Write the text you propose, or choose to delete the clause.", field="text")
        if comparison_form(text) == comparison_form(base.text) and comparison_form(heading) == comparison_form(
            base.heading
        ):
            raise InvalidInput("The proposed text is the same as the text you started from.", field="text")
        number = base.number
    elif kind is AmendmentKind.INSERT:
        if not number:
            raise InvalidInput("Give the new clause a number, for example “Article 12A”.", field="number")
        if not text:
            raise InvalidInput("Write the text of the new clause.", field="text")
    else:
        text, heading, number = "", base.heading, base.number
    latest = visibility.latest_draft(clause.instrument)
    if latest is not None and latest.is_final:
        phases.ensure_open(latest, phases.Activity.AMENDMENT, now)  # the adopted text takes no amendment
    draft = latest_drafts_holding([base.id]).get(base.id)
    if draft is not None:
        phases.ensure_open(draft, phases.Activity.AMENDMENT, now)
    sponsors = _sponsors(sponsor_ids, exclude=actor.organisation_id)
    amendment = Amendment(
        instrument_id=clause.instrument_id,
        clause_id=clause.id,
        kind=kind,
        base_version_id=base.id,
        draft_id=draft.id if draft is not None else None,
        number=number,
        heading=heading,
        text=text,
        rationale=rationale,
        proposer_id=actor.id,
        organisation_id=actor.organisation_id,
        state=S.DRAFT,
        sponsors=sponsors,
    )
    _add_numbered(amendment)
    audit.record(
        "amendment.propose",
        amendment,
        actor=actor,
        instrument_id=clause.instrument_id,
        clause=clause.uid,
        kind=kind.value,
        base_version=base.id,
        sponsors=[o.id for o in sponsors],
    )
    if submit:
        submit_amendment(amendment, actor=actor, now=now)
    return amendment


#: How often :func:`_add_numbered` takes a fresh number after losing it to a concurrent proposal.
NUMBER_ATTEMPTS = 5


def lock_numbering(instrument_id: int) -> None:
    """Take the instrument row's lock until the transaction ends, so its amendments are numbered one at a time.

    A no-op UPDATE of a non-key column: on PostgreSQL a row lock that a
    second proposer waits on, on SQLite the database write lock (which also
    makes the transaction a real one before the savepoint that follows).

    :param instrument_id: the instrument whose amendment numbers are taken.
    """
    db.session.execute(
        update(Instrument)
        .where(Instrument.id == instrument_id)
        .values(title=Instrument.title)
        .execution_options(synchronize_session=False)
    )


def next_number(instrument_id: int) -> int:
    """The number the next amendment of the instrument gets: one more than the highest so far, or 1."""
    last = db.session.scalar(select(func.max(Amendment.seq)).where(Amendment.instrument_id == instrument_id))
    return (last or 0) + 1


def _add_numbered(amendment: Amendment) -> None:
    """Add ``amendment`` with the next number of its instrument (``seq``: 1, 2, ...) and flush.

    The instrument row is locked first (:func:`lock_numbering`), so two
    proposals in one instrument take their numbers one after the other. Should a number still be taken
    meanwhile, the unique (instrument, seq) constraint refuses it inside a
    savepoint and the next number is tried.

    :raises IntegrityError: when no number could be had after :data:`NUMBER_ATTEMPTS` tries.
    """
    instrument_id = amendment.instrument_id
    lock_numbering(instrument_id)
    for attempt in range(NUMBER_ATTEMPTS):
        amendment.seq = next_number(instrument_id)
        try:
            with db.session.begin_nested():
                db.session.add(amendment)
            return
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


def _sponsors(ids: Iterable[int], *, exclude: int | None) -> list[Organisation]:
    wanted = {int(i) for i in ids if int(i) != exclude}
    if not wanted:
        return []
    found = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    if len(found) != len(wanted):
        raise InvalidInput("One of the co-sponsoring organisations does not exist.", field="sponsors")
    return found


def claim_state(
    amendment: Amendment,
    target: AmendmentState,
    role: Actor,
    *,
    actor: User | None,
    reason: str | None,
    now: datetime | None,
):
    """Check and write one change of state with a compare-and-set UPDATE.

    :returns: the :class:`instrument.amendments.Decision`.
    :raises Refused: as :func:`state_machine_refusals` when the state machine refuses;
        :class:`Conflict` also when someone else changed the state first.
    """
    state = amendment.state
    with state_machine_refusals():
        decision = decide_transition(
            state, target, role, decider_id=actor.id if actor is not None else None, reason=reason, at=now
        )
    values: dict = {"state": target}
    if target is S.SUBMITTED:
        values["submitted_at"] = decision.decided_at
    elif not is_open(target):
        values.update(decided_by_id=decision.decider_id, decided_at=decision.decided_at, reason=decision.reason or "")
    stmt = (
        update(Amendment)
        .where(Amendment.id == amendment.id, Amendment.state == state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE gives a CursorResult; Session.execute is typed for SELECTs only.
    result = cast(CursorResult[Any], db.session.execute(stmt))
    if result.rowcount != 1:
        db.session.refresh(amendment)
        with state_machine_refusals():
            check_transition(amendment.state, target, role, reason=reason)  # explains the new state
        raise Conflict(f"{amendment.title} changed meanwhile; reload the page and try again.")
    for name, value in values.items():
        attributes.set_committed_value(amendment, name, value)
    return decision


_VERBS = {
    S.SUBMITTED: "submit",
    S.UNDER_REVIEW: "review",
    S.ACCEPTED: "accept",
    S.ACCEPTED_WITH_MODIFICATIONS: "accept_with_modifications",
    S.REJECTED: "reject",
    S.WITHDRAWN: "withdraw",
    S.SUPERSEDED: "supersede",
}


def record_change(amendment: Amendment, target: AmendmentState, actor: User | None, role: Actor, **details) -> None:
    """Write the audit event of ``amendment`` moving to ``target`` (``amendment.<verb>``, with the reason once decided).

    :param actor: who asked (``None``: the system); ``role``: the role they acted in.
    :param details: further fields kept with the event.
    """
    audit.record(
        f"amendment.{_VERBS[target]}",
        amendment,
        actor=actor,
        instrument_id=amendment.instrument_id,
        role=role.value,
        reason=amendment.reason if not is_open(target) else None,
        **details,
    )


def submit_amendment(amendment: Amendment, *, actor: User | None, now: datetime | None = None) -> Amendment:
    """Submit a draft amendment: it becomes visible to every signed-in user.

    :raises phases.PeriodClosed: (a :class:`Conflict`) when the draft it was proposed on
        no longer takes amendments.
    :raises Refused: as :func:`state_machine_refusals` when the state machine refuses,
        :class:`NotPermitted` also for someone with no role for the amendment.
    """
    role = acting_role(amendment, actor, S.SUBMITTED)
    with state_machine_refusals():
        check_transition(amendment.state, S.SUBMITTED, role)
    latest = visibility.latest_draft(amendment.instrument)
    if latest is not None and latest.is_final:
        phases.ensure_open(latest, phases.Activity.AMENDMENT, now)
    if amendment.draft is not None:
        phases.ensure_open(amendment.draft, phases.Activity.AMENDMENT, now)
    claim_state(amendment, S.SUBMITTED, role, actor=actor, reason=None, now=now)
    record_change(amendment, S.SUBMITTED, actor, role)
    return amendment


def transition(
    amendment: Amendment,
    target: AmendmentState | str,
    *,
    actor: User | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Move ``amendment`` to a state that is not a decision: submitted, under review, withdrawn, superseded.

    :param actor: who asks (``None``: the system).
    :param reason: kept with withdrawals and supersessions.
    :returns: the amendment, flushed.
    :raises Conflict: for ``draft`` (no amendment goes back to it).
    :raises NotPermitted: for a decision asked by someone outside the secretariat.
    :raises InvalidInput: (on ``to``) for a decision asked by the secretariat: decisions go
        through :func:`~drafter.services.amendments.decisions.decide`.
    :raises Refused: as :func:`state_machine_refusals` when the state machine refuses,
        :class:`NotPermitted` also for someone with no role for the amendment.
    :raises phases.PeriodClosed: (a :class:`Conflict`) when submitting after the comment period.
    """
    target = AmendmentState(target)
    if target is S.DRAFT:
        raise Conflict(f"{amendment.title} cannot return to draft.")
    if target in DECISIONS:
        if Actor.SECRETARIAT not in roles_for(amendment, actor):
            raise NotPermitted("Only the secretariat decides on amendments.")
        raise InvalidInput("Use the decision form to accept or reject an amendment.", field="to")
    if target is S.SUBMITTED:
        return submit_amendment(amendment, actor=actor, now=now)
    role = acting_role(amendment, actor, target)
    claim_state(amendment, target, role, actor=actor, reason=reason, now=now)
    record_change(amendment, target, actor, role)
    return amendment
