"""A whole consultation round in two browsers: the secretariat publishes a draft with its periods,
a delegate comments and proposes an amendment, the secretariat applies it in its working draft and
publishes the next draft, and only then does the delegate read the new wording and its redline."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"
OLD = "shall consider a regional system of work permits"
NEW = "shall establish, within five years, a regional system of work permits"


def _publish(page: Page, live_server, title: str, closes: date) -> int:
    page.goto(live_server.url(f"/i/{SLUG}/drafts/publish"))
    expect(page.get_by_text("Times in Asia/Jakarta (WIB)")).to_be_visible()
    page.get_by_label("Title of the draft").fill(title)
    page.get_by_label("Change note").fill(f"{title}: what the consultation asked for.")
    page.get_by_label("Comments and replies until (optional)").fill(closes.isoformat())
    page.get_by_label("Amendments until (optional)").fill((closes - timedelta(days=7)).isoformat())
    page.get_by_role("button", name=re.compile(r"^Publish Draft \d+$")).click()
    expect(page).to_have_url(re.compile(rf"/i/{SLUG}/drafts/\d+/$"))
    return int(re.search(r"/drafts/(\d+)/$", page.url).group(1))


def test_a_whole_round(page: Page, browser: Browser, live_server, tmp_path):
    closes = date.today() + timedelta(days=30)
    secretariat = page
    sign_in(secretariat, live_server, *demo_password(live_server, "secretariat"))

    # 1. The secretariat publishes the next draft with a comment period and an earlier amendment deadline.
    first = _publish(secretariat, live_server, "Draft for the regional consultation", closes)
    status = secretariat.locator("#draft-status")
    expect(status).to_contain_text(f"Comments are open until {closes.day} {closes:%B %Y}, 23:59 WIB.")
    amendments_close = closes - timedelta(days=7)
    expect(status).to_contain_text(
        f"Amendments are open until {amendments_close.day} {amendments_close:%B %Y}, 23:59 WIB."
    )

    # 2. A delegate opens the instrument on that draft, comments on Article 16 and proposes stronger wording.
    delegate_context = browser.new_context()
    delegate = delegate_context.new_page()
    sign_in(delegate, live_server, *demo_password(live_server, "stakeholder"))
    delegate.goto(live_server.url(f"/i/{SLUG}/"))
    expect(delegate).to_have_url(re.compile(rf"/i/{SLUG}/drafts/{first}/$"))
    delegate.get_by_role("navigation", name="Table of contents").get_by_role(
        "link", name=re.compile(r"^Article 16\b")
    ).click()
    delegate.locator("section[id] h3 a", has_text="Article 16").click()
    delegate.get_by_label("Your comment").fill("“Consider” has produced nothing in seven years.")
    delegate.get_by_role("button", name="Post comment").click()
    expect(delegate.get_by_text("“Consider” has produced nothing in seven years.")).to_be_visible()
    delegate.get_by_role("link", name="Propose an amendment").click()
    text = delegate.get_by_label("Proposed text")
    expect(text).to_have_value(re.compile(re.escape(OLD)))
    text.fill(text.input_value().replace(OLD, NEW))
    delegate.get_by_label("Rationale").fill("A deadline makes the duty real.")
    delegate.get_by_role("button", name="Submit to the secretariat").click()
    expect(delegate.get_by_role("status")).to_contain_text("is submitted")
    number = re.search(r"Amendment (\d+)", delegate.get_by_role("heading", level=1).inner_text()).group(1)

    # 3. The secretariat applies it in its working draft; the delegate still reads the published wording.
    secretariat.goto(live_server.url(f"/i/{SLUG}/working/apply"))
    secretariat.get_by_label(f"Amendment {number}", exact=True).check()
    secretariat.get_by_role("button", name="Preview").click()
    expect(secretariat.get_by_role("heading", name="Combined result")).to_be_visible()
    secretariat.get_by_role("button", name="Apply 1 amendment").click()
    expect(secretariat.get_by_role("status")).to_contain_text(f"Accepted together: Amendment {number}.")
    secretariat.goto(live_server.url(f"/i/{SLUG}/working/"))
    expect(secretariat.locator("section.change", has_text="Article 16")).to_contain_text(f"Amendment {number}")
    secretariat.screenshot(path=str(tmp_path / "working-draft.png"), full_page=True)

    delegate.goto(live_server.url(f"/i/{SLUG}/amendments/mine?state=accepted"))
    expect(delegate.get_by_text("Accepted; in the next draft").first).to_be_visible()
    delegate.goto(live_server.url(f"/i/{SLUG}/"))
    expect(delegate.locator("main")).to_contain_text(OLD)
    expect(delegate.locator("main")).not_to_contain_text("within five years")

    # 4. The secretariat publishes the next draft; the earlier one closes.
    second = _publish(secretariat, live_server, "Revised draft", closes + timedelta(days=30))
    assert second == first + 1
    secretariat.goto(live_server.url(f"/i/{SLUG}/drafts/{first}/"))
    expect(secretariat.locator("#draft-status")).to_contain_text("Comments closed on")

    # 5. The delegate now opens the instrument on the new draft, with the new wording and its redline.
    delegate.goto(live_server.url(f"/i/{SLUG}/"))
    expect(delegate).to_have_url(re.compile(rf"/i/{SLUG}/drafts/{second}/$"))
    expect(delegate.locator("main")).to_contain_text("within five years")
    delegate.goto(live_server.url(f"/i/{SLUG}/compare/?from={first}&to={second}"))
    expect(delegate.locator("ins", has_text="establish").first).to_be_visible()
    expect(delegate.locator("del", has_text="consider").first).to_be_visible()
    delegate.screenshot(path=str(tmp_path / "redline.png"), full_page=True)
    delegate_context.close()
