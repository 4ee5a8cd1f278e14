"""The secretariat edits a clause directly; a stale edit is answered with a three-way merge (409)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from drafter import policies
from drafter.extensions import db
from drafter.forms.editing import EditClauseForm
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
    conflict = None
    status = 200
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            with refusals_on(form):
                try:
                    version = editing.edit_clause(
                        clause,
                        actor=user,
                        base_version_id=form.base_version_id.data,
                        heading=form.heading.data or "",
                        text=form.text.data,
                        note=form.note.data or "",
                    )
                except editing.EditConflict as exc:
                    # The form again, prefilled with the merge: the one refusal this page answers itself.
                    db.session.rollback()
                    conflict = exc
                    current = exc.current
                    form.text.data = exc.merge.marked_text
                    # The next save is made on the version shown now.
                    form.base_version_id.data = exc.current.id
                    form.base_version_id.raw_data = [str(exc.current.id)]
                    status = 409
                else:
                    db.session.commit()
                    if version is None:
                        flash("Nothing changed: the text is the same as the current version.", "success")
                    else:
                        flash(f"Saved as version {version.seq}.", "success")
                    return redirect(url_for("instruments.clause", slug=slug, uid=uid))
            if form.errors:
                status = 400
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
        "edit_clause.html",
        instrument=instrument,
        clause=clause,
        current=current,
        form=form,
        conflict=conflict,
        views=views,
    ), status
