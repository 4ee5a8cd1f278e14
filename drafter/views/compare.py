"""Redlines: compare two states of an instrument, or two versions of one clause."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from drafter import policies
from drafter.extensions import db
from drafter.models import Draft, Instrument
from drafter.services import compare as compare_service
from drafter.services import exports, visibility
from drafter.views.loaders import (
    NOT_PUBLISHED_CLAUSE,
    NOTHING_PUBLISHED,
    get_clause_or_404,
    get_draft_or_404,
    get_instrument_or_404,
)
from instrument.diff import render_redline_html, render_side_by_side
from instrument.export.redline import (
    authors_of,
    change_credits,
    changes_by,
    render_credited_html,
    render_credited_side_by_side,
    shown,
    summary_lines,
)

bp = Blueprint("compare", __name__)

VIEWS = ("inline", "side")


def _state_ref(instrument: Instrument, name: str, default: str) -> compare_service.State:
    """The state named by query argument ``name`` (a draft number, or ``current`` for the working draft).

    :raises BadRequest: (400) for anything else.
    :raises NotFound: (404) for an unknown draft, and for ``current`` asked by a visitor who does not
        see the working draft (:func:`drafter.policies.sees_working_draft`).
    """
    value = request.args.get(name, default).strip() or default
    if value == compare_service.CURRENT:
        if not policies.sees_working_draft(current_user, instrument):
            abort(404, "Only published drafts can be compared.")
        return compare_service.load_state(instrument, None)
    if not value.isdigit():
        abort(400, f"“{name}” must be a draft number or “current”.")
    return compare_service.load_state(instrument, get_draft_or_404(instrument, int(value)))


def _defaults(instrument: Instrument) -> tuple[str, str]:
    """The states compared when none is named: the two latest published drafts; while there is only
    one, that one against the working draft for the secretariat and against itself for everybody else.

    :raises NotFound: (404) before the first draft, for a visitor who does not see the working draft.
    """
    numbers = [
        str(n)
        for n in db.session.scalars(
            select(Draft.number).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(2)
        )
    ]
    if len(numbers) >= 2:
        return numbers[1], numbers[0]
    if policies.sees_working_draft(current_user, instrument):
        return (numbers[0] if numbers else compare_service.CURRENT), compare_service.CURRENT
    if not numbers:
        abort(404, NOTHING_PUBLISHED)
    return numbers[0], numbers[0]


def _view() -> str:
    view = request.args.get("view", "inline")
    if view not in VIEWS:
        abort(400, "“view” must be “inline” or “side”.")
    return view


@bp.get("/i/<slug>/compare/")
def states(slug: str):
    """Compare two drafts (or a draft and the current text) of an instrument."""
    instrument = get_instrument_or_404(slug)
    default_old, default_new = _defaults(instrument)
    old = _state_ref(instrument, "from", default_old)
    new = _state_ref(instrument, "to", default_new)
    view = _view()
    comparison = compare_service.compare_states(old, new)
    listed = [c for c in comparison.changes if shown(c)]
    unchanged = [c for c in comparison.changes if not shown(c)]
    all_drafts = db.session.scalars(
        select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number)
    ).all()
    # Who made each change, as in the downloads: the version that made it, not the clause's newest.
    history = exports.history_for(instrument, old, new, comparison)
    default = exports.default_revision(new.draft)
    credits = {c.key: change_credits(c, history.get(c.key, ()), default) for c in listed}
    return render_template(
        "compare/states.html",
        instrument=instrument,
        old=old,
        new=new,
        view=view,
        comparison=comparison,
        summary=summary_lines(comparison),
        listed=listed,
        unchanged=unchanged,
        drafts=all_drafts,
        credits=credits,
        credited=render_credited_html,
        credited_side=render_credited_side_by_side,
        changes_by=lambda heading, text: changes_by(authors) if (authors := authors_of(heading, text)) else "",
    )


@bp.get("/i/<slug>/compare/redline.<fmt>")
def export(slug: str, fmt: str):
    """Download the comparison of two states as Word with tracked changes, PDF, standalone HTML,
    or Markdown with CriticMarkup."""
    instrument = get_instrument_or_404(slug)
    if fmt not in exports.REDLINE_FORMATS:
        abort(404, f"Unknown redline format “{fmt}”. Available: {', '.join(sorted(exports.REDLINE_FORMATS))}.")
    default_old, default_new = _defaults(instrument)
    old = _state_ref(instrument, "from", default_old)
    new = _state_ref(instrument, "to", default_new)
    result = exports.export_redline(instrument, old.draft, new.draft, fmt)
    return Response(
        result.content,
        mimetype=result.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


@bp.get("/i/<slug>/c/<uid>/compare/")
def versions(slug: str, uid: str):
    """Compare two versions of one clause that the visitor may see (default: the newest one and the
    one before it, among those; :func:`drafter.services.visibility.visible_versions`).

    :raises BadRequest: (400) for version numbers that are not whole numbers.
    :raises NotFound: (404) for a version the clause lacks or the visitor may not see.
    """
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    all_versions = visibility.visible_versions(current_user, clause)
    if not all_versions:
        abort(404, NOT_PUBLISHED_CLAUSE)
    by_seq = {v.seq: v for v in all_versions}
    seqs = [v.seq for v in all_versions]
    try:
        new_seq = int(request.args.get("to", seqs[-1]))
        earlier = [n for n in seqs if n < new_seq]
        old_seq = int(request.args.get("from", earlier[-1] if earlier else new_seq))
    except ValueError:
        abort(400, "Version numbers must be whole numbers.")
    if old_seq not in by_seq or new_seq not in by_seq:
        shown = ", ".join(str(n) for n in seqs)
        abort(404, f"The versions of this clause you may compare are: {shown}.")
    old, new = by_seq[old_seq], by_seq[new_seq]
    redline = compare_service.version_redline(old, new)
    heading = compare_service.cached_redline(("h", old.id), ("h", new.id), old.label, new.label)
    return render_template(
        "compare/versions.html",
        instrument=instrument,
        clause=clause,
        old=old,
        new=new,
        versions=all_versions,
        view=_view(),
        redline=redline,
        heading=heading,
        inline=render_redline_html,
        side=render_side_by_side,
    )
