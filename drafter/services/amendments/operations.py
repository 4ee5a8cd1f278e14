"""Amendments: propose, submit, withdraw, review, and decide with a three-way merge.

Every change of state goes through :func:`instrument.amendments.decide`
(which calls :func:`~instrument.amendments.check_transition`), so a change
the state machine does not list is refused with its message and nothing is
written. The new state is written by a compare-and-set UPDATE (``WHERE
state = <the state the decision was checked against>``), so two people
deciding the same amendment at once cannot both succeed.

Accepting an amendment (see the amendments issue and ``shared/ARCHITECTURE.md``,
"Accept an amendment"):

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

import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import attributes, joinedload, selectinload

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Draft, Instrument, Organisation, User, VersionCause
from drafter.permissions import is_active_user, is_secretariat
from drafter.services import audit, drafts, versions
from drafter.services.editing import lock_clause
from drafter.services.paging import Page
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
from instrument.errors import InvalidTransition, MergeConflict, StaleBase, TransitionNotPermitted
from instrument.matching import clause_uid
from instrument.merge import MergeResult, has_conflict_markers, merge
from instrument.text import comparison_form

S = AmendmentState
#: States in which an amendment can still change (drafts included).
OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW)
#: Open states visible to every signed-in user (a draft is private to its organisation).
PUBLIC_OPEN_STATES = (S.SUBMITTED, S.UNDER_REVIEW)
#: The secretariat's decisions.
DECISIONS = (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS, S.REJECTED)

MAX_TEXT = 200_000
MAX_RATIONALE = 20_000


class AmendmentRefused(ValueError):
    """A proposal or decision that cannot be made as given; the web layer shows it as a form error (400).

    :ivar field: the form field the message belongs to, or ``None``.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AmendmentConflict(MergeConflict):
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


class ClauseChanged(StaleBase):
    """The clause kept changing while an amendment was being accepted; nothing was written."""


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


# --- who may do what ---------------------------------------------------------------


def roles_for(amendment: Amendment, user: User | None) -> frozenset[Actor]:
    """The roles ``user`` holds for ``amendment`` (see :class:`instrument.amendments.Actor`).

    :param amendment: any amendment.
    :param user: the acting user, or ``None``/anonymous.
    :returns: ``PROPOSER`` for active members of the proposing organisation,
        ``SECRETARIAT`` for active secretariat and admin accounts; empty for
        everybody else (members of other organisations, co-sponsors included).
    """
    if not is_active_user(user):
        return frozenset()
    roles = set()
    if user.organisation_id is not None and user.organisation_id == amendment.organisation_id:
        roles.add(Actor.PROPOSER)
    if is_secretariat(user):
        roles.add(Actor.SECRETARIAT)
    return frozenset(roles)


def can_view(amendment: Amendment, user: User | None) -> bool:
    """May ``user`` see ``amendment``?

    A draft is private to its organisation; any other state is visible to
    every signed-in, approved account.
    """
    if not is_active_user(user):
        return False
    if amendment.state is S.DRAFT:
        return user.organisation_id is not None and user.organisation_id == amendment.organisation_id
    return True


def actions_for(amendment: Amendment, user: User | None) -> tuple[AmendmentState, ...]:
    """The states ``user`` may move ``amendment`` to, for buttons (decisions included).

    :returns: targets from :func:`instrument.amendments.available_transitions`
        for each of the user's roles, in :class:`AmendmentState` order;
        ``superseded`` is left out for people (the system marks it, or the
        secretariat with a reason from the decision form).
    """
    roles = roles_for(amendment, user)
    return tuple(target for target in AmendmentState if any(allowed(amendment.state, target, role) for role in roles))


def _role(amendment: Amendment, actor: User | None, target: AmendmentState) -> Actor:
    """The role in which ``actor`` asks for ``target``.

    :raises TransitionNotPermitted: when ``actor`` holds no role for the amendment at all.
    """
    if actor is None:
        return Actor.SYSTEM
    roles = roles_for(amendment, actor)
    if not roles:
        raise TransitionNotPermitted(
            f"Only members of {amendment.organisation.name} or the secretariat may act on {amendment.title}."
        )
    fitting = [r for r in Actor if r in roles and allowed(amendment.state, target, r)]
    # With no fitting role, check_transition explains why (no such change, or not for this role).
    return fitting[0] if fitting else next(r for r in Actor if r in roles)


# --- reading -----------------------------------------------------------------------


def latest_draft(instrument: Instrument) -> Draft | None:
    """The instrument's latest published draft, or ``None`` when none was published."""
    return db.session.scalar(
        select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(1)
    )


def open_on_clause(clause: Clause, viewer: User | None) -> list[Amendment]:
    """The open amendments on ``clause`` that ``viewer`` may see, oldest first (one query).

    Submitted and under-review amendments for every signed-in user, plus the
    drafts of the viewer's own organisation; nothing for anonymous visitors.
    Proposer, organisation and base version are loaded with them.
    """
    if not is_active_user(viewer):
        return []
    visible: ColumnElement[bool] = Amendment.state.in_(PUBLIC_OPEN_STATES)
    if viewer.organisation_id is not None:
        visible = visible | ((Amendment.state == S.DRAFT) & (Amendment.organisation_id == viewer.organisation_id))
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.clause_id == clause.id, visible)
            .options(
                joinedload(Amendment.organisation),
                joinedload(Amendment.proposer),
                joinedload(Amendment.base_version),
                selectinload(Amendment.sponsors),
            )
            .order_by(Amendment.id)
        )
    )


@functools.lru_cache(maxsize=512)
def cached_merge(key: Hashable, base: str, proposed: str, current: str) -> MergeResult:
    """:func:`instrument.merge.merge`, remembered for the 512 most recent calls.

    Versions and proposed texts never change, so a merge named by the ids
    it was made from (``key``, e.g. ``(amendment id, current version id)``)
    never changes either. The texts are part of the cache key too, so a
    wrong key can never return the merge of other texts.

    :returns: the same value as ``merge(base, proposed, current)``.
    """
    return merge(base, proposed, current)


def merge_onto_current(amendment: Amendment, current: ClauseVersion) -> MergeResult:
    """Merge a modification onto ``current`` (base -> proposed onto base -> current), cached by ids.

    :param amendment: a ``modify`` amendment (its base version loaded or loadable).
    :param current: the clause's current version.
    :returns: the :class:`~instrument.merge.MergeResult`.
    """
    base = amendment.base_version
    return cached_merge((amendment.id, base.id, current.id), base.text, amendment.text, current.text)


def merge_heading(base: str, proposed: str, current: str) -> str | None:
    """Three-way choice of a heading, taken as a whole.

    :returns: the merged heading, or ``None`` when both sides changed it
        differently (a conflict).
    """
    same = lambda a, b: comparison_form(a) == comparison_form(b)  # noqa: E731
    if same(proposed, base) or same(proposed, current):
        return current
    if same(current, base):
        return proposed
    return None


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
    :param now: the time (default: now, UTC), for the comment period.
    :returns: the new flushed :class:`Amendment`.
    :raises AmendmentRefused: for missing or unusable input (named field).
    :raises drafts.CommentPeriodClosed: when the latest draft's comment period has ended.
    """
    kind = AmendmentKind(kind)
    if not is_active_user(actor) or actor.organisation_id is None:
        raise AmendmentRefused("Amendments are proposed on behalf of an organisation; your account has none.")
    if clause.deleted:
        raise AmendmentRefused("This clause has been deleted; it can no longer be amended.")
    base = db.session.get(ClauseVersion, base_version_id)
    if base is None or base.clause_id != clause.id:
        raise AmendmentRefused("The version you started from is not a version of this clause.", "base_version_id")
    rationale = (rationale or "").strip()
    if not rationale:
        raise AmendmentRefused("Explain why you propose this change.", "rationale")
    if len(rationale) > MAX_RATIONALE or len(text or "") > MAX_TEXT:
        raise AmendmentRefused("The text is too long.", "text")
    text = (text or "").strip()
    heading = base.heading if heading is None else heading.strip()
    number = (number or "").strip()
    if kind is AmendmentKind.MODIFY:
        if not text:
            raise AmendmentRefused("Write the text you propose, or choose to delete the clause.", "text")
        if comparison_form(text) == comparison_form(base.text) and comparison_form(heading) == comparison_form(
            base.heading
        ):
            raise AmendmentRefused("The proposed text is the same as the text you started from.", "text")
        number = base.number
    elif kind is AmendmentKind.INSERT:
        if not number:
            raise AmendmentRefused("Give the new clause a number, for example “Article 12A”.", "number")
        if not text:
            raise AmendmentRefused("Write the text of the new clause.", "text")
    else:
        text, heading, number = "", base.heading, base.number
    draft = latest_draft(clause.instrument)
    if draft is not None:
        drafts.ensure_open_for_comment(draft, now)
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


def numbers_of(ids: Iterable[int | None]) -> dict[int, int]:
    """The numbers (``seq``) of amendments known by id, e.g. to name the amendment that made a version.

    :param ids: amendment ids; ``None`` entries are skipped.
    :returns: ``{id: seq}`` for those that exist (one query, none when there is no id).
    """
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Amendment.id, Amendment.seq).where(Amendment.id.in_(wanted)))
    return dict(rows.all())


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
        raise AmendmentRefused("One of the co-sponsoring organisations does not exist.", "sponsors")
    return found


def _claim(
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
    :raises InvalidTransition: (or a subclass) when the state machine refuses,
        including when someone else changed the state first.
    """
    state = amendment.state
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
        check_transition(amendment.state, target, role, reason=reason)  # explains the new state
        raise InvalidTransition(f"{amendment.title} changed meanwhile; reload the page and try again.")
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


def _record(amendment: Amendment, target: AmendmentState, actor: User | None, role: Actor, **details) -> None:
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

    :raises drafts.CommentPeriodClosed: when the draft it was proposed on no longer takes amendments.
    :raises InvalidTransition: (or a subclass) as :func:`instrument.amendments.check_transition`.
    """
    role = _role(amendment, actor, S.SUBMITTED)
    check_transition(amendment.state, S.SUBMITTED, role)
    if amendment.draft is not None:
        drafts.ensure_open_for_comment(amendment.draft, now)
    _claim(amendment, S.SUBMITTED, role, actor=actor, reason=None, now=now)
    _record(amendment, S.SUBMITTED, actor, role)
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
    :raises ValueError: for a decision (use :func:`decide`) or ``draft``.
    :raises InvalidTransition: (or a subclass) as :func:`instrument.amendments.check_transition`;
        :class:`TransitionNotPermitted` also for someone with no role for the amendment.
    :raises drafts.CommentPeriodClosed: when submitting after the comment period.
    """
    target = AmendmentState(target)
    if target in DECISIONS or target is S.DRAFT:
        raise ValueError(f"{target.value} is not a simple change of state")
    if target is S.SUBMITTED:
        return submit_amendment(amendment, actor=actor, now=now)
    role = _role(amendment, actor, target)
    _claim(amendment, target, role, actor=actor, reason=reason, now=now)
    _record(amendment, target, actor, role)
    return amendment


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
    :raises AmendmentRefused: for unusable input (markers left in, no text, wrong version).
    :raises AmendmentConflict: when the change cannot be merged cleanly; nothing is written.
    :raises ClauseChanged: when the clause changed underneath twice; nothing is written.
    :raises InvalidTransition: (and its subclasses :class:`TransitionNotPermitted`,
        :class:`~instrument.errors.ReasonRequired`) when the state machine refuses.
    """
    target = AmendmentState(outcome)
    if target not in DECISIONS:
        raise ValueError(f"{target.value} is not a decision")
    role = _role(amendment, actor, target)
    check_transition(amendment.state, target, role, reason=reason)
    modified = target is S.ACCEPTED_WITH_MODIFICATIONS
    if modified and amendment.kind is AmendmentKind.DELETE:
        raise AmendmentRefused("A deletion is accepted or rejected as it stands.")
    if modified and not (text or "").strip():
        raise AmendmentRefused("Give the text as accepted.", "text")
    if modified and has_conflict_markers(text or ""):
        raise AmendmentRefused(
            "The text still has conflict markers (lines such as “<<<<<<< amendment”). "
            "Keep the words you want and remove the marker lines.",
            "text",
        )

    if target is S.REJECTED:
        _claim(amendment, target, role, actor=actor, reason=reason, now=now)
        _record(amendment, target, actor, role)
        return Outcome(amendment, target)

    clause = amendment.clause
    lock_clause(clause)
    current = clause.current_version
    if clause.deleted or current is None or current.deleted:
        return _supersede(amendment, now=now, why=f"{clause.key} has been deleted since {amendment.title} was made.")

    if amendment.kind is AmendmentKind.INSERT:
        _claim(amendment, target, role, actor=actor, reason=reason, now=now)
        if modified:
            number = (number or "").strip() or amendment.number
            heading = amendment.heading if heading is None else heading.strip()
        else:
            number, heading, text = amendment.number, amendment.heading, amendment.text
        inserted = _insert_after(clause, amendment, actor=actor, number=number, heading=heading, text=text or "")
        return _accepted(amendment, target, role, actor, inserted, merged=False)

    if amendment.kind is AmendmentKind.DELETE:
        _claim(amendment, target, role, actor=actor, reason=reason, now=now)
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
            raise AmendmentRefused("The version the text was written on is not a version of this clause.")
        source = (on, text or "", amendment.heading if heading is None else heading.strip())
    else:
        source = (amendment.base_version, amendment.text, amendment.heading)
    _claim(amendment, target, role, actor=actor, reason=reason, now=now)
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
            raise ClauseChanged(f"{clause.key} has no current text; nothing was saved.")
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
                    f"{clause.key} changed meanwhile, twice; nothing was saved. Review the merge and accept again."
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
    _record(
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
    _claim(amendment, S.SUPERSEDED, Actor.SYSTEM, actor=None, reason=why, now=now)
    _record(amendment, S.SUPERSEDED, None, Actor.SYSTEM)
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


# --- lists ----------------------------------------------------------------------------


def state_counts(instrument: Instrument, *, organisation_id: int | None = None) -> dict[AmendmentState, int]:
    """Count amendments per state in one query.

    :param organisation_id: only this organisation's amendments (drafts
        included); without it, every organisation's except drafts.
    :returns: every state mapped to its count (zero when none).
    """
    stmt = select(Amendment.state, func.count()).where(Amendment.instrument_id == instrument.id)
    if organisation_id is None:
        stmt = stmt.where(Amendment.state != S.DRAFT)
    else:
        stmt = stmt.where(Amendment.organisation_id == organisation_id)
    counts = dict.fromkeys(AmendmentState, 0)
    for state, n in db.session.execute(stmt.group_by(Amendment.state)):
        counts[AmendmentState(state)] = n
    return counts


def list_amendments(
    instrument: Instrument,
    *,
    states: Sequence[AmendmentState] | None = None,
    clause_uid: str | None = None,
    organisation_id: int | None = None,
    include_drafts: bool = False,
    older_than: datetime | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """Amendments of ``instrument`` matching the filters, oldest first, one page (three queries).

    :param states: only these states (``None``: any).
    :param clause_uid: only amendments on this clause.
    :param organisation_id: only this proposing organisation's.
    :param include_drafts: whether drafts may be listed (only for the
        drafting organisation's own list; pass ``organisation_id`` with it).
    :param older_than: only amendments submitted (or, for drafts, made) before this time.
    :param page: page number from 1; a page past the end is empty.
    :param per_page: page size.
    :returns: a :class:`Page`.
    """
    since = func.coalesce(Amendment.submitted_at, Amendment.created_at)
    stmt = select(Amendment).where(Amendment.instrument_id == instrument.id)
    if not include_drafts:
        stmt = stmt.where(Amendment.state != S.DRAFT)
    if states is not None:
        stmt = stmt.where(Amendment.state.in_(list(states)))
    if clause_uid:
        stmt = stmt.join(Clause, Clause.id == Amendment.clause_id).where(Clause.uid == clause_uid)
    if organisation_id is not None:
        stmt = stmt.where(Amendment.organisation_id == organisation_id)
    if older_than is not None:
        stmt = stmt.where(since <= older_than)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(1, page)
    items = db.session.scalars(
        stmt.options(
            joinedload(Amendment.clause).joinedload(Clause.current_version),
            joinedload(Amendment.organisation),
            joinedload(Amendment.proposer),
            selectinload(Amendment.sponsors),
        )
        .order_by(since, Amendment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def filter_choices(instrument: Instrument, *, organisation_id: int | None = None) -> tuple[list, list]:
    """Clauses and organisations that have amendments, for the filters (two queries).

    :param organisation_id: limit to this organisation's amendments (drafts included);
        without it, drafts are left out.
    :returns: ``([(clause uid, clause key)], [(organisation id, name)])`` in document / name order.
    """
    scope = [Amendment.instrument_id == instrument.id]
    if organisation_id is None:
        scope.append(Amendment.state != S.DRAFT)
    else:
        scope.append(Amendment.organisation_id == organisation_id)
    clauses = db.session.execute(
        select(Clause.uid, Clause.key, Clause.position)
        .join(Amendment, Amendment.clause_id == Clause.id)
        .where(*scope)
        .distinct()
        .order_by(Clause.position)
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Amendment, Amendment.organisation_id == Organisation.id)
        .where(*scope)
        .distinct()
        .order_by(Organisation.name)
    ).all()
    return [(uid, key) for uid, key, _ in clauses], [(i, n) for i, n in organisations]
