"""Conflict markers left in a resolution or in a stale edit are refused in the browser, and the clause is unchanged.

Browsers send textarea text with CRLF line ends; the markers must be
recognised in that form too (they were once saved into the clause).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"
MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def in_app(live_server, func):
    """Run ``func`` in an app context of the live server's app and return its result."""
    from drafter.extensions import db

    with live_server.app.app_context():
        try:
            return func()
        finally:
            db.session.remove()


def clause_state(live_server, uid: str) -> tuple[int, str, int]:
    """(current version id, its text, number of versions) of the demo clause ``uid``."""
    from drafter.extensions import db
    from drafter.models import Clause, ClauseVersion, Instrument

    def read():
        clause = db.session.scalar(
            select(Clause)
            .join(Instrument, Instrument.id == Clause.instrument_id)
            .where(Instrument.slug == SLUG, Clause.uid == uid)
        )
        count = len(db.session.scalars(select(ClauseVersion.id).where(ClauseVersion.clause_id == clause.id)).all())
        return clause.current_version_id, clause.current_version.text, count

    return in_app(live_server, read)


def demo_amendments_on(live_server, uid: str) -> dict[str, tuple[int, str]]:
    """{proposing organisation: (amendment id, state)} of the demo amendments on clause ``uid``."""
    from drafter.extensions import db
    from drafter.models import Amendment, Clause

    def read():
        stmt = select(Amendment).join(Clause, Clause.id == Amendment.clause_id).where(Clause.uid == uid)
        rows = db.session.scalars(stmt)
        return {a.organisation.name: (a.id, a.state.value) for a in rows}

    return in_app(live_server, read)


def test_a_resolution_with_the_conflict_markers_left_in_is_refused(page: Page, live_server, tmp_path):
    # Two demo amendments change the same words of Article 14(2); whichever is accepted second conflicts.
    amendments = demo_amendments_on(live_server, "article-14-2")
    first, _ = amendments["ASETUC"]
    second, state = amendments["Migrant Forum in Asia"]
    assert state == "submitted"
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))

    page.goto(live_server.url(f"/i/{SLUG}/amendments/{first}/"))
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is accepted")
    before = clause_state(live_server, "article-14-2")

    # Accepting the other one now cannot merge cleanly: the resolution form comes prefilled with markers.
    page.goto(live_server.url(f"/i/{SLUG}/amendments/{second}/"))
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("with modifications")
    text = page.get_by_label("Text as accepted")
    for marker in MARKERS:
        expect(text).to_have_value(re.compile(re.escape(marker)))
    page.get_by_label("Reason").fill("Both changes are kept in one sentence.")
    page.screenshot(path=str(tmp_path / "resolution-with-markers.png"), full_page=True)

    # The officer accepts without removing them: refused with a form error next to the text.
    page.get_by_role("button", name="Accept with these modifications").click()
    error = page.locator(".form-error")
    expect(error).to_contain_text("conflict markers")
    expect(page.get_by_label("Text as accepted")).to_have_attribute("aria-invalid", "true")
    for marker in MARKERS:  # the text is given back as it was sent, to be fixed
        expect(page.get_by_label("Text as accepted")).to_have_value(re.compile(re.escape(marker)))
    page.screenshot(path=str(tmp_path / "resolution-refused.png"), full_page=True)

    assert clause_state(live_server, "article-14-2") == before
    assert not any(marker in before[1] for marker in MARKERS)
    assert demo_amendments_on(live_server, "article-14-2")["Migrant Forum in Asia"] == (second, "submitted")


def test_a_stale_edit_saved_again_with_the_conflict_markers_left_in_is_refused(page: Page, live_server, tmp_path):
    uid = "article-11"
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))
    page.goto(live_server.url(f"/i/{SLUG}/c/{uid}/edit"))
    text = page.get_by_label("Text", exact=True)
    original = text.input_value()
    old = "deductions shall be permitted only as authorised by law"
    assert old in original.replace("\r\n", "\n")

    # Meanwhile another officer changes the same words.
    def edit_elsewhere():
        from drafter.extensions import db
        from drafter.models import Clause, Instrument, Role, User
        from drafter.services import editing

        clause = db.session.scalar(
            select(Clause)
            .join(Instrument, Instrument.id == Clause.instrument_id)
            .where(Instrument.slug == SLUG, Clause.uid == uid)
        )
        officer = db.session.scalars(select(User).where(User.role == Role.SECRETARIAT)).first()
        current = clause.current_version
        editing.edit_clause(
            clause,
            actor=officer,
            base_version_id=current.id,
            heading=current.heading,
            text=current.text.replace(old, "deductions shall be permitted only as listed in the annex"),
        )
        db.session.commit()

    in_app(live_server, edit_elsewhere)
    before = clause_state(live_server, uid)

    text.fill(original.replace(old, "no deductions shall be made except tax and social security contributions"))
    page.get_by_role("button", name="Save as a new version").click()
    text = page.get_by_label("Text", exact=True)
    for marker in MARKERS:
        expect(text).to_have_value(re.compile(re.escape(marker)))
    assert clause_state(live_server, uid) == before

    # Saved again as shown, markers and all: refused, nothing written.
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".form-error")).to_contain_text("conflict markers")
    expect(page.get_by_label("Text", exact=True)).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(tmp_path / "stale-edit-refused.png"), full_page=True)
    assert clause_state(live_server, uid) == before
