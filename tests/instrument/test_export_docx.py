"""Clean drafts as Word documents: structure, text, page numbers, line numbers, fonts, bad characters."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from instrument.export.docx import inline_pieces, to_docx
from instrument.export.html import clause_title
from instrument.parse import parse_markdown
from instrument.text import comparison_form
from instrument.types import ClauseKind, ParsedClause

DEMO = Path(__file__).resolve().parents[2] / "drafter" / "demo" / "draft2.md"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def body_paragraphs(document) -> list:
    """The paragraphs after the title page (the first section ends with a paragraph holding its w:sectPr)."""
    paragraphs = document.paragraphs
    end = next(i for i, p in enumerate(paragraphs) if p._p.find(f"{W}pPr/{W}sectPr") is not None)
    return paragraphs[end + 1 :]


def clause_texts(document) -> list[tuple[str, str, str]]:
    """``(style, heading, text)`` per clause: a heading paragraph and the paragraphs up to the next heading."""
    out: list[list] = []
    for p in body_paragraphs(document):
        if p.style.name.startswith("Heading"):
            out.append([p.style.name, p.text, []])
        else:
            out[-1][2].append(p.text)
    return [(style, heading, "\n".join(texts)) for style, heading, texts in out]


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


@pytest.fixture(scope="module")
def demo():
    return parse_markdown(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_docx(demo) -> bytes:
    return to_docx(
        demo.title,
        demo.clauses,
        subtitle="Draft 2 — Revised draft",
        date_line="Published 1 August 2007",
        status="Open for comments and amendments until 30 September 2007.",
        header="ASEAN Framework Instrument — Draft 2",
        line_numbers=True,
    )


def test_every_clause_comes_back_in_order_with_its_text(demo, demo_docx):
    document = docx.Document(io.BytesIO(demo_docx))
    got = clause_texts(document)
    assert [heading for _, heading, _ in got] == [clause_title(c) for c in demo.clauses]
    for clause, (_, _, text) in zip(demo.clauses, got):
        # Labels are typed as text; a tab follows them instead of the space of the Markdown.
        assert comparison_form(text) == comparison_form(clause.text), clause.key


def test_numbered_paragraphs_are_typed_labels_with_hanging_indents(demo_docx):
    document = docx.Document(io.BytesIO(demo_docx))
    paragraphs = body_paragraphs(document)
    first = next(p for p in paragraphs if p.text.startswith("1.\tThe objective"))
    point = next(p for p in paragraphs if p.text.startswith('(a)\t"migrant worker"'))
    assert first.paragraph_format.first_line_indent < 0 < first.paragraph_format.left_indent
    assert point.paragraph_format.left_indent > first.paragraph_format.left_indent
    assert (
        document.paragraphs[0].text.startswith("ASEAN Framework Instrument")
        and document.paragraphs[0].style.name == "Title"
    )
    assert [p.text for p in document.paragraphs[1:4]] == [
        "Draft 2 — Revised draft",
        "Published 1 August 2007",
        "Open for comments and amendments until 30 September 2007.",
    ]


def test_heading_styles_follow_the_structure(demo, demo_docx):
    styles = [style for style, _, _ in clause_texts(docx.Document(io.BytesIO(demo_docx)))]
    for clause, style in zip(demo.clauses, styles):
        assert style == f"Heading {clause.depth + 1}"
    assert "Heading 1" in styles and "Heading 2" in styles  # parts, then their articles


def test_page_numbers_header_and_line_numbers(demo_docx):
    document = part(demo_docx, "word/document.xml")
    sections = document.findall(f".//{W}sectPr")
    assert len(sections) == 2
    title_section, body_section = sections
    assert title_section.find(f"{W}titlePg") is not None  # no header or footer on the title page
    assert title_section.find(f"{W}lnNumType") is None
    numbering = body_section.find(f"{W}lnNumType")
    assert numbering.get(f"{W}countBy") == "1" and numbering.get(f"{W}restart") == "newPage"
    assert body_section.find(f"{W}pgNumType").get(f"{W}start") == "1"
    title_paragraphs = document.findall(f"{W}body/{W}p")[:4]
    assert all(p.find(f"{W}pPr/{W}suppressLineNumbers") is not None for p in title_paragraphs)
    names = zipfile.ZipFile(io.BytesIO(demo_docx)).namelist()
    footer = part(demo_docx, next(n for n in names if n.startswith("word/footer")))
    assert [t.text.strip() for t in footer.iter(f"{W}instrText")] == ["PAGE"]
    header = part(demo_docx, next(n for n in names if n.startswith("word/header")))
    assert "".join(t.text for t in header.iter(f"{W}t")) == "ASEAN Framework Instrument — Draft 2"


def test_line_numbers_are_optional(demo):
    data = to_docx(demo.title, demo.clauses[:3])
    assert part(data, "word/document.xml").find(f".//{W}lnNumType") is None


def test_styles_declare_fonts_for_every_script_slot(demo_docx):
    styles = part(demo_docx, "word/styles.xml")
    for fonts in styles.iter(f"{W}rFonts"):
        assert not any(name.endswith("Theme") for name in (etree.QName(a).localname for a in fonts.attrib))
    normal = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "Normal")
    fonts = normal.find(f"{W}rPr/{W}rFonts")
    assert {etree.QName(a).localname: v for a, v in fonts.attrib.items()} == {
        "ascii": "Noto Serif", "hAnsi": "Noto Serif", "eastAsia": "Noto Serif CJK SC", "cs": "Noto Serif",
    }  # fmt: skip


def test_asean_scripts_get_their_font_and_language():
    clauses = [
        ParsedClause("Article 1", ClauseKind.ARTICLE, "Article 1", "ภาษาไทย", "1. แรงงานข้ามชาติทุกคน"),
        ParsedClause("Article 2", ClauseKind.ARTICLE, "Article 2", "", "ពលករចំណាកស្រុក and ရွှေ့ပြောင်းအလုပ်သမား"),
        ParsedClause("Article 3", ClauseKind.ARTICLE, "Article 3", "", "ແຮງງານ, 移徙工人 and người lao động di cư"),
    ]
    data = to_docx("ASEAN", clauses)
    runs = {}
    for r in part(data, "word/document.xml").iter(f"{W}r"):
        text = "".join(t.text for t in r.iter(f"{W}t"))
        fonts, lang = r.find(f"{W}rPr/{W}rFonts"), r.find(f"{W}rPr/{W}lang")
        runs[text] = (
            {etree.QName(a).localname: v for a, v in fonts.attrib.items()} if fonts is not None else None,
            {etree.QName(a).localname: v for a, v in lang.attrib.items()} if lang is not None else None,
        )
    thai_fonts, thai_lang = runs["แรงงานข้ามชาติทุกคน"]
    assert thai_fonts["cs"] == "Noto Serif Thai" and thai_fonts["hint"] == "cs"
    assert thai_lang == {"bidi": "th-TH"}
    assert runs["ภาษาไทย"][0]["cs"] == "Noto Serif Thai"  # in the heading too
    assert runs["ពលករចំណាកស្រុក"] == (
        {"ascii": "Noto Serif", "hAnsi": "Noto Serif", "eastAsia": "Noto Serif CJK SC", "cs": "Noto Serif Khmer",
         "hint": "cs"},
        {"bidi": "km-KH"},
    )  # fmt: skip
    assert runs["ရွှေ့ပြောင်းအလုပ်သမား"][1] == {"bidi": "my-MM"}
    assert runs["ແຮງງານ"][0]["cs"] == "Noto Serif Lao"
    assert runs["移徙工人"][0]["eastAsia"] == "Noto Serif CJK SC" and runs["移徙工人"][1] == {"eastAsia": "zh-CN"}
    assert runs[" and người lao động di cư"] == (None, None)  # Latin: the style's fonts


def test_control_characters_become_line_breaks_or_go_with_a_warning(caplog):
    clauses = [
        ParsedClause("Article 2", ClauseKind.ARTICLE, "Article 2\vDefinitions", "", "1. Text\fwith a\x00 form feed."),
    ]
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        data = to_docx("Title\x0b", clauses)
    document = docx.Document(io.BytesIO(data))
    ((_, heading, text),) = clause_texts(document)
    assert heading == "Article 2\nDefinitions"  # a w:br in the heading
    assert text == "1.\tText\nwith a form feed."
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "DOCX export: Article 2 Definitions: 1 vertical tab became a line break; "
        "1 form feed became a line break; 1 NUL character dropped",
        "DOCX export: title: 1 vertical tab became a line break",
    ]


def test_inline_markdown_becomes_formatting():
    assert inline_pieces("The State **shall** take *effective* measures.") == [
        ("The State ", frozenset()),
        ("shall", frozenset({"strong"})),
        (" take ", frozenset()),
        ("effective", frozenset({"em"})),
        (" measures.", frozenset()),
    ]
    assert inline_pieces("See [the Convention](https://www.ohchr.org/) and \\*literal\\* stars.") == [
        ("See ", frozenset()),
        ("the Convention", frozenset()),
        (" (https://www.ohchr.org/)", frozenset()),
        (" and *literal* stars.", frozenset()),
    ]
    clauses = [ParsedClause("Article 1", ClauseKind.ARTICLE, "Article 1", "", "The State **shall** act.")]
    document = docx.Document(io.BytesIO(to_docx("T", clauses)))
    paragraph = body_paragraphs(document)[1]
    assert paragraph.text == "The State shall act."
    assert [(r.text, bool(r.bold)) for r in paragraph.runs] == [
        ("The State ", False),
        ("shall", True),
        (" act.", False),
    ]


def test_progress_is_reported_per_clause(demo):
    calls: list[tuple[int, int]] = []
    to_docx(demo.title, demo.clauses, progress=lambda done, total: calls.append((done, total)))
    n = len(demo.clauses)
    assert calls == [(i, n) for i in range(1, n + 1)]


@pytest.mark.corpus
def test_civil_code_exports_every_provision(corpus):
    parsed = parse_markdown((corpus / "large" / "bgb_v1_2022-01-28_5710c0a6.md").read_text(encoding="utf-8"))
    document = docx.Document(io.BytesIO(to_docx(parsed.title, parsed.clauses)))
    headings = [p.text for p in body_paragraphs(document) if p.style.name.startswith("Heading")]
    assert headings == [clause_title(c) for c in parsed.clauses]
