"""At a phone's width (390 CSS pixels) no page scrolls sideways: text wraps, and a wide table
scrolls only inside its own labelled box."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"
WIDTH = 390
LONG_URL = "https://www.example.org/" + "/".join(f"migrant-workers-protection-framework-section-{n}" for n in range(6))
LONG_WORD = "Arbeitnehmerfreizügigkeitsschutzübereinkommensdurchführungsverordnungsentwurfsbegründung" * 2

#: Pages a reader opens, signed in as the secretariat (it sees them all).
PAGES = [
    "/",
    f"/i/{SLUG}/",
    f"/i/{SLUG}/drafts/",
    f"/i/{SLUG}/drafts/1/",
    f"/i/{SLUG}/drafts/2/sources",
    f"/i/{SLUG}/c/article-6/",
    f"/i/{SLUG}/c/article-6/?draft=1",
    f"/i/{SLUG}/c/article-7/",
    f"/i/{SLUG}/c/article-7/comments/",
    f"/i/{SLUG}/c/article-7/compare",
    f"/i/{SLUG}/c/article-7/amend",
    f"/i/{SLUG}/c/article-10/provenance",
    f"/i/{SLUG}/compare/?from=1&to=2",
    f"/i/{SLUG}/amendments/",
    f"/i/{SLUG}/comments/",
    f"/i/{SLUG}/consultations/",
    f"/i/{SLUG}/matrix",
    f"/i/{SLUG}/register",
    f"/i/{SLUG}/organisations/",
    "/account/",
    "/admin/accounts/",
    "/admin/events/",
    "/secretariat/registrations/",
]


def _put_long_text(app) -> None:
    """Article 7 gets a paragraph holding a long URL and a long unbroken word (a new version)."""
    from drafter.extensions import db
    from drafter.models import Clause, Role, User
    from drafter.services.editing import edit_clause

    with app.app_context():
        clause = db.session.scalar(select(Clause).where(Clause.uid == "article-7"))
        actor = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
        current = clause.current_version
        edit_clause(
            clause,
            actor=actor,
            base_version_id=current.id,
            heading=current.heading,
            text=f"{current.text}\n\n2. Guidance is published at {LONG_URL} and <{LONG_URL}>.\n\n3. {LONG_WORD}.",
        )
        db.session.commit()


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("who", ["secretariat", "admin"])
def test_no_page_scrolls_sideways_at_phone_width(page: Page, live_server, tmp_path, who):
    _put_long_text(live_server.app)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, live_server, *demo_password(live_server, who))
    expect(page.get_by_role("status")).to_contain_text("You are signed in")
    wide: dict[str, int] = {}
    seen = 0
    for path in PAGES:
        response = page.goto(live_server.url(path))
        if response.status in (403, 404):  # a page of the other role
            continue
        assert response.status == 200, (path, response.status)
        seen += 1
        width = _overflow(page)
        if width > WIDTH:
            wide[path] = width
        name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "index"
        page.screenshot(path=str(tmp_path / f"{who}-{name}.png"), full_page=True)
    assert seen >= 10
    assert wide == {}, f"pages wider than {WIDTH}px: {wide}"


def test_a_long_url_and_word_wrap_inside_the_clause(page: Page, live_server):
    _put_long_text(live_server.app)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))  # the edit is in its working draft
    page.goto(live_server.url(f"/i/{SLUG}/c/article-7/"))
    body = page.locator("section.clause-current .clause-body").first
    expect(body).to_contain_text("Arbeitnehmerfreizügigkeit")
    box = body.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert _overflow(page) <= WIDTH


def test_a_wide_table_scrolls_inside_its_own_labelled_box(page: Page, live_server):
    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.goto(live_server.url(f"/i/{SLUG}/matrix"))
    box = page.get_by_role("region", name="Clauses and consultation inputs")
    expect(box).to_be_visible()
    assert box.get_attribute("tabindex") == "0"
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the matrix is wider than a phone...
    assert _overflow(page) <= WIDTH  # ...but only its box scrolls
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
