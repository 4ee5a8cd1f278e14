"""Downloads from the app: Word, PDF, Akoma Ntoso, the Word redline and the synoptic table."""

from __future__ import annotations

import csv
import io
import zipfile

import docx
import pytest
from lxml import etree
from sqlalchemy import select, update

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Instrument, Role, User, VersionCause
from drafter.services.versions import add_version
from instrument.akoma_ntoso import AKN_NS
from instrument.export.html import clause_title
from instrument.text import comparison_form
from tests.drafter.accounts_helpers import add_user
from tests.drafter.helpers import committed, draft_clauses, import_text, instrument_md, signed_in
from tests.export_words import resolve

SLUG = "asean-migrant-workers"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_word_download_of_a_draft_has_every_clause(client, demo):
    response = client.get(f"/i/{SLUG}/export.docx?draft=2")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-draft-2.docx"'
    document = docx.Document(io.BytesIO(response.data))
    clauses, _ = draft_clauses(demo, 2)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [clause_title(c) for c in clauses]
    assert [p.text for p in document.paragraphs[:4]] == [
        "ASEAN Framework Instrument on the Protection and Promotion of the Rights of Migrant Workers",
        "Draft 2 — Revised draft after the Expert Group Workshop",
        next(p.text for p in document.paragraphs if p.text.startswith("Published ")),
        "Comments are open; no closing date is set. Amendments are open; no closing date is set.",
    ]
    numbered = client.get(f"/i/{SLUG}/export.docx?draft=2&lines=1").data
    assert b"lnNumType" in zipfile.ZipFile(io.BytesIO(numbered)).read("word/document.xml")
    assert b"lnNumType" not in zipfile.ZipFile(io.BytesIO(response.data)).read("word/document.xml")


def test_pdf_and_akoma_ntoso_downloads(client, demo):
    pdf = client.get(f"/i/{SLUG}/export.pdf?draft=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    for kind, mime in (("md", "text/markdown"), ("html", "text/html")):
        text = client.get(f"/i/{SLUG}/export.{kind}?draft=2")
        assert text.status_code == 200 and text.headers["Content-Type"] == f"{mime}; charset=utf-8"
    akn = client.get(f"/i/{SLUG}/export.akn?draft=2")
    assert akn.status_code == 200 and akn.mimetype == "application/akn+xml"
    assert akn.headers["Content-Disposition"].endswith(f'{SLUG}-draft-2.akn.xml"')
    root = etree.fromstring(akn.data)
    assert root.nsmap[None] == AKN_NS
    _, uids = draft_clauses(demo, 2)
    eids = {a.findtext(f"{{{AKN_NS}}}num"): a.get("eId") for a in root.iter(f"{{{AKN_NS}}}article")}
    assert eids["Article 16"] == f"art_{uids['Article 16']}"
    version = root.find(f".//{{{AKN_NS}}}FRBRExpression/{{{AKN_NS}}}FRBRversionNumber")
    assert version.get("value") == "2"


def test_renumbered_article_keeps_its_eid_from_draft_to_draft(client, demo):
    """Draft 2 inserts an article before the old Article 15, which becomes Article 16 under the same identity."""
    eids = []
    for number, num in ((1, "Article 15"), (2, "Article 16")):
        root = etree.fromstring(client.get(f"/i/{SLUG}/export.akn?draft={number}").data)
        article = next(a for a in root.iter(f"{{{AKN_NS}}}article") if a.findtext(f"{{{AKN_NS}}}num") == num)
        eids.append(article.get("eId"))
    assert eids[0] == eids[1]


def test_word_redline_between_drafts_accepts_to_the_newer_and_rejects_to_the_older(client, demo):
    response = client.get(f"/i/{SLUG}/compare/redline.docx?from=1&to=2")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"].endswith('redline-1-to-2.docx"')
    expected = {}
    for number in (1, 2):
        clauses, _ = draft_clauses(demo, number)
        expected[number] = comparison_form(" ".join(f"{clause_title(c)} {c.text}" for c in clauses))
    assert comparison_form(resolve(response.data, accept=True)) == expected[2]
    assert comparison_form(resolve(response.data, accept=False)) == expected[1]
    pdf = client.get(f"/i/{SLUG}/compare/redline.pdf?from=1&to=2")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_tracked_changes_name_the_organisation_behind_an_accepted_amendment(client, demo):
    """The demo accepts Migrant Forum in Asia's amendment to Article 10 after Draft 2."""
    client = signed_in(demo, "secretariat@drafter.example", client)  # the working draft is the secretariat's
    data = client.get(f"/i/{SLUG}/compare/redline.docx?from=2&to=current").data
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    authors = {el.get(f"{W}author") for tag in ("ins", "del") for el in xml.iter(f"{W}{tag}")}
    assert "Migrant Forum in Asia" in authors


def test_synoptic_table_for_signed_in_users(app, client, demo):
    anonymous = client.get(f"/i/{SLUG}/synoptic?draft=2")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    signed_in(app, "asetuc@drafter.example", client)
    word = client.get(f"/i/{SLUG}/synoptic?draft=2")
    assert word.status_code == 200 and word.mimetype == DOCX
    (table,) = docx.Document(io.BytesIO(word.data)).tables
    cells = [c.text for row in table.rows for c in row.cells]
    assert any(text.startswith("Migrant Forum in Asia\nMekong Migrant Network") for text in cells)
    table_csv = client.get(f"/i/{SLUG}/synoptic?draft=2&format=csv")
    assert table_csv.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    rows = list(csv.reader(io.StringIO(table_csv.get_data(as_text=True).removeprefix("\ufeff"))))
    assert rows[0][1] == "Text of Draft 2"
    by_label = {r[0]: r for r in rows[1:]}
    article10 = next(r for label, r in by_label.items() if label.startswith("Article 10 "))
    assert "Migrant Forum in Asia, Mekong Migrant Network" in article10[3]
    assert "Accepted" in article10[4]
    article11 = next(r for label, r in by_label.items() if label.startswith("Article 11 "))
    assert "ASETUC" in article11[3] and "Rejected" in article11[4]
    assert client.get(f"/i/{SLUG}/synoptic?format=ods").status_code == 404


def test_draft_page_links_every_download(app, client, demo):
    html = client.get(f"/i/{SLUG}/drafts/2/").get_data(as_text=True)
    for fmt in ("docx", "pdf", "md", "html", "akn"):
        assert f"/i/{SLUG}/export.{fmt}?draft=2" in html
    assert f"/i/{SLUG}/export.docx?draft=2&amp;lines=1" in html
    assert "/synoptic" not in html  # anonymous visitors do not see the amendments
    signed_in(app, "mfa@drafter.example", client)
    assert f"/i/{SLUG}/synoptic?draft=2" in client.get(f"/i/{SLUG}/drafts/2/").get_data(as_text=True)
    compare = client.get(f"/i/{SLUG}/compare/?from=1&to=2").get_data(as_text=True)
    assert "redline.docx?from=1&amp;to=2" in compare and "redline.pdf?from=1&amp;to=2" in compare
    listing = client.get(f"/i/{SLUG}/drafts/").get_data(as_text=True)
    assert f"/i/{SLUG}/export.docx?draft=1" in listing and f"/i/{SLUG}/export.akn?draft=2" in listing


@pytest.mark.parametrize("url", ["/i/asean-migrant-workers/export.odt", "/i/asean-migrant-workers/export.docx?draft=9",
                                 "/i/asean-migrant-workers/compare/redline.akn"])  # fmt: skip
def test_unknown_formats_and_drafts_are_404(client, demo, url):
    assert client.get(url).status_code == 404


def test_control_characters_in_a_clause_never_break_an_export(app, client, caplog):
    with committed(app):
        import_text(instrument_md(2), "ctl")
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        version = add_version(clause, number="Article 2", heading="Scope and definitions", text="1. Pasted from Word.",
                              cause=VersionCause.EDIT, actor=None, base_version_id=clause.current_version_id)  # fmt: skip
        # A record stored before the write path dropped control characters: the exports still clean it.
        db.session.execute(
            update(ClauseVersion)
            .where(ClauseVersion.id == version.id)
            .values(heading="Scope\vand definitions", text="1. Pasted\vfrom Word\x01.")
        )
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT)
        db.session.commit()
    client = signed_in(app, secretariat.id, client)  # the edit is in the working draft
    for fmt in ("docx", "pdf", "akn"):
        response = client.get(f"/i/ctl/export.{fmt}")
        assert response.status_code == 200, fmt
    assert "vertical tab" in caplog.text and "U+0001 character dropped" in caplog.text
    document = docx.Document(io.BytesIO(client.get("/i/ctl/export.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert texts[-2:] == ["Article 2 — Scope\nand definitions", "1.\tPasted\nfrom Word."]


@pytest.mark.parametrize("fmt", ["docx", "akn", "pdf"])
def test_queries_do_not_grow_with_the_text(app, client, count_queries, fmt):
    counts = []
    for n, slug in ((3, "small"), (40, "large")):
        with committed(app):
            import_text(instrument_md(n), slug)
        with count_queries() as counter:
            assert client.get(f"/i/{slug}/export.{fmt}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_synoptic_and_redline_queries_do_not_grow(app, client, count_queries):
    from drafter.services.amendments.operations import propose
    from drafter.services.drafts import publish_draft
    from tests.drafter.accounts_helpers import add_org, add_user

    with committed(app):
        user = add_user("mfa@example.org", organisation=add_org("Migrant Forum in Asia"))
    counts = []
    for n, slug in ((3, "small"), (40, "large")):
        with committed(app):
            import_text(instrument_md(n), slug)
            instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
            publish_draft(instrument, actor=None, title="Second")
            db.session.commit()
            for key in ("Article 1", "Article 2"):
                clause = db.session.scalar(
                    select(Clause).where(Clause.instrument_id == instrument.id, Clause.key == key)
                )
                propose(clause, actor=db.session.get(User, user.id), kind="modify", base_version_id=clause.current_version_id,
                        rationale="Clearer.", text="1. A clearer obligation.", submit=True)  # fmt: skip
            db.session.commit()
        signed_in(app, "mfa@example.org", client)
        with count_queries() as counter:
            response = client.get(f"/i/{slug}/synoptic?draft=2")
        assert response.status_code == 200
        assert (
            len(docx.Document(io.BytesIO(response.data)).tables[0].rows) == 1 + n + 2
        )  # two rows for the preamble and part
        with count_queries() as redline:
            assert client.get(f"/i/{slug}/compare/redline.docx?from=1&to=2").status_code == 200
        counts.append((counter.count, redline.count))
    assert counts[0] == counts[1]
