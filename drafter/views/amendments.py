"""Amendments in the browser: propose, read, act on, decide, resolve conflicts, review queues.

Each view: load -> authorise -> call one service -> commit once -> redirect or render.
The services refuse with the kinds of :mod:`drafter.services.errors`, answered
at the edge (:mod:`drafter.errors`): a change that does not exist is 409 with
its message, a change not open to the visitor's role is 403; on the propose and
decide forms an unusable input (a missing reason, say) is shown under its field
(400). A merge that needs a choice of words answers with the resolution form
(:func:`merge_conflict`). Drafts are private to their organisation: anyone else
gets 404 for them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from drafter import policies
from drafter.errors import render_error
from drafter.extensions import db
from drafter.forms.amendments import KIND_LABELS, AmendmentDecisionForm, ProposeForm, QueueFilterForm, TransitionForm
from drafter.models import Amendment, ClauseVersion, Instrument
from drafter.services import phases, visibility
from drafter.services.amendments import decisions, operations, queries
from drafter.views.loaders import (
    draft_version,
    get_clause_or_404,
    get_instrument_or_404,
    past_the_last_page,
    requested_draft,
    requested_page,
)
from drafter.views.refusals import refusals_on
from instrument.amendments import Actor, AmendmentKind, AmendmentState, is_open
from instrument.diff import render_redline_html, render_side_by_side
from instrument.merge import MergeResult

bp = Blueprint("amendments", __name__)

S = AmendmentState
PER_PAGE = 25


def _user():
    return current_user._get_current_object()


@bp.app_template_global()
def amendment_state(amendment: Amendment) -> str:
    """The state of ``amendment`` as the visitor reads it (:func:`queries.state_label`), a global of every template.

    The instrument's latest draft is looked up once per request and instrument.
    """
    latest: dict[int, Any] = g.setdefault("latest_drafts", {})
    if amendment.instrument_id not in latest:
        latest[amendment.instrument_id] = visibility.latest_draft(amendment.instrument)
    return queries.state_label(amendment, _user(), latest[amendment.instrument_id])


def get_amendment_or_404(instrument: Instrument, amendment_id: int) -> Amendment:
    """Return the amendment ``amendment_id`` of ``instrument`` if the visitor may see it.

    Clause, its current version, base version, organisation, proposer,
    decider, result version and sponsors are loaded with it (two queries).

    :raises NotFound: (404) when there is none, or it is another organisation's draft.
    """
    amendment = queries.amendment_in(instrument, amendment_id, _user())
    if amendment is None:
        abort(404, f"There is no amendment {amendment_id} that you can see in this instrument.")
    return amendment


# --- proposing ----------------------------------------------------------------------


@bp.route("/i/<slug>/c/<uid>/amend", methods=["GET", "POST"])
def propose(slug: str, uid: str):
    """Propose an amendment to a clause: edit its text, preview the redline, save as draft or submit.

    The amendment is written on the text the proposer reads: the clause in the latest published
    draft (:func:`drafter.services.visibility.reader_version`), or the working text for the
    secretariat. That draft's amendment period decides (:func:`drafter.services.phases.phase`):
    when it is over, a notice says since when and what one can still do, and a POST is refused
    with 409. ``?draft=N`` names the draft the proposer was reading; the form warns when that
    draft holds another version of the clause.

    :raises BadRequest: (400) for an unknown ``kind`` or a ``draft`` that is not a whole number.
    :raises NotFound: (404) for an unknown clause or draft, or a clause the proposer has no text of.
    :raises PeriodClosed: (409) for a POST while the draft takes no amendments.
    """
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    user = _user()
    if not policies.can_propose(user):
        abort(403, "Amendments are proposed on behalf of an organisation; your account has none.")
    if clause.deleted or clause.current_version is None:
        return render_error(409, "This clause has been deleted; it can no longer be amended.")
    current = visibility.reader_version(user, clause).version
    if current is None:
        abort(404, f"{clause.key} is in no published draft yet.")
    if current.deleted:
        return render_error(409, "This clause has been deleted; it can no longer be amended.")
    latest = visibility.latest_draft(instrument)
    judged = queries.proposal_phase(instrument, current)
    draft = judged.draft if judged is not None else None
    closed = judged is not None and not judged.is_open
    # The draft the proposer was reading (links from Draft N's pages carry ?draft=N), else the one
    # under consultation: the form says when the text amended is not the text of that draft.
    reading = requested_draft(instrument)
    against = reading or latest
    form = ProposeForm()
    form.set_sponsors(queries.co_sponsor_choices(user))
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
    base = current
    if form.is_submitted():
        if judged is not None and closed:
            raise phases.PeriodClosed(judged)
        if form.validate():
            started_on = db.session.get(ClauseVersion, form.base_version_id.data)
            if (
                started_on is None
                or started_on.clause_id != clause.id
                or not visibility.may_see_version(user, instrument, started_on)
            ):
                abort(400, "The version you started from is not a version of this clause.")
            base = started_on
            action = request.form.get("action", "draft")
            if action == "preview":
                preview = queries.proposal_redline(form.kind.data, base, form.text.data or "")
            else:
                with refusals_on(form):
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
                    db.session.commit()
                    done = (
                        "submitted"
                        if amendment.state is S.SUBMITTED
                        else "saved as a draft (only your organisation sees it)"
                    )
                    flash(f"{amendment.title} is {done}.", "success")
                    return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment.id))
    return render_template(
        "amendments/propose.html",
        instrument=instrument,
        clause=clause,
        current=current,
        base=base,
        form=form,
        draft=draft,
        closed=closed,
        closed_notice=str(phases.PeriodClosed(judged)) if judged is not None and closed else "",
        reads_working=policies.sees_working_draft(user, instrument),
        reading=reading,
        against=against,
        against_version=draft_version(against, clause) if against is not None else None,
        preview=render_redline_html(preview) if preview is not None else None,
        preview_changed=preview.changed if preview is not None else False,
        kind_labels=KIND_LABELS,
    ), 400 if form.errors else 200


# --- one amendment -------------------------------------------------------------------


def render_amendment(amendment: Amendment, *, decision: AmendmentDecisionForm | None = None, status: int = 200):
    """Render one amendment's page (also with a decision form holding errors)."""
    user = _user()
    clause = amendment.clause
    # Shown against the text the visitor reads: the working text for the secretariat, the latest
    # published draft's for everybody else.
    current = queries.reader_text(clause, user)
    actions = queries.actions_for(amendment, user)
    # Submitting waits for an open amendment period: after it, the button gives way to the notice.
    submitting = queries.submit_phase(amendment)
    if submitting is not None and not submitting.is_open:
        actions = tuple(a for a in actions if a is not S.SUBMITTED)
    roles = queries.roles_for(amendment, user)
    if decision is None:
        decision = AmendmentDecisionForm(formdata=None)
    own = queries.own_redline(amendment)
    return render_template(
        "amendments/show.html",
        instrument=amendment.instrument,
        amendment=amendment,
        clause=clause,
        current=current,
        reads_working=policies.sees_working_draft(user, amendment.instrument),
        result=queries.result_for(amendment, user),
        own_html=render_redline_html(own),
        own_side=render_side_by_side(own),
        still_open=is_open(amendment.state),
        submit_closed=submitting
        if submitting is not None and not submitting.is_open and amendment.state is S.DRAFT
        else None,
        against=queries.against_current(amendment, current) if is_open(amendment.state) else None,
        actions=[a for a in actions if a not in queries.DECISIONS and a is not S.SUPERSEDED],
        can_supersede=S.SUPERSEDED in actions,
        decisions=[a for a in actions if a in queries.DECISIONS],
        is_proposer=Actor.PROPOSER in roles,
        decision=decision,
        transition_form=TransitionForm(formdata=None),
        history=queries.history(amendment),
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
    if not queries.roles_for(amendment, user):
        abort(403, f"Only members of {amendment.organisation.name} or the secretariat may act on {amendment.title}.")
    form = TransitionForm()
    if not form.validate():
        abort(400, "Say which state the amendment should move to.")
    target = AmendmentState(form.to.data)
    operations.transition(amendment, target, actor=user, reason=form.reason.data or None)
    db.session.commit()
    flash(f"{amendment.title} {_DONE[target]}.", "success")
    return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment.id))


# --- deciding -----------------------------------------------------------------------


def render_resolution(
    amendment: Amendment,
    form: AmendmentDecisionForm,
    *,
    result: MergeResult | None,
    written_on: ClauseVersion,
    proposed_text: str,
    heading_conflict: bool,
    status: int,
    message: str = "",
):
    """Render the form in which the secretariat writes the text as accepted (after a conflict, or by choice).

    :raises Conflict: (409) when the clause has been deleted meanwhile.
    """
    proposed_html, current_html = queries.resolution_redlines(amendment, written_on, proposed_text)
    return render_template(
        "amendments/resolve.html",
        instrument=amendment.instrument,
        amendment=amendment,
        clause=amendment.clause,
        current=amendment.clause.current_version,
        written_on=written_on,
        form=form,
        result=result,
        heading_conflict=heading_conflict,
        proposed_html=proposed_html,
        current_html=current_html,
        message=message,
    ), status


@bp.get("/i/<slug>/amendments/<int:amendment_id>/resolve")
def resolve(slug: str, amendment_id: int):
    """The secretariat's form to accept an amendment with modifications, prefilled with the merge."""
    instrument = get_instrument_or_404(slug)
    amendment = get_amendment_or_404(instrument, amendment_id)
    start = queries.resolution(amendment)
    form = AmendmentDecisionForm(formdata=None)
    form.outcome.data = S.ACCEPTED_WITH_MODIFICATIONS.value
    form.text.data, form.heading.data = start.text, start.heading
    if start.number is not None:
        form.number.data = start.number
    if start.base_version_id is not None:
        form.base_version_id.data = start.base_version_id
    return render_resolution(
        amendment,
        form,
        result=start.result,
        written_on=amendment.base_version,
        proposed_text=amendment.text,
        heading_conflict=start.heading_conflict,
        status=200,
    )


@bp.post("/i/<slug>/amendments/<int:amendment_id>/decide")
def decide(slug: str, amendment_id: int):
    """The secretariat accepts (merging), accepts with modifications, or rejects an amendment.

    A merge that does not come out clean answers with the resolution form
    (:func:`merge_conflict`); a refused input shows the form again with its error.
    """
    instrument = get_instrument_or_404(slug)
    amendment = get_amendment_or_404(instrument, amendment_id)
    if not policies.can_manage(_user(), instrument):
        abort(403, "Only the secretariat decides on amendments.")
    form = AmendmentDecisionForm()
    with_text = form.outcome.data == S.ACCEPTED_WITH_MODIFICATIONS.value
    if not form.validate():
        return render_amendment(amendment, decision=form, status=400)
    amendment_id_, kind = amendment.id, amendment.kind
    with refusals_on(form):
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
        db.session.commit()
        flash(_decision_message(outcome), "success")
        return redirect(url_for("amendments.show", slug=slug, amendment_id=amendment_id_))
    return _redisplay(amendment_id_, instrument, form, with_text, 400)


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


def _redisplay(amendment_id: int, instrument: Instrument, form: AmendmentDecisionForm, with_text: bool, status: int):
    """Show the decision form again with its errors: the resolution form, or the amendment's page."""
    amendment = get_amendment_or_404(instrument, amendment_id)
    if not with_text:
        return render_amendment(amendment, decision=form, status=status)
    current = amendment.clause.current_version
    fallback = current if current is not None and amendment.kind is AmendmentKind.MODIFY else amendment.base_version
    return render_resolution(
        amendment,
        form,
        result=None,
        written_on=queries.written_on(amendment, form.base_version_id.data, default=fallback),
        proposed_text=form.text.data or "",
        heading_conflict=False,
        status=status,
    )


@bp.errorhandler(decisions.AmendmentConflict)
def merge_conflict(exc: decisions.AmendmentConflict):
    """409: accepting needs a choice of words; the resolution form, prefilled with the marked text.

    Answers :class:`~drafter.services.amendments.decisions.AmendmentConflict` from :func:`decide`
    after rolling back what the decision began.
    """
    db.session.rollback()
    form = AmendmentDecisionForm()
    amendment = get_amendment_or_404(exc.amendment.instrument, exc.amendment.id)
    current = amendment.clause.current_version
    if current is None:  # deleted meanwhile; an error handler answers here rather than raise again
        return render_error(409, queries.clause_deleted(amendment).message)
    resolution = AmendmentDecisionForm(formdata=None)
    resolution.outcome.data = S.ACCEPTED_WITH_MODIFICATIONS.value
    resolution.text.data = exc.merge.marked_text
    resolution.heading.data = exc.heading
    resolution.reason.data = form.reason.data
    resolution.base_version_id.data = current.id
    with_text = form.outcome.data == S.ACCEPTED_WITH_MODIFICATIONS.value
    return render_resolution(
        amendment,
        resolution,
        result=exc.merge,
        written_on=queries.written_on(
            amendment, form.base_version_id.data if with_text else None, default=amendment.base_version
        ),
        proposed_text=exc.proposed_text,
        heading_conflict=exc.heading_conflict,
        status=409,
        message=str(exc),
    )


# --- lists --------------------------------------------------------------------------


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
        reads=queries.reader_texts({a.clause_id: a.clause for a in page.items}.values(), _user()),
        endpoint="amendments.queue",
        mine=False,
        waiting=queries.waiting_days(page.items),
        public_open_states=queries.PUBLIC_OPEN_STATES,
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
        reads=queries.reader_texts({a.clause_id: a.clause for a in page.items}.values(), _user()),
        endpoint="amendments.mine",
        mine=True,
        waiting=queries.waiting_days(page.items),
        public_open_states=queries.PUBLIC_OPEN_STATES,
    )


@bp.get("/amendments/review")
def review():
    """Where the secretariat starts reviewing: each instrument with its number of open amendments."""
    rows = queries.open_counts()
    return render_template("amendments/review.html", rows=rows)


# --- competing amendments on one clause -------------------------------------------------


@bp.get("/i/<slug>/c/<uid>/amendments")
def on_clause(slug: str, uid: str):
    """A clause's open amendments side by side, against the text the visitor reads (the working text for the
    secretariat, the latest published draft's for everybody else), with overlapping changes marked."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    current = queries.reader_text(clause, _user())
    amendments = queries.open_on_clause(clause, _user())
    columns = queries.competing_columns(amendments, current) if current is not None else []
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
