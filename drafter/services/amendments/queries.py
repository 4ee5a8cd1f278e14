"""Amendments: what feeds pages (who may do what, reading, merges for display, lists).

Nothing here writes.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload, selectinload

from drafter import policies
from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Draft,
    DraftEntry,
    Event,
    Instrument,
    Organisation,
    OrganisationType,
    User,
)
from drafter.permissions import is_active_user
from drafter.policies import can_view, roles_for
from drafter.services import phases, visibility
from drafter.services.errors import Conflict, InvalidInput, NotPermitted
from drafter.services.paging import Page
from drafter.services.timezones import aware
from instrument.amendments import (
    Actor,
    AmendmentKind,
    AmendmentState,
    allowed,
    check_transition,
)
from instrument.diff import Redline, cached_redline, redline, render_redline_html
from instrument.errors import InvalidTransition, ReasonRequired, TransitionNotPermitted
from instrument.merge import MergeResult, merge
from instrument.overlap import changed_spans, render_with_overlaps
from instrument.text import comparison_form

S = AmendmentState
#: Open states visible to every signed-in user (a draft is private to its organisation).
PUBLIC_OPEN_STATES = (S.SUBMITTED, S.UNDER_REVIEW)
#: The secretariat's decisions.
DECISIONS = (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS, S.REJECTED)

# --- who may do what ---------------------------------------------------------------


def actions_for(amendment: Amendment, user: User | None) -> tuple[AmendmentState, ...]:
    """The states ``user`` may move ``amendment`` to, for buttons (decisions included).

    :returns: targets from :func:`instrument.amendments.available_transitions`
        for each of the user's roles, in :class:`AmendmentState` order;
        ``superseded`` is left out for people (the system marks it, or the
        secretariat with a reason from the decision form).
    """
    roles = roles_for(amendment, user)
    return tuple(target for target in AmendmentState if any(allowed(amendment.state, target, role) for role in roles))


@contextmanager
def state_machine_refusals() -> Iterator[None]:
    """Raise the refusals of :mod:`instrument.amendments` inside the block as service refusals.

    :raises NotPermitted: for :class:`~instrument.errors.TransitionNotPermitted` (not for this role).
    :raises InvalidInput: on the ``reason`` field, for :class:`~instrument.errors.ReasonRequired`.
    :raises Conflict: for any other :class:`~instrument.errors.InvalidTransition`
        (no such change from the amendment's state).
    """
    try:
        yield
    except TransitionNotPermitted as exc:
        raise NotPermitted(str(exc)) from exc
    except ReasonRequired as exc:
        raise InvalidInput(str(exc), field="reason") from exc
    except InvalidTransition as exc:
        raise Conflict(str(exc)) from exc


# --- what a reader sees of an amendment ---------------------------------------------

#: The decisions that write the amendment into the secretariat's working draft.
ACCEPTANCES = (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS)
#: Said after the state of an accepted amendment that no published draft holds yet.
IN_NEXT_DRAFT = "in the next draft"
#: Said instead once the latest draft is final: no draft will ever hold the wording.
NOT_IN_FINAL_TEXT = "not in the final text"


def proposal_phase(instrument: Instrument, version: ClauseVersion) -> phases.Phase | None:
    """The amendment period that decides proposals written on ``version``, judged now.

    The period of the latest published draft holding ``version`` (the final draft, once the
    instrument is adopted); ``None`` when no draft holds it (the secretariat's working text).
    Proposing, its form and the links to it on the clause page all ask this.
    """
    from drafter.services.comments.queries import latest_drafts_holding

    latest = visibility.latest_draft(instrument)
    draft = latest if latest is not None and latest.is_final else latest_drafts_holding([version.id]).get(version.id)
    return phases.phase(draft, phases.Activity.AMENDMENT) if draft is not None else None


def submit_phase(amendment: Amendment) -> phases.Phase | None:
    """The amendment period that decides whether ``amendment`` (a draft) may be submitted now:
    that of the draft it was proposed on, ``None`` for one proposed on no draft."""
    return phases.phase(amendment.draft, phases.Activity.AMENDMENT) if amendment.draft is not None else None


def readable_by(viewer: User | None, instrument: Instrument) -> ColumnElement[bool]:
    """A WHERE condition keeping the amendments of ``instrument`` whose text ``viewer`` may read.

    An amendment shows the version it was written on: it is readable when
    :func:`drafter.services.visibility.version_filter` lets the viewer see that
    version, and always to its own organisation (own material). Who may see
    an amendment at all (drafts are private) is :func:`drafter.policies.can_view`.
    """
    shown = visibility.version_filter(viewer, instrument, Amendment.base_version_id)
    if is_active_user(viewer) and viewer.organisation_id is not None:
        shown = shown | (Amendment.organisation_id == viewer.organisation_id)
    return shown


def awaits_next_draft(amendment: Amendment, viewer: User | None, latest: Draft | None) -> bool:
    """Whether ``viewer`` is to read ``amendment`` as "accepted; in the next draft".

    True for anybody but the secretariat when the amendment was accepted (as it stands or
    with modifications) after the latest published draft was published: its wording is in
    the working draft only, and shows once the next draft is published.

    :param latest: the instrument's latest published draft (:func:`latest_draft`), or ``None``.
    """
    if policies.sees_working_draft(viewer, amendment.instrument):
        return False
    return accepted_since(amendment, latest)


def accepted_since(amendment: Amendment, latest: Draft | None) -> bool:
    """Whether ``amendment`` was accepted (as it stands or with modifications) after ``latest``
    was published, so that no published draft holds its wording yet.

    :param latest: the instrument's latest published draft, or ``None`` before the first.
    """
    if amendment.state not in ACCEPTANCES:
        return False
    if latest is None or amendment.decided_at is None:
        return True
    return aware(amendment.decided_at) > aware(latest.published_at)


def state_label(amendment: Amendment, viewer: User | None, latest: Draft | None) -> str:
    """The state of ``amendment`` as ``viewer`` reads it: its label ("Accepted"), or for an
    acceptance not yet in a published draft "Accepted; in the next draft" (:func:`awaits_next_draft`).

    Every page that shows an amendment's state to a reader uses it (through the template
    function ``amendment_state``).

    :param latest: the instrument's latest published draft (:func:`latest_draft`), or ``None``.
    """
    label = amendment.state.label
    if not awaits_next_draft(amendment, viewer, latest):
        return label
    # Once adopted there is no next draft: say where the wording stands instead.
    return f"{label}; {NOT_IN_FINAL_TEXT if latest is not None and latest.is_final else IN_NEXT_DRAFT}"


def result_for(amendment: Amendment, viewer: User | None) -> ClauseVersion | None:
    """The version ``amendment``'s decision made, if ``viewer`` may read it (a published draft holds it,
    or the viewer is the secretariat); ``None`` otherwise or when there is none."""
    result = amendment.result_version
    if result is None or not visibility.may_see_version(viewer, amendment.instrument, result):
        return None
    return result


def reader_text(clause: Clause, viewer: User | None) -> ClauseVersion | None:
    """The version of ``clause`` that amendments are shown against for ``viewer``: the working version
    for the secretariat, the latest published draft's for anybody else
    (:func:`drafter.services.visibility.reader_version`); ``None`` for a deleted or unpublished clause."""
    version = visibility.reader_version(viewer, clause).version
    if version is None or version.deleted:
        return None
    if policies.sees_working_draft(viewer, clause.instrument) and clause.deleted:
        return None
    return version


def reader_texts(clauses: Iterable[Clause], viewer: User | None) -> dict[int, ClauseVersion | None]:
    """:func:`reader_text` for many clauses at once, for lists (one query at most).

    :returns: ``{clause id: version or None}``: the working version for the secretariat, the version
        in the latest published draft holding the clause for anybody else.
    """
    clauses = list(clauses)
    if not clauses:
        return {}
    if policies.sees_working_draft(viewer, clauses[0].instrument):
        return {c.id: None if c.deleted else c.current_version for c in clauses}
    found: dict[int, ClauseVersion | None] = dict.fromkeys((c.id for c in clauses), None)
    for clause_id, version in db.session.execute(
        select(DraftEntry.clause_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == DraftEntry.version_id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id.in_(list(found)))
        .order_by(Draft.number)
    ):
        found[clause_id] = version  # the latest draft comes last
    return found


# --- reading -----------------------------------------------------------------------


def open_on_clause(clause: Clause, viewer: User | None) -> list[Amendment]:
    """The open amendments on ``clause`` that ``viewer`` may see, oldest first (one query).

    Submitted and under-review amendments for every signed-in user, plus the
    drafts of the viewer's own organisation; nothing for anonymous visitors;
    only those :func:`readable_by` the viewer.
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
            .where(Amendment.clause_id == clause.id, visible, readable_by(viewer, clause.instrument))
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


# --- one amendment's page -------------------------------------------------------------


def amendment_in(instrument: Instrument, amendment_id: int, viewer: User | None) -> Amendment | None:
    """The amendment ``amendment_id`` of ``instrument`` if ``viewer`` may see it (:func:`can_view`) and read
    its text (:func:`readable_by`), else ``None``.

    Clause, its current version, base version, organisation, proposer,
    decider, result version and sponsors are loaded with it (two queries).
    """
    amendment = db.session.scalar(
        select(Amendment)
        .where(Amendment.id == amendment_id, Amendment.instrument_id == instrument.id, readable_by(viewer, instrument))
        .options(
            joinedload(Amendment.clause).joinedload(Clause.current_version),
            joinedload(Amendment.base_version),
            joinedload(Amendment.organisation),
            joinedload(Amendment.proposer),
            joinedload(Amendment.decided_by),
            joinedload(Amendment.result_version),
            selectinload(Amendment.sponsors),
        )
    )
    return amendment if amendment is not None and can_view(amendment, viewer) else None


def history(amendment: Amendment) -> list[Event]:
    """The audit events of ``amendment``, oldest first, with their actors (one query)."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.object_type == "amendment", Event.object_id == amendment.id)
            .options(joinedload(Event.actor))
            .order_by(Event.id)
        )
    )


def co_sponsor_choices(user: User) -> list[Organisation]:
    """The organisations ``user`` may name as co-sponsors: every one but the secretariat and their own, by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.type != OrganisationType.SECRETARIAT, Organisation.id != user.organisation_id)
            .order_by(Organisation.name)
        )
    )


def proposal_redline(kind: AmendmentKind | str, base: ClauseVersion, text: str) -> Redline:
    """The preview of a proposal of ``kind`` with ``text``, made on the clause version ``base``."""
    kind = AmendmentKind(kind)
    if kind is AmendmentKind.DELETE:
        return redline(base.text, "")
    if kind is AmendmentKind.INSERT:
        return redline("", text)
    return redline(base.text, text)


def own_redline(amendment: Amendment) -> Redline:
    """The amendment's change against the version it was made on (cached by ids)."""
    base = amendment.base_version
    if amendment.kind is AmendmentKind.DELETE:
        return cached_redline(("v", base.id), ("deleted",), base.text, "")
    if amendment.kind is AmendmentKind.INSERT:
        return cached_redline(("empty",), ("a", amendment.id), "", amendment.text)
    return cached_redline(("v", base.id), ("a", amendment.id), base.text, amendment.text)


@dataclass
class AgainstCurrent:
    """How an open modification stands against the clause's current text.

    :ivar same_base: the amendment was made on the current version.
    :ivar clean: it applies without a conflict.
    :ivar html: the redline of current text -> text with the amendment applied ("" on a conflict).
    :ivar merge: the three-way merge, or ``None`` when the base is current.
    """

    same_base: bool
    clean: bool
    html: str
    merge: MergeResult | None


def against_current(amendment: Amendment, current: ClauseVersion | None) -> AgainstCurrent | None:
    """The amendment's redline against the current text, or its conflicts (modifications only).

    :returns: ``None`` when not applicable (not a modification, or the clause is deleted).
    """
    if amendment.kind is not AmendmentKind.MODIFY or current is None or current.deleted:
        return None
    base = amendment.base_version
    if base.id == current.id:
        r = cached_redline(("v", current.id), ("a", amendment.id), current.text, amendment.text)
        return AgainstCurrent(True, True, render_redline_html(r), None)
    result = merge_onto_current(amendment, current)
    if result.clean:
        r = cached_redline(("v", current.id), ("m", amendment.id, current.id), current.text, result.text)
        return AgainstCurrent(False, True, render_redline_html(r), result)
    return AgainstCurrent(False, False, "", result)


# --- resolving a conflict ---------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """Where the secretariat starts writing an amendment's text as accepted.

    :ivar text: the text to prefill (the merge with conflict markers, or the amendment's own).
    :ivar heading: the heading to prefill.
    :ivar number: the new clause's number to prefill (insertions), else ``None``.
    :ivar base_version_id: the version the prefilled text is written on (modifications), else ``None``.
    :ivar result: the three-way merge (modifications), else ``None``.
    :ivar heading_conflict: whether both sides changed the heading differently.
    """

    text: str
    heading: str
    number: str | None
    base_version_id: int | None
    result: MergeResult | None
    heading_conflict: bool


def clause_deleted(amendment: Amendment) -> Conflict:
    """The refusal for writing a text into the deleted clause of ``amendment``."""
    return Conflict(f"{amendment.clause.key} has been deleted; this amendment can only be marked superseded.")


def resolution(amendment: Amendment) -> Resolution:
    """The starting point of accepting ``amendment`` with modifications, onto the clause's current text.

    :raises Refused: as :func:`state_machine_refusals` when the amendment's state
        has no acceptance with modifications.
    :raises InvalidInput: for a deletion (accepted or rejected as it stands).
    :raises Conflict: when the clause has been deleted.
    """
    with state_machine_refusals():
        # Only whether the change exists here; the reason is asked for on the form itself.
        check_transition(amendment.state, S.ACCEPTED_WITH_MODIFICATIONS, Actor.SECRETARIAT, reason="on the form")
    clause = amendment.clause
    if amendment.kind is AmendmentKind.DELETE:
        raise InvalidInput("A deletion is accepted or rejected as it stands.")
    current = clause.current_version
    if clause.deleted or current is None:
        raise clause_deleted(amendment)
    if amendment.kind is AmendmentKind.INSERT:
        return Resolution(amendment.text, amendment.heading, amendment.number, None, None, False)
    base = amendment.base_version
    if base.id == current.id:
        result = MergeResult(amendment.text, True, (), amendment.text)
        return Resolution(result.marked_text, amendment.heading, None, current.id, result, False)
    heading = merge_heading(base.heading, amendment.heading, current.heading)
    result = merge_onto_current(amendment, current)
    return Resolution(result.marked_text, heading or amendment.heading, None, current.id, result, heading is None)


def written_on(amendment: Amendment, version_id: int | None, *, default: ClauseVersion) -> ClauseVersion:
    """The version of the amendment's clause named ``version_id`` (from a resolution form), else ``default``."""
    version = db.session.get(ClauseVersion, version_id) if version_id else None
    return version if version is not None and version.clause_id == amendment.clause_id else default


def resolution_redlines(amendment: Amendment, written_on: ClauseVersion, proposed_text: str) -> tuple[str, str]:
    """The two redlines beside a resolution form, as HTML: ``(written_on -> proposed, written_on -> current)``.

    :raises Conflict: when the clause has been deleted meanwhile (no text is left to write into).
    """
    current = amendment.clause.current_version
    if current is None:
        raise clause_deleted(amendment)
    to_current = cached_redline(("v", written_on.id), ("v", current.id), written_on.text, current.text)
    return render_redline_html(redline(written_on.text, proposed_text)), render_redline_html(to_current)


# --- competing amendments on one clause -------------------------------------------------


@dataclass
class Column:
    """One open amendment in the side-by-side view of a clause.

    :ivar status: ``"applies"``, ``"conflicts"``, ``"insert"`` or ``"delete"``.
    :ivar overlaps_with: ids of the other amendments that change the same words.
    :ivar conflicts: how many conflicts with the current text (``"conflicts"`` only).
    """

    amendment: Amendment
    html: str
    status: str
    overlaps_with: frozenset[int]
    conflicts: int = 0


def competing_columns(amendments: list[Amendment], current: ClauseVersion) -> list[Column]:
    """Each amendment's change against ``current``, with the spans it shares with the others marked.

    A modification that merges cleanly onto the current text shows the
    merge's redline; one that does not shows its conflicts' spans as its
    own. A deletion covers the whole text; an insertion adds a clause after
    this one and overlaps nothing in its text.
    """
    redlines: dict[int, Redline] = {}
    spans: dict[int, tuple[tuple[int, int], ...]] = {}
    status: dict[int, tuple[str, int]] = {}
    for a in amendments:
        if a.kind is AmendmentKind.INSERT:
            redlines[a.id] = cached_redline(("empty",), ("a", a.id), "", a.text)
            spans[a.id] = ()
            status[a.id] = ("insert", 0)
        elif a.kind is AmendmentKind.DELETE:
            redlines[a.id] = cached_redline(("v", current.id), ("deleted",), current.text, "")
            spans[a.id] = ((0, len(current.text)),)
            status[a.id] = ("delete", 0)
        else:
            result = (
                MergeResult(a.text, True, (), a.text)
                if a.base_version_id == current.id
                else merge_onto_current(a, current)
            )
            if result.clean:
                r = cached_redline(("v", current.id), ("m", a.id, current.id), current.text, result.text)
                redlines[a.id] = r
                spans[a.id] = changed_spans(r)
                status[a.id] = ("applies", 0)
            else:
                base = a.base_version
                redlines[a.id] = cached_redline(("v", base.id), ("a", a.id), base.text, a.text)
                spans[a.id] = tuple((c.current_start, c.current_end) for c in result.conflicts)
                status[a.id] = ("conflicts", len(result.conflicts))
    columns = []
    titles = {a.id: a.title for a in amendments}
    for a in amendments:
        others = {b: s for b, s in spans.items() if b != a.id}
        if status[a.id][0] == "applies":
            html, hits = render_with_overlaps(redlines[a.id], others, lambda k: titles[k])
        else:
            html = render_redline_html(redlines[a.id])
            mine = spans[a.id]
            hits = frozenset(
                b for b, s in others.items() if any(x[0] <= y[1] and y[0] <= x[1] for x in mine for y in s)
            )
        columns.append(Column(a, Markup(html), status[a.id][0], hits, status[a.id][1]))
    return columns


# --- the review queue ---------------------------------------------------------------------


def waiting_days(amendments: Iterable[Amendment], *, now: datetime | None = None) -> dict[int, int]:
    """Whole days since each amendment was submitted (or made, for a draft).

    :param now: the time to count to (default: now, UTC).
    :returns: ``{amendment id: days}``.
    """
    now = now or datetime.now(UTC)
    days = {}
    for amendment in amendments:
        since = amendment.submitted_at or amendment.created_at
        if since.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
            since = since.replace(tzinfo=UTC)
        days[amendment.id] = (now - since).days
    return days


def open_counts() -> list[tuple[Instrument, int]]:
    """Every instrument with its number of submitted and under-review amendments, by title (one query)."""
    rows = db.session.execute(
        select(Instrument, func.count(Amendment.id))
        .outerjoin(
            Amendment,
            (Amendment.instrument_id == Instrument.id) & Amendment.state.in_(PUBLIC_OPEN_STATES),
        )
        .group_by(Instrument.id)
        .order_by(Instrument.title)
    ).all()
    return [(instrument, n) for instrument, n in rows]
