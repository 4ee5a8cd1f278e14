"""Word redlines with real tracked changes: Accept All gives the newer draft, Reject All the older one."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree

from instrument.compare import compare_clauses
from instrument.export.redline import Revision
from instrument.export.redline_docx import document_order, split_paragraphs, state_title, to_redline_docx
from instrument.parse import parse_markdown
from instrument.text import comparison_form
from instrument.types import ClauseKind, ClauseState
from tests.export_words import resolve

DEMO = Path(__file__).resolve().parents[2] / "drafter" / "demo"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SECRETARIAT = Revision("Secretariat", datetime(2007, 8, 1, 9, 30))


def states(text: str) -> list[ClauseState]:
    parsed = parse_markdown(text)
    return [
        ClauseState(c.key, c.kind, c.number, c.heading, c.text, c.parent_key, i) for i, c in enumerate(parsed.clauses)
    ]


def full_text(clauses: list[ClauseState]) -> str:
    return comparison_form(" ".join(f"{state_title(c)} {c.text}" for c in clauses))


def check_round_trip(old: list[ClauseState], new: list[ClauseState], **kwargs) -> bytes:
    data = to_redline_docx("Instrument", "Draft 1", "Draft 2", compare_clauses(old, new), default=SECRETARIAT, **kwargs)
    assert comparison_form(resolve(data, accept=True)) == full_text(new)
    assert comparison_form(resolve(data, accept=False)) == full_text(old)
    return data


def test_demo_drafts_accept_and_reject():
    old = states((DEMO / "draft1.md").read_text(encoding="utf-8"))
    new = states((DEMO / "draft2.md").read_text(encoding="utf-8"))
    data = check_round_trip(old, new)
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    deleted = ["".join(t.text for t in d.iter(f"{W}delText")) for d in xml.iter(f"{W}del")]
    assert any("endeavour to" in text for text in deleted)  # Article 5(2)
    ids = [el.get(f"{W}id") for tag in ("ins", "del") for el in xml.iter(f"{W}{tag}")]
    assert len(ids) == len(set(ids)) > 10
    docx.Document(io.BytesIO(data))  # python-docx opens it


OLD = """# T

## Part I — General

### Article 1 — Scope

1. This applies to all.

2. It applies everywhere.

### Article 2 — Definitions

1. Words mean what they say.

### Article 3 — Old rule

This rule goes.

### Article 4 — Moves

Forty words of a rule that is moved to the end of the instrument, long enough to be recognised by its text alone.

## Part II — Final

### Article 5 — Entry into force

It enters into force.
"""

NEW = """# T

## Part I — General

### Article 1 — Scope of application

1. This applies to all migrant workers, documented or not. It applies everywhere.

### Article 2 — Definitions

1. Words mean what they say.

    (a) "worker" means a worker;

    (b) "State" means a Member State.

## Part II — Final

### Article 5 — Entry into force

It enters into force on the thirtieth day.

### Article 4 — Moves

Forty words of a rule that is moved to the end of the instrument, long enough to be recognised by its text alone.

### Article 6 — New

A new article.
"""


def test_insertions_deletions_merged_and_split_paragraphs_and_moves():
    old, new = states(OLD), states(NEW)
    comparison = compare_clauses(old, new)
    assert {c.key: c.status for c in comparison.changes}["Article 3"] == "deleted"
    assert comparison.find("Article 4").moved
    data = check_round_trip(old, new)
    order = [(side, change.key) for side, change in document_order(comparison)]
    # The deleted and the moved article stand where they were in Draft 1; the moved one again at its new place.
    assert order.index(("old", "Article 3")) == order.index(("new", "Article 2")) + 1
    assert order.index(("old", "Article 4")) == order.index(("old", "Article 3")) + 1
    assert order.index(("new", "Article 4")) == order.index(("new", "Article 5")) + 1
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    marks = {
        "".join(t.text or "" for t in p.iter(f"{W}t", f"{W}delText")): p.find(f"{W}pPr/{W}rPr")
        for p in xml.iter(f"{W}p")
    }
    assert marks["Article 6 — New"][0].tag == f"{W}ins"
    assert marks["Article 3 — Old rule"][0].tag == f"{W}del"


def test_authors_and_dates_come_from_the_revisions():
    old, new = states(OLD), states(NEW)
    caram = Revision("CARAM Asia", datetime(2007, 9, 3, 14, 0, tzinfo=UTC))
    data = check_round_trip(old, new, revisions={"Article 1": caram})
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    stamps = {(el.get(f"{W}author"), el.get(f"{W}date")) for tag in ("ins", "del") for el in xml.iter(f"{W}{tag}")}
    assert stamps == {("CARAM Asia", "2007-09-03T14:00:00Z"), ("Secretariat", "2007-08-01T09:30:00Z")}
    article1 = next(p for p in xml.iter(f"{W}p") if "Scope" in "".join(t.text or "" for t in p.iter(f"{W}t")))
    assert {el.get(f"{W}author") for el in article1.iter(f"{W}ins")} == {"CARAM Asia"}


def test_split_paragraphs_marks_blank_lines_by_the_side_they_are_on():
    from instrument.diff import redline

    paras = split_paragraphs(redline("1. One.\n\n2. Two.", "1. One. Two.").ops)
    assert [p.mark for p in paras] == ["delete", "equal"]
    paras = split_paragraphs(redline("1. One.", "1. One.\n\n    (a) point").ops)
    assert [p.mark for p in paras] == ["insert", "equal"] and paras[1].indent == 1


def test_scripts_and_control_characters(caplog):
    old = [ClauseState("a1", ClauseKind.ARTICLE, "Article 1", "ภาษาไทย", "ค่าจ้างที่เป็นธรรม", None, 0)]
    new = [ClauseState("a1", ClauseKind.ARTICLE, "Article 1", "ภาษาไทย", "ค่าจ้าง\vที่เป็นธรรม ខ្មែរ\x00", None, 0)]
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        data = to_redline_docx("T", "Draft 1", "Draft 2", compare_clauses(old, new), default=SECRETARIAT)
    assert "Article 1 — ภาษาไทย: 1 vertical tab became a line break; 1 NUL character dropped" in caplog.text
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    inserted = [r for ins in xml.iter(f"{W}ins") for r in ins.iter(f"{W}r")]
    khmer = next(r for r in inserted if "ខ្មែរ" in "".join(t.text or "" for t in r.iter(f"{W}t")))
    assert khmer.find(f"{W}rPr/{W}rFonts").get(f"{W}cs") == "Noto Serif Khmer"


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [
        ("bundestag-gesetze/gg_v2_2012-08-06_166018c1.md", "bundestag-gesetze/gg_v3_2022-01-28_5710c0a6.md"),
        ("bundestag-gesetze/it-staatsvertrag_ggart91cvtr_v1_2012-08-03_07553307.md",
         "bundestag-gesetze/it-staatsvertrag_ggart91cvtr_v2_2022-01-28_5710c0a6.md"),
    ],
)  # fmt: skip
def test_real_amendments_accept_and_reject(corpus, old_name, new_name):
    old = states((corpus / old_name).read_text(encoding="utf-8"))
    new = states((corpus / new_name).read_text(encoding="utf-8"))
    check_round_trip(old, new)


# --- each change carries the author and date of the version that made it ---------------------------

EDIT = Revision("Secretariat", datetime(2007, 8, 20, 10, 0, tzinfo=UTC))
AMENDMENT = Revision("ASETUC", datetime(2007, 9, 3, 14, 0, tzinfo=UTC))
BASE_TEXT = "1. Recruitment agencies shall be licensed. Fees may be charged to workers."
EDITED = BASE_TEXT + "\n\n    (a) licences shall be public;"
AMENDED = (
    "1. Recruitment agencies shall be licensed. Fees shall not be charged to workers."
    "\n\n    (a) licences shall be public;\n\n    (b) agencies shall answer for their agents abroad."
)


def _two_versions() -> tuple[list[ClauseState], list[ClauseState], dict]:
    from instrument.export.redline import Step

    def article(text: str, heading: str = "Recruitment") -> list[ClauseState]:
        return [ClauseState("a7", ClauseKind.ARTICLE, "Article 7", heading, text, None, 0, version_id=None)]

    steps = [
        Step(11, "Article 7", "Recruitment", EDITED, EDIT),
        Step(12, "Article 7", "Fair recruitment", AMENDED, AMENDMENT),
    ]
    return article(BASE_TEXT), article(AMENDED, "Fair recruitment"), {"a7": steps}


def _marks(data: bytes) -> list[tuple[str, str, str, str]]:
    """``(tag, text, author, date)`` of every w:ins and w:del of the body, in order."""
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = []
    for el in xml.iter(f"{W}ins", f"{W}del"):
        text = "".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText"))
        out.append((el.tag.removeprefix(W), text, el.get(f"{W}author"), el.get(f"{W}date")))
    return out


def test_each_tracked_change_names_the_version_that_made_it():
    old, new, history = _two_versions()
    data = check_round_trip(old, new, history=history)
    marks = _marks(data)
    by_text = {text: (tag, author, date) for tag, text, author, date in marks if text}
    assert by_text["(a) licences shall be public;"] == ("ins", "Secretariat", "2007-08-20T10:00:00Z")
    assert by_text["(b) agencies shall answer for their agents abroad."] == ("ins", "ASETUC", "2007-09-03T14:00:00Z")
    assert by_text["may"] == ("del", "ASETUC", "2007-09-03T14:00:00Z")
    assert by_text["shall not"] == ("ins", "ASETUC", "2007-09-03T14:00:00Z")
    assert by_text["Fair recruitment"][1] == by_text["Recruitment"][1] == "ASETUC"
    # The paragraph marks: the one opening (a) is the secretariat's, the one opening (b) the amendment's.
    paragraph_marks = [(author, date) for tag, text, author, date in marks if not text]
    assert paragraph_marks == [("Secretariat", "2007-08-20T10:00:00Z"), ("ASETUC", "2007-09-03T14:00:00Z")]


def test_added_and_deleted_clauses_name_the_versions_that_wrote_and_deleted_them():
    from instrument.export.redline import Step

    kept = ClauseState("a1", ClauseKind.ARTICLE, "Article 1", "Scope", "It applies.", None, 0)
    gone = ClauseState("a2", ClauseKind.ARTICLE, "Article 2", "Old", "This rule goes.", None, 1)
    added = ClauseState("a3", ClauseKind.ARTICLE, "Article 3", "New", "A new rule, widened.", None, 1)
    history = {
        "a2": [Step(21, "Article 2", "Old", "This rule goes.", AMENDMENT, deleted=True)],
        "a3": [Step(31, "Article 3", "New", "A new rule.", EDIT), Step(32, "Article 3", "New", "A new rule, widened.",
                                                                      AMENDMENT)],
    }  # fmt: skip
    data = check_round_trip([kept, gone], [kept, added], history=history)
    by_text = {text: author for tag, text, author, date in _marks(data) if text}
    assert by_text["Article 2 — Old"] == by_text["This rule goes."] == "ASETUC"
    assert by_text["Article 3 — New"] == "Secretariat"
    assert by_text["A new rule"] == "Secretariat" and by_text[", widened"] == "ASETUC"


def test_html_redline_names_the_author_of_each_change():
    from instrument.export.redline import to_redline_html

    old, new, history = _two_versions()
    page = to_redline_html("T", "Draft 1", "Draft 2", compare_clauses(old, new), history=history,
                           default=Revision("Secretariat", datetime(2007, 10, 1)))  # fmt: skip
    tree = etree.fromstring(page.encode("utf-8"), etree.HTMLParser())
    titles = {"".join(el.itertext()).removeprefix("inserted: ").removeprefix("deleted: ").strip(): el.get("title")
              for el in tree.iter("ins", "del")}  # fmt: skip
    assert titles["(a) licences shall be public;"] == "Inserted by Secretariat, 20 August 2007"
    assert titles["(b) agencies shall answer for their agents abroad."] == "Inserted by ASETUC, 3 September 2007"
    assert titles["may"] == "Deleted by ASETUC, 3 September 2007"
    assert titles["Fair recruitment"] == "Inserted by ASETUC, 3 September 2007"
    assert tree.findtext(".//p[@class='changes-by']") == (
        "Changes by: Secretariat (20 August 2007); ASETUC (3 September 2007)"
    )
