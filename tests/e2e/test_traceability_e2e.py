"""The secretariat follows a workshop input to the words it changed in the clause, and back again.

The demo accepts the amendment behind it after Draft 2: until the next draft is published, that
version is in the secretariat's working draft only, and readers find no link to it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"
INPUT = "Migrant workers must be able to form and lead unions"


def test_from_the_workshop_to_the_words_an_input_changed_and_back(page: Page, live_server, tmp_path):
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))
    page.goto(live_server.url(f"/i/{SLUG}/"))
    page.get_by_role("navigation", name="Instrument").get_by_role("link", name="Consultations").click()
    page.get_by_role("link", name="Expert Group Workshop on the ASEAN Framework Instrument").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expert Group Workshop on the ASEAN Framework Instrument")
    expect(page.locator(".counts-table")).to_contain_text("Not reflected")

    # The workshop page -> the input's fate.
    page.get_by_role("link", name=INPUT).click()
    expect(page).to_have_url(re.compile(r"/inputs/\d+/$"))
    input_url = page.url
    expect(page.locator(".fate")).to_contain_text("Reflected")
    expect(page.locator(".fate")).to_contain_text("Article 10 now covers forming and joining trade unions")

    # The fate page -> the clause text it changed, shaded by origin.
    page.get_by_role("link", name="Article 10, version 2: where its words are").click()
    expect(page).to_have_url(re.compile(r"/c/article-10/provenance\?version=2$"))
    changed = page.locator(".prov-text span.prov", has_text="to hold office in them")
    expect(changed).to_have_count(1)
    expect(changed).to_have_class(re.compile(r"\bo2\b"))
    old = page.locator(".prov-text span.prov", has_text="to bargain collectively")
    expect(old).to_have_class(re.compile(r"\bo1\b"))
    page.screenshot(path=str(tmp_path / "provenance.png"), full_page=True)

    # The span's marker -> its story, naming the amendment, its organisations and the input.
    marker = changed.locator("xpath=following-sibling::sup[1]/a")
    story_id = marker.get_attribute("href")
    marker.click()
    story = page.locator(story_id)
    expect(story).to_contain_text("Migrant Forum in Asia with Mekong Migrant Network")
    expect(story).to_contain_text("accepted")

    # ... and back to the input.
    story.get_by_role("link", name=INPUT).click()
    expect(page).to_have_url(input_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(INPUT)

    # The clause page leads to the same view.
    page.goto(live_server.url(f"/i/{SLUG}/c/article-10/"))
    page.get_by_role("link", name="Where did this text come from?").click()
    expect(page).to_have_url(re.compile(r"/c/article-10/provenance$"))
    expect(page.locator(".prov-legend")).to_contain_text(INPUT)

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "provenance-phone.png"), full_page=True)
