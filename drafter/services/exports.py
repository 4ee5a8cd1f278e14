"""Clean drafts as files: Markdown and standalone HTML."""
from __future__ import annotations

from dataclasses import dataclass

from drafter.models import Draft, Instrument
from drafter.services import drafts
from instrument.export.html import to_html
from instrument.export.markdown import to_markdown

#: Export format -> MIME type.
FORMATS = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class ExportResult:
    """A file ready to be written or downloaded."""

    content: str
    filename: str
    mimetype: str


def export_clean(instrument: Instrument, draft: Draft | None, fmt: str) -> ExportResult:
    """Export the current text or ``draft`` of ``instrument`` without markup of changes.

    :param instrument: the instrument.
    :param draft: a published draft, or ``None`` for the current text.
    :param fmt: ``"md"`` or ``"html"`` (see :data:`FORMATS`).
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = drafts.draft_state(draft) if draft is not None else drafts.current_state(instrument)
    clauses = drafts.to_parsed_clauses(rows)
    if draft is not None:
        subtitle = f"Draft {draft.number}" + (f" — {draft.title}" if draft.title else "")
        stamp = f"draft-{draft.number}"
    else:
        subtitle = "Current text (unpublished changes included)"
        stamp = "current"
    meta = {"instrument": instrument.slug, "state": subtitle}
    if draft is not None:
        meta["published"] = draft.published_at.date().isoformat()
    if fmt == "md":
        content = to_markdown(instrument.title, clauses, metadata=meta, subtitle=subtitle)
    else:
        content = to_html(instrument.title, clauses, subtitle=subtitle)
    return ExportResult(content, f"{instrument.slug}-{stamp}.{fmt}", FORMATS[fmt])


def export_redline(instrument: Instrument, old: Draft | None, new: Draft | None, fmt: str) -> ExportResult:
    """Export the changes from ``old`` to ``new`` (``None``: the current text) as a redline.

    :param fmt: ``"html"`` (standalone, print-ready) or ``"md"`` (CriticMarkup, see
        :func:`instrument.export.redline.to_redline_markdown`).
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    from drafter.services import compare
    from instrument.export.redline import to_redline_html, to_redline_markdown

    if fmt not in FORMATS:
        raise ValueError(f"unknown redline format {fmt!r}")
    before, after = compare.load_state(instrument, old), compare.load_state(instrument, new)
    comparison = compare.compare_states(before, after)
    render = to_redline_html if fmt == "html" else to_redline_markdown
    content = render(instrument.title, before.label, after.label, comparison)
    return ExportResult(content, f"{instrument.slug}-redline-{before.ref}-to-{after.ref}.{fmt}", FORMATS[fmt])
