"""A comparison of two drafts as a standalone document: HTML (print-ready) and Markdown with CriticMarkup."""
from __future__ import annotations

from html import escape

from instrument.diff import ClauseChange, Comparison, redline_markdown, render_redline_html
from instrument.export.html import PRINT_CSS

REDLINE_CSS = """
ins { text-decoration: underline; text-decoration-thickness: 2px; background: #e6f4ea; }
del { text-decoration: line-through; background: #fbe9ea; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.redline { white-space: pre-wrap; }
.change-note { font-style: italic; }
.summary td, .summary th { padding: .2rem .6rem; text-align: left; }
@media print { ins, del { background: none; } }
"""


def change_title(change: ClauseChange) -> str:
    """Label of a changed clause in the newer state ("Article 15 — Cross-border mobility").

    For a deleted clause, its label in the older state.
    """
    state = change.new or change.old
    assert state is not None
    if state.number and state.heading:
        return f"{state.number} — {state.heading}"
    return state.number or state.heading or state.key


def summary_lines(comparison: Comparison) -> list[tuple[str, int]]:
    """The counts shown at the top of a comparison, as (label, number) pairs."""
    return [
        ("Clauses added", comparison.clauses_added),
        ("Clauses deleted", comparison.clauses_deleted),
        ("Clauses changed", comparison.clauses_changed),
        ("Clauses renumbered", comparison.clauses_renumbered),
        ("Clauses moved", comparison.clauses_moved),
        ("Words inserted", comparison.words_inserted),
        ("Words deleted", comparison.words_deleted),
    ]


def shown(change: ClauseChange) -> bool:
    """Whether a change is listed (everything but clauses left exactly as they were)."""
    return change.status != "unchanged" or change.renumbered or change.moved


def to_redline_html(title: str, old_label: str, new_label: str, comparison: Comparison) -> str:
    """Render the comparison of two states as a standalone HTML document.

    Insertions are ``<ins>`` (underlined) and deletions ``<del>`` (struck
    through), readable in print and without colour; unchanged clauses are
    counted, not repeated.

    :param title: the instrument's title.
    :param old_label: e.g. "Draft 1".
    :param new_label: e.g. "Draft 2".
    :param comparison: from :func:`instrument.diff.compare_clauses`.
    :returns: the HTML document.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}: {escape(old_label)} → {escape(new_label)}</title>",
        f"<style>{PRINT_CSS}{REDLINE_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">Changes from {escape(old_label)} to {escape(new_label)}: '
        "insertions underlined, deletions struck through.</p>",
        '<table class="summary">',
    ]
    parts += [f"<tr><th>{escape(label)}</th><td>{n:,}</td></tr>" for label, n in summary_lines(comparison)]
    parts.append("</table>")
    unchanged = 0
    for change in comparison.changes:
        if not shown(change):
            unchanged += 1
            continue
        parts.append('<section class="clause">')
        parts.append(f"<h3>{escape(change_title(change))}</h3>")
        parts.append(f'<p class="change-note">{escape(change.description)}</p>')
        if change.heading_redline is not None and change.heading_redline.changed:
            parts.append(f'<p class="redline">Heading: {render_redline_html(change.heading_redline)}</p>')
        if change.redline.changed:
            parts.append(f'<div class="redline">{render_redline_html(change.redline)}</div>')
        parts.append("</section>")
    parts.append(f"<p>{unchanged:,} other clauses are unchanged.</p></body></html>\n")
    return "\n".join(parts)


def to_redline_markdown(title: str, old_label: str, new_label: str, comparison: Comparison) -> str:
    """Write the comparison of two states as Markdown with CriticMarkup marks.

    Syntax (CriticMarkup, http://criticmarkup.com/spec.php): ``{++inserted++}``
    and ``{--deleted--}``; literal delimiters in the text are escaped with a
    backslash before the brace (see :func:`instrument.diff.redline_markdown`).
    Each listed clause is a ``###`` heading followed by an italic line
    saying what happened to it.

    :returns: the Markdown text.
    """
    lines = [f"# {title}", "", f"Changes from {old_label} to {new_label} (CriticMarkup: {{++inserted++}}, {{--deleted--}}).", ""]
    lines += [f"- {label}: {n:,}" for label, n in summary_lines(comparison)]
    lines.append("")
    unchanged = 0
    for change in comparison.changes:
        if not shown(change):
            unchanged += 1
            continue
        lines += [f"### {change_title(change)}", "", f"*{change.description}*", ""]
        if change.heading_redline is not None and change.heading_redline.changed:
            lines += [f"Heading: {redline_markdown(change.heading_redline)}", ""]
        if change.redline.changed:
            lines += [redline_markdown(change.redline), ""]
    lines += [f"{unchanged:,} other clauses are unchanged.", ""]
    return "\n".join(lines)
