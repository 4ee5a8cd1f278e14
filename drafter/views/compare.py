"""Redlines: compare two states of an instrument, or two versions of one clause."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import ClauseVersion, Draft, Instrument
from drafter.services import compare as compare_service
from drafter.services import exports
from drafter.views.loaders import get_clause_or_404, get_draft_or_404, get_instrument_or_404
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
    value = request.args.get(name, default).strip() or default
    if value == compare_service.CURRENT:
        return compare_service.load_state(instrument, None)
    if not value.isdigit():
        abort(400, f"“{name}” must be a draft number or “current”.")
    return compare_service.load_state(instrument, get_draft_or_404(instrument, int(value)))


def _defaults(instrument: Instrument) -> tuple[str, str]:
    numbers = db.session.scalars(
        select(Draft.number).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(2)
    ).all()
    if len(numbers) >= 2:
        return str(numbers[1]), str(numbers[0])
    if numbers:
        return str(numbers[0]), compare_service.CURRENT
    return compare_service.CURRENT, compare_service.CURRENT


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
    """Compare two versions of one clause (default: the previous and the current one)."""
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    all_versions = db.session.scalars(
        select(ClauseVersion).where(ClauseVersion.clause_id == clause.id).order_by(ClauseVersion.seq)
    ).all()
    by_seq = {v.seq: v for v in all_versions}
    last = all_versions[-1].seq if all_versions else 1
    try:
        new_seq = int(request.args.get("to", last))
        old_seq = int(request.args.get("from", max(new_seq - 1, 1)))
    except ValueError:
        abort(400, "Version numbers must be whole numbers.")
    if old_seq not in by_seq or new_seq not in by_seq:
        abort(404, f"This clause has versions 1 to {last}.")
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
