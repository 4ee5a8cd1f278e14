"""Amendments in the browser: propose, read, act on, decide, resolve conflicts, review queues.

Each view: load -> authorise -> call one service -> commit once -> redirect or render.
Refusals of the state machine become pages: a change that does not exist is
409 with its message, a change not open to the visitor's role is 403, a
missing reason is a form error (400). Drafts are private to their
organisation: anyone else gets 404 for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from drafter import permissions
from drafter.amendment_forms import KIND_LABELS, DecisionForm, ProposeForm, QueueFilterForm, TransitionForm
from drafter.errors import render_error
from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Event, Instrument, Organisation, OrganisationType
from drafter.services.amendments import decisions, operations, queries
from drafter.services.drafts import CommentPeriodClosed, open_for_comment
from drafter.views.loaders import (
    draft_version,
    get_clause_or_404,
    get_instrument_or_404,
    past_the_last_page,
    requested_draft,
    requested_page,
)
from instrument.amendments import Actor, AmendmentKind, AmendmentState, check_transition, is_open
from instrument.diff import Redline, cached_redline, redline, render_redline_html, render_side_by_side
from instrument.errors import InvalidTransition, ReasonRequired, TransitionNotPermitted
from instrument.merge import MergeResult
from instrument.overlap import changed_spans, render_with_overlaps

bp = Blueprint("amendments", __name__)

S = AmendmentState
PER_PAGE = 25


def _user():
    return current_user._get_current_object()


def get_amendment_or_404(instrument: Instrument, amendment_id: int) -> Amendment:
    """Return the amendment ``amendment_id`` of ``instrument`` if the visitor may see it.

    Clause, its current version, base version, organisation, proposer,
    decider, result version and sponsors are loaded with it (two queries).

    :raises NotFound: (404) when there is none, or it is another organisation's draft.
    """
    amendment = db.session.scalar(
        select(Amendment)
        .where(Amendment.id == amendment_id, Amendment.instrument_id == instrument.id)
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
    if amendment is None or not queries.can_view(amendment, _user()):
        abort(404, f"There is no amendment {amendment_id} that you can see in this instrument.")
    return amendment


def _refused(exc: InvalidTransition):
    """The page for a change of state the state machine refused (after a rollback)."""
    db.session.rollback()
    if isinstance(exc, TransitionNotPermitted):
        return render_error(403, str(exc))
    if isinstance(exc, ReasonRequired):
        return render_error(400, str(exc))
    return render_error(409, str(exc))


# --- proposing ----------------------------------------------------------------------


def _co_sponsor_choices(user) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.type != OrganisationType.SECRETARIAT, Organisation.id != user.organisation_id)
            .order_by(Organisation.name)
        )
    )


def _proposal_redline(kind: str, base: ClauseVersion, text: str) -> Redline:
    if kind == AmendmentKind.DELETE.value:
        return redline(base.text, "")
    if kind == AmendmentKind.INSERT.value:
        return redline("", text)
    return redline(base.text, text)


@bp.route("/i/<slug>/c/<uid>/amend", methods=["GET", "POST"])
def propose(slug: str, uid: str):
    """Propose an amendment to a clause: edit its text, preview the redline, save as draft or submit.

    The amendment is written on the clause's current version. ``?draft=N`` names the draft the
    proposer was reading; the form warns when that draft holds another version of the clause.

    :raises BadRequest: (400) for an unknown ``kind`` or a ``draft`` that is not a whole number.
    :raises NotFound: (404) for an unknown clause or draft.
    """
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    user = _user()
    if user.organisation_id is None:
        abort(403, "Amendments are proposed on behalf of an organisation; your account has none.")
    if clause.deleted or clause.current_version is None:
        return render_error(409, "This clause has been deleted; it can no longer be amended.")
    current = clause.current_version
    draft = queries.latest_draft(instrument)
    closed = draft is not None and not open_for_comment(draft)
    # The draft the proposer was reading (links from Draft N's pages carry ?draft=N), else the one
    # under consultation: the form says when the text amended is not the text of that draft.
    reading = requested_draft(instrument)
    against = reading or draft
    form = ProposeForm()
    form.set_sponsors(_co_sponsor_choices(user))
    if not form.is_submitted():
        kind = request.args.get("kind", AmendmentKind.MODIFY.value)
        if kind not in {k.value for k in AmendmentKind}:
            abort(400, "“kind” must be modify, insert or delete.")
        form.kind.data = kind
        form.base_version_id.data = current.id
        if kind == AmendmentKind.MODIFY.value:
            form.heading.data = current.heading
            form.text.data = current.text

    preview = None
    status = 200
    base = current
    if form.is_submitted():
        if draft is not None and closed:
            return render_error(409, str(CommentPeriodClosed(draft)))
        if form.validate():
            started_on = db.session.get(ClauseVersion, form.base_version_id.data)
            if started_on is None or started_on.clause_id != clause.id:
                abort(400, "The version you started from is not a version of this clause.")
            base = started_on
            action = request.form.get("action", "draft")
            if action == "preview":
                preview = _proposal_redline(form.kind.data, base, form.text.data or "")
            else:
                try:
                    amendment = operations.propose(
                        clause,
                        actor=user,
                        kind=form.kind.data,
                        base_version_id=base.id,
                        rationale=form.rationale.data,
                        text=form.text.data or "",
                        heading=form.heading.data or "",
                        number=form.number.data or "",
                        sponsor_ids=form.sponsors.data or [],
                        submit=action == "submit",
                    )
                except operations.AmendmentRefused as exc:
                    db.session.rollback()
                    getattr(form, exc.field or "text").errors.append(str(exc))
                    status = 400
                except CommentPeriodClosed as exc:
                    db.session.rollback()
                    return render_error(409, str(exc))
                else:
                    db.session.commit()
                    done = (
                        "submitted"
                        if amendment.state is S.SUBMITTED
                        else "saved as a draft (only your organisation sees it)"
                    )
                    flash(f"{amendment.title} is {done}.", "success")
                    return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment.id))
        else:
            status = 400
    return render_template(
        "amendments/propose.html",
        instrument=instrument,
        clause=clause,
        current=current,
        base=base,
        form=form,
        draft=draft,
        closed=closed,
        reading=reading,
        against=against,
        against_version=draft_version(against, clause) if against is not None else None,
        preview=render_redline_html(preview) if preview is not None else None,
        preview_changed=preview.changed if preview is not None else False,
        kind_labels=KIND_LABELS,
    ), status


# --- one amendment -------------------------------------------------------------------


@dataclass
class AgainstCurrent:
    """How an open modification stands against the clause's current text."""

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
    result = queries.merge_onto_current(amendment, current)
    if result.clean:
        r = cached_redline(("v", current.id), ("m", amendment.id, current.id), current.text, result.text)
        return AgainstCurrent(False, True, render_redline_html(r), result)
    return AgainstCurrent(False, False, "", result)


def _own_redline(amendment: Amendment) -> Redline:
    base = amendment.base_version
    if amendment.kind is AmendmentKind.DELETE:
        return cached_redline(("v", base.id), ("deleted",), base.text, "")
    if amendment.kind is AmendmentKind.INSERT:
        return cached_redline(("empty",), ("a", amendment.id), "", amendment.text)
    return cached_redline(("v", base.id), ("a", amendment.id), base.text, amendment.text)


def _history(amendment: Amendment) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.object_type == "amendment", Event.object_id == amendment.id)
            .options(joinedload(Event.actor))
            .order_by(Event.id)
        )
    )


def render_amendment(amendment: Amendment, *, decision: DecisionForm | None = None, status: int = 200):
    """Render one amendment's page (also with a decision form holding errors)."""
    user = _user()
    clause = amendment.clause
    current = clause.current_version
    actions = queries.actions_for(amendment, user)
    roles = queries.roles_for(amendment, user)
    choices = [a for a in actions if a in queries.DECISIONS]
    if decision is None:
        decision = DecisionForm(formdata=None)
    own = _own_redline(amendment)
    return render_template(
        "amendments/show.html",
        instrument=amendment.instrument,
        amendment=amendment,
        clause=clause,
        current=current,
        own_html=render_redline_html(own),
        own_side=render_side_by_side(own),
        against=against_current(amendment, current) if is_open(amendment.state) else None,
        actions=[a for a in actions if a not in queries.DECISIONS and a is not S.SUPERSEDED],
        can_supersede=S.SUPERSEDED in actions,
        decisions=choices,
        is_proposer=Actor.PROPOSER in roles,
        decision=decision,
        transition_form=TransitionForm(formdata=None),
        history=_history(amendment),
        kind_labels=KIND_LABELS,
        heading_changed=amendment.kind is AmendmentKind.MODIFY and amendment.heading != amendment.base_version.heading,
    ), status


@bp.get("/i/<slug>/amendments/<int:amendment_id>/")
def show(slug: str, amendment_id: int):
    """One amendment: its redline against its base and the current text, rationale, sponsors, state, actions."""
    instrument = get_instrument_or_404(slug)
    return render_amendment(get_amendment_or_404(instrument, amendment_id))


_DONE = {
    S.SUBMITTED: "is submitted: every participant can now read it",
    S.UNDER_REVIEW: "is under review",
    S.WITHDRAWN: "is withdrawn",
    S.SUPERSEDED: "is marked as superseded",
}


@bp.post("/i/<slug>/amendments/<int:amendment_id>/state")
def transition(slug: str, amendment_id: int):
    """Submit, withdraw, put under review or mark superseded (the target state is in the form)."""
    instrument = get_instrument_or_404(slug)
    amendment = get_amendment_or_404(instrument, amendment_id)
    user = _user()
    roles = queries.roles_for(amendment, user)
    if not roles:
        abort(403, f"Only members of {amendment.organisation.name} or the secretariat may act on {amendment.title}.")
    form = TransitionForm()
    if not form.validate():
        abort(400, "Say which state the amendment should move to.")
    target = AmendmentState(form.to.data)
    if target in queries.DECISIONS:
        if Actor.SECRETARIAT not in roles:
            abort(403, "Only the secretariat decides on amendments.")
        abort(400, "Use the decision form to accept or reject an amendment.")
    if target is S.DRAFT:
        return _refused(InvalidTransition(f"{amendment.title} cannot return to draft."))
    try:
        operations.transition(amendment, target, actor=user, reason=form.reason.data or None)
    except InvalidTransition as exc:
        return _refused(exc)
    except CommentPeriodClosed as exc:
        db.session.rollback()
        return render_error(409, str(exc))
    db.session.commit()
    flash(f"{amendment.title} {_DONE[target]}.", "success")
    return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment.id))


# --- deciding -----------------------------------------------------------------------


def _resolution(amendment: Amendment, current: ClauseVersion) -> tuple[MergeResult, str, bool]:
    """The starting point of a resolution onto the clause's ``current`` version: ``(merge, heading, heading conflict)``."""
    base = amendment.base_version
    if base.id == current.id:
        return MergeResult(amendment.text, True, (), amendment.text), amendment.heading, False
    heading = queries.merge_heading(base.heading, amendment.heading, current.heading)
    return queries.merge_onto_current(amendment, current), heading or amendment.heading, heading is None


def _clause_deleted(amendment: Amendment):
    """409: the amendment's clause is deleted, so no text can be written for it."""
    return render_error(409, f"{amendment.clause.key} has been deleted; this amendment can only be marked superseded.")


def render_resolution(
    amendment: Amendment,
    form: DecisionForm,
    *,
    result: MergeResult | None,
    written_on: ClauseVersion,
    proposed_text: str,
    heading_conflict: bool,
    status: int,
    message: str = "",
):
    """Render the form in which the secretariat writes the text as accepted (after a conflict, or by choice)."""
    current = amendment.clause.current_version
    if current is None:  # deleted meanwhile: there is no text left to write the amendment into
        return _clause_deleted(amendment)
    base_to_current = cached_redline(("v", written_on.id), ("v", current.id), written_on.text, current.text)
    base_to_proposed = redline(written_on.text, proposed_text)
    return render_template(
        "amendments/resolve.html",
        instrument=amendment.instrument,
        amendment=amendment,
        clause=amendment.clause,
        current=current,
        written_on=written_on,
        form=form,
        result=result,
        heading_conflict=heading_conflict,
        proposed_html=render_redline_html(base_to_proposed),
        current_html=render_redline_html(base_to_current),
        message=message,
    ), status


@bp.get("/i/<slug>/amendments/<int:amendment_id>/resolve")
def resolve(slug: str, amendment_id: int):
    """The secretariat's form to accept an amendment with modifications, prefilled with the merge."""
    instrument = get_instrument_or_404(slug)
    amendment = get_amendment_or_404(instrument, amendment_id)
    try:
        # Only whether the change exists here; the reason is asked for on the form itself.
        check_transition(amendment.state, S.ACCEPTED_WITH_MODIFICATIONS, Actor.SECRETARIAT, reason="on the form")
    except InvalidTransition as exc:
        return _refused(exc)
    clause = amendment.clause
    if amendment.kind is AmendmentKind.DELETE:
        abort(400, "A deletion is accepted or rejected as it stands.")
    if clause.deleted or clause.current_version is None:
        return _clause_deleted(amendment)
    form = DecisionForm(formdata=None)
    form.outcome.data = S.ACCEPTED_WITH_MODIFICATIONS.value
    if amendment.kind is AmendmentKind.INSERT:
        form.number.data, form.heading.data, form.text.data = amendment.number, amendment.heading, amendment.text
        return render_resolution(
            amendment,
            form,
            result=None,
            written_on=amendment.base_version,
            proposed_text=amendment.text,
            heading_conflict=False,
            status=200,
        )
    result, heading, heading_conflict = _resolution(amendment, clause.current_version)
    form.text.data = result.marked_text
    form.heading.data = heading
    form.base_version_id.data = clause.current_version_id
    return render_resolution(
        amendment,
        form,
        result=result,
        written_on=amendment.base_version,
        proposed_text=amendment.text,
        heading_conflict=heading_conflict,
        status=200,
    )


@bp.post("/i/<slug>/amendments/<int:amendment_id>/decide")
def decide(slug: str, amendment_id: int):
    """The secretariat accepts (merging), accepts with modifications, or rejects an amendment."""
    instrument = get_instrument_or_404(slug)
    amendment = get_amendment_or_404(instrument, amendment_id)
    if not permissions.can_manage(_user(), instrument):
        abort(403, "Only the secretariat decides on amendments.")
    form = DecisionForm()
    with_text = form.outcome.data == S.ACCEPTED_WITH_MODIFICATIONS.value
    if not form.validate():
        return render_amendment(amendment, decision=form, status=400)
    amendment_id_, kind = amendment.id, amendment.kind
    try:
        outcome = decisions.decide(
            amendment,
            actor=_user(),
            outcome=form.outcome.data,
            reason=form.reason.data or None,
            text=form.text.data if with_text else None,
            heading=form.heading.data if with_text and kind is not AmendmentKind.DELETE else None,
            number=form.number.data if with_text else None,
            base_version_id=form.base_version_id.data if with_text else None,
        )
    except ReasonRequired as exc:
        db.session.rollback()
        form.reason.errors = [str(exc)]
        return _redisplay(amendment_id_, instrument, form, with_text, 400)
    except InvalidTransition as exc:
        return _refused(exc)
    except operations.AmendmentRefused as exc:
        db.session.rollback()
        getattr(form, exc.field or "reason").errors = [str(exc)]
        return _redisplay(amendment_id_, instrument, form, with_text, 400)
    except decisions.AmendmentConflict as exc:
        db.session.rollback()
        return _conflict_page(instrument, amendment_id_, form, exc)
    except decisions.ClauseChanged as exc:
        db.session.rollback()
        return render_error(409, f"{exc} The clause changed meanwhile: review the merge on the amendment's page.")
    db.session.commit()
    flash(_decision_message(outcome), "success")
    return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment_id_))


def _decision_message(outcome: decisions.Outcome) -> str:
    title = outcome.amendment.title
    if outcome.state is S.SUPERSEDED:
        return f"{title} was not applied: its clause has been deleted since. It is now marked as superseded."
    if outcome.state is S.REJECTED:
        return f"{title} is rejected."
    label = outcome.state.label.lower()
    if outcome.version is None:
        return f"{title} is {label}; the clause already said what it asks, so no new version was needed."
    how = " (merged with the changes made since it was written)" if outcome.merged else ""
    others = (
        f" {len(outcome.superseded)} other open amendment(s) on it are now superseded." if outcome.superseded else ""
    )
    return f"{title} is {label}{how}: it made version {outcome.version.seq} of {outcome.version.label or 'the clause'}.{others}"


def _redisplay(amendment_id: int, instrument: Instrument, form: DecisionForm, with_text: bool, status: int):
    """Show the decision form again with its errors: the resolution form, or the amendment's page."""
    amendment = get_amendment_or_404(instrument, amendment_id)
    if not with_text:
        return render_amendment(amendment, decision=form, status=status)
    current = amendment.clause.current_version
    written_on = db.session.get(ClauseVersion, form.base_version_id.data) if form.base_version_id.data else None
    if written_on is None or written_on.clause_id != amendment.clause_id:
        written_on = amendment.base_version
        if current is not None and amendment.kind is AmendmentKind.MODIFY:
            written_on = current
    return render_resolution(
        amendment,
        form,
        result=None,
        written_on=written_on,
        proposed_text=form.text.data or "",
        heading_conflict=False,
        status=status,
    )


def _conflict_page(instrument: Instrument, amendment_id: int, form: DecisionForm, exc: decisions.AmendmentConflict):
    """409: the merge did not come out clean; offer the resolution form prefilled with the marked text."""
    amendment = get_amendment_or_404(instrument, amendment_id)
    current = amendment.clause.current_version
    if current is None:
        return _clause_deleted(amendment)
    resolution = DecisionForm(formdata=None)
    resolution.outcome.data = S.ACCEPTED_WITH_MODIFICATIONS.value
    resolution.text.data = exc.merge.marked_text
    resolution.heading.data = exc.heading
    resolution.reason.data = form.reason.data
    resolution.base_version_id.data = current.id
    written_on = amendment.base_version
    if form.outcome.data == S.ACCEPTED_WITH_MODIFICATIONS.value and form.base_version_id.data:
        written_on = db.session.get(ClauseVersion, form.base_version_id.data) or written_on
    return render_resolution(
        amendment,
        resolution,
        result=exc.merge,
        written_on=written_on,
        proposed_text=exc.proposed_text,
        heading_conflict=exc.heading_conflict,
        status=409,
        message=str(exc),
    )


# --- lists --------------------------------------------------------------------------


def waiting_days(amendment: Amendment) -> int:
    """Whole days since ``amendment`` was submitted (or made, for a draft)."""
    since = amendment.submitted_at or amendment.created_at
    if since.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        since = since.replace(tzinfo=UTC)
    return (datetime.now(UTC) - since).days


def _filtered(instrument: Instrument, form: QueueFilterForm, *, organisation_id: int | None, include_drafts: bool):
    if not form.validate():
        abort(400, "One of the filters has a value that is not offered; start again from the filter form.")
    state = form.state.data or "open"
    states = (
        list(queries.PUBLIC_OPEN_STATES) + ([S.DRAFT] if include_drafts else [])
        if state == "open"
        else None
        if state == "all"
        else [AmendmentState(state)]
    )
    older = None
    if form.age.data:
        older = datetime.now(UTC) - timedelta(days=int(form.age.data))
    if form.organisation.data and organisation_id is None:
        organisation_id = int(form.organisation.data)
    return queries.list_amendments(
        instrument,
        states=states,
        clause_uid=form.clause.data or None,
        organisation_id=organisation_id,
        include_drafts=include_drafts,
        older_than=older,
        page=requested_page(strict=True),
        per_page=PER_PAGE,
    )


@bp.get("/i/<slug>/amendments/")
def queue(slug: str):
    """The secretariat's review queue: filters by clause, organisation, state and age; counts per state."""
    instrument = get_instrument_or_404(slug)
    form = QueueFilterForm(request.args)
    form.set_choices(*queries.filter_choices(instrument))
    page = _filtered(instrument, form, organisation_id=None, include_drafts=False)
    if beyond := past_the_last_page(page.page, page.pages):
        return beyond
    counts = queries.state_counts(instrument)
    return render_template(
        "amendments/list.html",
        instrument=instrument,
        form=form,
        page=page,
        counts={s: n for s, n in counts.items() if s is not S.DRAFT},
        title="Review amendments",
        endpoint="amendments.queue",
        mine=False,
        waiting=waiting_days,
    )


@bp.get("/i/<slug>/amendments/mine")
def mine(slug: str):
    """The amendments of the visitor's organisation, drafts included."""
    instrument = get_instrument_or_404(slug)
    user = _user()
    if user.organisation_id is None:
        abort(403, "Your account belongs to no organisation, so it has no amendments.")
    form = QueueFilterForm(request.args)
    form.state.choices = [(S.DRAFT.value, S.DRAFT.label), *form.state.choices]
    clauses, _ = queries.filter_choices(instrument, organisation_id=user.organisation_id)
    form.set_choices(clauses, [])
    page = _filtered(instrument, form, organisation_id=user.organisation_id, include_drafts=True)
    if beyond := past_the_last_page(page.page, page.pages):
        return beyond
    counts = queries.state_counts(instrument, organisation_id=user.organisation_id)
    return render_template(
        "amendments/list.html",
        instrument=instrument,
        form=form,
        page=page,
        counts=counts,
        title=f"Amendments of {user.organisation.name}",
        endpoint="amendments.mine",
        mine=True,
        waiting=waiting_days,
    )


@bp.get("/amendments/review")
def review():
    """Where the secretariat starts reviewing: each instrument with its number of open amendments."""
    rows = db.session.execute(
        select(Instrument, func.count(Amendment.id))
        .outerjoin(
            Amendment,
            (Amendment.instrument_id == Instrument.id) & Amendment.state.in_(queries.PUBLIC_OPEN_STATES),
        )
        .group_by(Instrument.id)
        .order_by(Instrument.title)
    ).all()
    return render_template("amendments/review.html", rows=rows)


# --- competing amendments on one clause -------------------------------------------------


@dataclass
class Column:
    """One open amendment in the side-by-side view of a clause."""

    amendment: Amendment
    html: str
    status: str  # "applies" | "conflicts" | "insert" | "delete"
    overlaps_with: frozenset[int]
    conflicts: int = 0


@bp.get("/i/<slug>/c/<uid>/amendments")
def on_clause(slug: str, uid: str):
    """A clause's open amendments side by side, against its current text, with overlapping changes marked."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    current = clause.current_version
    amendments = queries.open_on_clause(clause, _user())
    columns = competing_columns(amendments, current) if current is not None and not clause.deleted else []
    return render_template(
        "amendments/clause.html",
        instrument=instrument,
        clause=clause,
        current=current,
        columns=columns,
        amendments=amendments,
        titles={a.id: a.title for a in amendments},
        kind_labels=KIND_LABELS,
    )


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
                else queries.merge_onto_current(a, current)
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


@bp.app_template_global("open_amendments")
def open_amendments(clause: Clause) -> list[Amendment]:
    """Template helper for the clause page: the open amendments on ``clause`` the visitor may see (two queries)."""
    return queries.open_on_clause(clause, _user())
