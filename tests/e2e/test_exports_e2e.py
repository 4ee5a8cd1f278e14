"""A delegate downloads Draft 2 as Word from its page, and the redline with tracked changes from the compare page."""

from __future__ import annotations

import zipfile

import docx
from playwright.sync_api import Page, expect


def test_download_word_from_a_draft_page(page: Page, live_server, tmp_path):
    page.goto(live_server.url("/i/asean-migrant-workers/drafts/2/"))
    downloads = page.locator("p.downloads").first
    expect(downloads).to_contain_text("Word with line numbers")
    page.screenshot(path=str(tmp_path / "draft-downloads.png"), full_page=False)
    with page.expect_download() as info:
        downloads.get_by_role("link", name="Word", exact=True).click()
    download = info.value
    assert download.suggested_filename == "asean-migrant-workers-draft-2.docx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    document = docx.Document(str(target))
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == "Draft 2 — Revised draft after the Expert Group Workshop"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Preamble" and "Article 14 — Access to justice and remedies" in headings
    assert any(t.startswith("1.\tThe objective of this Instrument is to protect and promote") for t in texts)


def test_download_the_tracked_changes_redline(page: Page, live_server, tmp_path):
    page.goto(live_server.url("/i/asean-migrant-workers/compare/?from=1&to=2"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Word with tracked changes").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "asean-migrant-workers-redline-1-to-2.docx"
    xml = zipfile.ZipFile(target).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in xml and "<w:del " in xml and "endeavour to" in xml
