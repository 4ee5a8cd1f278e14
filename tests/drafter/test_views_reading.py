"""Reading pages: instruments, full text, drafts, clause history, exports, and their errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Role
from tests.drafter.accounts_helpers import add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in


def test_index_lists_public_instruments(client, demo):
    page = client.get("/")
    assert page.status_code == 200
    assert "ASEAN Framework Instrument" in page.get_data(as_text=True)


def test_full_text_has_toc_and_every_article(client, demo):
    # A reader opens the instrument on its latest published draft.
    page = client.get("/i/asean-migrant-workers/", follow_redirects=True).get_data(as_text=True)
    assert "Draft 2" in page
    assert 'aria-label="Table of contents"' in page
    for n in range(1, 33):
        assert f'href="#article-{n}"' in page or f"Article {n} —" in page
    assert "Access to justice and remedies" in page


def test_draft_pages_show_the_text_of_that_draft(client, demo):
    one = client.get("/i/asean-migrant-workers/drafts/1/").get_data(as_text=True)
    two = client.get("/i/asean-migrant-workers/drafts/2/").get_data(as_text=True)
    assert "Access to justice and remedies" not in one
    assert "Access to justice and remedies" in two
    listing = client.get("/i/asean-migrant-workers/drafts/").get_data(as_text=True)
    assert "Draft 1" in listing and "Draft 2" in listing


def test_clause_page_shows_history(client, demo):
    page = client.get("/i/asean-migrant-workers/c/article-6/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="version"') == 2
    assert "Draft 1" in html and "Draft 2" in html


@pytest.mark.parametrize(
    "path",
    [
        "/i/nope/",
        "/i/nope/drafts/",
        "/i/asean-migrant-workers/drafts/99/",
        "/i/asean-migrant-workers/c/no-such-clause/",
        "/i/asean-migrant-workers/export.pdfx",
        "/i/asean-migrant-workers/export.md?draft=42",
        "/i/asean-migrant-workers/drafts/-1/",
    ],
)
def test_unknown_things_are_404_pages(client, demo, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_bad_draft_parameter_is_400(client, demo):
    assert client.get("/i/asean-migrant-workers/export.md?draft=two").status_code == 400


def test_non_public_instrument_needs_sign_in(client, app):
    with committed(app):
        import_text(instrument_md(2), "closed", public=False)
    assert client.get("/i/closed/").status_code == 401
    assert client.get("/i/closed/export.md").status_code == 401
    assert "closed" not in client.get("/").get_data(as_text=True).split("<main")[1].split("</main>")[0].lower().replace(
        "open to registered", ""
    )


def test_exports_download_clean_text(client, demo):
    md = client.get("/i/asean-migrant-workers/export.md?draft=1")
    assert md.status_code == 200
    assert "attachment" in md.headers["Content-Disposition"]
    assert md.headers["Content-Disposition"].endswith('draft-1.md"')
    text = md.get_data(as_text=True)
    assert "### Article 1" in text and "<ins" not in text
    html = client.get("/i/asean-migrant-workers/export.html").get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html


def test_full_text_query_count_does_not_grow(client, app, count_queries):
    with committed(app):
        import_text(instrument_md(5), "small")
        import_text(instrument_md(120), "large")
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT)
    # The working draft (the current text) is the secretariat's.
    client = signed_in(app, secretariat.id, client)
    # Warmed up: the first request of a text also reads the whole text to build what is kept of it.
    client.get("/i/small/")
    client.get("/i/large/")
    with count_queries() as small:
        assert client.get("/i/small/").status_code == 200
    with count_queries() as large:
        assert client.get("/i/large/").status_code == 200
    assert small.count == large.count
    with count_queries() as small_clause:
        client.get("/i/small/c/article-2/")
    with count_queries() as large_clause:
        client.get("/i/large/c/article-100/")
    assert small_clause.count == large_clause.count


def test_security_headers_on_pages(client, demo):
    response = client.get("/i/asean-migrant-workers/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_current_page_says_whether_it_differs_from_the_latest_draft(client, app):
    from drafter.models import VersionCause
    from drafter.services.versions import add_version

    with committed(app):
        import_text(instrument_md(3), "t")
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT)
    reader = app.test_client()
    client = signed_in(app, secretariat.id, client)
    assert "is the text of" in client.get("/i/t/").get_data(as_text=True)
    with app.app_context():
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        add_version(
            clause, number="Article 2", heading="Heading 2", text="Edited.", cause=VersionCause.EDIT, actor=None
        )
        db.session.commit()
    working = client.get("/i/t/").get_data(as_text=True)
    assert "Working draft (not published)" in working
    assert "1 clause has changed since Draft 1" in working and 'href="/i/t/working/"' in working
    # Readers still open Draft 1.
    assert reader.get("/i/t/").headers["Location"] == "/i/t/drafts/1/"
