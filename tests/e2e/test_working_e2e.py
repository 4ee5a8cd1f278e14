"""The secretariat reviews its working draft, undoes and discards changes, sees two amendments
collide, and applies one of them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"


def test_working_draft_and_applying_amendments_together(page: Page, live_server, tmp_path):
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))

    # 1. The working draft lists the clauses changed since the last published draft, with their causes.
    page.goto(live_server.url(f"/i/{SLUG}/working/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Working draft (not published)")
    article_10 = page.locator("section.change", has=page.get_by_role("heading", name=re.compile(r"^Article 10\b")))
    expect(article_10.get_by_role("link", name="Amendment 1 (Migrant Forum in Asia)")).to_be_visible()
    expect(article_10.get_by_role("button", name="Undo last change")).to_be_visible()
    page.screenshot(path=str(tmp_path / "working-draft.png"), full_page=True)

    # Undoing the edit of Article 8, and discarding that of Article 12 (once confirmed), leaves neither listed.
    article_8 = page.locator("section.change", has=page.get_by_role("heading", name=re.compile(r"^Article 8\b")))
    article_8.get_by_role("button", name="Undo last change").click()
    expect(page.get_by_role("status")).to_contain_text("Version 1 restored as version")
    expect(page.get_by_role("heading", name=re.compile(r"^Article 8\b"))).to_have_count(0)
    article_12 = page.locator("section.change", has=page.get_by_role("heading", name=re.compile(r"^Article 12\b")))
    article_12.get_by_label(re.compile("Yes, discard")).check()
    article_12.get_by_role("button", name="Discard unpublished changes").click()
    expect(page.get_by_role("status")).to_contain_text("reads again as in the last published draft")
    expect(page.get_by_role("heading", name=re.compile(r"^Article 12\b"))).to_have_count(0)

    # 2. Amendments 3 and 4 change the same words of Article 14: the preview shows the collision first.
    page.get_by_role("link", name="Apply several amendments together").click()
    page.get_by_label("Amendment 3", exact=True).check()
    page.get_by_label("Amendment 4", exact=True).check()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Collisions")).to_be_visible()
    expect(page.get_by_text("Amendment 3 and Amendment 4 change the same words.")).to_be_visible()
    expect(page.locator(".collision mark.overlap").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Apply \d"))).to_have_count(0)
    page.screenshot(path=str(tmp_path / "collision.png"), full_page=True)

    # 3. Without Amendment 4 the preview holds the combined result (words struck out), and applying writes it.
    page.get_by_label("Amendment 4", exact=True).uncheck()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Combined result")).to_be_visible()
    expect(page.locator("section.change .redline del").first).to_be_visible()
    page.get_by_role("button", name="Apply 1 amendment").click()
    expect(page.get_by_role("status")).to_contain_text("Accepted together: Amendment 3.")
    article_14 = page.locator("section.change", has=page.get_by_role("heading", name=re.compile(r"^Article 14\b")))
    expect(article_14.get_by_role("link", name="Amendment 3 (Migrant Forum in Asia)")).to_be_visible()
