"""The synoptic table: the compilation negotiators work from, as a Word table and as CSV.

One row per clause of a draft: the clause's text in that draft, then every
amendment proposed to it that is open or decided, with the organisations
behind it, the secretariat's decision and reason, and the consultation
inputs it rests on. The caller passes plain values (:class:`SynopticRow`,
:class:`Proposal`, :class:`Source`), so the same table can be made from any
store of amendments.

Word (:func:`to_synoptic_docx`): A4 landscape, a title page, then one table
whose header row repeats on every page. A clause with several amendments
takes one table row per amendment, its label and text merged down the rows
(``w:vMerge``), so each amendment sits next to its own decision; a clause
without amendments has one row with empty amendment cells.

CSV (:func:`to_synoptic_csv`): one line per clause (RFC 4180 quoting, UTF-8
with a byte order mark so that spreadsheet programs read Thai or Khmer
correctly). The amendment columns list the clause's amendments one
paragraph each, in the same order, each starting with its title
("Amendment 12: ..."), so the columns line up when read across. A cell that
would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
a leading apostrophe, so that a spreadsheet shows it as text and never runs
it as a formula (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import _Cell

from instrument.export import Progress
from instrument.export.cleaning import Cleaner, spreadsheet_cell
from instrument.export.docx import fill_cell, new_document, repeat_header_row, start_body, title_page


@dataclass(frozen=True)
class Source:
    """One consultation input behind an amendment.

    :ivar organisations: the organisations that made the input.
    :ivar consultation: the event or call ("Expert Group Workshop, 1 August 2007").
    :ivar summary: what the input asked for, in a sentence.
    :ivar disposition: what was done with it ("accepted in part"), if decided.
    """

    organisations: tuple[str, ...]
    consultation: str
    summary: str
    disposition: str = ""

    def line(self) -> str:
        """The input as one line: "CARAM Asia (Expert Group Workshop, 1 August 2007): a tool-kit — noted"."""
        who = ", ".join(self.organisations) or "Unattributed"
        out = f"{who} ({self.consultation}): {self.summary}" if self.consultation else f"{who}: {self.summary}"
        return f"{out} — {self.disposition}" if self.disposition else out


@dataclass(frozen=True)
class Proposal:
    """One amendment to a clause, as the table shows it.

    :ivar title: "Amendment 12".
    :ivar kind: what it does, in words ("Modify", "Insert after", "Delete").
    :ivar organisations: the proposing organisation, then the co-sponsors.
    :ivar state: where it stands, in words ("Under review", "Accepted with modifications").
    :ivar decided: whether ``state`` is a decision of the secretariat.
    :ivar text: the proposed text (Markdown), empty for a deletion.
    :ivar rationale: the proposer's reasons.
    :ivar reason: the secretariat's reason for its decision, if any.
    :ivar decided_on: the decision's date as shown ("3 September 2007"), if decided.
    :ivar sources: the consultation inputs the amendment rests on.
    """

    title: str
    kind: str
    organisations: tuple[str, ...]
    state: str
    decided: bool = False
    text: str = ""
    rationale: str = ""
    reason: str = ""
    decided_on: str = ""
    sources: tuple[Source, ...] = ()

    def decision(self) -> str:
        """The decision column: "Accepted (3 September 2007)", or "Open: under review"."""
        if not self.decided:
            return f"Open: {self.state[:1].lower()}{self.state[1:]}"
        return f"{self.state} ({self.decided_on})" if self.decided_on else self.state


@dataclass(frozen=True)
class SynopticRow:
    """One clause of the draft and the amendments proposed to it.

    :ivar key: the clause's key.
    :ivar label: "Article 5 — Recruitment".
    :ivar text: the clause's text in the draft (Markdown).
    :ivar proposals: its open and decided amendments, oldest first.
    """

    key: str
    label: str
    text: str
    proposals: tuple[Proposal, ...] = ()


#: Column headings of both forms of the table.
COLUMNS = (
    "Clause",
    "Text of {draft}",
    "Proposed amendment",
    "Organisations",
    "Secretariat's decision and reason",
    "Consultation inputs",
)


def _amendment_cell(p: Proposal) -> str:
    parts = [f"{p.title} — {p.kind}"]
    if p.text:
        parts.append(p.text)
    if p.rationale:
        parts.append(f"Rationale: {p.rationale}")
    return "\n\n".join(parts)


def _decision_cell(p: Proposal) -> str:
    return p.decision() + (f"\n\n{p.reason}" if p.reason else "")


def _sources_cell(p: Proposal) -> str:
    return "\n".join(s.line() for s in p.sources) or "—"


def to_synoptic_csv(rows: Sequence[SynopticRow], *, draft_label: str) -> str:
    """Write the synoptic table as CSV, one line per clause (see the module docstring).

    :param rows: the clauses in document order.
    :param draft_label: e.g. "Draft 2", used in the text column's heading.
    :returns: the CSV text, starting with a byte order mark, lines ending in CRLF.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.format(draft=draft_label) for c in COLUMNS])
    for row in rows:
        ps = row.proposals
        cells = [
            row.label,
            row.text,
            "\n\n".join(f"{_amendment_cell(p)}" for p in ps),
            "\n\n".join(f"{p.title}: {', '.join(p.organisations)}" for p in ps),
            "\n\n".join(f"{p.title}: {_decision_cell(p)}" for p in ps),
            "\n\n".join(f"{p.title}: {_sources_cell(p)}" for p in ps),
        ]
        writer.writerow([spreadsheet_cell(c) for c in cells])
    return out.getvalue()


def _merge_down(cell: _Cell, *, first: bool) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    merge = OxmlElement("w:vMerge")
    if first:
        merge.set(qn("w:val"), "restart")
    tc_pr.append(merge)


def to_synoptic_docx(
    title: str,
    rows: Sequence[SynopticRow],
    *,
    draft_label: str,
    date_line: str = "",
    author: str = "",
    created: datetime | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Write the synoptic table as a .docx file (see the module docstring).

    :param title: the instrument's title.
    :param rows: the clauses in document order.
    :param draft_label: e.g. "Draft 2".
    :param date_line: e.g. "Compiled on 3 September 2007".
    :param author: the organisation named as the file's author.
    :param created: date stored in the file's properties.
    :param progress: called as ``progress(done, total)`` after each clause.
    :returns: the .docx file's bytes; characters XML forbids are dealt with
        and reported (see :mod:`instrument.export.cleaning`).
    """
    cleaner = Cleaner()
    title = cleaner.clean(title, "title")
    doc = new_document(
        title=f"{title}: synoptic table of {draft_label}",
        header=f"{title} — synoptic table of {draft_label}",
        author=author,
        created=created,
        landscape=True,
    )
    count = sum(len(r.proposals) for r in rows)
    title_page(
        doc,
        cleaner,
        [
            ("Title", title),
            ("Subtitle", f"Synoptic table of {draft_label}"),
            ("Normal", f"{len(rows)} clauses, {count} amendment{'s' if count != 1 else ''} open or decided."),
            ("Normal", date_line),
        ],
    )
    start_body(doc)
    columns = [c.format(draft=draft_label) for c in COLUMNS]
    widths = [Cm(3.0), Cm(7.5), Cm(6.5), Cm(3.0), Cm(4.2), Cm(3.3)]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows; cells get w:tcW below for Word
    header = table.rows[0]
    repeat_header_row(table)
    for cell, name, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        fill_cell(cell, name, cleaner, "table", bold=True)
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        proposals = row.proposals or (None,)
        for index, proposal in enumerate(proposals):
            cells = table.add_row().cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            if len(proposals) > 1:
                _merge_down(cells[0], first=index == 0)
                _merge_down(cells[1], first=index == 0)
            if index == 0:
                fill_cell(cells[0], row.label, cleaner, row.label, bold=True)
                fill_cell(cells[1], row.text, cleaner, row.label)
            if proposal is None:
                continue
            fill_cell(cells[2], _amendment_cell(proposal), cleaner, row.label)
            fill_cell(cells[3], "\n\n".join(proposal.organisations), cleaner, row.label)
            fill_cell(cells[4], _decision_cell(proposal), cleaner, row.label)
            fill_cell(cells[5], _sources_cell(proposal), cleaner, row.label)
        if progress is not None:
            progress(done, total)
    cleaner.report("Synoptic table")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
