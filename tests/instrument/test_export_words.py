"""No export drops a word: the real corpus texts in every clean format, and the paragraphs Markdown misreads.

Every word of every clause (number, heading, text) must be in the file:
HTML and Markdown read as text, Word and Akoma Ntoso through their XML,
PDF through its text layer, where no word may end beyond the right margin
either. German, Japanese and US texts are exported at full size; the PDF
of the Civil Code is limited to its first 400 clauses (its 2,787 clauses take
about two minutes to lay out; 400 take 10 to 20 seconds).
"""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from lxml import html as lxml_html

from instrument.export.akn import AknIdentity, to_akn
from instrument.export.blocks import Block, text_blocks
from instrument.export.docx import CORE_PROPERTY_MAX, to_docx
from instrument.export.html import clause_body_html, to_html
from instrument.export.markdown import to_markdown
from instrument.export.pdf import to_pdf
from instrument.types import ClauseKind, ParsedClause
from tests.export_words import (
    PT_PER_CM,
    akn_text,
    docx_text,
    html_text,
    missing_words,
    normalise,
    pdf_layout,
)
from tests.instrument.corpus_texts import ALL, load

IDENTITY = AknIdentity(name="corpus", work_date=date(2022, 1, 28), expression_date=date(2022, 3, 3), version="v1",
                       version_number="1")  # fmt: skip
#: Margins of the PDF pages (instrument.export.pdf: ``margin: 2.5cm 2cm 2.2cm``).
TOP, SIDE, BOTTOM = 2.5 * PT_PER_CM, 2 * PT_PER_CM, 2.2 * PT_PER_CM
#: Clauses of a corpus text laid out as PDF.
PDF_CLAUSES = 400


def source_texts(title: str, clauses) -> list[str]:
    """Everything of a draft that a reader must find in its export."""
    return [title] + [part for c in clauses for part in (c.number, c.heading, c.text)]


def export_text(fmt: str, title: str, clauses) -> str:
    """Export ``clauses`` in ``fmt`` and read the file's text back."""
    if fmt == "html":
        return html_text(to_html(title, clauses))
    if fmt == "md":
        return to_markdown(title, clauses)
    if fmt == "docx":
        return docx_text(to_docx(title, clauses))
    return akn_text(to_akn(title, clauses, identity=IDENTITY))


def pdf_words_and_overflow(title: str, clauses, tmp_path) -> tuple[list[str], list]:
    layout = pdf_layout(to_pdf(title, clauses, header=title[:80]), tmp_path)
    assert layout.width == pytest.approx(595.28, abs=0.1)  # A4
    missing = missing_words(source_texts(title, clauses), layout.body_text(TOP, BOTTOM))
    return missing, layout.past_right_edge(SIDE)


# --- the real texts ---------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["html", "md", "docx", "akn"])
@pytest.mark.parametrize("name", ALL)
def test_corpus_text_keeps_every_word(corpus, name, fmt):
    parsed = load(corpus, name)
    assert parsed.clauses
    assert (
        missing_words(source_texts(parsed.title, parsed.clauses), export_text(fmt, parsed.title, parsed.clauses)) == []
    )


@pytest.mark.corpus
@pytest.mark.parametrize("name", ALL)
def test_corpus_pdf_keeps_every_word_inside_the_margins(corpus, name, tmp_path):
    parsed = load(corpus, name)
    clauses = parsed.clauses[:PDF_CLAUSES]
    missing, past = pdf_words_and_overflow(parsed.title, clauses, tmp_path)
    assert missing == []
    assert [(w.page, w.text, round(w.x_max)) for w in past] == []


@pytest.mark.corpus
def test_corpus_texts_hold_the_cases_markdown_misreads(corpus):
    """The texts above do contain indented paragraphs and a line that starts with a number mid-sentence."""
    for name in ("egov-japan-laws_doc/saishori-ho_417AC0000000048_20161001_428AC0000000040.txt",
                 "usgpo-uslm/SC13_ES.XML"):  # fmt: skip
        texts = [c.text for c in load(corpus, name).clauses]
        assert any(line.startswith("    ") for text in texts for line in text.split("\n")), name
    civil_code = {c.number: c for c in load(corpus, "large/bgb_v3_2022-03-03_faba4c77.md").clauses}
    assert "\n\n1610a. Ist zwischen" in civil_code["§ 1361"].text


# --- what Markdown would misread --------------------------------------------------------

YEAR = "2007. The Act on the Protection of Migrant Workers entered into force in that year and governs recruitment."
INDENTED = "    " + " ".join(["Indented paragraphs pasted from a word processor wrap like any other."] * 6)


def clause(text: str, number: str = "Article 1") -> ParsedClause:
    return ParsedClause(number, ClauseKind.ARTICLE, number, "Scope", text)


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "akn"])
def test_year_and_indented_paragraphs_keep_every_word(fmt):
    clauses = [clause(f"{YEAR}\n\n{INDENTED}\n\n1. First.\n\n3. Third, the second one deleted.")]
    assert missing_words(source_texts("T", clauses), export_text(fmt, "T", clauses)) == []


def test_year_and_indented_paragraphs_wrap_inside_the_pdf_margins(tmp_path):
    long_year = " ".join([YEAR] * 4)
    clauses = [clause(f"(1) Intro.\n\n{long_year}\n\n{INDENTED}\n\n(2) End.")]
    missing, past = pdf_words_and_overflow("T", clauses, tmp_path)
    assert missing == [] and past == []


def test_html_writes_labels_as_text_and_never_renumbers():
    body = clause_body_html("1. First.\n\n3. Third.\n\n    (a) point;\n\n    (b) point.\n\n- bullet")
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    items = root.xpath("./ol[@class='units']/li")
    assert [li.findtext("span[@class='label']") for li in items] == ["1. ", "3. "]
    assert [li.findtext("span[@class='label']") for li in items[1].xpath("./ol/li")] == ["(a) ", "(b) "]
    assert root.xpath("//ul[@class='units']/li/span/text()") == ["- "]
    assert "<pre" not in body and "start=" not in body


def test_a_paragraph_that_starts_with_a_year_is_prose_in_html_word_and_akoma_ntoso():
    text = f"(1) Intro.\n\n{YEAR}\n\n(2) End."
    assert text_blocks(text)[1] == Block("", 1, YEAR)
    body = clause_body_html(text)
    assert f"<p>{YEAR}</p>" in body and "<ol start" not in body
    document = docx.Document(io.BytesIO(to_docx("T", [clause(text)])))
    assert YEAR in [p.text for p in document.paragraphs]
    assert "<num>2007.</num>" not in to_akn("T", [clause(text)], identity=IDENTITY).decode()


def test_numbers_of_a_list_that_started_at_one_are_labels():
    blocks = text_blocks("2007. A year.\n\n1. One.\n\n2. Two.\n\n2a. Inserted.\n\n4. Four, three deleted.")
    assert [b.label for b in blocks] == ["", "1.", "2.", "2a.", "4."]
    assert blocks[0].text == "2007. A year."
    # "§\n1610a." in the Civil Code: a reference broken across lines, not item 1610a.
    assert text_blocks("(1) gilt §\n1610a. Ist zwischen")[0].text == "gilt §\n1610a. Ist zwischen"


def test_indented_paragraph_is_not_a_code_block():
    body = clause_body_html(f"Introduction.\n\n{INDENTED}")
    assert "<pre" not in body and "<code" not in body
    assert normalise(lxml_html.fragment_fromstring(body, create_parent="div").text_content()) == normalise(
        f"Introduction. {INDENTED}"
    )


def test_headings_quotes_and_inline_markup_render_as_on_the_reading_page():
    body = clause_body_html("> Quoted *text*.\n\n1. With **strong** and [a link](https://example.org).\n\n<b>raw</b>")
    assert "<blockquote>" in body and "<em>text</em>" in body
    assert "<strong>strong</strong>" in body and 'href="https://example.org"' in body
    assert "&lt;b&gt;raw&lt;/b&gt;" in body


def test_word_file_takes_a_title_longer_than_a_core_property_allows():
    title = " ".join(["Vertrag über die Errichtung des IT-Planungsrats"] * 10)
    document = docx.Document(io.BytesIO(to_docx(title, [clause("Text.")])))
    assert len(document.core_properties.title) == CORE_PROPERTY_MAX
    assert document.core_properties.title.endswith("…")
    assert document.paragraphs[0].text == title


def test_missing_words_sees_a_lost_number_and_a_lost_run_of_japanese():
    assert missing_words(["2007. The Act"], "The Act") == ["2007."]
    assert missing_words(["第一条　この法律は"], "この法律は") == ["第一条"]
    source = "Sachsen-Anhalt **und** Berlin/Brandenburg"
    assert missing_words([source], "Sachsen-\nAnhalt und Berlin/\nBrandenburg") == []
    assert re.fullmatch(r"[^*_#`]*", normalise("**a** _b_ # c `d`"))
