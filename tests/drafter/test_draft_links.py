"""Reading a draft stays in that draft: its clause links open the clause as it stood in it,
and an amendment begun from it says which version it is written on."""

from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, DraftEntry, Role, User
from tests.drafter.accounts_helpers import put_in_session
from tests.drafter.helpers import signed_in

S = "/i/asean-migrant-workers"


def _version_in(number: int, uid: str) -> ClauseVersion | None:
    return db.session.scalar(
        select(ClauseVersion)
        .join(DraftEntry, DraftEntry.version_id == ClauseVersion.id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .join(Clause, Clause.id == DraftEntry.clause_id)
        .where(Draft.number == number, Clause.uid == uid)
    )


@pytest.fixture
def facts(demo):
    """Article 6 changed between Draft 1 and Draft 2; Article 12 changed after Draft 2; Article 14 came in Draft 2."""
    with demo.app_context():
        six = db.session.scalar(select(Clause).where(Clause.uid == "article-6"))
        twelve = db.session.scalar(select(Clause).where(Clause.uid == "article-12"))
        in_one, in_two = _version_in(1, "article-6"), _version_in(2, "article-6")
        twelve_in_two = _version_in(2, "article-12")
        assert in_one.id != in_two.id == six.current_version_id
        assert twelve_in_two.id != twelve.current_version_id
        assert _version_in(1, "article-14-2") is None
        return {
            "six_v1": (in_one.seq, in_one.text),
            "six_current": six.current_version.seq,
            "twelve_v2": twelve_in_two.seq,
            "twelve_current": twelve.current_version.seq,
        }


def _shown_text(html: str) -> str:
    """The text in the page's main clause section (the history below it holds every version)."""
    tree = lxml.html.fromstring(html)
    (section,) = tree.xpath('//section[@aria-labelledby="current-title"]')
    return section.text_content()


def _words(text: str) -> str:
    return " ".join(text.split())


def test_headings_of_a_draft_open_the_clause_in_that_draft(client, demo):
    one = client.get(f"{S}/drafts/1/").get_data(as_text=True)
    assert f'href="{S}/c/article-6/?draft=1"' in one
    assert f'href="{S}/c/article-6/"' not in one
    # The secretariat's working draft links each clause's current text.
    current = signed_in(demo, "secretariat@drafter.example").get(f"{S}/").get_data(as_text=True)
    assert f'href="{S}/c/article-6/"' in current
    assert "?draft=" not in current.split('class="doc-layout"')[1]


def test_the_clause_in_an_earlier_draft_shows_that_text_and_says_it_has_changed(client, facts):
    seq, text = facts["six_v1"]
    response = client.get(f"{S}/c/article-6/?draft=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = _words(_shown_text(html))
    assert "Text in Draft 1" in shown and f"(version {seq})" in shown
    first_line = _words(text.splitlines()[0].lstrip("0123456789. "))[:60]
    assert first_line in shown
    tree = lxml.html.fromstring(html)
    (notice,) = tree.xpath('//*[@id="draft-notice"]')
    assert "as it stood in Draft 1" in _words(notice.text_content())
    assert "It has changed since" in notice.text_content()
    links = {a.text_content().strip(): a.get("href") for a in notice.iter("a")}
    # Article 6 has not changed since Draft 2: its latest published text is its current one.
    assert links[f"read the latest published text (version {facts['six_current']})"] == f"{S}/c/article-6/"
    compare = links["compare it with this one"]
    assert f"from={seq}" in compare and f"to={facts['six_current']}" in compare
    assert client.get(compare.replace("&amp;", "&")).status_code == 200
    # The way back leads to the draft being read.
    assert tree.xpath('//p[@class="eyebrow"]/a/@href') == [f"{S}/drafts/1/#article-6"]


def test_the_clause_in_the_draft_that_still_holds_it_says_so(client, facts):
    html = client.get(f"{S}/c/article-6/?draft=2").get_data(as_text=True)
    notice = _words(lxml.html.fromstring(html).xpath('//*[@id="draft-notice"]')[0].text_content())
    assert "It has not changed since" in notice
    assert "It has changed since" not in notice


def test_the_clause_without_a_draft_is_the_text_its_reader_reads_without_a_notice(client, demo, facts):
    html = client.get(f"{S}/c/article-6/").get_data(as_text=True)
    assert "Latest published text" in _shown_text(html)
    assert 'id="draft-notice"' not in html
    html = signed_in(demo, "secretariat@drafter.example").get(f"{S}/c/article-6/").get_data(as_text=True)
    assert "Current text" in _shown_text(html)
    assert 'id="draft-notice"' not in html


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("draft=abc", 400),
        ("draft=-1", 400),
        ("draft=0", 400),
        ("draft=1.5", 400),
        ("draft=99", 404),
        ("draft=" + "9" * 30, 404),
    ],
)
def test_a_bad_draft_number_is_a_clear_client_error(client, demo, query, status):
    response = client.get(f"{S}/c/article-6/?{query}")
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_clause_added_after_the_draft_is_not_found_in_it(client, facts):
    response = client.get(f"{S}/c/article-14-2/?draft=1")
    assert response.status_code == 404


def test_comments_on_the_clause_page_of_a_draft_are_on_that_drafts_version(delegate, demo, facts):
    with demo.app_context():
        v1_id = _version_in(1, "article-6").id
    tree = lxml.html.fromstring(delegate.get(f"{S}/c/article-6/?draft=1").get_data(as_text=True))
    (form,) = tree.xpath('//form[@id="comment-form"]')  # the demo's drafts have no closing date
    assert form.xpath('.//input[@name="version_id"]/@value') == [str(v1_id)]
    assert form.xpath('.//input[@name="draft"]/@value') == ["1"]
    response = delegate.post(
        f"{S}/c/article-6/comments/",
        data={
            "version_id": str(v1_id),
            "draft": "1",
            "back": "clause",
            "body": "On Draft 1.",
            "category": "concern",
        },
    )
    # Posted, the visitor is back on the clause as it stood in Draft 1.
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{S}/c/article-6/?draft=1")


@pytest.fixture
def delegate(demo):
    client = demo.test_client()
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.role == Role.STAKEHOLDER, User.organisation_id.is_not(None)))
        put_in_session(client, user)
    return client


def test_the_clause_page_of_a_draft_starts_amendments_that_know_the_draft(delegate, facts):
    html = delegate.get(f"{S}/c/article-6/?draft=1").get_data(as_text=True)
    hrefs = lxml.html.fromstring(html).xpath('//p[@class="propose-links"]/a/@href')
    assert hrefs and all("draft=1" in h for h in hrefs)


def test_an_amendment_begun_from_an_earlier_draft_warns_that_the_text_has_changed(delegate, facts):
    seq, _ = facts["six_v1"]
    response = delegate.get(f"{S}/c/article-6/amend?draft=1")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    written = _words(tree.xpath('//*[@id="written-on"]')[0].text_content())
    assert written.startswith(f"Written on version {facts['six_current']} of Article 6")
    assert "(the text of Draft 2)" in written
    warning = _words(tree.xpath('//*[@id="draft-differs"]')[0].text_content())
    assert f"You were reading Draft 1, which holds version {seq} of this clause" in warning
    # The form keeps the draft being read, so a preview or an error shows the warning again.
    assert "draft=1" in tree.xpath('//form[.//textarea[@name="text"]]/@action')[0]
    body = _words(tree.text_content())
    assert "on Draft 2" not in body and "on Draft 1" not in body


def test_an_amendment_begun_from_the_draft_that_holds_the_current_text_has_no_warning(delegate, facts):
    tree = lxml.html.fromstring(delegate.get(f"{S}/c/article-6/amend?draft=2").get_data(as_text=True))
    assert tree.xpath('//*[@id="written-on"]')
    assert not tree.xpath('//*[@id="draft-differs"]')


def test_an_amendment_to_a_clause_changed_in_the_working_draft_is_written_on_the_draft_under_consultation(
    delegate, facts
):
    # Article 12 changed after Draft 2 in the secretariat's working draft, which stakeholders do not read.
    assert facts["twelve_current"] != facts["twelve_v2"]
    tree = lxml.html.fromstring(delegate.get(f"{S}/c/article-12/amend").get_data(as_text=True))
    written = _words(tree.xpath('//*[@id="written-on"]')[0].text_content())
    assert written.startswith(f"Written on version {facts['twelve_v2']} of Article 12")
    assert not tree.xpath('//*[@id="draft-differs"]')


def test_an_amendment_begun_from_a_draft_without_the_clause_says_it_came_later(delegate, facts):
    tree = lxml.html.fromstring(delegate.get(f"{S}/c/article-14-2/amend?draft=1").get_data(as_text=True))
    warning = _words(tree.xpath('//*[@id="draft-differs"]')[0].text_content())
    assert "did not hold this clause" in warning


@pytest.mark.parametrize(("query", "status"), [("draft=x", 400), ("draft=99", 404)])
def test_an_amendment_form_with_a_bad_draft_is_a_client_error(delegate, demo, query, status):
    assert delegate.get(f"{S}/c/article-6/amend?{query}").status_code == status


def test_a_comparison_of_two_drafts_links_each_clause_in_the_newer_draft(client, demo, facts):
    html = client.get(f"{S}/compare/?from=1&to=2").get_data(as_text=True)
    assert f'href="{S}/c/article-6/?draft=2"' in html
    # Only the secretariat compares with its working draft.
    assert client.get(f"{S}/compare/?from=1&to=current").status_code == 404
    secretariat = signed_in(demo, "secretariat@drafter.example")
    current = secretariat.get(f"{S}/compare/?from=1&to=current").get_data(as_text=True)
    assert f'href="{S}/c/article-6/"' in current


def test_a_clause_deleted_since_the_draft_is_shown_as_it_stood_with_a_notice(client, demo, facts):
    from drafter.models import VersionCause
    from drafter.services import versions

    with demo.app_context():
        clause = db.session.scalar(select(Clause).where(Clause.uid == "article-6"))
        current = clause.current_version
        versions.add_version(
            clause,
            number=current.number,
            heading=current.heading,
            text=current.text,
            cause=VersionCause.EDIT,
            actor=None,
            base_version_id=current.id,
            deleted=True,
        )
        db.session.commit()
    # The deletion is the secretariat's until it is published; readers still read the clause.
    assert 'aria-labelledby="current-title"' in client.get(f"{S}/c/article-6/").get_data(as_text=True)
    client = signed_in(demo, "secretariat@drafter.example")
    response = client.get(f"{S}/c/article-6/?draft=1")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    notice = _words(tree.xpath('//*[@id="draft-notice"]')[0].text_content())
    assert "as it stood in Draft 1" in notice and "It has been deleted since" in notice
    assert "Text in Draft 1" in _shown_text(response.get_data(as_text=True))
    now = client.get(f"{S}/c/article-6/").get_data(as_text=True)
    assert 'aria-labelledby="current-title"' not in now
