"""A consultation round as readers see it: new wording reaches them only with the next published draft.

After Draft 2 is published, the secretariat edits Article 5 and accepts an amendment to
Article 7. A stakeholder and an anonymous visitor of the public instrument find none of
the new wording on the pages and downloads of the text (clause pages, full text, exports,
synoptic table, compare, provenance); after Draft 3 is published, both find it.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete

from drafter.extensions import db
from drafter.models import Draft, DraftEntry
from drafter.services import drafts
from tests.drafter.amendments_helpers import accept, clause, instrument_named, propose, user
from tests.drafter.consultations_helpers import secretariat_edit
from tests.drafter.helpers import in_db, signed_in, text_of
from tests.drafter.test_unpublished_text import readable_text

#: The secretariat's edit of Article 5.
EDITED = "under the Tidewater rule"
#: The wording of the amendment to Article 7 it accepts.
AMENDED = "within the Larkspur period"


@pytest.fixture
def round_two(app, make_people):
    """A public instrument of seven articles at Draft 2, then the secretariat's unpublished changes."""
    people = make_people(articles=7, public=True)
    in_db(app, lambda: drafts.publish_draft(instrument_named(), actor=None, note="Draft 2"))

    def work():
        secretariat = user(people.secretariat)
        secretariat_edit(clause("Article 5"), secretariat, "in good faith", f"in good faith {EDITED}")
        text = clause("Article 7").current_version.text.replace("without delay", AMENDED)
        accept(propose(people.mfa, text, key="Article 7"), people.secretariat)

    in_db(app, work)
    return people


def _pages(client) -> dict[str, str]:
    """What a reader can read of the text, by URL."""
    urls = [
        "/i/t/",
        "/i/t/c/article-5/",
        "/i/t/c/article-7/",
        "/i/t/compare/",
        "/i/t/c/article-5/compare/",
        "/i/t/c/article-7/compare/",
        "/i/t/c/article-5/provenance",
        "/i/t/c/article-7/provenance",
        *(f"/i/t/export.{fmt}" for fmt in ("md", "html", "docx", "akn")),
    ]
    out = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        out[url] = readable_text(response)
    return out


def _synoptic(client, query: str = "") -> tuple[str, str]:
    """The text column of the synoptic table (the proposals beside it are the stakeholders' own wording)
    and the state of the amendment to Article 7."""
    response = client.get(f"/i/t/synoptic?format=csv{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    states = [row[4] for row in rows[1:] if row[0].startswith("Article 7") and row[4]]
    return "\n".join(row[1] for row in rows[1:]), "\n".join(states)


def test_new_wording_reaches_readers_only_with_the_next_draft(app, round_two):
    people = round_two
    readers = {"stakeholder": signed_in(app, people.asetuc), "anonymous": app.test_client()}
    secretariat = signed_in(app, people.secretariat)
    # The secretariat reads both changes in its working draft, and its downloads say so.
    working = text_of(secretariat.get("/i/t/"))
    assert EDITED in working and AMENDED in working and "Working draft (not published)" in working
    assert "Working draft — not published" in text_of(secretariat.get("/i/t/export.md"))
    # Its history marks the edit as unpublished; a reader's lists published versions only.
    history = text_of(secretariat.get("/i/t/c/article-5/")).split('id="history-title"')[1]
    assert history.count('class="version"') == 2 and history.count('<span class="badge">unpublished</span>') == 1
    history = text_of(readers["stakeholder"].get("/i/t/c/article-5/")).split('id="history-title"')[1]
    assert history.count('class="version"') == 1 and '<span class="badge">latest published</span>' in history

    for who, client in readers.items():
        for url, body in _pages(client).items():
            assert EDITED not in body and AMENDED not in body, (who, url)
    synoptic, state = _synoptic(readers["stakeholder"])
    assert "obligation number 7" in synoptic and EDITED not in synoptic and AMENDED not in synoptic
    assert "Amendment 1: Accepted; in the next draft" in state

    in_db(app, lambda: drafts.publish_draft(instrument_named(), actor=None, note="Draft 3"))
    for who, client in readers.items():
        pages = _pages(client)
        for url in ("/i/t/", *(f"/i/t/export.{fmt}" for fmt in ("md", "html", "docx", "akn"))):
            assert EDITED in pages[url] and AMENDED in pages[url], (who, url)
        assert EDITED in pages["/i/t/c/article-5/"] and AMENDED in pages["/i/t/c/article-7/"], who
        assert EDITED in pages["/i/t/c/article-5/provenance"], who
        assert EDITED in pages["/i/t/compare/"] and AMENDED in pages["/i/t/compare/"], who
    synoptic, _ = _synoptic(readers["stakeholder"])
    assert EDITED in synoptic and AMENDED in synoptic
    # Draft 2's table, which lists the amendment: it is in the published text now.
    _, state = _synoptic(readers["stakeholder"], "&draft=2")
    assert "Amendment 1: Accepted" in state and "next draft" not in state


def test_before_the_first_draft_readers_are_told_nothing_is_published(app, make_people):
    people = make_people(articles=2, public=True)

    def unpublish():
        # An instrument whose text the secretariat prepares before any draft (an import publishes one).
        for model in (DraftEntry, Draft):
            db.session.execute(delete(model))

    in_db(app, unpublish)
    anonymous = app.test_client()
    page = anonymous.get("/i/t/")
    assert page.status_code == 200 and "No draft of this instrument has been published yet." in text_of(page)
    assert "obligation number 1" not in text_of(page)
    for url in ("/i/t/export.md", "/i/t/c/article-1/", "/i/t/compare/", "/i/t/c/article-1/provenance"):
        assert anonymous.get(url).status_code == 404, url
    assert "obligation number 1" in text_of(signed_in(app, people.secretariat).get("/i/t/"))


#: Wording the secretariat wrote and replaced between two drafts: never published.
INTERIM = "provisionally Quinceworth"


def test_wording_replaced_between_two_drafts_never_reaches_readers(app, make_people):
    people = make_people(articles=2, public=True)

    def two_edits():
        secretariat = user(people.secretariat)
        secretariat_edit(clause("Article 1"), secretariat, "in good faith", f"in good faith {INTERIM}")
        secretariat_edit(clause("Article 1"), secretariat, f"in good faith {INTERIM}", "in good faith and fully")
        drafts.publish_draft(instrument_named(), actor=None, note="Draft 2")

    in_db(app, two_edits)
    for client in (signed_in(app, people.asetuc), app.test_client()):
        urls = ["/i/t/compare/?from=1&to=2", "/i/t/c/article-1/", "/i/t/c/article-1/provenance"]
        urls += [f"/i/t/compare/redline.{fmt}?from=1&to=2" for fmt in ("md", "html", "docx", "pdf")]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = readable_text(response)
            assert "fully" in body and "Quinceworth" not in body, url
        # The version between the drafts is not offered, and asked for it is not found.
        assert client.get("/i/t/c/article-1/compare/?from=1&to=2").status_code == 404
        assert client.get("/i/t/c/article-1/provenance?version=2").status_code == 404
    secretariat = signed_in(app, people.secretariat)
    assert "Quinceworth" in text_of(secretariat.get("/i/t/c/article-1/compare/?from=1&to=2"))
