"""A delegate proposes an amendment; the secretariat reviews and accepts it; the new version shows on the clause page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

OLD = "shall consider a regional system of work permits"
NEW = "shall establish, within five years, a regional system of work permits"


def test_propose_review_accept_and_see_the_new_version(page: Page, live_server, tmp_path):
    # 1. The MFA delegate opens Article 16 and proposes stronger wording, with a preview first.
    sign_in(page, live_server, *demo_password(live_server, "stakeholder"))
    page.goto(live_server.url("/i/asean-migrant-workers/"))
    page.get_by_role("navigation", name="Table of contents").get_by_role(
        "link", name=re.compile(r"^Article 16\b")
    ).click()
    page.locator("section[id] h3 a", has_text="Article 16").click()
    page.get_by_role("link", name="Propose an amendment").click()
    text = page.get_by_label("Proposed text")
    expect(text).to_have_value(re.compile(re.escape(OLD)))
    text.fill(text.input_value().replace(OLD, NEW))
    page.get_by_label("Rationale").fill(
        "Seven years after Cebu, “consider” has produced no permit system; a deadline makes the duty real."
    )
    page.get_by_label("Mekong Migrant Network").check()
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview")
    expect(preview.locator("ins")).to_contain_text(["establish"])
    expect(preview.locator("del")).to_contain_text(["consider"])
    page.screenshot(path=str(tmp_path / "propose-preview.png"), full_page=True)
    page.get_by_role("button", name="Submit to the secretariat").click()
    expect(page.get_by_role("status")).to_contain_text("is submitted")
    title = page.get_by_role("heading", level=1).inner_text()
    number = re.search(r"Amendment (\d+)", title).group(1)
    page.get_by_role("button", name="Sign out").click()

    # 2. The secretariat finds it in the review queue and accepts it.
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Review amendments").click()
    page.get_by_role("link", name=re.compile("ASEAN Framework Instrument")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review amendments")
    page.get_by_role("link", name=f"Amendment {number}", exact=True).click()
    expect(page.get_by_text("Migrant Forum in Asia (MFA delegate)")).to_be_visible()
    page.screenshot(path=str(tmp_path / "amendment.png"), full_page=True)
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Amendment {number} is accepted: it made version")

    # 3. The clause page shows the new version, made by the amendment, and its text.
    page.get_by_role("link", name=re.compile(r"^version \d+ of Article 16")).click()
    newest = page.locator("li.version").first
    expect(newest).to_contain_text("amendment")
    expect(newest.get_by_role("link", name=f"Amendment {number}")).to_be_visible()
    expect(page.locator(".clause-current")).to_contain_text("establish, within five years")
    page.screenshot(path=str(tmp_path / "clause-after.png"), full_page=True)
