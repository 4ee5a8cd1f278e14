"""Comments on clauses and quoted words: posting through the web, anchoring on new versions,
permissions, bad input, pages, list, CSV export and concurrent posting."""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from drafter.extensions import db
from drafter.models import (
    AnchorState,
    Clause,
    ClauseVersion,
    Comment,
    CommentAnchor,
    CommentCategory,
    CommentStatus,
    OrganisationType,
    Role,
    User,
    VersionCause,
)
from drafter.services import drafts, versions
from drafter.services.comments import operations as service
from drafter.services.comments import queries
from drafter.services.comments.operations import latest_draft_holding
from instrument.selectors import Selector
from tests.drafter.accounts_helpers import add_org, add_user, events, row_counts
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in

TWICE = "The Parties shall protect migrant workers. The Parties shall protect their families."
SLUG = "aifmw"


@dataclass(frozen=True)
class World:
    """Ids of the accounts and clauses the tests use."""

    users: dict[str, int]
    twice: str  # uid of Article 1 (the clause with the repeated words)
    plain: str  # uid of Article 2 (default text)
    other_instrument_clause: str  # uid of a clause of another instrument


@pytest.fixture
def world(app) -> World:
    """Four accounts of three organisations plus the secretariat, and two instruments."""
    with committed(app):
        secretariat_org = add_org("Task Force on ASEAN Migrant Workers", OrganisationType.SECRETARIAT)
        mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        asetuc = add_org("ASETUC", OrganisationType.TRADE_UNION)
        users = {
            "mfa": add_user("mfa@example.org", organisation=mfa, name="MFA delegate"),
            "mfa2": add_user("mfa2@example.org", organisation=mfa, name="Second MFA delegate"),
            "asetuc": add_user("asetuc@example.org", organisation=asetuc, name="ASETUC delegate"),
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=secretariat_org),
        }
        import_text(instrument_md(3, overrides={1: TWICE}), SLUG, public=False)
        import_text(instrument_md(2, title="Another"), "another", public=False)
        uids = {(c.instrument.slug, c.key): c.uid for c in db.session.scalars(select(Clause)).all()}
    return World(
        {k: u.id for k, u in users.items()},
        uids[(SLUG, "Article 1")],
        uids[(SLUG, "Article 2")],
        uids[("another", "Article 1")],
    )


def clause_row(app, uid: str, slug: str = SLUG) -> tuple[int, int, int]:
    """(clause id, current version id, current version seq) of clause ``uid``."""
    with app.app_context():
        clause = db.session.scalar(
            select(Clause).join(Clause.instrument).where(Clause.uid == uid, Clause.instrument.has(slug=slug))
        )
        return clause.id, clause.current_version_id, clause.current_version.seq


def post(client, uid: str, version_id, slug: str = SLUG, **data):
    """POST the comment form of clause ``uid``."""
    form = {"version_id": str(version_id), "body": "A comment.", "category": "concern", **data}
    return client.post(f"/i/{slug}/c/{uid}/comments/", data=form)


def comments(app) -> list[Comment]:
    with app.app_context():
        rows = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        for c in rows:
            db.session.expunge(c)
        return rows


def anchors(app, comment_id: int) -> dict[int, tuple[AnchorState, int | None, int | None]]:
    with app.app_context():
        return {
            a.version_id: (a.status, a.start, a.end)
            for a in db.session.scalars(select(CommentAnchor).where(CommentAnchor.comment_id == comment_id))
        }


def new_version(app, uid: str, text: str, *, deleted: bool = False, who: int | None = None) -> int:
    """The secretariat edits clause ``uid`` (through versions.add_version) and commits; returns the version id."""
    with app.app_context():
        clause = db.session.scalar(select(Clause).where(Clause.uid == uid, Clause.instrument.has(slug=SLUG)))
        cur = clause.current_version
        actor = db.session.get(User, who) if who else None
        version = versions.add_version(
            clause,
            number=cur.number,
            heading=cur.heading,
            text=text,
            cause=VersionCause.EDIT,
            actor=actor,
            deleted=deleted,
        )
        db.session.commit()
        return version.id


def publish(app, *, closes: datetime | None = None) -> int:
    with app.app_context():
        from drafter.models import Instrument

        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == SLUG))
        draft = drafts.publish_draft(instrument, actor=None, title="Next", comments_close_at=closes)
        db.session.commit()
        return draft.number


def marks(html: str) -> list[str]:
    """Texts inside the quoted-span marks of the clause text (not of the comment cards)."""
    text = html.split("data-comment-source>", 1)[1].split("</div>", 1)[0]
    return re.findall(r'<mark class="quoted">(.*?)</mark>', text, re.S)


# --- posting and anchoring ---------------------------------------------------------


def test_quoted_comment_is_stored_anchored_and_highlighted(app, world):
    client = signed_in(app, world.users["mfa"])
    _clause_id, version_id, _ = clause_row(app, world.plain)
    response = post(
        client, world.plain, version_id, quote="obligation number 2", body="Which obligation?", category="question"
    )
    assert response.status_code == 302
    [comment] = comments(app)
    assert response.headers["Location"].endswith(f"/i/{SLUG}/c/{world.plain}/#comment-{comment.id}")
    selector = Selector.from_json(comment.selector)
    assert selector.quote.exact == "obligation number 2"
    assert comment.version_id == version_id and comment.category is CommentCategory.QUESTION
    assert comment.organisation_id is not None and comment.status is CommentStatus.OPEN
    assert anchors(app, comment.id) == {
        version_id: (AnchorState.UNCHANGED, selector.position.start, selector.position.end)
    }
    page = client.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert marks(page) == ["obligation number 2"]
    assert "Which obligation?" in page and "Migrant Forum in Asia" in page
    assert [e.verb for e in _events(app, "comment.post")] == ["comment.post"]


def _events(app, verb):
    with app.app_context():
        return events(verb)


def test_selection_offsets_from_the_script_are_used_when_they_hold_the_quote(app, world):
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.twice)
    # The script sends the offsets of the second copy; no prefix needed then.
    assert (
        post(client, world.twice, version_id, quote="The Parties shall protect", start="43", end="68").status_code
        == 302
    )
    assert Selector.from_json(comments(app)[0].selector).position.start == 43


def test_comment_on_the_whole_clause(app, world):
    client = signed_in(app, world.users["asetuc"])
    _, version_id, _ = clause_row(app, world.plain)
    assert post(client, world.plain, version_id, quote="  ").status_code == 302
    [comment] = comments(app)
    assert comment.selector is None and comment.quote == ""
    page = client.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert "On the whole clause" in page and marks(page) == []


def test_second_occurrence_stays_on_the_second_after_an_edit_at_the_start(app, world):
    """The reference selector: prefix "workers. ", start offset 43; then an unrelated edit at the start."""
    client = signed_in(app, world.users["mfa"])
    _, v1, _ = clause_row(app, world.twice)
    response = post(
        client, world.twice, v1, quote="The Parties shall protect", prefix="workers. ", body="Families of whom?"
    )
    assert response.status_code == 302
    [comment] = comments(app)
    selector = Selector.from_json(comment.selector)
    assert (selector.position.start, selector.position.end) == (43, 68)
    assert selector.quote.prefix.endswith("workers. ")

    intro = "Each Party shall act in good faith. "
    v2 = new_version(app, world.twice, intro + TWICE, who=world.users["secretariat"])
    status, start, end = anchors(app, comment.id)[v2]
    assert (status, start, end) == (AnchorState.MOVED, 43 + len(intro), 68 + len(intro))

    publish(app)  # delegates read the edit once it is published
    page = client.get(f"/i/{SLUG}/c/{world.twice}/").get_data(as_text=True)
    assert marks(page) == ["The Parties shall protect"]
    assert 'workers. <mark class="quoted">The Parties shall protect</mark> their families' in page
    assert "The quoted words are unchanged; the text around them was edited" in page


def test_edited_quote_is_marked_changed_and_links_back(app, world):
    client = signed_in(app, world.users["asetuc"])
    _, v1, seq1 = clause_row(app, world.plain)
    post(client, world.plain, v1, quote="in good faith and without delay")
    v2 = new_version(app, world.plain, "1. The Parties shall give effect to obligation number 2 promptly.")
    publish(app)  # stakeholders read the new wording once a draft holds it
    [comment] = comments(app)
    assert anchors(app, comment.id)[v2][0] is AnchorState.CHANGED
    publish(app)  # delegates read the edit once it is published
    page = client.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert "The quoted words have changed since" in page
    assert "in good faith and without delay" in page  # the original quote
    assert f"/c/{world.plain}/comments/?version={seq1}#comment-{comment.id}" in page
    assert marks(page) == []
    # The version it was written on still shows the words marked.
    original = client.get(f"/i/{SLUG}/c/{world.plain}/comments/?version={seq1}").get_data(as_text=True)
    assert marks(original) == ["in good faith and without delay"]
    assert "Comment on the latest draft instead" in original  # no form under an old version


def test_deleting_the_clause_marks_comments_deleted(app, world):
    client = signed_in(app, world.users["asetuc"])
    _, v1, _ = clause_row(app, world.plain)
    post(client, world.plain, v1, quote="obligation number 2")
    post(client, world.plain, v1)
    with app.app_context():
        text = db.session.get(ClauseVersion, v1).text
    v2 = new_version(app, world.plain, text, deleted=True)
    first, second = comments(app)
    assert anchors(app, first.id)[v2][0] is AnchorState.DELETED
    assert anchors(app, second.id)[v2][0] is AnchorState.DELETED
    with app.app_context():
        seq = db.session.get(ClauseVersion, v2).seq
    # No draft holds the deleting version: stakeholders do not read it, the secretariat does.
    assert client.get(f"/i/{SLUG}/c/{world.plain}/comments/?version={seq}").status_code == 404
    secretariat = signed_in(app, world.users["secretariat"])
    page = secretariat.get(f"/i/{SLUG}/c/{world.plain}/comments/?version={seq}").get_data(as_text=True)
    assert "This clause was deleted after the comment was written" in page
    assert "This version deletes the clause" in page


def test_anchoring_runs_for_open_and_resolved_comments_not_hidden_ones_or_replies(app, world):
    with app.app_context():
        clause = db.session.scalar(select(Clause).where(Clause.uid == world.plain, Clause.instrument.has(slug=SLUG)))
        mfa = db.session.get(User, world.users["mfa"])
        secretariat = db.session.get(User, world.users["secretariat"])
        open_one = service.post(
            author=mfa,
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="open",
            quote="obligation",
        )
        resolved = service.post(
            author=mfa,
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="resolved",
        )
        hidden = service.post(
            author=mfa,
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="hidden",
        )
        answer = service.reply(open_one, author=secretariat, body="noted")
        service.resolve(resolved, actor=secretariat)
        service.hide(hidden, actor=secretariat, reason="Off topic.")
        db.session.commit()
        ids = open_one.id, resolved.id, hidden.id, answer.id
    v2 = new_version(app, world.plain, "1. The Parties shall give effect to obligation number 2 at once.")
    with app.app_context():
        anchored = set(db.session.scalars(select(CommentAnchor.comment_id).where(CommentAnchor.version_id == v2)))
    assert anchored == {ids[0], ids[1]}


def test_comment_on_an_older_draft_is_anchored_on_every_later_version(app, world):
    _, v1, _ = clause_row(app, world.plain)
    v2 = new_version(app, world.plain, "1. The Parties shall give effect to obligation number 2 in good faith.")
    client = signed_in(app, world.users["mfa"])
    # Draft 1 (the import) is still open for comment: comment on its text.
    assert post(client, world.plain, v1, draft="1", quote="without delay").status_code == 302
    [comment] = comments(app)
    assert comment.draft_id is not None
    found = anchors(app, comment.id)
    assert found[v1][0] is AnchorState.UNCHANGED and found[v2][0] is AnchorState.CHANGED


# --- carry-over into later drafts ------------------------------------------------------


def test_comment_on_draft_2_shows_on_draft_3_and_the_current_text(app, world):
    new_version(
        app, world.plain, "1. The Parties shall give effect to obligation number 2 without delay, in good faith."
    )
    assert publish(app) == 2
    _, v2, seq2 = clause_row(app, world.plain)
    client = signed_in(app, world.users["mfa"])
    assert post(client, world.plain, v2, draft="2", quote="obligation number 2", body="Kept words.").status_code == 302
    assert post(client, world.plain, v2, draft="2", quote="without delay", body="Edited words.").status_code == 302
    _kept, _edited = comments(app)
    new_version(app, world.plain, "1. Each Party shall give effect to obligation number 2 promptly, in good faith.")
    assert publish(app) == 3

    for url in (f"/i/{SLUG}/c/{world.plain}/comments/?draft=3", f"/i/{SLUG}/c/{world.plain}/"):
        page = client.get(url).get_data(as_text=True)
        assert "Kept words." in page and "Edited words." in page
        assert marks(page) == ["obligation number 2"]
        assert "The quoted words have changed since" in page
        assert page.count(f"/c/{world.plain}/comments/?version={seq2}#comment-") == 2
        assert "(Draft 2)" in page
    draft3 = client.get(f"/i/{SLUG}/drafts/3/").get_data(as_text=True)
    assert "2 comments" in draft3
    assert f"/i/{SLUG}/c/{world.plain}/comments/?draft=3" in draft3
    # Comments carry forward, not back: Draft 1 shows no count for the clause.
    assert "comment-count" not in client.get(f"/i/{SLUG}/drafts/1/").get_data(as_text=True)
    assert "2 comments" in client.get(f"/i/{SLUG}/", follow_redirects=True).get_data(as_text=True)


def test_comment_period_closed_refuses_draft_comments(app, world):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    number = publish(app, closes=yesterday)
    _, version_id, _ = clause_row(app, world.plain)
    client = signed_in(app, world.users["mfa"])
    with app.app_context():
        before = row_counts()
    response = post(client, world.plain, version_id, draft=str(number))
    assert response.status_code == 409
    assert "Comments closed on" in response.get_data(as_text=True)
    with app.app_context():
        assert row_counts() == before
    page = client.get(f"/i/{SLUG}/c/{world.plain}/comments/?draft={number}").get_data(as_text=True)
    assert "Comments closed on" in page and 'id="comment-form"' not in page


# --- bad input ---------------------------------------------------------------------------


def _bad_cases(world: World, version_id: int, other_version_id: int, foreign_comment: int):
    return [
        ("empty body", world.plain, {"body": ""}, 400, "Write your comment."),
        ("blank body", world.plain, {"body": "  \n "}, 400, "Write your comment."),
        ("too long", world.plain, {"body": "x" * 101}, 400, "at most 100 characters"),
        ("unknown clause", "no-such-clause", {}, 404, "Not found"),
        ("unknown version", world.plain, {"version_id": "999999"}, 404, "Not found"),
        ("version not a number", world.plain, {"version_id": "abc"}, 404, "Not found"),
        ("version of another clause", world.plain, {"version_id": str(other_version_id)}, 400, "another clause"),
        ("quote not in version", world.plain, {"quote": "shall abolish borders"}, 400, "not in this version"),
        # A comment of another instrument is not one of this instrument's.
        ("reply across instruments", world.plain, {"in_reply_to": str(foreign_comment)}, 404, "Not found"),
        ("reply to unknown comment", world.plain, {"in_reply_to": "424242"}, 404, "Not found"),
        ("unknown category", world.plain, {"category": "praise"}, 400, "Not a valid choice"),
        ("unknown draft", world.plain, {"draft": "99"}, 404, "Not found"),
    ]


@pytest.mark.parametrize("case", range(12))
def test_bad_input_is_refused_and_nothing_is_stored(app, world, case):
    app.config["MAX_COMMENT_LENGTH"] = 100
    _, version_id, _ = clause_row(app, world.plain)
    _, other_version_id, _ = clause_row(app, world.twice)
    with app.app_context():
        foreign = db.session.scalar(
            select(Clause).where(Clause.uid == world.other_instrument_clause, Clause.instrument.has(slug="another"))
        )
        c = service.post(
            author=db.session.get(User, world.users["asetuc"]),
            clause=foreign,
            version=foreign.current_version,
            draft=latest_draft_holding(foreign.current_version),
            body="Elsewhere.",
        )
        db.session.commit()
        foreign_comment = c.id
    name, uid, data, status, message = _bad_cases(world, version_id, other_version_id, foreign_comment)[case]
    client = signed_in(app, world.users["mfa"])
    with app.app_context():
        before = row_counts()
    response = post(client, uid, data.pop("version_id", version_id), **data)
    assert response.status_code == status, name
    assert message in response.get_data(as_text=True), name
    with app.app_context():
        assert row_counts() == before, name


def test_form_errors_keep_what_was_typed(app, world):
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.plain)
    response = post(client, world.plain, version_id, quote="not there at all", body="My careful words.")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "My careful words." in page and "not there at all" in page
    assert 'aria-invalid="true"' in page


def test_anonymous_and_pending_visitors_cannot_post(app, world):
    _, version_id, _ = clause_row(app, world.plain)
    assert post(app.test_client(), world.plain, version_id).status_code == 401
    assert comments(app) == []


# --- rendering untrusted bodies ----------------------------------------------------------


def test_bodies_with_markup_are_shown_as_text_and_script_links_are_not_links(app, world):
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.plain)
    bodies = [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
    ]
    for body in bodies:
        assert post(client, world.plain, version_id, body=body).status_code == 302
    assert (
        post(
            client, world.plain, version_id, quote="obligation", body="<b>bold</b> [y](JaVaScRiPt:alert(2))"
        ).status_code
        == 302
    )
    for url in (f"/i/{SLUG}/c/{world.plain}/", f"/i/{SLUG}/comments/"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img" not in page and "<script>alert" not in page and "<b>bold" not in page
        assert not re.search(r'href="\s*javascript:', page, re.I)
    clause_page = client.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert "[x](javascript:alert(1))" in clause_page  # shown as typed, not as a link


# --- permissions ------------------------------------------------------------------------------


@pytest.fixture
def mfa_comment(app, world) -> int:
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.plain)
    assert post(client, world.plain, version_id, body="Original words.").status_code == 302
    return comments(app)[0].id


def snapshot(app, comment_id: int) -> tuple:
    with app.app_context():
        c = db.session.get(Comment, comment_id)
        return c.body, c.status, c.edited_at, c.resolved_by_id, c.hidden_by_id, row_counts()


@pytest.mark.parametrize("who", ["asetuc", "mfa2"])
def test_another_stakeholder_cannot_edit_resolve_or_hide(app, world, mfa_comment, who):
    client = signed_in(app, world.users[who])
    before = snapshot(app, mfa_comment)
    base = f"/i/{SLUG}/comments/{mfa_comment}"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/edit", data={"body": "Rewritten by someone else."}).status_code == 403
    assert client.post(f"{base}/resolve").status_code == 403
    assert client.get(f"{base}/hide").status_code == 403
    assert client.post(f"{base}/hide", data={"reason": "I dislike it."}).status_code == 403
    assert snapshot(app, mfa_comment) == before
    page = client.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert f"/comments/{mfa_comment}/edit" not in page and f"/comments/{mfa_comment}/resolve" not in page


def test_the_author_edits_while_open_and_the_old_body_is_logged(app, world, mfa_comment):
    client = signed_in(app, world.users["mfa"])
    assert client.get(f"/i/{SLUG}/comments/{mfa_comment}/edit").status_code == 200
    assert client.post(f"/i/{SLUG}/comments/{mfa_comment}/edit", data={"body": ""}).status_code == 400
    response = client.post(f"/i/{SLUG}/comments/{mfa_comment}/edit", data={"body": "Better words."})
    assert response.status_code == 302
    with app.app_context():
        c = db.session.get(Comment, mfa_comment)
        assert c.body == "Better words." and c.edited_at is not None
        [event] = events("comment.edit")
        assert event.details["previous_body"] == "Original words."
    assert client.post(f"/i/{SLUG}/comments/{mfa_comment}/resolve").status_code == 302
    assert client.post(f"/i/{SLUG}/comments/{mfa_comment}/edit", data={"body": "Too late."}).status_code == 409
    with app.app_context():
        c = db.session.get(Comment, mfa_comment)
        assert c.status is CommentStatus.RESOLVED and c.resolved_by_id == world.users["mfa"]
        assert c.body == "Better words."


def test_the_secretariat_resolves_and_hides_any_comment_with_a_reason(app, world, mfa_comment):
    secretariat = signed_in(app, world.users["secretariat"])
    base = f"/i/{SLUG}/comments/{mfa_comment}"
    assert secretariat.post(f"{base}/edit", data={"body": "Edited by the secretariat."}).status_code == 403
    before = snapshot(app, mfa_comment)
    response = secretariat.post(f"{base}/hide", data={"reason": "  "})
    assert response.status_code == 400 and "Say why the comment is hidden" in response.get_data(as_text=True)
    assert snapshot(app, mfa_comment) == before
    assert secretariat.get(f"{base}/hide").status_code == 200
    response = secretariat.post(f"{base}/hide", data={"reason": "Names a private person.", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/i/{SLUG}/c/")
    with app.app_context():
        c = db.session.get(Comment, mfa_comment)
        assert c.status is CommentStatus.HIDDEN and c.hidden_by_id == world.users["secretariat"]
        [event] = events("comment.hide")
        assert event.details["reason"] == "Names a private person." and event.object_id == mfa_comment
    other = signed_in(app, world.users["asetuc"]).get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert "Reason: Names a private person." in other and "Original words." not in other
    author = signed_in(app, world.users["mfa"]).get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert "Original words." in author
    assert "Original words." in secretariat.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert secretariat.post(f"{base}/hide", data={"reason": "Again."}).status_code == 409


def test_replies_join_the_thread_and_cannot_be_resolved(app, world, mfa_comment):
    _, version_id, _ = clause_row(app, world.plain)
    asetuc = signed_in(app, world.users["asetuc"])
    assert (
        post(
            asetuc, world.plain, version_id, in_reply_to=str(mfa_comment), body="We agree.", quote="ignored in a reply"
        ).status_code
        == 302
    )
    reply = comments(app)[1]
    assert reply.in_reply_to_id == mfa_comment and reply.selector is None
    mfa = signed_in(app, world.users["mfa"])
    assert post(mfa, world.plain, version_id, in_reply_to=str(reply.id), body="Thanks.").status_code == 302
    assert comments(app)[2].in_reply_to_id == mfa_comment
    assert asetuc.post(f"/i/{SLUG}/comments/{reply.id}/resolve").status_code == 400
    page = mfa.get(f"/i/{SLUG}/c/{world.plain}/").get_data(as_text=True)
    assert page.index("Original words.") < page.index("We agree.") < page.index("Thanks.")


# --- list, counts, export ------------------------------------------------------------------


def _seed(app, world, n_per_clause: int = 1):
    """Comments by MFA (concern) and ASETUC (support) on Articles 1 and 2; one resolved."""
    with app.app_context():
        made = []
        for uid in (world.twice, world.plain):
            clause = db.session.scalar(select(Clause).where(Clause.uid == uid, Clause.instrument.has(slug=SLUG)))
            for i in range(n_per_clause):
                for who, category in (("mfa", CommentCategory.CONCERN), ("asetuc", CommentCategory.SUPPORT)):
                    made.append(
                        service.post(
                            author=db.session.get(User, world.users[who]),
                            clause=clause,
                            version=clause.current_version,
                            draft=latest_draft_holding(clause.current_version),
                            body=f"{who} on {uid} #{i}",
                            category=category,
                            quote="Parties",
                        )
                    )
        service.resolve(made[0], actor=db.session.get(User, world.users["secretariat"]))
        db.session.commit()
        return [c.id for c in made]


def listed(page: str) -> int:
    return page.count('<li class="comment comment-')


def test_list_filters(app, world):
    _seed(app, world)
    client = signed_in(app, world.users["mfa"])
    base = f"/i/{SLUG}/comments/"
    assert listed(client.get(base).get_data(as_text=True)) == 4
    with app.app_context():
        clause_id = db.session.scalar(
            select(Clause.id).where(Clause.uid == world.plain, Clause.instrument.has(slug=SLUG))
        )
        org_id = db.session.scalar(select(User.organisation_id).where(User.id == world.users["asetuc"]))
    assert listed(client.get(f"{base}?clause={clause_id}").get_data(as_text=True)) == 2
    assert listed(client.get(f"{base}?organisation={org_id}").get_data(as_text=True)) == 2
    assert listed(client.get(f"{base}?category=support").get_data(as_text=True)) == 2
    assert listed(client.get(f"{base}?status=resolved").get_data(as_text=True)) == 1
    assert listed(client.get(f"{base}?status=open&category=concern").get_data(as_text=True)) == 1
    assert client.get(f"{base}?category=praise").status_code == 400
    # "Changed since I commented": only my comments whose quoted words changed in the current text.
    assert listed(client.get(f"{base}?changed=y").get_data(as_text=True)) == 0
    new_version(app, world.plain, "1. The States shall give effect to obligation number 2.")
    # The change is in the secretariat's working draft only: stakeholders judge against the published text.
    assert listed(client.get(f"{base}?changed=y").get_data(as_text=True)) == 0
    publish(app)
    page = client.get(f"{base}?changed=y").get_data(as_text=True)
    assert listed(page) == 1 and "mfa on " + world.plain in page and "the quoted words have changed since" in page


def test_list_is_paginated_and_hidden_comments_are_only_for_the_secretariat(app, world):
    ids = _seed(app, world, n_per_clause=8)  # 32 comments
    with app.app_context():
        service.hide(
            db.session.get(Comment, ids[1]), actor=db.session.get(User, world.users["secretariat"]), reason="Duplicate."
        )
        db.session.commit()
    client = signed_in(app, world.users["mfa"])
    first = client.get(f"/i/{SLUG}/comments/").get_data(as_text=True)
    assert "31 comments" in first and listed(first) == 25 and "Page 1 of 2" in first
    second = client.get(f"/i/{SLUG}/comments/?page=2").get_data(as_text=True)
    assert listed(second) == 6
    assert "32 comments" in signed_in(app, world.users["secretariat"]).get(f"/i/{SLUG}/comments/").get_data(
        as_text=True
    )
    assert "32 comments" in signed_in(app, world.users["asetuc"]).get(f"/i/{SLUG}/comments/").get_data(
        as_text=True
    )  # own


def test_every_visible_comment_is_on_exactly_one_page_newest_first(app, world):
    ids = _seed(app, world, n_per_clause=6)  # 24 comments
    with app.app_context():
        secretariat = db.session.get(User, world.users["secretariat"])
        service.hide(db.session.get(Comment, ids[3]), actor=secretariat, reason="Duplicate.")  # ASETUC's
        service.hide(db.session.get(Comment, ids[4]), actor=secretariat, reason="Duplicate.")  # MFA's
        # Half of them share one timestamp: the id decides their order.
        same = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        for comment_id in ids[::2]:
            db.session.get(Comment, comment_id).created_at = same
        db.session.commit()
        stored = {c.id: c for c in db.session.scalars(select(Comment))}
        expected = sorted((i for i in ids if i != ids[3]), key=lambda i: (stored[i].created_at, i), reverse=True)
        viewer = db.session.get(User, world.users["mfa"])
        pages = [
            queries.list_comments(stored[ids[0]].instrument, queries.ListFilters(), viewer, page=n, per_page=5)
            for n in range(1, 7)
        ]
        assert [p.total for p in pages] == [23] * 6
        assert [row.comment.id for p in pages for row in p.items] == expected  # own hidden one included
        assert pages[-1].items == []
        only_plain = queries.list_comments(
            stored[ids[0]].instrument,
            queries.ListFilters(clause_id=stored[ids[-1]].clause_id),
            viewer,
            page=2,
            per_page=5,
        )
        assert only_plain.total == 12 and all(r.clause.uid == world.plain for r in only_plain.items)
        assert len(only_plain.items) == 5


def test_a_page_past_the_end_leads_to_the_last_page_with_the_same_filters(app, world):
    _seed(app, world, n_per_clause=8)  # 32 comments, 16 of them concerns
    client = signed_in(app, world.users["mfa"])
    response = client.get(f"/i/{SLUG}/comments/?page=7")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/i/{SLUG}/comments/?page=2")
    response = client.get(f"/i/{SLUG}/comments/?category=concern&page=10000000000000000000000")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/i/{SLUG}/comments/?category=concern"
    )
    assert listed(client.get(response.headers["Location"]).get_data(as_text=True)) == 16


def test_authors_filter_on_their_own_hidden_comments_and_changed_0_means_unchecked(app, world):
    ids = _seed(app, world)  # MFA 0 and 2, ASETUC 1 and 3
    with app.app_context():
        secretariat = db.session.get(User, world.users["secretariat"])
        for comment_id in (ids[1], ids[2]):
            service.hide(db.session.get(Comment, comment_id), actor=secretariat, reason="Off topic.")
        db.session.commit()
    mfa = signed_in(app, world.users["mfa"])
    response = mfa.get(f"/i/{SLUG}/comments/?status=hidden")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and listed(page) == 1 and f'#comment-{ids[2]}"' in page
    assert listed(mfa.get(f"/i/{SLUG}/comments/?changed=0").get_data(as_text=True)) == 3  # not "changed since"
    assert listed(mfa.get(f"/i/{SLUG}/comments/?changed=y").get_data(as_text=True)) == 0
    anonymous = app.test_client()
    assert anonymous.get(f"/i/{SLUG}/comments/?status=hidden").status_code in (400, 401)


def test_csv_export_for_the_secretariat_with_formulas_defused(app, world):
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.plain)
    post(
        client,
        world.plain,
        version_id,
        quote="obligation number 2",
        body='=HYPERLINK("http://evil.example","x")',
        category="drafting_suggestion",
    )
    post(client, world.plain, version_id, body='+1, and a line\nbreak, with "quotes"')
    assert client.get(f"/i/{SLUG}/comments.csv").status_code == 403
    response = signed_in(app, world.users["secretariat"]).get(f"/i/{SLUG}/comments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{SLUG}-comments.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == queries.CSV_HEADER
    first, second = rows[1:]
    record = dict(zip(rows[0], first))
    assert record["clause"] == "Article 2" and record["quote"] == "obligation number 2"
    assert record["category"] == "Drafting suggestion" and record["organisation"] == "Migrant Forum in Asia"
    assert record["author"] == "MFA delegate" and record["status"] == "open" and record["clause version"] == "1"
    assert record["body"] == '\'=HYPERLINK("http://evil.example","x")'
    assert dict(zip(rows[0], second))["body"] == '\'+1, and a line\nbreak, with "quotes"'


# --- bounded queries ----------------------------------------------------------------------------


def test_pages_run_the_same_number_of_queries_for_few_and_many_comments(app, world, count_queries):
    client = signed_in(app, world.users["mfa"])
    _seed(app, world, n_per_clause=1)
    urls = [
        f"/i/{SLUG}/c/{world.plain}/",
        f"/i/{SLUG}/c/{world.plain}/comments/?draft=1",
        f"/i/{SLUG}/drafts/1/",  # where /i/{SLUG}/ sends delegates
        f"/i/{SLUG}/comments/",
    ]
    for url in urls:
        client.get(url)  # warm up
    few = {}
    for url in urls:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        few[url] = counter.count
    ids = _seed(app, world, n_per_clause=6)
    with app.app_context():
        secretariat = db.session.get(User, world.users["secretariat"])
        for comment_id in ids[:5]:
            service.reply(db.session.get(Comment, comment_id), author=secretariat, body="Noted.")
        db.session.commit()
    for url in urls:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == few[url], url


# --- concurrency ------------------------------------------------------------------------------


def test_twenty_stakeholders_comment_on_one_clause_at_the_same_time(app, world):
    with committed(app):
        people = []
        for i in range(20):
            org = add_org(f"Organisation {i}", OrganisationType.NGO)
            people.append(add_user(f"delegate{i}@example.org", organisation=org))
    _, version_id, _ = clause_row(app, world.twice)
    clients = []
    for person in people:
        clients.append(signed_in(app, person))
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def comment(i: int, client) -> None:
        barrier.wait()
        try:
            response = post(
                client,
                world.twice,
                version_id,
                quote="The Parties shall protect",
                prefix="workers. ",
                body=f"Comment number {i}.",
            )
            outcome = (response.status_code, response.get_data(as_text=True)[:200])
        except Exception as exc:  # a failure must be reported, not lost in the thread
            outcome = (-1, repr(exc))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=comment, args=(i, c)) for i, c in enumerate(clients)]
    started = datetime.now(UTC)
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    elapsed = datetime.now(UTC) - started
    assert [status for status, _ in results] == [302] * 20, results
    assert not any("locked" in text for _, text in results)
    with app.app_context():
        stored = db.session.scalars(select(Comment)).all()
        assert sorted(c.body for c in stored) == sorted(f"Comment number {i}." for i in range(20))
        assert db.session.scalar(select(func.count()).select_from(CommentAnchor)) == 20
        assert {Selector.from_json(c.selector).position.start for c in stored} == {43}
    assert elapsed < timedelta(seconds=30)


# --- limits -----------------------------------------------------------------------------------


def test_the_default_limit_is_the_length_the_render_benchmark_covers(app):
    from drafter.config import DEFAULTS
    from instrument.render import MAX_COMMENT_CHARS

    assert DEFAULTS["MAX_COMMENT_LENGTH"] == MAX_COMMENT_CHARS == 20_000
    assert app.config["MAX_COMMENT_LENGTH"] == 20_000


def test_the_longest_allowed_adversarial_comment_is_accepted_and_shown(app, world):
    client = signed_in(app, world.users["mfa"])
    _, version_id, _ = clause_row(app, world.plain)
    hostile = "[" * 10_000 + "]" * 10_000
    assert post(client, world.plain, version_id, body=hostile).status_code == 302
    too_long = post(client, world.plain, version_id, body=hostile + "]")
    assert too_long.status_code == 400 and "at most 20,000 characters; this one has 20,001" in too_long.get_data(
        as_text=True
    )
    assert len(comments(app)) == 1
    page = client.get(f"/i/{SLUG}/c/{world.plain}/")
    assert page.status_code == 200 and "[" * 100 in page.get_data(as_text=True)


def test_a_refused_comment_says_so_at_the_top_of_the_page(app, world):
    """On a phone the form sits far below the text: the refusal is announced before the text."""
    client = signed_in(app, world.users["asetuc"])
    _, version_id, _ = clause_row(app, world.plain)
    response = post(client, world.plain, version_id, body="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    alert = html.index("Your comment was not posted")
    assert alert < html.index('class="clause-body') < html.index('id="comment-form"')
    assert comments(app) == []
