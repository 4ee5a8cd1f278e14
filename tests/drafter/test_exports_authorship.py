"""Redlines between drafts name, for each change, the author and date of the version that made it."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import ClauseVersion, Draft, Instrument, User
from drafter.services import drafts, editing
from drafter.services.exports import export_redline
from tests.drafter.amendments_helpers import accept, add_instrument, add_people, clause, instrument_named, propose, user
from tests.drafter.helpers import committed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "1. Recruitment agencies shall be licensed. Fees may be charged to workers."
EDITED = TEXT + "\n\n    (a) licences shall be public;"
AMENDED = (
    "1. Recruitment agencies shall be licensed. Fees shall not be charged to workers."
    "\n\n    (a) licences shall be public;\n\n    (b) agencies shall answer for their agents abroad."
)


def _draft(number: int) -> Draft:
    return db.session.scalar(select(Draft).where(Draft.instrument_id == instrument_named().id, Draft.number == number))


def _dated(version_id: int, moment: datetime) -> None:
    # Versions are made within a second of each other here; give them the days a negotiation takes.
    db.session.get(ClauseVersion, version_id).created_at = moment
    db.session.commit()


def _edit_then_amend() -> tuple[int, int]:
    """Draft 1 (import), a secretariat edit, Draft 2, an accepted MFA amendment, Draft 3 (commits)."""
    people = add_people()
    add_instrument(texts={2: TEXT})
    target = clause("Article 2")
    edit = editing.edit_clause(target, actor=user(people.secretariat), base_version_id=target.current_version_id,
                               heading=target.current_version.heading, text=EDITED)  # fmt: skip
    db.session.commit()
    _dated(edit.id, datetime(2007, 8, 20, 10, 0, tzinfo=UTC))
    drafts.publish_draft(instrument_named(), actor=user(people.secretariat), title="Second")
    db.session.commit()
    amendment = propose(people.mfa, AMENDED, key="Article 2")
    accept(amendment, people.secretariat)
    result = clause("Article 2").current_version_id
    _dated(result, datetime(2007, 9, 3, 14, 0, tzinfo=UTC))
    drafts.publish_draft(instrument_named(), actor=user(people.secretariat), title="Third")
    db.session.commit()
    return edit.id, result


def _marks(data: bytes) -> dict[str, tuple[str, str]]:
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return {
        "".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText")): (el.get(f"{W}author"), el.get(f"{W}date"))
        for el in xml.iter(f"{W}ins", f"{W}del")
    }


def test_word_redline_credits_each_change_to_its_own_version(app):
    with app.app_context():
        _edit_then_amend()
        for new in (_draft(3), None):  # to a later draft, and to the current text
            marks = _marks(export_redline(instrument_named(), _draft(1), new, "docx").content)
            assert marks["(a) licences shall be public;"] == ("Secretariat", "2007-08-20T10:00:00Z")
            assert marks["(b) agencies shall answer for their agents abroad."] == (
                "Migrant Forum in Asia",
                "2007-09-03T14:00:00Z",
            )
            assert marks["may"] == marks["shall not"] == ("Migrant Forum in Asia", "2007-09-03T14:00:00Z")
        # Between Draft 1 and Draft 2 only the edit happened.
        marks = _marks(export_redline(instrument_named(), _draft(1), _draft(2), "docx").content)
        assert {author for author, _ in marks.values()} == {"Secretariat"}


def test_html_redline_names_the_same_authors(app):
    with app.app_context():
        _edit_then_amend()
        page = export_redline(instrument_named(), _draft(1), _draft(3), "html").content
    tree = etree.fromstring(page.encode("utf-8"), etree.HTMLParser())
    titles = {"".join(el.itertext()).split(": ", 1)[1].strip(): el.get("title") for el in tree.iter("ins", "del")}
    assert titles["(a) licences shall be public;"] == "Inserted by Secretariat, 20 August 2007"
    assert titles["(b) agencies shall answer for their agents abroad."] == (
        "Inserted by Migrant Forum in Asia, 3 September 2007"
    )
    assert titles["may"] == "Deleted by Migrant Forum in Asia, 3 September 2007"
    assert tree.findtext(".//p[@class='changes-by']") == (
        "Changes by: Secretariat (20 August 2007); Migrant Forum in Asia (3 September 2007)"
    )


def test_changes_of_an_import_name_its_source(app):
    from tests.drafter.helpers import import_text, instrument_md

    with committed(app):
        import_text(instrument_md(2), "imp")
        import_text(instrument_md(2, overrides={2: "1. The Parties shall cooperate fully."}), "imp")
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "imp"))
        old, new = (db.session.scalar(select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == n))
                    for n in (1, 2))  # fmt: skip
        marks = _marks(export_redline(instrument, old, new, "docx").content)
    assert marks and {author for author, _ in marks.values()} == {"imp.md"}


def test_compare_page_names_the_same_authors(app, client):
    from tests.drafter.accounts_helpers import put_in_session

    with app.app_context():
        _edit_then_amend()
        put_in_session(client, db.session.scalar(select(User).where(User.email == "mfa@example.org")))
    for view in ("inline", "side"):
        response = client.get(f"/i/t/compare/?from=1&to=3&view={view}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        tree = etree.fromstring(page.encode("utf-8"), etree.HTMLParser())
        marks = tree.xpath("//ins[@class='redline-ins'] | //del[@class='redline-del']")
        titles = {"".join(el.itertext()).split(": ", 1)[1].strip(): el.get("title") for el in marks}
        assert titles["(a) licences shall be public;"] == "Inserted by Secretariat, 20 August 2007", view
        assert titles["may"] == "Deleted by Migrant Forum in Asia, 3 September 2007", view
        assert "Changes by: Secretariat (20 August 2007); Migrant Forum in Asia (3 September 2007)" in page
