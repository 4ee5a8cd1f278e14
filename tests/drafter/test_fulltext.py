"""Full-text pages keep what never changes for a text and stay exact when the text or its comments change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Comment, Draft, Instrument, Role, User, VersionCause
from drafter.services import drafts, versions
from drafter.services.comments import operations as comment_service
from drafter.services.comments.operations import latest_draft_holding
from drafter.views.fulltext import TextBody, TextCache
from instrument.types import ClauseKind
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in

SLUG = "kept"


@pytest.fixture
def seeded(app):
    """A public instrument of four articles with Draft 1 published, a delegate and an officer."""
    with committed(app):
        org = add_org("Migrant Forum in Asia")
        delegate = add_user("delegate@example.org", organisation=org)
        officer = add_user("officer@example.org", role=Role.SECRETARIAT)
        import_text(instrument_md(4), SLUG)
        return delegate.id, officer.id


def _clause(key: str) -> Clause:
    return db.session.scalar(select(Clause).join(Clause.instrument).where(Instrument.slug == SLUG, Clause.key == key))


def _edit(app, key: str, *, text: str | None = None, heading: str | None = None, deleted: bool = False) -> None:
    with app.app_context():
        clause = _clause(key)
        cur = clause.current_version
        versions.add_version(
            clause,
            number=cur.number,
            heading=heading if heading is not None else cur.heading,
            text=text if text is not None else cur.text,
            cause=VersionCause.EDIT,
            actor=None,
            deleted=deleted,
        )
        db.session.commit()


def _fresh(app, client, url: str) -> str:
    """The page as built without anything kept."""
    app.extensions.pop("drafter.fulltext", None)
    return client.get(url).get_data(as_text=True)


def test_current_text_follows_every_change_it_shows(app, client, seeded):
    client = signed_in(app, seeded[1], client)  # the current text is the secretariat's working draft
    url = f"/i/{SLUG}/"
    first = client.get(url).get_data(as_text=True)
    assert "obligation number 3 in good faith" in first

    _edit(app, "Article 3", text="1. The Parties shall respect obligation number 3 at all times.")
    page = client.get(url).get_data(as_text=True)
    assert "respect obligation number 3 at all times" in page and "obligation number 3 in good faith" not in page
    assert page == _fresh(app, client, url)

    client.get(url)  # kept again
    _edit(app, "Article 2", heading="Recruitment fees")
    page = client.get(url).get_data(as_text=True)
    assert "Article 2 — Recruitment fees" in page and "Article 2 — Heading 2" not in page
    assert page == _fresh(app, client, url)

    client.get(url)
    _edit(app, "Article 4", deleted=True)
    page = client.get(url).get_data(as_text=True)
    assert "Article 4" not in page
    assert page == _fresh(app, client, url)


def test_draft_page_counts_comments_at_every_request(app, client, seeded):
    delegate_id, officer_id = seeded
    url = f"/i/{SLUG}/drafts/1/"
    assert "comment-count" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        clause = _clause("Article 2")
        # Written on the current text, which is still Draft 1's: Draft 1 counts it.
        comment_service.post(
            author=db.session.get(User, delegate_id),
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="Who pays the recruitment fees?",
        )
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "1 comment<span" in page
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        comment_service.hide(comment, actor=db.session.get(User, officer_id), reason="Posted twice.")
        db.session.commit()
    assert "comment-count" not in client.get(url).get_data(as_text=True)


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


@pytest.mark.parametrize("url", [f"/i/{SLUG}/drafts/1/", f"/i/{SLUG}/"])
def test_a_kept_text_is_not_read_again(app, client, seeded, count_queries, url):
    client = signed_in(app, seeded[1], client)  # the secretariat reads both texts
    with count_queries() as cold:
        first = client.get(url)
    with count_queries() as warm:
        second = client.get(url)
    # The same page but for the form token of the header's sign-out button, which is signed with
    # the second it is made in.
    assert _without_tokens(first.get_data(as_text=True)) == _without_tokens(second.get_data(as_text=True))
    # The text's clauses and versions are read once; the current text's narrow read
    # must give the very key its first build was kept under.
    assert warm.count == cold.count - 1


def test_text_cache_keeps_the_most_recently_used():
    cache = TextCache(maxsize=2)
    built: list[str] = []

    def maker(name: str):
        def build() -> tuple[tuple, TextBody]:
            built.append(name)
            return (name,), TextBody(toc=name, pieces=())

        return build

    cache.get_or_build(("a",), maker("a"))
    cache.get_or_build(("b",), maker("b"))
    cache.get_or_build(("a",), maker("a"))  # kept: a is now the most recent
    cache.get_or_build(("c",), maker("c"))  # b goes
    cache.get_or_build(("a",), maker("a"))
    cache.get_or_build(("b",), maker("b"))
    assert built == ["a", "b", "c", "b"]


def test_a_text_built_after_a_change_is_kept_under_what_it_was_built_from():
    cache = TextCache()
    newer = TextBody(toc="newer", pieces=())
    assert cache.get_or_build(("read before the change",), lambda: (("read while building",), newer)) is newer
    rebuilt = TextBody(toc="again", pieces=())
    assert cache.get_or_build(("read before the change",), lambda: (("read before the change",), rebuilt)) is rebuilt
    assert cache.get_or_build(("read while building",), lambda: pytest.fail("kept under its own key")) is newer


TINY = """---
title: Tiny instrument
---

# Tiny instrument

## Article 1 — Scope

This instrument applies to every migrant worker in the region without any exception at all.

## {heading}

This instrument is done in a single original in the English language, which shall be the working language.
"""


def test_a_draft_keeps_the_kind_each_clause_had_when_published(app, client):
    """An import that turns Article 2 into unnumbered text changes Draft 2, never Draft 1."""
    with committed(app):
        import_text(TINY.format(heading="Article 2 — Authentic text"), "tiny")
    url = "/i/tiny/drafts/1/"
    assert 'class="clause clause-article" id="article-2"' in client.get(url).get_data(as_text=True)
    with committed(app):
        import_text(TINY.format(heading="Authentic text"), "tiny")
        assert (
            drafts.draft_state(db.session.scalar(select(Draft).where(Draft.number == 2)))[-1].kind
            is ClauseKind.PREAMBLE
        )
    kept = client.get(url).get_data(as_text=True)
    assert kept == _fresh(app, client, url)  # every worker serves the same Draft 1
    assert 'class="clause clause-article" id="article-2"' in kept
    assert '<li class="toc-article depth-0"><a href="#article-2">Article 2 — Authentic text</a></li>' in kept
    assert 'class="clause clause-preamble" id="article-2"' in client.get("/i/tiny/drafts/2/").get_data(as_text=True)
    with app.app_context():  # exports and comparisons of Draft 1 read the same rows
        first = db.session.scalar(select(Draft).where(Draft.number == 1))
        assert drafts.to_parsed_clauses(drafts.draft_state(first))[-1].kind is ClauseKind.ARTICLE
        assert drafts.to_clause_states(drafts.draft_state(first))[-1].kind is ClauseKind.ARTICLE
