"""In a browser at a phone's width: the secretariat publishes the next draft with a deadline in the
instrument's zone, extends it, and declares the draft final; no page of it scrolls sideways."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"
WIDTH = 390
#: A 15 January still to come, whatever the day the tests run.
JAN_15 = date(date.today().year + 1, 1, 15)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def test_a_round_from_publication_to_the_final_text(page: Page, live_server):
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))
    expect(page.get_by_role("status")).to_contain_text("You are signed in")

    page.goto(live_server.url(f"/i/{SLUG}/drafts/publish"))
    expect(page.get_by_text("Times in Asia/Jakarta (WIB)")).to_be_visible()
    _fits(page)
    page.get_by_label("Title of the draft").fill("For the regional consultation")
    page.get_by_label("Comments and replies until (optional)").fill(JAN_15.isoformat())
    page.get_by_role("button", name="Publish Draft").click()
    status = page.locator("#draft-status")
    expect(status).to_contain_text(f"Comments are open until 15 January {JAN_15.year}, 23:59 WIB.")
    _fits(page)

    status.get_by_role("link", name="Change the periods").click()
    _fits(page)
    page.get_by_label("Comments and replies until (optional)").fill(f"{JAN_15.year}-01-22")
    page.get_by_role("button", name="Save the periods").click()
    expect(status).to_contain_text(f"Comment period extended to 22 January {JAN_15.year}, 23:59 WIB")

    status.get_by_role("link", name="the final text").click()
    _fits(page)
    page.get_by_role("button", name="Declare Draft").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    page.get_by_label("I confirm that this draft is the adopted text").check()
    page.get_by_role("button", name="Declare Draft").click()
    expect(status).to_contain_text("Final text, adopted on")

    page.goto(live_server.url(f"/i/{SLUG}/settings"))
    _fits(page)
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Jakarta")
