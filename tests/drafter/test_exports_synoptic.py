"""The synoptic table from the app's records: every amendment has its row, a clause it deleted included."""

from __future__ import annotations

import csv
import io

import docx

from drafter.services.exports import export_synoptic
from tests.drafter.amendments_helpers import accept, add_instrument, add_people, instrument_named, propose
from tests.drafter.helpers import committed


def test_current_text_table_keeps_the_row_of_a_clause_an_accepted_amendment_deleted(app):
    with committed(app):
        people = add_people()
        add_instrument()
        deletion = propose(people.mfa, key="Article 2", kind="delete", rationale="Article 3 already covers it.")
        change = propose(people.asetuc, "1. A clearer obligation.", key="Article 3")
        accept(deletion, people.secretariat)

        table = export_synoptic(instrument_named(), None, "csv").content
        _header, *rows = list(csv.reader(io.StringIO(table.removeprefix("\ufeff"))))
        by_label = {row[0]: row for row in rows}
        assert [row[0] for row in rows] == [
            "Preamble", "Part I — General", "Article 1 — Heading 1", "Article 2 — Heading 2", "Article 3 — Heading 3",
        ]  # fmt: skip
        deleted = by_label["Article 2 — Heading 2"]
        assert deleted[1] == "(deleted)"
        assert deleted[2].startswith(f"Amendment {deletion} — Delete") and "Article 3 already covers it." in deleted[2]
        assert deleted[3] == f"Amendment {deletion}: Migrant Forum in Asia"
        assert deleted[4].startswith(f"Amendment {deletion}: Accepted (")
        assert by_label["Article 3 — Heading 3"][3] == f"Amendment {change}: ASETUC"

        word = docx.Document(io.BytesIO(export_synoptic(instrument_named(), None, "docx").content))
        cells = {row.cells[0].text: row.cells for row in word.tables[0].rows[1:]}
        assert cells["Article 2 — Heading 2"][1].text == "(deleted)"
        assert cells["Article 2 — Heading 2"][3].text == "Migrant Forum in Asia"
        assert "Accepted" in cells["Article 2 — Heading 2"][4].text
