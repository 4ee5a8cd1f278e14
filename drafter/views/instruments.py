"""Reading the instrument: list, full text (current or Draft N), one clause with its history, drafts, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from drafter import policies
from drafter.extensions import db
from drafter.forms.instruments import PublishDraftForm
from drafter.models import Draft, DraftEntry, Instrument
from drafter.services import drafts as draft_service
from drafter.services import exports, visibility
from drafter.services.amendments import queries as amendment_queries
from drafter.services.comments import queries as comment_queries
from drafter.services.timezones import zone_label, zone_of
from drafter.views import fulltext
from drafter.views.comments import panel_context
from drafter.views.loaders import (
    NOTHING_PUBLISHED,
    get_clause_or_404,
    get_draft_or_404,
    get_draft_version_or_404,
    get_instrument_or_404,
    requested_draft,
    text_draft,
)
from drafter.views.refusals import refusals_on

bp = Blueprint("instruments", __name__)


@bp.get("/")
def index():
    """List the instruments the visitor may read."""
    instruments = db.session.scalars(select(Instrument).order_by(Instrument.title)).all()
    visible = [i for i in instruments if policies.can_read(current_user, i)]
    return render_template(
        "instruments/index.html",
        instruments=visible,
        hidden=len(instruments) - len(visible),
        finals=draft_service.final_drafts(visible),
    )


@bp.get("/i/<slug>/")
def current(slug: str):
    """The instrument as the visitor reads it now.

    The secretariat reads its working draft (the current text, unpublished
    changes included), with the number of clauses changed since the latest
    published draft. Everybody else is sent to the latest published draft,
    or told that none is published yet (200: the instrument exists).
    """
    instrument = get_instrument_or_404(slug)
    latest = visibility.latest_draft(instrument)
    if not policies.sees_working_draft(current_user, instrument):
        if latest is not None:
            return redirect(url_for("instruments.draft", slug=slug, number=latest.number))
        return render_template("instruments/no_draft.html", instrument=instrument, message=NOTHING_PUBLISHED)
    body = fulltext.current_body(instrument)
    pending = draft_service.unpublished_changes(instrument, latest) if latest is not None else len(body)
    clause_href = url_for("instruments.clause", slug=slug, uid="~uid~")
    return render_template(
        "instruments/instrument.html",
        instrument=instrument,
        body=body,
        draft=None,
        latest=latest,
        pending=pending,
        working_href=url_for("working.overview", slug=slug),
        sections=fulltext.assemble(
            body, comment_queries.counts_by_clause(instrument, viewer=current_user), clause_href + "#comments"
        ),
    )


@bp.get("/i/<slug>/drafts/")
def drafts(slug: str):
    """The numbered drafts of an instrument."""
    instrument = get_instrument_or_404(slug)
    items = db.session.scalars(
        select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc())
    ).all()
    return render_template(
        "instruments/drafts.html",
        instrument=instrument,
        drafts=items,
        histories=draft_service.period_changes(instrument),
    )


@bp.route("/i/<slug>/drafts/publish", methods=["GET", "POST"])
def publish(slug: str):
    """The secretariat publishes the current text as the next numbered draft."""
    instrument = get_instrument_or_404(slug)
    if not policies.can_manage(current_user, instrument):
        abort(403, "Only the secretariat publishes drafts.")
    form = PublishDraftForm()
    latest = visibility.latest_draft(instrument)
    pending = draft_service.unpublished_changes(instrument, latest) if latest is not None else None
    zone = zone_of(instrument)
    if form.validate_on_submit():
        with refusals_on(form):
            new = draft_service.publish_round(
                instrument,
                actor=current_user._get_current_object(),
                title=form.title.data,
                note=form.note.data or "",
                periods=form.periods(zone),
                close_earlier=not form.keep_earlier_open.data,
                expected_number=int(form.number.data) if (form.number.data or "").isdigit() else None,
            )
            db.session.commit()
            flash(f"Draft {new.number} is published.", "success")
            return redirect(url_for("instruments.draft", slug=slug, number=new.number))
    status = 400 if form.is_submitted() else 200
    next_number = draft_service.next_draft_number(instrument)
    form.number.data = str(next_number)
    return render_template(
        "instruments/publish.html",
        instrument=instrument,
        form=form,
        latest=latest,
        pending=pending,
        next_number=next_number,
        zone_label=zone_label(instrument),
        final=draft_service.final_draft(instrument),
    ), status


@bp.get("/i/<slug>/drafts/<int:number>/")
def draft(slug: str, number: int):
    """The full text of Draft ``number``."""
    instrument = get_instrument_or_404(slug)
    the_draft = get_draft_or_404(instrument, number)
    body = fulltext.draft_body(instrument, the_draft)
    comments_href = url_for("comments.clause", slug=slug, uid="~uid~", draft=number)
    return render_template(
        "instruments/instrument.html",
        instrument=instrument,
        body=body,
        draft=the_draft,
        latest=visibility.latest_draft(instrument),
        history=draft_service.period_changes(instrument, [the_draft]).get(the_draft.id, []),
        sections=fulltext.assemble(
            body, comment_queries.counts_by_clause(instrument, the_draft, viewer=current_user), comments_href
        ),
    )


@bp.get("/i/<slug>/c/<uid>/")
def clause(slug: str, uid: str):
    """One clause with the versions the visitor may see and the drafts each version is in.

    The text shown is the clause as the visitor reads it now
    (:func:`drafter.services.visibility.reader_version`): the working version
    for the secretariat, the version of the latest published draft holding
    it for everybody else. With ``?draft=N`` (the links of Draft N's page) it
    is the clause as it stood in Draft N, with a notice, and links to the
    newer text the visitor may read and to the changes, when it has changed
    since: a delegate following a heading of the draft they are reading must
    not land on other words.

    :raises BadRequest: (400) for a ``draft`` that is not a whole number.
    :raises NotFound: (404) for an unknown clause or draft, a clause not part of Draft N,
        or a clause never published, for a visitor who does not see the working draft.
    """
    instrument = get_instrument_or_404(slug)
    the_clause = get_clause_or_404(instrument, uid)
    reading = requested_draft(instrument)
    now = visibility.reader_version(current_user, the_clause)
    # Authors come with the versions: the history names each one.
    versions = visibility.visible_versions(current_user, the_clause)[::-1]
    in_drafts: dict[int, list[int]] = {}
    for version_id, number in db.session.execute(
        select(DraftEntry.version_id, Draft.number)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id == the_clause.id)
        .order_by(Draft.number)
    ):
        in_drafts.setdefault(version_id, []).append(number)
    newest = now.version
    # Gone for this reader: deleted in the working draft (secretariat), or left out of the latest draft.
    gone = the_clause.deleted if now.draft is None else not now.in_latest
    shown = get_draft_version_or_404(reading, the_clause) if reading is not None else newest
    # The comment panel beside the text shown (drafter/views/comments.py).
    comments = {}
    if shown is not None and not shown.deleted and (reading is not None or not gone):
        comments = panel_context(instrument, the_clause, shown, reading)
    return render_template(
        "instruments/clause.html",
        instrument=instrument,
        clause=the_clause,
        versions=versions,
        amendment_no=amendment_queries.numbers_of(v.amendment_id for v in versions),
        in_drafts=in_drafts,
        reading=reading,
        shown=shown,
        newest=newest,
        gone=gone,
        working=now.draft is None,
        # The open amendments listed under the text (templates/amendments/_on_clause.html).
        open_amendments=amendment_queries.open_on_clause(the_clause, current_user)
        if newest is not None and not gone
        else [],
        # Whether the links to propose an amendment are offered, or a notice instead.
        amend_phase=amendment_queries.proposal_phase(instrument, newest) if newest is not None else None,
        **comments,
    )


def download(result: exports.ExportResult) -> Response:
    """Send an export as a file download (text or bytes)."""
    return Response(
        result.content,
        mimetype=result.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


@bp.get("/i/<slug>/export.<fmt>")
def export(slug: str, fmt: str):
    """Download a clean draft as Markdown, HTML, Word (``?lines=1``: with line numbers), PDF or
    Akoma Ntoso XML (``akn``): Draft N with ``?draft=N``; otherwise the text the visitor reads
    (:func:`~drafter.views.loaders.text_draft`: the working draft, labelled so, for the
    secretariat; the latest published draft for everybody else, 404 before the first)."""
    instrument = get_instrument_or_404(slug)
    if fmt not in exports.FORMATS:
        abort(404, f"Unknown export format “{fmt}”. Available: {', '.join(sorted(exports.FORMATS))}.")
    the_draft = text_draft(instrument)
    return download(exports.export_clean(instrument, the_draft, fmt, line_numbers=request.args.get("lines") == "1"))


@bp.get("/i/<slug>/synoptic")
def synoptic(slug: str):
    """Download the synoptic table of amendments to a draft (``?draft=N``; default the text the
    visitor reads, as for :func:`export`) as Word, or as CSV with ``?format=csv``; for signed-in
    users, who may read the amendments."""
    instrument = get_instrument_or_404(slug)
    fmt = request.args.get("format", "docx")
    if fmt not in exports.SYNOPTIC_FORMATS:
        abort(404, f"Unknown format “{fmt}”. Available: {', '.join(sorted(exports.SYNOPTIC_FORMATS))}.")
    readers = not policies.sees_working_draft(current_user, instrument)
    return download(exports.export_synoptic(instrument, text_draft(instrument), fmt, published_only=readers))
