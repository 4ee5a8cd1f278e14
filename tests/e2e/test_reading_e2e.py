"""A delegate reads the demo instrument in the browser and downloads a clean copy."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_read_article_history_and_download(page: Page, live_server, tmp_path):
    page.goto(live_server.url("/"))
    page.get_by_role("link", name=re.compile("ASEAN Framework Instrument")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Migrant Workers")

    toc = page.get_by_role("navigation", name="Table of contents")
    toc.get_by_role("link", name=re.compile(r"^Article 6\b")).click()
    assert page.url.endswith("#article-6") or "#" in page.url

    # The article heading links to the clause page with its history.
    page.locator("section#article-6 h3 a").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator("li.version")).to_have_count(2)  # Draft 1 text and the strengthened Draft 2 text
    expect(page.locator("li.version").first).to_contain_text("Draft 2")
    page.screenshot(path=str(tmp_path / "clause.png"), full_page=True)

    page.get_by_role("link", name="Latest draft").first.click()  # readers read the latest published draft
    with page.expect_download() as info:
        page.get_by_role("link", name="Markdown").first.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert download.suggested_filename.endswith(".md")
    assert "### Article 6" in text or "## Article 6" in text
    assert "Access to justice" in text
