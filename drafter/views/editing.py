"""The secretariat edits a clause directly; a stale edit is answered with a three-way merge (409)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from drafter import policies
from drafter.extensions import db
from drafter.forms.editing import EditClauseForm
from drafter.models import Clause, ClauseVersion, Instrument
from drafter.services import editing
from drafter.services.errors import Conflict
from drafter.views.loaders import get_clause_or_404, get_instrument_or_404
from drafter.views.refusals import refusals_on
from instrument.diff import cached_redline, redline, render_redline_html

bp = Blueprint("editing", __name__)


@bp.route("/i/<slug>/c/<uid>/edit", methods=["GET", "POST"])
def edit_clause(slug: str, uid: str):
    """Edit a clause's heading and text; the form carries the version it started from."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    user = current_user._get_current_object()
    if not policies.can_manage(user, instrument):
        abort(403, "Only the secretariat edits clauses directly; propose an amendment instead.")
    if clause.deleted or clause.current_version is None:
        raise Conflict("This clause has been deleted; it can no longer be edited.")
    form = EditClauseForm()
    current = clause.current_version
    if not form.is_submitted():
        form.heading.data = current.heading
        form.text.data = current.text
        form.base_version_id.data = current.id
    if form.validate_on_submit():
        with refusals_on(form):
            version = editing.edit_clause(
                clause,
                actor=user,
                base_version_id=form.base_version_id.data,
                heading=form.heading.data or "",
                text=form.text.data,
                note=form.note.data or "",
            )
            db.session.commit()
            if version is None:
                flash("Nothing changed: the text is the same as the current version.", "success")
            else:
                flash(f"Saved as version {version.seq}.", "success")
            return redirect(url_for("instruments.clause", slug=slug, uid=uid))
    return _edit_page(instrument, clause, current, form, None, 400 if form.errors else 200)


@bp.errorhandler(editing.EditConflict)
def edit_conflict(exc: editing.EditConflict):
    """409: the clause moved on while it was edited; the form again, prefilled with the three-way merge.

    Answers :class:`~drafter.services.editing.EditConflict` after rolling back what the edit began.
    """
    db.session.rollback()
    args = request.view_args or {}
    instrument = get_instrument_or_404(args.get("slug", ""))
    clause = get_clause_or_404(instrument, args.get("uid", ""))
    form = EditClauseForm()
    form.text.data = exc.merge.marked_text
    # The next save is made on the version shown now.
    form.base_version_id.data = exc.current.id
    form.base_version_id.raw_data = [str(exc.current.id)]
    return _edit_page(instrument, clause, exc.current, form, exc, 409)


def _edit_page(
    instrument: Instrument,
    clause: Clause,
    current: ClauseVersion,
    form: EditClauseForm,
    conflict: editing.EditConflict | None,
    status: int,
):
    views = None
    if conflict is not None:
        base = conflict.base
        views = {
            "mine": render_redline_html(redline(base.text, conflict.text)),
            "theirs": render_redline_html(
                cached_redline(("v", base.id), ("v", conflict.current.id), base.text, conflict.current.text)
            ),
        }
    return render_template(
        "editing/edit_clause.html",
        instrument=instrument,
        clause=clause,
        current=current,
        form=form,
        conflict=conflict,
        views=views,
    ), status
