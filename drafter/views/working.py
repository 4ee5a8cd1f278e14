"""The secretariat's working draft: its changes since the last published draft, undoing them,
and applying several accepted amendments together."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from drafter import policies
from drafter.extensions import db
from drafter.forms.working import ApplyAmendmentsForm, DiscardForm, RestoreForm
from drafter.models import Instrument, User
from drafter.services import working
from drafter.services.errors import Conflict
from drafter.views.loaders import get_clause_or_404, get_instrument_or_404
from drafter.views.refusals import refusals_on
from instrument.amendments import AmendmentKind
from instrument.diff import render_redline_html

bp = Blueprint("working", __name__)


def _secretariat(instrument: Instrument) -> User:
    """The acting secretariat member; 403 for anybody else (the permission table already sends others away)."""
    user = current_user._get_current_object()
    if not policies.sees_working_draft(user, instrument):
        abort(403, "Only the secretariat sees and prepares the working draft.")
    return user


def _first_error(form) -> str:
    return next((message for messages in form.errors.values() for message in messages), "The form is incomplete.")


@bp.get("/i/<slug>/working/")
def overview(slug: str):
    """The working draft against the last published draft: each changed clause's redline and history."""
    instrument = get_instrument_or_404(slug)
    _secretariat(instrument)
    draft = working.working_draft(instrument)
    return render_template(
        "working/overview.html",
        instrument=instrument,
        work=draft,
        restore_form=RestoreForm(formdata=None),
        discard_form=DiscardForm(formdata=None),
        render_redline=render_redline_html,
    )


def _back(slug: str, uid: str):
    return redirect(url_for("working.overview", slug=slug) + f"#clause-{uid}")


@bp.post("/i/<slug>/c/<uid>/restore")
def restore(slug: str, uid: str):
    """Restore an earlier version of a clause (``version`` = its number) as a new version; undo is
    restoring the previous one. ``current`` is the version the page showed: a clause changed since is 409."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    user = _secretariat(instrument)
    form = RestoreForm()
    if not form.validate():
        abort(400, _first_error(form))
    version = working.restore(clause, seq=form.version.data, actor=user, base_version_id=form.current.data)
    db.session.commit()
    if version is None:
        flash(f"Nothing changed: the working text already is version {form.version.data}.", "success")
    else:
        flash(f"Version {form.version.data} restored as version {version.seq} of {version.label or uid}.", "success")
    return _back(slug, uid)


@bp.post("/i/<slug>/c/<uid>/discard")
def discard(slug: str, uid: str):
    """Discard every unpublished change of a clause (the box ``confirm`` must be ticked): it gets back
    the text of the last published draft, or is removed when it was added since."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    user = _secretariat(instrument)
    form = DiscardForm()
    if not form.validate():
        abort(400, _first_error(form))
    version = working.discard(clause, actor=user, base_version_id=form.current.data)
    db.session.commit()
    if version is None:
        flash("Nothing to discard: this clause reads as in the last published draft.", "success")
    elif version.deleted:
        flash(f"Discarded: {version.label or uid}, added since the last published draft, is removed.", "success")
    else:
        flash(f"Discarded: {version.label or uid} reads again as in the last published draft.", "success")
    return _back(slug, uid)


@bp.route("/i/<slug>/working/apply", methods=["GET", "POST"])
def apply(slug: str):
    """Apply several amendments together: tick them, preview (collisions first, then the combined
    result; nothing is written), then confirm (all accepted in one transaction, or none)."""
    instrument = get_instrument_or_404(slug)
    user = _secretariat(instrument)
    form = ApplyAmendmentsForm()
    if not form.is_submitted():
        form.amendment.data = request.args.getlist("amendment")
    preview = None
    refusal: Conflict | None = None
    status = 200
    if form.is_submitted():
        if form.validate():
            with refusals_on(form, fallback="amendment"):
                if form.action.data == "confirm":
                    try:
                        outcomes = working.apply_together(
                            instrument,
                            form.amendment.data or [],
                            actor=user,
                            seen=working.parse_seen(form.seen.data or []),
                            previewed=form.previewed.data or [],
                        )
                    except Conflict as exc:
                        db.session.rollback()
                        refusal, status = exc, 409
                    else:
                        names = ", ".join(o.amendment.title for o in outcomes)
                        db.session.commit()
                        flash(f"Accepted together: {names}.", "success")
                        return redirect(url_for("working.overview", slug=slug))
                preview = working.preview_apply(instrument, form.amendment.data or [])
        if form.errors:
            status = 400
    chosen = set(form.amendment.data or [])
    return render_template(
        "working/apply.html",
        instrument=instrument,
        form=form,
        amendments=working.open_amendments(instrument),
        chosen=chosen,
        preview=preview,
        refusal=refusal,
        kinds=AmendmentKind,
    ), status
