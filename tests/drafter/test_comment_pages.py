"""A debated clause's comments come in pages: the newest threads by default, earlier ones a link away,
every quote still marked in the text, and each action returns to the page of its thread."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Comment, OrganisationType, Role, User
from drafter.services.comments import operations as service
from drafter.services.comments import queries
from drafter.services.comments.operations import latest_draft_holding
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in

TEXT = "1. The Parties shall protect migrant workers and their families without discrimination."
PER_PAGE = queries.THREADS_PER_PAGE
THREADS = 2 * PER_PAGE + 5


@pytest.fixture
def debated(app):
    """Article 1 with ``THREADS`` comments; the first quotes "migrant workers", the second has a reply."""
    with committed(app):
        mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        delegate = add_user("mfa@example.org", organisation=mfa, name="MFA delegate")
        secretariat = add_user(
            "sec@example.org", role=Role.SECRETARIAT, organisation=add_org("Task Force", OrganisationType.SECRETARIAT)
        )
        import_text(instrument_md(2, overrides={1: TEXT}), "t", public=True)
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
        author = db.session.get(User, delegate.id)
        ids = []
        for n in range(THREADS):
            comment = service.post(
                author=author,
                clause=clause,
                version=clause.current_version,
                draft=latest_draft_holding(clause.current_version),
                body=f"Comment number {n:03d}.",
                quote="migrant workers" if n == 0 else "",
            )
            ids.append(comment.id)
        service.reply(db.session.get(Comment, ids[1]), author=author, body="A reply on the first page.")
        db.session.commit()
    return {"delegate": delegate, "secretariat": secretariat, "ids": ids}


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Comment number (\d{3})\.", html)]


def test_the_clause_page_shows_the_newest_threads_and_links_to_earlier_ones(client, debated):
    html = client.get("/i/t/c/article-1/").get_data(as_text=True)
    assert _numbers(html) == list(range(THREADS - PER_PAGE, THREADS))  # a full page, the newest
    assert f'Comments <span class="muted">({THREADS + 1})</span>' in html  # every page's comments and the reply
    assert "Page 3 of 3" in html and 'href="/i/t/c/article-1/?comments_page=2#comments"' in html
    assert 'rel="next"' not in html
    # The quote of a comment on the first page is still marked in the text.
    text = html.split("data-comment-source>", 1)[1].split("</div>", 1)[0]
    assert re.findall(r'<mark class="quoted">(.*?)</mark>', text) == ["migrant workers"]


def test_earlier_pages_hold_the_older_threads_with_their_replies(client, debated):
    first = client.get("/i/t/c/article-1/?comments_page=1").get_data(as_text=True)
    left_over = THREADS - 2 * PER_PAGE
    assert _numbers(first) == list(range(left_over))  # pages count back from the newest
    assert "A reply on the first page." in first
    assert 'href="/i/t/c/article-1/?comments_page=2#comments"' in first
    second = client.get("/i/t/c/article-1/comments/?comments_page=2").get_data(as_text=True)
    assert _numbers(second) == list(range(left_over, left_over + PER_PAGE))
    assert 'href="/i/t/c/article-1/comments/#comments"' in second  # the last page needs no number
    for wrong in ("0", "99", "-4"):  # out of range: the nearest page, not an error
        assert client.get(f"/i/t/c/article-1/?comments_page={wrong}").status_code == 200


def test_replying_editing_and_resolving_return_to_the_thread_s_page(app, client, debated):
    signed_in(app, debated["delegate"], client)
    first = debated["ids"][0]
    answer = client.post(
        "/i/t/c/article-1/comments/",
        data={
            "version_id": str(_current_version(app)),
            "in_reply_to": str(first),
            "body": "Agreed.",
            "category": "other",
        },
    )
    assert answer.headers["Location"].endswith(f"/i/t/c/article-1/?comments_page=1#comment-{first}")
    middle, last = debated["ids"][THREADS - PER_PAGE - 1], debated["ids"][THREADS - PER_PAGE]
    for thread, page in ((middle, "?comments_page=2"), (last, "")):
        answer = client.post(
            "/i/t/c/article-1/comments/",
            data={
                "version_id": str(_current_version(app)),
                "in_reply_to": str(thread),
                "body": "Yes.",
                "category": "other",
            },
        )
        assert answer.headers["Location"].endswith(f"/i/t/c/article-1/{page}#comment-{thread}")
    edited = client.post(f"/i/t/comments/{first}/edit", data={"body": "Comment number 000, reworded."})
    assert edited.headers["Location"].endswith(f"?comments_page=1#comment-{first}")
    newest = client.post(
        "/i/t/c/article-1/comments/",
        data={"version_id": str(_current_version(app)), "body": "A new thread.", "category": "question"},
    )
    assert re.search(r"/i/t/c/article-1/#comment-\d+$", newest.headers["Location"])  # the last page, the default
    signed_in(app, debated["secretariat"], client)
    page = client.get("/i/t/c/article-1/?comments_page=1").get_data(as_text=True)
    assert f'name="next" value="/i/t/c/article-1/?comments_page=1#comment-{first}"' in page
    resolved = client.post(f"/i/t/comments/{first}/resolve", data={})
    assert resolved.headers["Location"].endswith(f"?comments_page=1#comment-{first}")


def _current_version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Clause.current_version_id).where(Clause.key == "Article 1"))
