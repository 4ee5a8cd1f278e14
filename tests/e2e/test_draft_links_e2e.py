"""A delegate reading Draft 1 follows a clause heading, sees that clause as it stood in Draft 1
and that it has changed since, and begins an amendment that says which version it changes."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"


def test_a_heading_of_draft_1_opens_the_clause_as_it_stood_in_draft_1(page: Page, live_server, tmp_path):
    sign_in(page, live_server, *demo_password(live_server, "stakeholder"))
    expect(page.get_by_role("status")).to_contain_text("You are signed in")
    page.goto(live_server.url(f"/i/{SLUG}/drafts/1/"))
    expect(page.locator(".eyebrow").first).to_contain_text("Draft 1")

    page.locator("section#article-6 .clause-title a").click()
    expect(page).to_have_url(re.compile(r"/c/article-6/\?draft=1$"))
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("as it stood in Draft 1")
    expect(notice).to_contain_text("It has changed since")
    expect(page.get_by_role("heading", name=re.compile(r"^Text in Draft 1"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "clause-in-draft-1.png"), full_page=True)

    # The amendment begun here says which version it is written on, and that Draft 1 held another.
    page.get_by_role("link", name="Propose an amendment").click()
    expect(page).to_have_url(re.compile(r"/c/article-6/amend\?draft=1$"))
    expect(page.locator("#written-on")).to_contain_text("Written on version 2 of Article 6")
    expect(page.locator("#written-on")).to_contain_text("(the text of Draft 2)")
    expect(page.locator("#draft-differs")).to_contain_text("You were reading Draft 1, which holds version 1")
    # A preview keeps the warning: the form remembers the draft being read.
    page.get_by_role("textbox", name=re.compile("Reasons|Rationale", re.I)).fill("Clearer wording.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#draft-differs")).to_be_visible()
    page.screenshot(path=str(tmp_path / "amend-from-draft-1.png"), full_page=True)

    # Back on the clause, the notice leads to the latest published text and to the changes.
    page.go_back()
    page.go_back()
    page.get_by_role("note").get_by_role("link", name=re.compile("compare it with this one")).click()
    expect(page).to_have_url(re.compile(r"/c/article-6/compare/?\?from=1&to=2"))
    page.go_back()
    page.get_by_role("note").get_by_role("link", name=re.compile("read the latest published text")).click()
    expect(page).to_have_url(re.compile(r"/c/article-6/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Latest published text"))).to_be_visible()
    expect(page.get_by_role("note")).to_have_count(0)
