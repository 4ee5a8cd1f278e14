"""The demo's drafts downloaded in every clean format hold every word of the draft, inside the PDF's margins."""

from __future__ import annotations

import io

import docx
import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, VersionCause
from drafter.services.drafts import publish_draft
from drafter.services.versions import add_version
from tests.drafter.helpers import DEMO_SLUG, committed, draft_clauses, import_text, instrument_md
from tests.export_words import PT_PER_CM, akn_text, docx_text, html_text, missing_words, pdf_layout

SLUG = DEMO_SLUG
TITLE = "ASEAN Framework Instrument on the Protection and Promotion of the Rights of Migrant Workers"
#: Margins of the PDF pages (instrument.export.pdf).
TOP, SIDE, BOTTOM = 2.5 * PT_PER_CM, 2 * PT_PER_CM, 2.2 * PT_PER_CM


def read_back(fmt: str, data: bytes, tmp_path) -> str:
    """The text of a downloaded file; for a PDF, the words between header and footer."""
    if fmt == "pdf":
        return pdf_layout(data, tmp_path).body_text(TOP, BOTTOM)
    if fmt == "docx":
        return docx_text(data)
    if fmt == "akn":
        return akn_text(data)
    text = data.decode("utf-8")
    return html_text(text) if fmt == "html" else text


def words_of(clauses) -> list[str]:
    return [TITLE] + [part for c in clauses for part in (c.number, c.heading, c.text)]


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf", "akn"])
@pytest.mark.parametrize("draft", [1, 2])
def test_demo_draft_download_has_every_word(client, demo, tmp_path, fmt, draft):
    response = client.get(f"/i/{SLUG}/export.{fmt}?draft={draft}")
    assert response.status_code == 200
    clauses, _ = draft_clauses(demo, draft)
    assert missing_words(words_of(clauses), read_back(fmt, response.data, tmp_path)) == []
    if fmt == "pdf":
        assert pdf_layout(response.data, tmp_path).past_right_edge(SIDE) == []


def test_demo_lists_are_lists_in_the_html_export_as_on_the_reading_page(client, demo):
    reading = lxml_html.document_fromstring(client.get(f"/i/{SLUG}/drafts/2/").get_data(as_text=True))
    exported = lxml_html.document_fromstring(client.get(f"/i/{SLUG}/export.html?draft=2").get_data(as_text=True))
    article = exported.xpath("//section[h3[starts-with(., 'Article 2 ')]]")[0]
    assert article.xpath("./ol[@class='units']/li/span[@class='label']/text()") == ["1. ", "2. "]
    points = article.xpath("./ol/li[1]/ol[@class='units']/li/span[@class='label']/text()")
    assert points == [f"({letter}) " for letter in "abcdefghijklm"]
    assert reading.xpath("//ol/li")  # the reading page shows the same paragraphs as a list


def test_pasted_paragraphs_keep_their_words_and_wrap_in_every_download(app, client, tmp_path):
    year = "2007. The Cebu Declaration was adopted in that year; its paragraph 22 asks for a binding instrument."
    indented = "    " + " ".join(["Text pasted from a word processor keeps its indentation and must still wrap."] * 5)
    text = f"{year}\n\n{indented}\n\n1. First paragraph.\n\n3. Third paragraph, the second one deleted."
    with committed(app):
        import_text(instrument_md(2), "pasted")
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        add_version(clause, number="Article 2", heading="Background", text=text, cause=VersionCause.EDIT,
                    actor=None, base_version_id=clause.current_version_id)  # fmt: skip
        publish_draft(clause.instrument, actor=None)  # readers download published drafts
        db.session.commit()
        stored = db.session.get(Clause, clause.id).current_version.text
    assert stored.startswith("2007. ") and "\n    Text pasted" in stored  # as the exports receive it
    for fmt in ("md", "html", "docx", "pdf", "akn"):
        response = client.get(f"/i/pasted/export.{fmt}")
        assert response.status_code == 200, fmt
        assert missing_words([stored], read_back(fmt, response.data, tmp_path)) == [], fmt
    assert pdf_layout(client.get("/i/pasted/export.pdf").data, tmp_path).past_right_edge(SIDE) == []


def test_word_download_of_an_instrument_with_a_very_long_title(app, client):
    title = " ".join(["Agreement on the Protection and Promotion of the Rights of Migrant Workers"] * 5)
    with committed(app):
        import_text(instrument_md(1, title=title), "long-title")
    response = client.get("/i/long-title/export.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    assert document.paragraphs[0].text == title
    assert document.core_properties.title.endswith("…")
