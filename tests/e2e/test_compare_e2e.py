"""A delegate compares Draft 1 and Draft 2 of the demo in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_compare_draft_1_and_draft_2(page: Page, live_server, tmp_path):
    page.goto(live_server.url("/i/asean-migrant-workers/"))
    page.get_by_role("navigation", name="Instrument").get_by_role("link", name="Compare").click()
    page.get_by_label("From").select_option("1")
    page.get_by_label("To").select_option("2")
    page.get_by_label("side by side").check()
    page.get_by_role("button", name="Compare").click()

    expect(page.get_by_role("heading", name="Changes from Draft 1 to Draft 2")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Clauses added"))).to_contain_text("1")
    added = page.locator("section.change-added")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("Access to justice and remedies")
    # Side by side: the old column strikes "endeavour to" through in Article 5.
    article5 = page.locator("#change-article-5")
    expect(article5.locator(".side-by-side del")).to_contain_text("endeavour to")
    # The renumbered article is named, with its paragraph that moved up.
    expect(page.locator("#change-article-15")).to_contain_text("Article 15(3) is now Article 16(2)")
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=False)

    with page.expect_download() as info:
        page.get_by_role("link", name="Markdown (CriticMarkup)").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert "{--endeavour to" in target.read_text(encoding="utf-8")
