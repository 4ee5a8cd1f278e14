"""Consultations and inputs in the browser: record, submit, answer, link, withdraw, delete, download.

Each view: load -> authorise -> call one service -> commit once -> redirect
or render. A refused input is a form error (400) with nothing written
(:func:`~drafter.views.refusals.refusals_on`); every other refusal is
answered at the edge (:mod:`drafter.errors`): a change the visitor may not
make is 403, deleting an input that decisions or versions refer to is 409.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from drafter import permissions, policies
from drafter.errors import render_error
from drafter.extensions import db
from drafter.forms.consultations import (
    CiteInputsForm,
    ConfirmForm,
    ConsultationForm,
    DispositionForm,
    InputForm,
    LinkForm,
    WithdrawForm,
)
from drafter.models import Amendment, Clause, ClauseVersion, Consultation, ConsultationKind, Disposition, Instrument
from drafter.services import attachments, visibility
from drafter.services.amendments import queries as amendment_queries
from drafter.services.consultations import operations as consultation_operations
from drafter.services.consultations import queries as consultation_queries
from drafter.services.paging import page_count
from drafter.services.timezones import to_utc, zone_of
from drafter.views.loaders import get_instrument_or_404, past_the_last_page, requested_page
from drafter.views.refusals import refusals_on

bp = Blueprint("consultations", __name__)

PER_PAGE = 50


def _user():
    return current_user._get_current_object()


def uploads_dir() -> str:
    """The folder attachments are stored in: config ``INSTANCE_UPLOADS`` or ``<instance>/uploads``."""
    return current_app.config.get("INSTANCE_UPLOADS") or os.path.join(current_app.instance_path, "uploads")


def max_attachment_bytes() -> int:
    """The size limit of one attachment: config ``MAX_ATTACHMENT_BYTES`` (default 5 MB)."""
    return int(current_app.config.get("MAX_ATTACHMENT_BYTES", attachments.DEFAULT_MAX_BYTES))


def get_consultation_or_404(instrument: Instrument, consultation_id: int) -> Consultation:
    """The consultation ``consultation_id`` of ``instrument``, its organiser loaded.

    :raises NotFound: (404) when there is none on this instrument.
    """
    consultation = db.session.scalar(
        select(Consultation)
        .where(Consultation.id == consultation_id, Consultation.instrument_id == instrument.id)
        .options(joinedload(Consultation.organiser))
    )
    if consultation is None:
        abort(404, f"There is no consultation {consultation_id} on this instrument.")
    return consultation


def get_input_or_404(instrument: Instrument, input_id: int):
    """The input ``input_id`` made on ``instrument``, with what its page shows.

    :raises NotFound: (404) when there is none on this instrument.
    """
    item = consultation_queries.get_input(instrument, input_id)
    if item is None:
        abort(404, f"There is no input {input_id} on this instrument.")
    return item


# --- consultations -------------------------------------------------------------------


@bp.get("/i/<slug>/consultations/")
def index(slug: str):
    """The consultations held or called on an instrument, latest first."""
    instrument = get_instrument_or_404(slug)
    return render_template(
        "consultations/index.html",
        instrument=instrument,
        consultations=consultation_queries.list_consultations(instrument),
        counts=consultation_queries.disposition_counts(instrument=instrument),
        now=datetime.now(UTC),
    )


def _consultation_data(instrument: Instrument, form: ConsultationForm) -> consultation_operations.ConsultationData:
    return consultation_operations.ConsultationData(
        title=form.title.data,
        kind=form.kind.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        place=form.place.data or "",
        organiser_id=int(form.organiser.data) if form.organiser.data else None,
        summary=form.summary.data or "",
        open_until=to_utc(form.open_until.data, None, zone_of(instrument)) if form.open_until.data else None,
    )


def _edit_consultation(instrument: Instrument, consultation: Consultation | None):
    form = ConsultationForm(obj=None)
    form.set_organisations(consultation_queries.search_organisations())
    if not form.is_submitted() and consultation is not None:
        form.title.data = consultation.title
        form.kind.data = consultation.kind.value
        form.starts_on.data = consultation.starts_on
        form.ends_on.data = consultation.ends_on
        form.place.data = consultation.place
        form.organiser.data = str(consultation.organiser_id or "")
        form.summary.data = consultation.summary
        form.open_until.data = consultation.open_until.date() if consultation.open_until else None
    if form.validate_on_submit():
        with refusals_on(form, fallback="title"):
            if consultation is None:
                consultation = consultation_operations.record_consultation(
                    instrument, _consultation_data(instrument, form), actor=_user()
                )
            else:
                consultation_operations.update_consultation(
                    consultation, _consultation_data(instrument, form), actor=_user()
                )
            db.session.commit()
            flash(f"“{consultation.title}” is saved.", "success")
            return redirect(url_for("consultations.show", slug=instrument.slug, consultation_id=consultation.id))
    return render_template(
        "consultations/form.html", instrument=instrument, form=form, consultation=consultation
    ), 400 if form.is_submitted() else 200


@bp.route("/i/<slug>/consultations/new", methods=["GET", "POST"])
def new(slug: str):
    """The secretariat records a consultation."""
    instrument = get_instrument_or_404(slug)
    return _edit_consultation(instrument, None)


@bp.route("/i/<slug>/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
def edit(slug: str, consultation_id: int):
    """The secretariat corrects a consultation (or moves a call's closing date)."""
    instrument = get_instrument_or_404(slug)
    return _edit_consultation(instrument, get_consultation_or_404(instrument, consultation_id))


@bp.get("/i/<slug>/consultations/<int:consultation_id>/")
def show(slug: str, consultation_id: int):
    """A consultation: what it was, how many inputs are in each state, and the inputs."""
    instrument = get_instrument_or_404(slug)
    consultation = get_consultation_or_404(instrument, consultation_id)
    page = requested_page()
    inputs, total = consultation_queries.inputs_of(consultation, page=page, per_page=PER_PAGE)
    if beyond := past_the_last_page(page, page_count(total, PER_PAGE)):
        return beyond
    now = datetime.now(UTC)
    found = consultation_queries.evidence(i.id for i in inputs)
    # Only versions the visitor may read are named (drafter/services/visibility.py).
    seen = visibility.visible_version_ids(_user(), instrument, [e.version.id for v in found.values() for e in v])
    return render_template(
        "consultations/show.html",
        instrument=instrument,
        consultation=consultation,
        inputs=inputs,
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
        counts=consultation_queries.disposition_counts(consultation),
        evidence={i: [e for e in items if e.version.id in seen] for i, items in found.items()},
        can_submit=policies.can_submit(_user(), consultation, now),
        is_open=consultation.is_open(now),
    )


# --- inputs ------------------------------------------------------------------------------


@bp.route("/i/<slug>/consultations/<int:consultation_id>/inputs/new", methods=["GET", "POST"])
def add_input(slug: str, consultation_id: int):
    """Record an input (secretariat) or submit a written input to an open call (stakeholders)."""
    instrument = get_instrument_or_404(slug)
    consultation = get_consultation_or_404(instrument, consultation_id)
    user = _user()
    if not policies.can_submit(user, consultation):
        if consultation.kind is ConsultationKind.WRITTEN_CALL:
            abort(403, "This call for written inputs is closed.")
        abort(403, "Inputs made at this consultation are recorded by the secretariat.")
    if not permissions.is_secretariat(user) and user.organisation_id is None:
        abort(403, "Written inputs are sent on behalf of an organisation; your account has none.")
    form = InputForm()
    secretariat = permissions.is_secretariat(user)
    if secretariat:
        form.set_organisations(consultation_queries.search_organisations())
    else:
        del form.organisations  # a stakeholder writes for their own organisation only
    if form.validate_on_submit():
        with refusals_on(form, fallback="title"):
            item = consultation_operations.add_input(
                consultation,
                consultation_operations.InputData(
                    kind=form.kind.data,
                    title=form.title.data,
                    summary=form.summary.data or "",
                    organisation_ids=(form.organisations.data or []) if secretariat else [],
                    reference_document=form.reference_document.data or "",
                    reference_page=form.reference_page.data or "",
                ),
                actor=user,
                upload=_upload(form.attachment.data),
            )
            db.session.commit()
            flash(
                f"“{item.title}” is recorded."
                if secretariat
                else f"Thank you: “{item.title}” is sent to the secretariat.",
                "success",
            )
            return redirect(url_for("consultations.input", slug=slug, input_id=item.id))
    return render_template(
        "consultations/input_form.html",
        instrument=instrument,
        consultation=consultation,
        form=form,
        secretariat=secretariat,
        max_bytes=max_attachment_bytes(),
    ), 400 if form.is_submitted() else 200


def _upload(sent) -> attachments.Upload | None:
    """The file sent in the form's attachment field, or ``None`` when none was chosen."""
    if sent is None or not getattr(sent, "filename", None):
        return None
    return attachments.Upload(sent.stream, sent.filename, uploads_dir(), max_attachment_bytes())


def render_input(
    instrument: Instrument, item, *, disposition: DispositionForm | None = None, link_error: str = "", status: int = 200
):
    """Render an input's fate page (also with a disposition form holding errors)."""
    user = _user()
    secretariat = permissions.is_secretariat(user)
    found = consultation_queries.evidence([item.id]).get(item.id, [])
    # Versions and labels come from the text the visitor may read (drafter/services/visibility.py).
    seen = visibility.visible_version_ids(
        user,
        instrument,
        [e.version.id for e in found]
        + [v.id for v in item.versions]
        + [a.result_version_id for a in item.amendments if a.result_version_id is not None],
    )
    found = [e for e in found if e.version.id in seen]
    labels = {
        clause_id: v.label
        for clause_id, v in visibility.reader_versions(user, instrument, [c.id for c in item.clauses]).items()
    }
    if disposition is None:
        disposition = DispositionForm(formdata=None)
        disposition.disposition.data = item.disposition.value
        disposition.reason.data = item.disposition_reason
    choices = consultation_queries.link_choices(instrument, item) if secretariat else {}
    return render_template(
        "consultations/input.html",
        instrument=instrument,
        item=item,
        evidence=found,
        clause_labels=labels,
        cited_versions=[v for v in item.versions if v.id in seen],
        visible_version_ids=seen,
        amendment_no=amendment_queries.numbers_of(e.amendment_id for e in found),
        secretariat=secretariat,
        signed_in=permissions.is_active_user(user),
        can_withdraw=policies.can_withdraw(user, item),
        disposition=disposition,
        link_form=LinkForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
        choices=choices,
        link_error=link_error,
        dispositions=list(Disposition),
    ), status


@bp.get("/i/<slug>/inputs/<int:input_id>/")
def input(slug: str, input_id: int):
    """An input's fate: its disposition and reason, the clauses it concerns, and the versions it shaped."""
    instrument = get_instrument_or_404(slug)
    return render_input(instrument, get_input_or_404(instrument, input_id))


@bp.post("/i/<slug>/inputs/<int:input_id>/disposition")
def disposition(slug: str, input_id: int):
    """The secretariat answers an input (reason required for "not reflected" and "noted")."""
    instrument = get_instrument_or_404(slug)
    item = get_input_or_404(instrument, input_id)
    form = DispositionForm()
    if form.validate():
        with refusals_on(form, fallback="reason"):
            consultation_operations.set_disposition(
                item, form.disposition.data, actor=_user(), reason=form.reason.data or ""
            )
            db.session.commit()
            flash(f"“{item.title}”: {item.disposition.label.lower()}.", "success")
            return redirect(url_for("consultations.input", slug=slug, input_id=item.id))
    item = get_input_or_404(instrument, input_id)  # reloaded after the rollback
    return render_input(instrument, item, disposition=form, status=400)


def _link_target(instrument: Instrument, target: str, value: str):
    """The clause (by uid), amendment or version (by id) a link form names, or ``None``."""
    if target == "clause":
        return db.session.scalar(select(Clause).where(Clause.uid == value, Clause.instrument_id == instrument.id)) or (
            db.session.get(Clause, int(value)) if value.isdigit() else None
        )
    if not value.isdigit():
        return None
    return db.session.get(Amendment if target == "amendment" else ClauseVersion, int(value))


@bp.post("/i/<slug>/inputs/<int:input_id>/links")
def link(slug: str, input_id: int):
    """The secretariat links an input to a clause, an amendment or an edit version, or removes a link."""
    instrument = get_instrument_or_404(slug)
    item = get_input_or_404(instrument, input_id)
    form = LinkForm()
    if not form.validate():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return render_input(instrument, item, link_error=message, status=400)
    target = _link_target(instrument, form.target.data, form.value.data)
    if target is None:
        return render_input(instrument, item, link_error=f"There is no such {form.target.data}.", status=400)
    # Each takes the kind of target its key names, which _link_target returned.
    actions: dict[tuple[str, str], Callable[..., bool]] = {
        ("clause", "add"): consultation_operations.link_clause,
        ("clause", "remove"): consultation_operations.unlink_clause,
        ("amendment", "add"): consultation_operations.link_amendment,
        ("amendment", "remove"): consultation_operations.unlink_amendment,
        ("version", "add"): consultation_operations.cite_in_version,
        ("version", "remove"): consultation_operations.uncite_version,
    }
    action = actions[(form.target.data, form.op.data)]
    with refusals_on(form):
        changed = action(item, target, actor=_user())
        db.session.commit()
        if changed:
            flash("The link is saved." if form.op.data == "add" else "The link is removed.", "success")
        return redirect(url_for("consultations.input", slug=slug, input_id=input_id) + "#links")
    # Refused: the message is the link form's error, shown on the input's page read again after the rollback.
    message = " ".join(e for errors in form.errors.values() for e in errors)
    return render_input(instrument, get_input_or_404(instrument, input_id), link_error=message, status=400)


@bp.post("/i/<slug>/inputs/<int:input_id>/withdraw")
def withdraw(slug: str, input_id: int):
    """Withdraw an input (its organisations while pending, or the secretariat); it stays in the register."""
    instrument = get_instrument_or_404(slug)
    item = get_input_or_404(instrument, input_id)
    if not policies.can_withdraw(_user(), item):
        abort(
            403, "Only the organisations that made this input, while it is pending, or the secretariat may withdraw it."
        )
    form = WithdrawForm()
    if not form.validate():
        return render_error(400, "The reason is too long.")
    consultation_operations.withdraw_input(item, actor=_user(), reason=form.reason.data or "")
    db.session.commit()
    flash(f"“{item.title}” is withdrawn.", "success")
    return redirect(url_for("consultations.input", slug=slug, input_id=input_id))


@bp.post("/i/<slug>/inputs/<int:input_id>/delete")
def delete(slug: str, input_id: int):
    """The secretariat deletes an input recorded by mistake (refused, 409, once anything refers to it)."""
    instrument = get_instrument_or_404(slug)
    item = get_input_or_404(instrument, input_id)
    ConfirmForm().validate()
    consultation_id, title = item.consultation_id, item.title
    consultation_operations.delete_input(
        item, actor=_user(), folder=uploads_dir()
    )  # the file goes once the deletion is committed
    db.session.commit()
    flash(f"“{title}” is deleted.", "success")
    return redirect(url_for("consultations.show", slug=slug, consultation_id=consultation_id))


@bp.get("/i/<slug>/inputs/<int:input_id>/attachment")
def attachment(slug: str, input_id: int):
    """Download an input's attached file (signed-in participants only; always as a download)."""
    instrument = get_instrument_or_404(slug)
    item = get_input_or_404(instrument, input_id)
    if not item.attachment_key:
        abort(404, "This input has no attached file.")
    path = attachments.stored_file(uploads_dir(), item.attachment_key)
    if path is None:
        abort(404, "The attached file cannot be found.")
    name = item.attachment_name or path.name
    response = send_file(
        path,
        # Werkzeug adds the charset of text types itself; rows stored before kept it in the type.
        mimetype=(item.attachment_type or "application/octet-stream").split(";")[0],
        as_attachment=True,
        download_name=name,
        max_age=0,
        conditional=False,
    )
    if not name.isascii():
        # RFC 6266: browsers take filename*; old clients get a readable ASCII name, not ".pdf".
        response.headers.set(
            "Content-Disposition",
            "attachment",
            filename=attachments.ascii_name(name),
            **{"filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")},
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway, nothing in it may run or load.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- inputs an amendment cites -------------------------------------------------------------


@bp.route("/i/<slug>/amendments/<int:amendment_id>/inputs", methods=["GET", "POST"])
def amendment_inputs(slug: str, amendment_id: int):
    """The inputs an amendment cites; its proposers (while open) and the secretariat choose them."""
    instrument = get_instrument_or_404(slug)
    user = _user()
    # Seen as on its own page: drafts by their organisation only, text the visitor may read.
    amendment = amendment_queries.amendment_in(instrument, amendment_id, user)
    if amendment is None:
        abort(404, f"There is no amendment {amendment_id} that you can see in this instrument.")
    may_change = policies.can_cite_on_amendment(user, amendment)
    form = CiteInputsForm()
    cited = consultation_queries.inputs_cited_by(amendment)
    offered = consultation_queries.citable_inputs(instrument) if may_change else []
    form.set_inputs({i.id: i for i in [*cited, *offered]}.values())
    status = 200
    if form.is_submitted():
        if not may_change:
            abort(
                403,
                f"Only members of {amendment.organisation.name} (while it is open) or the secretariat "
                f"choose the inputs {amendment.title} cites.",
            )
        if form.validate():
            with refusals_on(form, fallback="inputs"):
                consultation_operations.set_amendment_inputs(amendment, form.inputs.data or [], actor=user)
                db.session.commit()
                flash(f"{amendment.title} now cites {len(form.inputs.data or [])} input(s).", "success")
                return redirect(url_for("consultations.amendment_inputs", slug=slug, amendment_id=amendment.id))
        status = 400
    else:
        form.inputs.data = [i.id for i in cited]
    return render_template(
        "consultations/amendment_inputs.html",
        instrument=instrument,
        amendment=amendment,
        cited=cited,
        form=form,
        may_change=may_change,
    ), status
