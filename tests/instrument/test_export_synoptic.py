"""The synoptic table as CSV and as a Word table."""

from __future__ import annotations

import csv
import io
import logging

import docx
from docx.oxml.ns import qn

from instrument.export.synoptic import Proposal, Source, SynopticRow, to_synoptic_csv, to_synoptic_docx

WORKSHOP = "Expert Group Workshop, 1 August 2007"
ROWS = [
    SynopticRow("Preamble", "Preamble", "The Member States of ASEAN,\n\nHave agreed as follows:"),
    SynopticRow(
        "Article 10",
        "Article 10 — Core labour standards",
        "1. Migrant workers shall have the right to join trade unions.",
        (
            Proposal(
                "Amendment 1",
                "Modify",
                ("Migrant Forum in Asia", "Mekong Migrant Network"),
                "Accepted",
                True,
                text="1. Migrant workers shall have the right to form and to join trade unions.",
                rationale="Freedom of association covers forming a union.",
                decided_on="3 September 2007",
                sources=(Source(("CARAM Asia",), WORKSHOP, "a tool-kit on organising", "accepted in part"),),
            ),
            Proposal(
                "Amendment 2",
                "Modify",
                ("ASETUC",),
                "Rejected",
                True,
                text='=HYPERLINK("http://x")',
                rationale="Deductions.",
                reason="National law already regulates deductions.",
                decided_on="4 September 2007",
            ),
        ),
    ),
    SynopticRow(
        "Article 14",
        "Article 14 — ការទទួលបានយុត្តិធម៌",
        "1. ពលករចំណាកស្រុក\vmay seek remedies.",
        (Proposal("Amendment 3", "Modify", ("ASETUC",), "Under review", text="-1 is not a formula", rationale="Why."),),
    ),
]


def test_csv_has_one_line_per_clause_with_aligned_amendment_columns():
    text = to_synoptic_csv(ROWS, draft_label="Draft 2")
    assert text.startswith("\ufeffClause,Text of Draft 2,Proposed amendment,Organisations,")
    assert "\r\n" in text
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert header[1] == "Text of Draft 2" and len(header) == 6
    assert [r[0] for r in rows] == ["Preamble", "Article 10 — Core labour standards", "Article 14 — ការទទួលបានយុត្តិធម៌"]
    preamble, article10, article14 = rows
    assert preamble[1] == "The Member States of ASEAN,\n\nHave agreed as follows:" and preamble[2:] == ["", "", "", ""]
    assert article10[3] == "Amendment 1: Migrant Forum in Asia, Mekong Migrant Network\n\nAmendment 2: ASETUC"
    assert article10[4] == (
        "Amendment 1: Accepted (3 September 2007)\n\n"
        "Amendment 2: Rejected (4 September 2007)\n\nNational law already regulates deductions."
    )
    assert article10[5] == (
        f"Amendment 1: CARAM Asia ({WORKSHOP}): a tool-kit on organising — accepted in part\n\nAmendment 2: —"
    )
    assert article14[4] == "Amendment 3: Open: under review"


def test_csv_cells_never_start_a_formula():
    rows = [SynopticRow("x", "=SUM(A1:A9)", "+1", (Proposal("@cmd", "Modify", ("-org",), "Under review"),))]
    _header, row = list(csv.reader(io.StringIO(to_synoptic_csv(rows, draft_label="Draft 1").removeprefix("\ufeff"))))
    assert row[0] == "'=SUM(A1:A9)" and row[1] == "'+1"
    assert row[2].startswith("'@cmd")


def test_docx_table_has_a_row_per_amendment_with_the_clause_merged_down(caplog):
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        data = to_synoptic_docx("ASEAN Framework Instrument", ROWS, draft_label="Draft 2", date_line="3 September 2007")
    assert "Synoptic table export: Article 14 — ការទទួលបានយុត្តិធម៌: 1 vertical tab became a line break" in caplog.text
    document = docx.Document(io.BytesIO(data))
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    (table,) = document.tables
    rows = table.rows
    assert len(rows) == 1 + 1 + 2 + 1  # header, preamble, two amendments to Article 10, one to Article 14
    assert rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert [c.text for c in rows[0].cells] == [
        "Clause", "Text of Draft 2", "Proposed amendment", "Organisations", "Secretariat's decision and reason",
        "Consultation inputs",
    ]  # fmt: skip
    first, second = rows[2], rows[3]
    merges = [c._tc.tcPr.find(qn("w:vMerge")) for c in (first.cells[0], first.cells[1])]
    assert all(m is not None and m.get(qn("w:val")) == "restart" for m in merges)
    continued = second._tr.findall(qn("w:tc"))[0].tcPr.find(qn("w:vMerge"))
    assert continued is not None and continued.get(qn("w:val")) is None
    assert first.cells[0].text == "Article 10 — Core labour standards"
    assert first.cells[2].text.startswith("Amendment 1 — Modify\n1. Migrant workers shall have the right to form")
    assert first.cells[3].text == "Migrant Forum in Asia\nMekong Migrant Network"
    assert second.cells[4].text == "Rejected (4 September 2007)\nNational law already regulates deductions."
    assert first.cells[5].text.startswith("CARAM Asia (Expert Group Workshop")
    assert rows[1].cells[2].text == ""  # no amendment to the preamble
    assert rows[4].cells[1].text == "1. ពលករចំណាកស្រុក\nmay seek remedies."
    assert document.paragraphs[1].text == "Synoptic table of Draft 2"
