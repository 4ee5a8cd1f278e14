"""A comparison of two drafts as a Word document with real tracked changes.

The document is the whole newer text in which every difference from the
older text is a Word revision (ECMA-376 Part 1, 17.13.5): inserted text in
``w:ins``, deleted text in ``w:del`` (as ``w:delText``), and paragraph
marks that exist on one side only marked inserted or deleted in the
paragraph's ``w:rPr``. So the recipient's Review › Accept All gives the
newer draft and Reject All the older one, clause by clause and word by word
(the words come from :func:`instrument.compare.compare_clauses`).

Each revision names its author and date (``w:author``, ``w:date``): those of
the version that made that change (the organisation whose amendment was
accepted, the secretariat for its own edits, the source of an import), also
when a clause changed several times between the two drafts; the caller
passes each clause's versions as :class:`instrument.export.redline.Step`
values and :func:`instrument.export.redline.credit` tells which made what.

Clauses:

* unchanged: written as they are;
* changed or renumbered: the title ("Article 16 — ...", its number and
  heading) and the text with word-level revisions;
* added: heading and text inserted; deleted: heading and text deleted, at
  the place the clause had in the older draft (after the clause that
  preceded it there);
* moved: deleted at the old place and inserted at the new one, as Word's
  Compare shows a move when move tracking is off, so that Reject All puts
  it back.

Paragraphs are the text's blocks (split at blank lines); a block's label
stays in its text ("1. The objective ..."), indented one step per level of
the canonical Markdown indentation.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from docx.document import Document as DocumentType
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.shared import Cm
from lxml import etree

from instrument.compare import ClauseChange, Comparison
from instrument.diff import Op, redline
from instrument.export import Progress
from instrument.export.cleaning import Cleaner
from instrument.export.docx import (
    INDENT_CM,
    _script_rpr,
    append_paragraph,
    new_document,
    put_text,
    start_body,
    title_page,
)
from instrument.export.fonts import script_runs
from instrument.export.redline import (
    Credited,
    History,
    Revision,
    Step,
    credit,
    deleting_revision,
    step_title,
)
from instrument.types import ClauseState

__all__ = ["document_order", "split_paragraphs", "state_title", "to_redline_docx"]

# A blank line between blocks, with the next block's indentation.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n[ \t\n]*")
_WHITESPACE = re.compile(r"(\s+)")


def state_title(state: ClauseState) -> str:
    """Number and heading of a clause as shown ("Article 5 — Recruitment"), or its key."""
    if state.number and state.heading:
        return f"{state.number} — {state.heading}"
    return state.number or state.heading or state.key


@dataclass
class _Para:
    """One paragraph being assembled: runs ``(kind, text, revision)``, the kind of its mark and the
    revision that made the mark (``None``: the clause's), its indentation."""

    runs: list[tuple[str, str, Revision | None]]
    indent: int = 0
    mark: str = "equal"
    mark_revision: Revision | None = None


def _indent(whitespace: str) -> int:
    """Nesting level given by the spaces after the last line break (four per level)."""
    return len(whitespace.rsplit("\n", 1)[-1].expandtabs(4)) // 4


def _pieces(op: Op) -> list[tuple[str, str, str | None]]:
    """``(kind, text, break)`` pieces of one operation; ``break`` is the whitespace of a block break.

    Equal text whose whitespace differs between the two sides (a blank line
    on one side, a space on the other) is cut into its words and spaces, so
    that a paragraph break found on one side only becomes a paragraph mark
    inserted or deleted, with the other side's space tracked the opposite way.
    """
    if op.kind != "equal" or op.old_text is None or op.old_text == op.text:
        return _cut(op.kind, op.text)
    new_parts, old_parts = _WHITESPACE.split(op.text), _WHITESPACE.split(op.old_text)
    if len(new_parts) != len(old_parts):  # not a whitespace-only difference after all
        return _cut("equal", op.text)
    out: list[tuple[str, str, str | None]] = []
    for index, (new, old) in enumerate(zip(new_parts, old_parts, strict=True)):
        if index % 2 == 0 or new == old:  # a word, or the same spaces on both sides
            out += _cut("equal", new)
            continue
        new_break, old_break = _BLOCK_BREAK.search(new), _BLOCK_BREAK.search(old)
        if bool(new_break) == bool(old_break):
            out += _cut("equal", new)
        elif new_break:  # the paragraph break is new: the old space goes, the mark is inserted
            out += [("delete", old, None), ("insert", "", new)]
        else:  # the paragraph break is gone: the new space comes, the mark is deleted
            out += [("insert", new, None), ("delete", "", old)]
    return out


def _cut(kind: str, text: str) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    pos = 0
    for match in _BLOCK_BREAK.finditer(text):
        if match.start() > pos:
            out.append((kind, text[pos : match.start()], None))
        out.append((kind, "", match.group()))
        pos = match.end()
    if pos < len(text):
        out.append((kind, text[pos:], None))
    return out


def split_paragraphs(ops: Sequence[Op] | Credited, end_mark: str = "equal") -> list[_Para]:
    """Cut redline operations into paragraphs at blank lines.

    A blank line inside an insertion is an inserted paragraph mark, inside
    a deletion a deleted one; inside equal text whose two sides differ in
    whitespace, see :func:`_pieces`. The indentation after a blank line
    (four spaces per level in canonical Markdown) sets the next paragraph's level.

    :param ops: the operations of one text's redline, or ``(op, revision)``
        pairs from :func:`instrument.export.redline.credit`; each run and
        paragraph mark keeps its operation's revision.
    :param end_mark: the kind of the last paragraph's mark ("insert" for a clause added as a whole).
    :returns: at least one paragraph.
    """
    paras = [_Para([])]
    for item in ops:
        op, revision = item if isinstance(item, tuple) else (item, None)
        for kind, text, block_break in _pieces(op):
            if block_break is not None:
                paras[-1].mark = kind
                paras[-1].mark_revision = revision
                paras.append(_Para([], indent=_indent(block_break)))
                continue
            if not paras[-1].runs and len(paras) == 1 and kind != "delete":
                stripped = text.lstrip(" ")
                paras[-1].indent = (len(text) - len(stripped)) // 4
                text = stripped
            if text:
                paras[-1].runs.append((kind, text, revision))
    paras[-1].mark = end_mark
    return paras


def _runs(pieces: Credited) -> list[tuple[str, str, Revision | None]]:
    return [(op.kind, op.text, revision) for op, revision in pieces if op.text]


class _Writer:
    """Writes paragraphs with tracked runs into a document, numbering the revisions."""

    def __init__(self, doc: DocumentType, cleaner: Cleaner) -> None:
        self.doc = doc
        self.cleaner = cleaner
        self.next_id = 1

    def _mark(self, tag: str, revision: Revision) -> etree._Element:
        el = OxmlElement(tag)
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), revision.author)
        el.set(qn("w:date"), revision.stamp)
        self.next_id += 1
        return el

    def paragraph(self, para: _Para, revision: Revision, where: str, style_id: str | None = None) -> None:
        """Append ``para``; runs and mark without a revision of their own get ``revision``."""
        paragraph = append_paragraph(self.doc, style_id)
        p = paragraph._p
        if para.indent and style_id is None:
            paragraph.paragraph_format.left_indent = Cm(INDENT_CM * para.indent)
        for kind, text, own in para.runs:
            text = self.cleaner.clean(text, where)
            holder: etree._Element = p
            if kind != "equal":
                holder = self._mark("w:ins" if kind == "insert" else "w:del", own or revision)
                p.append(holder)
            for piece, script in script_runs(text):
                # python-docx registers CT_R as the class of every w:r it parses or makes.
                r = cast(CT_R, OxmlElement("w:r"))
                if script is not None:
                    _script_rpr(_RunShim(r), script)
                put_text(r, piece, "w:delText" if kind == "delete" else "w:t")
                holder.append(r)
        if para.mark != "equal":
            ppr = p.get_or_add_pPr()
            rpr = OxmlElement("w:rPr")
            rpr.append(self._mark("w:ins" if para.mark == "insert" else "w:del", para.mark_revision or revision))
            ppr.append(rpr)  # last child of w:pPr here (no sectPr or pPrChange)


class _RunShim:
    """Lets :func:`instrument.export.docx._script_rpr` work on a bare ``w:r`` element."""

    def __init__(self, r: CT_R) -> None:
        self._r = r


def _depths(states: list[ClauseState]) -> dict[str, int]:
    by_key = {s.key: s for s in states}
    depths: dict[str, int] = {}

    def depth(key: str) -> int:
        if key not in depths:
            parent = by_key[key].parent_key
            depths[key] = 0 if parent is None or parent not in by_key else depth(parent) + 1
        return depths[key]

    for state in states:
        depth(state.key)
    return depths


def document_order(comparison: Comparison) -> list[tuple[str, ClauseChange]]:
    """The clauses as the redline shows them: ``("new", change)`` at their place in the newer
    text, ``("old", change)`` for a deleted clause and for the old place of a moved one.

    An old-side entry comes right after the clause that preceded it in the
    older text and kept its place (neither deleted nor moved).

    :returns: ``(side, change)`` pairs in order.
    """
    anchor: str | None = None
    after: dict[str | None, list[ClauseChange]] = defaultdict(list)
    old_side = [c for c in comparison.changes if c.old is not None]
    old_side.sort(key=lambda c: c.old.position if c.old is not None else -1)  # all have one: filtered above
    for change in old_side:
        if change.new is None or change.moved:
            after[anchor].append(change)
        else:
            anchor = change.key
    order: list[tuple[str, ClauseChange]] = [("old", c) for c in after[None]]
    for change in comparison.changes:
        if change.new is not None:
            order.append(("new", change))
            order.extend(("old", c) for c in after[change.key])
    return order


def to_redline_docx(
    title: str,
    old_label: str,
    new_label: str,
    comparison: Comparison,
    *,
    default: Revision,
    revisions: Mapping[str, Revision] | None = None,
    history: History | None = None,
    header: str = "",
    progress: Progress | None = None,
) -> bytes:
    """Write the comparison of two drafts as a .docx file with tracked changes.

    :param title: the instrument's title.
    :param old_label: e.g. "Draft 1".
    :param new_label: e.g. "Draft 2".
    :param comparison: from :func:`instrument.compare.compare_clauses`.
    :param default: author and date of changes that neither ``revisions`` nor
        ``history`` explain: normally the secretariat and the newer draft's date.
    :param revisions: clause key (of the comparison) -> author and date of all
        its changes, overriding ``history``.
    :param history: clause key -> the versions it went through after the older
        state, oldest first (see :class:`instrument.export.redline.Step`): each
        ``w:ins`` and ``w:del`` gets the revision of the version that made it; a
        deleted clause that of the version that deleted it; a moved clause (whose
        move has no version) that of its newest version.
    :param header: the running header (default: title and labels).
    :param progress: called as ``progress(done, total)`` after each clause.
    :returns: the .docx file's bytes; characters XML forbids are dealt with
        and reported (see :mod:`instrument.export.cleaning`).
    """
    revisions = revisions or {}
    history = history or {}
    cleaner = Cleaner()
    title = cleaner.clean(title, "title")
    doc = new_document(
        title=f"{title}: {old_label} → {new_label}",
        header=header or f"{title} — {old_label} → {new_label}",
        author=default.author,
        created=default.date,
    )
    title_page(
        doc,
        cleaner,
        [
            ("Title", title),
            ("Subtitle", f"{old_label} → {new_label}, with tracked changes"),
            ("Normal", f"Every change from {old_label} to {new_label} is a tracked change: "
                       f"Accept All gives {new_label}, Reject All gives {old_label}."),
        ],
    )  # fmt: skip
    start_body(doc)
    writer = _Writer(doc, cleaner)
    new_depth = _depths([c.new for c in comparison.changes if c.new is not None])
    old_depth = _depths([c.old for c in comparison.changes if c.old is not None])
    order = document_order(comparison)
    total = len(order)
    for done, (side, change) in enumerate(order, start=1):
        steps = history.get(change.key, ())
        revision = revisions.get(change.key) or (steps[-1].revision if steps else default)

        def title_of(step: Step, key: str = change.key) -> str:
            return step_title(step, key)

        if side == "old":
            state = change.old
            assert state is not None
            if change.new is None:
                revision = deleting_revision(steps, revision)
            style = f"Heading{min(old_depth[state.key] + 1, 9)}"
            where = state_title(state)
            writer.paragraph(_Para([("delete", where, None)], mark="delete"), revision, where, style)
            for para in split_paragraphs([Op("delete", state.text)] if state.text else [], "delete"):
                if para.runs:
                    writer.paragraph(para, revision, where)
        else:
            state = change.new
            assert state is not None
            style = f"Heading{min(new_depth[state.key] + 1, 9)}"
            where = state_title(state)
            if change.status == "added":  # each stretch to the version that wrote it
                heading = _Para(_runs(credit("", [Op("insert", where)], steps, title_of, revision)), mark="insert")
                text_ops = [Op("insert", state.text)] if state.text else []
                body = split_paragraphs(credit("", text_ops, steps, lambda s: s.text, revision), "insert")
            elif change.moved:  # the move has no version of its own: the whole goes to the clause's
                heading = _Para([("insert", where, None)], mark="insert")
                body = split_paragraphs([Op("insert", state.text)] if state.text else [], "insert")
            else:
                old_title = state_title(change.old) if change.old is not None else where
                heading = _Para(_runs(credit(old_title, redline(old_title, where).ops, steps, title_of, revision)))
                old_text = change.old.text if change.old is not None else ""
                body = split_paragraphs(credit(old_text, change.redline.ops, steps, lambda s: s.text, revision))
            writer.paragraph(heading, revision, where, style)
            for para in body:
                if para.runs:
                    writer.paragraph(para, revision, where)
        if progress is not None:
            progress(done, total)
    cleaner.report("DOCX redline")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
