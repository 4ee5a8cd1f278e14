"""Comments, replies and amendments in consultation rounds, through the web.

A published draft takes comments, replies and amendments while its periods
are open (drafter.services.phases), from every page that offers them; a final
draft takes nothing from anyone. Stakeholders and anonymous visitors read
published drafts only: no comment, amendment page, list or CSV they can reach
shows the secretariat's working draft, until the next draft is published. An
organisation's own comments and amendments stay visible to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Comment,
    CommentCategory,
    CommentStatus,
    Draft,
    DraftEntry,
    Instrument,
    OrganisationType,
    Role,
    User,
)
from drafter.services import drafts, editing
from drafter.services.amendments import decisions
from drafter.services.comments import queries as comment_queries
from tests.drafter.accounts_helpers import add_org, add_user, row_counts
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in, text_of

SLUG = "rounds"
ARTICLES = [f"article-{n}" for n in range(1, 9)]
#: Words that only the secretariat's working draft holds, in each test that makes some.
EDITED = "shall abolish every recruitment fee at once"
MERGED = "shall publish the wages owed each month"


@dataclass(frozen=True)
class Round:
    """Ids of the accounts of the tests; the instrument has Draft 1 (the import) and Draft 2, both open."""

    users: dict[str, int]


@pytest.fixture
def rounds(app) -> Round:
    with committed(app):
        task_force = add_org("Task Force on ASEAN Migrant Workers", OrganisationType.SECRETARIAT)
        mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        asetuc = add_org("ASETUC", OrganisationType.TRADE_UNION)
        users = {
            "mfa": add_user("mfa@example.org", organisation=mfa, name="MFA delegate"),
            "mfa2": add_user("mfa2@example.org", organisation=mfa, name="Second MFA delegate"),
            "asetuc": add_user("asetuc@example.org", organisation=asetuc, name="ASETUC delegate"),
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=task_force),
        }
        import_text(instrument_md(8), SLUG, public=True)
        later = datetime.now(UTC) + timedelta(days=30)
        drafts.publish_draft(
            instrument(), actor=None, title="Draft 2", comments_close_at=later, amendments_close_at=later
        )
    return Round({k: u.id for k, u in users.items()})


def instrument() -> Instrument:
    return db.session.scalar(select(Instrument).where(Instrument.slug == SLUG))


def clause(uid: str) -> Clause:
    return db.session.scalar(select(Clause).where(Clause.uid == uid, Clause.instrument.has(slug=SLUG)))


def version_in(app, number: int, uid: str) -> int:
    """The id of the version of clause ``uid`` that Draft ``number`` holds."""
    with app.app_context():
        return db.session.scalar(
            select(DraftEntry.version_id)
            .join(Draft, Draft.id == DraftEntry.draft_id)
            .join(Clause, Clause.id == DraftEntry.clause_id)
            .where(Draft.number == number, Clause.uid == uid, Draft.instrument.has(slug=SLUG))
        )


def set_draft(app, number: int, **values) -> None:
    """Change Draft ``number``'s period columns directly, as a later change of its phases would."""
    with app.app_context():
        db.session.execute(
            update(Draft)
            .where(Draft.number == number, Draft.instrument_id == instrument().id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def comment(client, uid: str, version_id: int, *, draft: str = "", back: str = "clause", reply_to=None, body="A view."):
    """POST the comment (or reply) form of clause ``uid`` as a page sends it."""
    data = {"version_id": str(version_id), "draft": draft, "back": back, "body": body, "category": "concern"}
    if reply_to is not None:
        data["in_reply_to"] = str(reply_to)
    return client.post(f"/i/{SLUG}/c/{uid}/comments/", data=data)


def newest_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).order_by(Comment.id.desc()).limit(1))


def counts(app) -> dict[str, int]:
    with app.app_context():
        return row_counts()


YESTERDAY = timedelta(days=-1)


def test_a_closed_draft_refuses_comments_and_replies_on_every_clause_from_every_page(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    assert (
        comment(mfa, "article-3", version_in(app, 2, "article-3"), draft="2", body="Written in time.").status_code
        == 302
    )
    parent = newest_comment_id(app)
    set_draft(app, 2, comments_close_at=datetime.now(UTC) + YESTERDAY)
    before = counts(app)
    asetuc = signed_in(app, rounds.users["asetuc"])
    secretariat = signed_in(app, rounds.users["secretariat"])
    for uid in ARTICLES:
        version_id = version_in(app, 2, uid)
        for back in ("clause", "comments"):
            # The draft named by the page, or the draft the stakeholder reads when the page names none.
            for draft in ("2", ""):
                refused = comment(asetuc, uid, version_id, draft=draft, back=back)
                assert refused.status_code == 409, (uid, back, draft)
                assert "Comments closed on" in text_of(refused)
    for who in (asetuc, mfa, secretariat):
        for back in ("clause", "comments"):
            for draft in ("2", ""):
                reply = comment(
                    who, "article-3", version_in(app, 2, "article-3"), draft=draft, back=back, reply_to=parent
                )
                assert reply.status_code == 409
    # Its author can no longer change the words sent within the period either.
    edit = mfa.post(f"/i/{SLUG}/comments/{parent}/edit", data={"body": "Rewritten after the deadline."})
    assert edit.status_code == 409
    assert f"/comments/{parent}/edit" not in text_of(mfa.get(f"/i/{SLUG}/c/article-3/"))
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(Comment, parent).body == "Written in time."

    for url in (
        f"/i/{SLUG}/c/article-3/",
        f"/i/{SLUG}/c/article-3/comments/",
        f"/i/{SLUG}/c/article-3/comments/?draft=2",
    ):
        page = text_of(asetuc.get(url))
        assert "Comments closed on" in page, url
        assert 'id="comment-form"' not in page and 'class="reply-form"' not in page, url

    # Extending the period opens the draft again, for comments and replies alike.
    set_draft(app, 2, comments_close_at=datetime.now(UTC) + timedelta(days=1))
    assert comment(asetuc, "article-5", version_in(app, 2, "article-5"), back="comments").status_code == 302
    reply = comment(asetuc, "article-3", version_in(app, 2, "article-3"), reply_to=parent, body="We agree.")
    assert reply.status_code == 302
    with app.app_context():
        stored = db.session.get(Comment, newest_comment_id(app))
        assert stored.in_reply_to_id == parent and stored.draft.number == 2
    page = text_of(asetuc.get(f"/i/{SLUG}/c/article-3/"))
    assert 'id="comment-form"' in page and 'class="reply-form"' in page


def test_a_reply_follows_its_thread_s_draft_whatever_page_it_comes_from(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    # Article 4 reads the same in both drafts; MFA commented while reading Draft 1.
    assert comment(mfa, "article-4", version_in(app, 1, "article-4"), draft="1").status_code == 302
    on_draft_1 = newest_comment_id(app)
    assert comment(mfa, "article-4", version_in(app, 2, "article-4"), draft="2").status_code == 302
    on_draft_2 = newest_comment_id(app)
    set_draft(app, 1, comments_close_at=datetime.now(UTC) + YESTERDAY)
    asetuc = signed_in(app, rounds.users["asetuc"])
    before = counts(app)
    # From Draft 2's page, which is open: the reply still belongs to the Draft 1 thread.
    refused = comment(asetuc, "article-4", version_in(app, 2, "article-4"), draft="2", reply_to=on_draft_1)
    assert refused.status_code == 409 and "Comments closed on" in text_of(refused)
    assert counts(app) == before
    assert (
        comment(asetuc, "article-4", version_in(app, 2, "article-4"), draft="2", reply_to=on_draft_2).status_code == 302
    )
    # Only the open thread offers a reply.
    page = text_of(asetuc.get(f"/i/{SLUG}/c/article-4/comments/?draft=2"))
    assert page.count('class="reply-form"') == 1
    assert f'name="in_reply_to" value="{on_draft_2}"' in page and f'name="in_reply_to" value="{on_draft_1}"' not in page


def propose_form(client, uid: str, base_version_id: int, *, text: str, action: str = "submit"):
    return client.post(
        f"/i/{SLUG}/c/{uid}/amend",
        data={
            "kind": "modify",
            "base_version_id": str(base_version_id),
            "heading": "Heading",
            "text": text,
            "rationale": "The workshop asked for it.",
            "action": action,
        },
    )


def test_a_final_draft_takes_no_comment_reply_or_amendment_from_anyone(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    assert comment(mfa, "article-2", version_in(app, 2, "article-2"), draft="2").status_code == 302
    parent = newest_comment_id(app)
    assert (
        propose_form(
            mfa, "article-2", version_in(app, 2, "article-2"), text="1. Kept private.", action="draft"
        ).status_code
        == 302
    )
    with app.app_context():
        private = db.session.scalar(select(Amendment.id).order_by(Amendment.id.desc()).limit(1))
    set_draft(app, 2, final_at=datetime.now(UTC))
    before = counts(app)
    secretariat = signed_in(app, rounds.users["secretariat"])
    for who in (mfa, secretariat):
        version_id = version_in(app, 2, "article-5")
        for draft in ("2", ""):
            assert comment(who, "article-5", version_id, draft=draft).status_code == 409
            assert (
                comment(who, "article-2", version_in(app, 2, "article-2"), draft=draft, reply_to=parent).status_code
                == 409
            )
        refused = propose_form(who, "article-5", version_id, text="1. A new obligation.")
        assert refused.status_code == 409 and "final, adopted text" in text_of(refused)
        page = text_of(who.get(f"/i/{SLUG}/c/article-5/amend"))
        assert "final, adopted text" in page and 'name="rationale"' not in page
        clause_page = text_of(who.get(f"/i/{SLUG}/c/article-5/comments/?draft=2"))
        assert "final, adopted text" in clause_page and 'id="comment-form"' not in clause_page
    assert mfa.post(f"/i/{SLUG}/amendments/{private}/state", data={"to": "submitted"}).status_code == 409
    assert counts(app) == before


def working_changes(app, rounds) -> int:
    """After Draft 2: the secretariat edits Article 5 and accepts ASETUC's amendment to Article 7,
    and notes a remark on its working draft of Article 5; returns the amendment's id."""
    asetuc = signed_in(app, rounds.users["asetuc"])
    base = version_in(app, 2, "article-7")
    with app.app_context():
        text = db.session.get(ClauseVersion, base).text
    proposed = text.replace("in good faith and without delay", MERGED)
    assert propose_form(asetuc, "article-7", base, text=proposed).status_code == 302
    with committed(app):
        amendment = db.session.scalar(select(Amendment).order_by(Amendment.id.desc()).limit(1))
        secretariat = db.session.get(User, rounds.users["secretariat"])
        target = clause("article-5")
        editing.edit_clause(
            target,
            actor=secretariat,
            base_version_id=target.current_version_id,
            heading=target.current_version.heading,
            text=f"1. The Parties {EDITED}.",
        )
        decisions.decide(amendment, actor=secretariat, outcome="accepted")
        amendment_id = amendment.id
    secretariat_client = signed_in(app, rounds.users["secretariat"])
    with app.app_context():
        working = clause("article-5").current_version_id
    note = comment(secretariat_client, "article-5", working, body="Internal: check with the legal service.")
    assert note.status_code == 302
    return amendment_id


def test_unpublished_wording_reaches_no_stakeholder_or_visitor_until_the_next_draft(app, rounds):
    amendment_id = working_changes(app, rounds)
    mfa = signed_in(app, rounds.users["mfa"])
    anonymous = app.test_client()
    with app.app_context():
        new_seq = clause("article-5").current_version.seq
    reachable = [
        f"/i/{SLUG}/comments/",
        f"/i/{SLUG}/c/article-5/comments/",
        f"/i/{SLUG}/c/article-7/comments/",
    ]
    signed_in_only = [
        f"/i/{SLUG}/amendments/{amendment_id}/",
        f"/i/{SLUG}/c/article-7/amendments",
        f"/i/{SLUG}/amendments/mine",
    ]
    for client, urls in ((mfa, reachable), (anonymous, reachable)):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = text_of(response)
            assert EDITED not in page and MERGED not in page and "Internal:" not in page, url
    # The amendment's pages show what it proposes (its own words), never the text it made.
    for url in signed_in_only:
        page = text_of(mfa.get(url))
        assert EDITED not in page and "Internal:" not in page, url
        assert "#v" not in page and "Still applies" not in page, url
        assert client.get(f"/i/{SLUG}/c/article-5/comments/?version={new_seq}").status_code == 404
    shown = text_of(mfa.get(f"/i/{SLUG}/amendments/{amendment_id}/"))
    assert "Accepted; in the next draft" in shown
    # The proposer's own list says the same.
    assert "Accepted; in the next draft" in text_of(
        signed_in(app, rounds.users["asetuc"]).get(f"/i/{SLUG}/amendments/mine?state=all")
    )
    # The secretariat reads its working draft: the wording, its note, the plain state.
    secretariat = signed_in(app, rounds.users["secretariat"])
    assert "Internal:" in text_of(secretariat.get(f"/i/{SLUG}/comments/"))
    decided = text_of(secretariat.get(f"/i/{SLUG}/amendments/{amendment_id}/"))
    assert "in the next draft" not in decided and MERGED in text_of(secretariat.get(f"/i/{SLUG}/c/article-7/comments/"))
    csv = text_of(secretariat.get(f"/i/{SLUG}/comments.csv"))
    assert "Internal:" in csv

    with committed(app):
        drafts.publish_draft(instrument(), actor=None, title="Draft 3")
    shown = text_of(mfa.get(f"/i/{SLUG}/amendments/{amendment_id}/"))
    assert "in the next draft" not in shown and "Accepted" in shown and "Result" in shown
    for client in (mfa, anonymous):
        assert MERGED in text_of(client.get(f"/i/{SLUG}/c/article-7/comments/"))
        assert EDITED in text_of(client.get(f"/i/{SLUG}/c/article-5/comments/"))
        # A note on the working draft stays the secretariat's.
        assert "Internal:" not in text_of(client.get(f"/i/{SLUG}/comments/"))


def test_a_stakeholder_amends_the_text_it_reads_not_the_working_draft(app, rounds):
    working_changes(app, rounds)
    mfa = signed_in(app, rounds.users["mfa"])
    form = text_of(mfa.get(f"/i/{SLUG}/c/article-5/amend"))
    assert EDITED not in form and f'value="{version_in(app, 2, "article-5")}"' in form
    with app.app_context():
        working = clause("article-5").current_version_id
    before = counts(app)
    refused = propose_form(mfa, "article-5", working, text="1. Something else entirely.")
    assert refused.status_code == 400 and "not a version of this clause" in text_of(refused)
    assert counts(app) == before
    assert propose_form(mfa, "article-5", version_in(app, 2, "article-5"), text="1. Something else.").status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Amendment).order_by(Amendment.id.desc()).limit(1))
        assert made.base_version_id == version_in(app, 2, "article-5") and made.draft.number == 2


def test_an_organisation_keeps_seeing_its_own_comments_and_amendments(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    assert (
        propose_form(mfa, "article-2", version_in(app, 2, "article-2"), text="1. Ours.", action="draft").status_code
        == 302
    )
    with app.app_context():
        private = db.session.scalar(select(Amendment.id).order_by(Amendment.id.desc()).limit(1))
    with committed(app):
        # A comment MFA wrote on text no draft holds (written before comments were tied to drafts).
        target = clause("article-6")
        version = editing.edit_clause(
            target,
            actor=db.session.get(User, rounds.users["secretariat"]),
            base_version_id=target.current_version_id,
            heading=target.current_version.heading,
            text="1. Reworded by the secretariat.",
        )
        author = db.session.get(User, rounds.users["mfa"])
        db.session.add(
            Comment(
                instrument_id=target.instrument_id,
                clause_id=target.id,
                version_id=version.id,
                body="Our remark on that wording.",
                category=CommentCategory.CONCERN,
                author_id=author.id,
                organisation_id=author.organisation_id,
                status=CommentStatus.OPEN,
            )
        )
    colleague = signed_in(app, rounds.users["mfa2"])
    assert "Our remark on that wording." in text_of(colleague.get(f"/i/{SLUG}/comments/"))
    mine = text_of(colleague.get(f"/i/{SLUG}/amendments/mine"))
    assert f"/amendments/{private}/" in mine
    assert colleague.get(f"/i/{SLUG}/amendments/{private}/").status_code == 200
    asetuc = signed_in(app, rounds.users["asetuc"])
    assert "Our remark on that wording." not in text_of(asetuc.get(f"/i/{SLUG}/comments/"))
    assert asetuc.get(f"/i/{SLUG}/amendments/{private}/").status_code == 404
    with app.app_context():
        readable = comment_queries.readable_by(db.session.get(User, rounds.users["asetuc"]), instrument())
        assert db.session.scalar(select(Comment.id).where(readable)) is None


def test_controls_give_way_to_a_notice_once_a_period_is_over(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    # A comment and a private draft amendment on Draft 2, while everything is open.
    assert comment(mfa, "article-3", version_in(app, 2, "article-3"), draft="2").status_code == 302
    top = newest_comment_id(app)
    made = propose_form(mfa, "article-3", version_in(app, 2, "article-3"), text="1. Later.", action="draft")
    assert made.status_code == 302
    with app.app_context():
        private = db.session.scalar(select(Amendment.id).order_by(Amendment.id.desc()).limit(1))
    page = text_of(mfa.get(f"/i/{SLUG}/c/article-3/"))
    assert "Propose an amendment" in page
    assert "Submit to the secretariat" in text_of(mfa.get(f"/i/{SLUG}/amendments/{private}/"))

    # The amendment deadline passes: the clause page and the draft amendment say so instead of offering.
    set_draft(app, 2, amendments_close_at=datetime.now(UTC) + YESTERDAY)
    page = text_of(mfa.get(f"/i/{SLUG}/c/article-3/"))
    assert "Amendments closed on" in page and "Propose an amendment" not in page
    shown = text_of(mfa.get(f"/i/{SLUG}/amendments/{private}/"))
    assert "Amendments closed on" in shown and "Submit to the secretariat" not in shown

    # A final draft is read-only for good: its comments can no longer be resolved, and no button says otherwise.
    set_draft(app, 2, final_at=datetime.now(UTC))
    before = counts(app)
    assert "Mark resolved" not in text_of(mfa.get(f"/i/{SLUG}/c/article-3/comments/?draft=2"))
    assert mfa.post(f"/i/{SLUG}/comments/{top}/resolve").status_code == 409
    assert counts(app) == before


def test_an_adopted_instrument_s_working_draft_no_longer_changes(app, rounds):
    amendment_id = working_changes(app, rounds)
    asetuc = signed_in(app, rounds.users["asetuc"])
    # A second ASETUC amendment, still waiting when the instrument is adopted.
    base = version_in(app, 2, "article-6")
    with app.app_context():
        text = db.session.get(ClauseVersion, base).text
    assert propose_form(asetuc, "article-6", base, text=text + " Promptly.").status_code == 302
    with app.app_context():
        waiting = db.session.scalar(select(Amendment.id).order_by(Amendment.id.desc()).limit(1))
    secretariat = signed_in(app, rounds.users["secretariat"])
    confirm = text_of(secretariat.get(f"/i/{SLUG}/drafts/2/final"))
    assert (
        "Left behind for good" in confirm and "unpublished changes" in confirm and "waiting for a decision" in confirm
    )
    assert secretariat.post(f"/i/{SLUG}/drafts/2/final", data={"confirm": "y"}).status_code == 302

    before = counts(app)
    with app.app_context():
        current = clause("article-5").current_version
        refused = secretariat.post(
            f"/i/{SLUG}/c/article-5/edit",
            data={"base_version_id": str(current.id), "heading": current.heading, "text": "1. Changed after all."},
        )
        assert refused.status_code == 409 and "no longer changes" in text_of(refused)
        restored = secretariat.post(f"/i/{SLUG}/c/article-5/restore", data={"version": "1", "current": current.id})
        assert restored.status_code == 409
    accepted = secretariat.post(f"/i/{SLUG}/amendments/{waiting}/decide", data={"outcome": "accepted"})
    assert accepted.status_code == 409
    assert counts(app) == before
    working = text_of(secretariat.get(f"/i/{SLUG}/working/"))
    assert "Final text, adopted on" in working and "Publish the next draft" not in working
    # The amendment accepted after Draft 2 will never be in a published draft, and readers are told so.
    shown = text_of(asetuc.get(f"/i/{SLUG}/amendments/{amendment_id}/"))
    assert "Accepted; not in the final text" in shown and "in the next draft" not in shown


def test_the_clause_page_gives_the_deadline_and_times_in_the_instrument_s_zone(app, rounds):
    mfa = signed_in(app, rounds.users["mfa"])
    closes = datetime(2040, 1, 15, 16, 59, 59, tzinfo=UTC)
    set_draft(app, 2, comments_close_at=closes)
    assert comment(mfa, "article-4", version_in(app, 2, "article-4"), draft="2").status_code == 302
    with app.app_context():
        posted = db.session.get(Comment, newest_comment_id(app)).created_at
    page = text_of(mfa.get(f"/i/{SLUG}/c/article-4/"))
    assert "Comments are open until 15 January 2040, 23:59 WIB." in page
    local = posted.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Jakarta"))
    assert f"{local.day} {local:%B %Y, %H:%M} WIB" in page  # the comment's time, in the instrument's zone
    assert " UTC" not in page
