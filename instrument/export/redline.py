"""A comparison of two drafts as a standalone document: HTML (print-ready) and Markdown with CriticMarkup.

Who made each change: between two drafts a clause may go through several
versions (a secretariat edit, then an accepted amendment). The caller passes,
per clause, the versions made since the older state as :class:`Step` values,
each with its :class:`Revision` (author and date); :func:`credit` cuts a
redline's operations by the version that made them
(:func:`instrument.trace.credit_changes`). The HTML redline names the author
and date on every ``<ins>`` and ``<del>`` (``title``) and lists the authors of
each clause's changes; the Word redline (:mod:`instrument.export.redline_docx`)
puts them on every ``w:ins`` and ``w:del``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from instrument.compare import ClauseChange, Comparison
from instrument.diff import Op, redline_markdown, render_redline_html
from instrument.export.html import PRINT_CSS
from instrument.trace import VersionInfo, credit_changes


@dataclass(frozen=True)
class Revision:
    """The author and date of one change, as Word and the HTML redline show them.

    :ivar author: an organisation's name, "Secretariat", or the source of an import.
    :ivar date: when the change was made (a naive datetime is taken as UTC).
    """

    author: str
    date: datetime

    @property
    def utc(self) -> datetime:
        """``date`` in UTC."""
        moment = self.date if self.date.tzinfo else self.date.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    @property
    def stamp(self) -> str:
        """``w:date`` in the form Word writes (ECMA-376 ST_DateTime): ``2007-08-01T09:30:00Z``."""
        return self.utc.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def day(self) -> str:
        """The date as negotiators write it: "1 August 2007" (UTC)."""
        return f"{self.utc.day} {self.utc:%B %Y}"


@dataclass(frozen=True)
class Step:
    """One version a clause went through after the older state, up to and including the newer one.

    :ivar version_id: identity of the version (unique within a clause's steps).
    :ivar number: its number label ("Article 5").
    :ivar heading: its heading.
    :ivar text: its Markdown text.
    :ivar revision: who made it, and when.
    :ivar deleted: whether this version marks the clause deleted.
    """

    version_id: Hashable
    number: str
    heading: str
    text: str
    revision: Revision
    deleted: bool = False


#: Clause key (of the comparison) -> the clause's steps, oldest first.
History = Mapping[str, Sequence[Step]]

#: Redline operations, each with the revision that made it (``None`` for equal text).
Credited = list[tuple[Op, Revision | None]]


def step_title(step: Step, key: str) -> str:
    """Number and heading of a step as a clause title is written ("Article 5 — Recruitment"), or ``key``."""
    if step.number and step.heading:
        return f"{step.number} — {step.heading}"
    return step.number or step.heading or key


def credit(
    base: str,
    ops: Iterable[Op],
    steps: Sequence[Step],
    part: Callable[[Step], str],
    default: Revision,
) -> Credited:
    """Credit each insertion and deletion of a redline to the revision of the step that made it.

    :param base: the older text (the old side of ``ops``).
    :param ops: a redline from ``base`` to ``part(steps[-1])``.
    :param steps: the clause's steps, oldest first; may be empty.
    :param part: which text of a step the redline is of (its text, heading or title).
    :param default: the revision of every change when there are no steps, or
        when the steps do not end in the redline's new text (then the last
        step's revision is used).
    :returns: ``(op, revision)`` pairs in order, operations cut where the
        revision changes; ``None`` for equal text.
    """
    ops = list(ops)
    if steps:
        chain = [VersionInfo(n, part(step)) for n, step in enumerate(steps)]
        revisions: dict[Hashable, Revision] = {n: step.revision for n, step in enumerate(steps)}
        try:
            return [(c.op, None if c.version_id is None else revisions[c.version_id])
                    for c in credit_changes(base, chain, ops)]  # fmt: skip
        except ValueError:  # the steps do not lead to this text: no finer credit than the newest version
            default = steps[-1].revision
    return [(op, None if op.kind == "equal" else default) for op in ops]


def deleting_revision(steps: Sequence[Step], default: Revision) -> Revision:
    """The revision of the step that deleted the clause, else of the last step, else ``default``."""
    return next((s.revision for s in steps if s.deleted), steps[-1].revision if steps else default)


def change_credits(change: ClauseChange, steps: Sequence[Step], default: Revision) -> tuple[Credited, Credited]:
    """The credited redlines of one clause change: ``(heading, text)``.

    The heading's is empty when the heading did not change. A deleted
    clause's deletions go to the step that deleted it; a moved clause's
    changes are credited like any other (the move itself has no version).

    :param change: from :func:`instrument.compare.compare_clauses`.
    :param steps: the clause's steps since the older state, oldest first.
    :param default: the revision of changes no step explains.
    """
    heading_ops = change.heading_redline.ops if change.heading_redline is not None else ()
    if change.new is None:
        who = deleting_revision(steps, default)
        whole = [(op, None if op.kind == "equal" else who) for op in heading_ops]
        return whole, [(op, None if op.kind == "equal" else who) for op in change.redline.ops]
    old_heading = change.old.heading if change.old is not None else ""
    old_text = change.old.text if change.old is not None else ""
    heading = credit(old_heading, heading_ops, steps, lambda s: s.heading, default) if heading_ops else []
    return heading, credit(old_text, change.redline.ops, steps, lambda s: s.text, default)


def authors_of(*credited: Credited) -> list[Revision]:
    """The distinct revisions of credited redlines, oldest first (then by author)."""
    found = {rev for pieces in credited for _, rev in pieces if rev is not None}
    return sorted(found, key=lambda rev: (rev.utc, rev.author))


def _tooltip(verb: str, revision: Revision) -> str:
    return f"{verb} by {revision.author}, {revision.day}"


def _credited_tag(op: Op, revision: Revision | None) -> str:
    tag, verb = ("ins", "Inserted") if op.kind == "insert" else ("del", "Deleted")
    title = f' title="{html.escape(_tooltip(verb, revision))}"' if revision is not None else ""
    return (f'<{tag} class="redline-{tag}"{title}><span class="visually-hidden">{verb.lower()}: </span>'
            f"{html.escape(op.text)}</{tag}>")  # fmt: skip


def render_credited_side_by_side(pieces: Credited) -> tuple[str, str]:
    """Render a credited redline as two columns, like :func:`instrument.diff.render_side_by_side`,
    with the author and date as ``title`` on each ``<ins>`` and ``<del>``.

    :param pieces: from :func:`credit` or :func:`change_credits`.
    :returns: ``(old_html, new_html)``, two HTML fragments.
    """
    old_out: list[str] = []
    new_out: list[str] = []
    for op, revision in pieces:
        if op.kind == "insert":
            new_out.append(_credited_tag(op, revision))
        elif op.kind == "delete":
            old_out.append(_credited_tag(op, revision))
        else:
            old_out.append(html.escape(op.old_side))
            new_out.append(html.escape(op.text))
    return "".join(old_out), "".join(new_out)


def render_credited_html(pieces: Credited) -> str:
    """Render a credited redline inline, as HTML, like :func:`instrument.diff.render_redline_html`,
    with ``title="Inserted by X, 5 December 2026"`` (or "Deleted by ...") on each ``<ins>`` and ``<del>``.

    :param pieces: from :func:`credit` or :func:`change_credits`.
    :returns: an HTML fragment; text escaped, line breaks kept (use ``white-space: pre-wrap``).
    """
    return "".join(
        html.escape(op.text) if op.kind == "equal" else _credited_tag(op, revision) for op, revision in pieces
    )


def changes_by(revisions: Sequence[Revision]) -> str:
    """The line naming who made a clause's changes, in the order given:
    "Changes by: Secretariat (3 September 2007); ASETUC (4 September 2007)"."""
    return "Changes by: " + "; ".join(f"{r.author} ({r.day})" for r in revisions)


REDLINE_CSS = """
ins { text-decoration: underline; text-decoration-thickness: 2px; background: #e6f4ea; }
del { text-decoration: line-through; background: #fbe9ea; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.redline { white-space: pre-wrap; }
.change-note { font-style: italic; }
.changes-by { font-size: .9em; }
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


def to_redline_html(
    title: str,
    old_label: str,
    new_label: str,
    comparison: Comparison,
    *,
    history: History | None = None,
    default: Revision | None = None,
) -> str:
    """Render the comparison of two states as a standalone HTML document.

    Insertions are ``<ins>`` (underlined) and deletions ``<del>`` (struck
    through), readable in print and without colour; unchanged clauses are
    counted, not repeated. With ``default`` given, each ``<ins>`` and
    ``<del>`` names who made it and when (``title="Inserted by ASETUC,
    3 September 2007"``, see :func:`credit`) and each clause has a
    "Changes by: ..." line.

    :param title: the instrument's title.
    :param old_label: e.g. "Draft 1".
    :param new_label: e.g. "Draft 2".
    :param comparison: from :func:`instrument.compare.compare_clauses`.
    :param history: clause key -> its steps since the older state (see :class:`Step`).
    :param default: author and date of changes no step explains (normally the
        secretariat and the newer state's date); without it no authors are shown.
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
        if default is None:
            heading_html = render_redline_html(change.heading_redline) if change.heading_redline else ""
            text_html = render_redline_html(change.redline)
        else:
            heading, text = change_credits(change, (history or {}).get(change.key, ()), default)
            heading_html, text_html = render_credited_html(heading), render_credited_html(text)
            authors = authors_of(heading, text)
            if authors:
                parts.append(f'<p class="changes-by">{escape(changes_by(authors))}</p>')
        if change.heading_redline is not None and change.heading_redline.changed:
            parts.append(f'<p class="redline">Heading: {heading_html}</p>')
        if change.redline.changed:
            parts.append(f'<div class="redline">{text_html}</div>')
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
    lines = [
        f"# {title}",
        "",
        f"Changes from {old_label} to {new_label} (CriticMarkup: {{++inserted++}}, {{--deleted--}}).",
        "",
    ]
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
