"""The working draft page: changes since the last published draft, restore, undo, discard,
and applying several amendments together (collisions first, one preview, one transaction)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, CommentAnchor, Draft, Event, Instrument, VersionCause
from drafter.services import editing, visibility, working
from drafter.services.amendments import operations
from drafter.services.amendments.decisions import ClauseChanged
from drafter.services.comments.operations import post as post_comment
from instrument.amendments import AmendmentState as S
from tests.drafter.accounts_helpers import row_counts
from tests.drafter.amendments_helpers import accept, amendment, clause, current_text, propose, user, versions_of
from tests.drafter.helpers import committed, import_text, in_db, instrument_md, signed_in, text_of

#: Article 1: two sentences, so that amendments can change words far apart or the same words.
TWO_SENTENCES = "States shall cooperate on recruitment. Workers shall be informed of their rights."
#: Changes "cooperate" (first sentence).
WORK_TOGETHER = "States shall work together on recruitment. Workers shall be informed of their rights."
#: Also changes "cooperate": collides with WORK_TOGETHER.
COLLABORATE = "States shall collaborate on recruitment. Workers shall be informed of their rights."
#: Changes the second sentence only.
FULLY = "States shall cooperate on recruitment. Workers shall be fully informed of their rights."
BOTH = "States shall work together on recruitment. Workers shall be fully informed of their rights."

APPLY = "/i/t/working/apply"
OVERVIEW = "/i/t/working/"


@pytest.fixture
def people(make_people):
    return make_people(texts={1: TWO_SENTENCES})


def edit(app, people, key: str, text: str) -> int:
    """The secretariat edits clause ``key`` through the service; returns the new version's seq."""

    def run():
        target = clause(key)
        version = editing.edit_clause(
            target,
            actor=user(people.secretariat),
            base_version_id=target.current_version_id,
            heading=target.current_version.heading,
            text=text,
        )
        return version.seq

    return in_db(app, run)


def state_of(app):
    """Rows per table and the state of every amendment, to show that nothing was written."""

    def read():
        db.session.expire_all()
        states = dict(db.session.execute(select(Amendment.id, Amendment.state)).all())
        return row_counts(), states

    return in_db(app, read)


def hidden(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)


def preview(client, ids):
    return client.post(APPLY, data={"amendment": [str(i) for i in ids], "action": "preview"})


# --- applying several amendments together --------------------------------------------------------


def test_overlapping_amendments_show_the_collision_and_write_nothing_even_when_forced(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    b = in_db(app, propose, people.asetuc, COLLABORATE)
    sec = signed_in(app, people.secretariat, client)
    before = state_of(app)

    response = preview(sec, [a, b])
    assert response.status_code == 200
    page = text_of(response)
    assert "Collisions" in page
    assert "Amendment 1 and Amendment 2 change the same words." in page
    # Both wordings are shown, with the shared words marked.
    assert "work together" in page and "collaborate" in page and 'class="overlap"' in page
    assert 'value="confirm"' not in page  # no way to confirm from the page
    assert state_of(app) == before

    # A forced confirmation, with the preview's own hidden values, is refused and writes nothing.
    forced = sec.post(
        APPLY,
        data={
            "amendment": [str(a), str(b)],
            "action": "confirm",
            "seen": hidden(page, "seen"),
            "previewed": hidden(page, "previewed"),
        },
    )
    assert forced.status_code == 409
    assert "collide" in text_of(forced)
    assert state_of(app) == before
    assert in_db(app, lambda: {amendment(a).state, amendment(b).state}) == {S.SUBMITTED}


def test_two_amendments_far_apart_give_one_preview_holding_both_and_confirm_writes_both(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    b = in_db(app, propose, people.asetuc, FULLY)
    sec = signed_in(app, people.secretariat, client)
    before = state_of(app)

    page = text_of(preview(sec, [a, b]))
    assert "Collisions" not in page
    result = page.split("Combined result")[1]
    # One redline of the working text holding both changes.
    assert result.count('class="redline"') == 1
    assert re.search(r"<ins[^>]*>.*work together", result) and re.search(r"<ins[^>]*>.*fully", result)
    assert state_of(app) == before  # a preview writes nothing

    response = sec.post(
        APPLY,
        data={
            "amendment": [str(a), str(b)],
            "action": "confirm",
            "seen": hidden(page, "seen"),
            "previewed": hidden(page, "previewed"),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(OVERVIEW)

    def check():
        assert current_text("Article 1") == BOTH
        made = [v for v in versions_of("Article 1") if v.cause is VersionCause.AMENDMENT]
        assert [v.amendment_id for v in made] == [a, b]
        assert amendment(a).state is S.ACCEPTED and amendment(b).state is S.ACCEPTED
        assert amendment(b).result_version_id == made[1].id
        batch = db.session.scalars(select(Event).where(Event.verb == "amendments.apply")).all()
        assert [e.details["amendments"] for e in batch] == [[1, 2]]
        # Each acceptance has its own audit events, as when decided one by one.
        merges = db.session.scalars(select(Event).where(Event.verb == "amendment.merge")).all()
        assert sorted(e.object_id for e in merges) == [a, b]

    in_db(app, check)


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"text": FULLY, "heading": "Recruitment"}, "change the heading differently"),
        ({"kind": "delete"}, "delete the clause"),
    ],
)
def test_other_collisions_are_headings_changed_differently_and_a_deletion(app, client, people, second, why):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER, heading="Cooperation")
    b = in_db(app, propose, people.asetuc, **second)
    before = state_of(app)
    page = text_of(preview(signed_in(app, people.secretariat, client), [a, b]))
    assert "Collisions" in page and why in page and 'value="confirm"' not in page
    assert state_of(app) == before


def test_one_heading_change_and_a_text_change_elsewhere_combine(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER, heading="Cooperation")
    b = in_db(app, propose, people.asetuc, FULLY)
    page = text_of(preview(signed_in(app, people.secretariat, client), [a, b]))
    assert "Collisions" not in page and 'value="confirm"' in page
    assert re.search(r"Heading: .*<ins[^>]*>.*Cooperation", page)


def test_a_preview_made_stale_by_a_change_of_the_working_text_is_refused(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    b = in_db(app, propose, people.asetuc, FULLY)
    sec = signed_in(app, people.secretariat, client)
    page = text_of(preview(sec, [a, b]))
    edit(app, people, "Article 1", TWO_SENTENCES + " Both shall report yearly.")
    before = state_of(app)
    response = sec.post(
        APPLY,
        data={
            "amendment": [str(a), str(b)],
            "action": "confirm",
            "seen": hidden(page, "seen"),
            "previewed": hidden(page, "previewed"),
        },
    )
    assert response.status_code == 409
    assert "changed since the preview" in text_of(response)
    assert state_of(app) == before
    # The page shows the new preview, made on the new working text, ready to confirm.
    assert 'value="confirm"' in text_of(response)


def test_confirming_other_amendments_than_those_previewed_is_refused(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    b = in_db(app, propose, people.asetuc, FULLY)
    sec = signed_in(app, people.secretariat, client)
    page = text_of(preview(sec, [a]))
    before = state_of(app)
    data = {"amendment": [str(a), str(b)], "action": "confirm", "seen": hidden(page, "seen")}
    response = sec.post(APPLY, data={**data, "previewed": hidden(page, "previewed")})
    assert response.status_code == 400 and "Preview the combined result" in text_of(response)
    no_preview = sec.post(APPLY, data={"amendment": [str(a)], "action": "confirm"})
    assert no_preview.status_code == 400
    assert state_of(app) == before


def test_when_one_acceptance_fails_none_is_kept_and_the_page_names_it(app, client, people, monkeypatch):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    b = in_db(app, propose, people.asetuc, FULLY)
    sec = signed_in(app, people.secretariat, client)
    page = text_of(preview(sec, [a, b]))
    before = state_of(app)
    real = working.decisions.decide

    def decide(target, **kwargs):
        if target.id == b:  # the clause moves on under the second acceptance
            raise ClauseChanged("Article 1 changed meanwhile, twice; nothing was saved.")
        return real(target, **kwargs)

    monkeypatch.setattr(working.decisions, "decide", decide)
    response = sec.post(
        APPLY,
        data={
            "amendment": [str(a), str(b)],
            "action": "confirm",
            "seen": hidden(page, "seen"),
            "previewed": hidden(page, "previewed"),
        },
    )
    assert response.status_code == 409
    assert "Amendment 2 could not be accepted, so none of the chosen amendments was applied" in text_of(response)
    assert state_of(app) == before  # Amendment 1's version and events are gone with the rest


def test_an_amendment_that_conflicts_with_the_working_text_is_a_problem_not_a_write(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    edit(app, people, "Article 1", COLLABORATE)  # the secretariat changed the same words meanwhile
    sec = signed_in(app, people.secretariat, client)
    before = state_of(app)
    page = text_of(preview(sec, [a]))
    assert "does not apply cleanly to the working text" in page and 'value="confirm"' not in page
    forced = sec.post(
        APPLY,
        data={"amendment": [str(a)], "action": "confirm", "seen": hidden(page, "seen"), "previewed": [str(a)]},
    )
    assert forced.status_code == 409
    assert state_of(app) == before


@pytest.mark.parametrize("action", ["preview", "confirm"])
def test_bad_choices_are_refused_with_4xx_and_write_nothing(app, client, people, action):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    decided = in_db(app, propose, people.asetuc, FULLY)
    in_db(app, accept, decided, people.secretariat, outcome="rejected", reason="Not now.")
    private = in_db(app, propose, people.asetuc, COLLABORATE, submit=False)

    def elsewhere():
        import_text(instrument_md(2), "other")
        target = clause("Article 1", slug="other")
        return operations.propose(target, actor=user(people.mfa), kind="modify", base_version_id=target.current_version_id,
                                  rationale="Elsewhere.", text="Other words entirely.", submit=True).id  # fmt: skip

    other = in_db(app, elsewhere)
    sec = signed_in(app, people.secretariat, client)
    before = state_of(app)
    cases = {
        "nothing ticked": ([], 400, "Tick at least one amendment"),
        "unknown id": ([str(a), "999999"], 400, "no amendment 999999"),
        "not a number": (["x1"], 400, "is not an amendment"),
        "another instrument's": ([str(other)], 400, f"no amendment {other}"),
        "a private draft": ([str(private)], 400, f"no amendment {private}"),
        "already decided": ([str(a), str(decided)], 409, "already rejected"),
    }
    for name, (ids, status, words) in cases.items():
        response = sec.post(APPLY, data={"amendment": ids, "action": action, "seen": ["1:1"], "previewed": ids})
        assert response.status_code == status, name
        assert words in text_of(response), name
    assert sec.post(APPLY, data={"amendment": [str(a)], "action": "apply-all"}).status_code == 400
    assert state_of(app) == before


def test_the_apply_page_lists_open_amendments_and_ticks_those_named(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    private = in_db(app, propose, people.asetuc, COLLABORATE, submit=False)
    page = text_of(signed_in(app, people.secretariat, client).get(APPLY, query_string={"amendment": str(a)}))
    assert f'name="amendment" value="{a}" checked' in page
    assert f'value="{private}"' not in page  # a draft stays its organisation's


# --- the overview -------------------------------------------------------------------------------


def test_overview_lists_changed_clauses_only_with_their_causes(app, client, people):
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    in_db(app, accept, a, people.secretariat)
    edit(app, people, "Article 2", "1. The Parties shall give effect to this obligation at once.")
    page = text_of(signed_in(app, people.secretariat, client).get(OVERVIEW))
    assert "Working draft (not published)" in page
    assert "2 clauses differ from" in page
    assert 'id="clause-article-1"' in page and 'id="clause-article-2"' in page
    assert 'id="clause-article-3"' not in page  # unchanged clauses are not listed
    assert f'href="/i/t/amendments/{a}/">Amendment 1 (Migrant Forum in Asia)</a>' in page
    assert "edit by Secretariat officer" in page
    assert re.search(r"<ins[^>]*>.*work together", page)
    assert 'href="/i/t/drafts/publish"' in page
    assert "Undo last change" in page and "Discard unpublished changes" in page


def test_overview_before_any_draft_lists_everything_as_new(app, client, people):
    def unpublish():
        # An instrument whose only draft is removed: as if its text had never been published.
        for d in db.session.scalars(select(Draft)).all():
            db.session.delete(d)

    in_db(app, unpublish)
    page = text_of(signed_in(app, people.secretariat, client).get(OVERVIEW))
    assert "No draft of" in page and "every clause below is new" in page
    assert page.count('<span class="badge">added</span>') == in_db(
        app, lambda: len(db.session.scalars(select(Clause)).all())
    )


def test_overview_query_count_does_not_grow_with_the_changes(app, client, people, count_queries):
    sec = signed_in(app, people.secretariat, client)
    edit(app, people, "Article 2", "1. One change.")
    with count_queries() as one:
        assert sec.get(OVERVIEW).status_code == 200
    edit(app, people, "Article 1", "States shall act.")
    edit(app, people, "Article 3", "1. Another change.")
    edit(app, people, "Article 3", "1. Another change, again.")
    with count_queries() as three:
        page = text_of(sec.get(OVERVIEW))
    assert "3 clauses differ" in page
    assert three.count == one.count


def test_a_clause_added_with_the_words_of_one_deleted_is_listed_apart_from_it(app, client, people):
    words = in_db(app, lambda: clause("Article 3").current_version.text)
    inserted = in_db(app, propose, people.mfa, words, kind="insert", number="Article 1A", heading="Heading 3")
    in_db(app, accept, inserted, people.secretariat)
    deletion = in_db(app, propose, people.asetuc, key="Article 3", kind="delete")
    in_db(app, accept, deletion, people.secretariat)
    new_uid = in_db(app, lambda: amendment(inserted).result_version.clause.uid)
    page = text_of(signed_in(app, people.secretariat, client).get(OVERVIEW))
    assert f'id="clause-{new_uid}"' in page and 'id="clause-article-3"' in page
    assert "1 added, 1 deleted, 0 changed" in page


# --- restore, undo, discard ----------------------------------------------------------------------


def restore_url(uid: str = "article-2") -> str:
    return f"/i/t/c/{uid}/restore"


def discard_url(uid: str = "article-2") -> str:
    return f"/i/t/c/{uid}/discard"


def current_id(app, key: str = "Article 2") -> int:
    return in_db(app, lambda: clause(key).current_version_id)


def test_undo_restores_the_previous_version_as_a_new_one(app, client, people):
    edit(app, people, "Article 2", "1. First rewording of the obligation.")
    edit(app, people, "Article 2", "1. Second rewording of the obligation.")
    sec = signed_in(app, people.secretariat, client)
    response = sec.post(restore_url(), data={"version": "2", "current": current_id(app)})
    assert response.status_code == 302

    def check():
        history = versions_of("Article 2")
        assert [v.seq for v in history] == [1, 2, 3, 4]  # nothing deleted, one version added
        last = history[-1]
        assert last.cause is VersionCause.RESTORE and last.note == "Restored version 2"
        assert last.text == history[1].text and last.heading == history[1].heading
        assert last.parent_version_id == history[2].id
        event = db.session.scalars(select(Event).where(Event.verb == "clause.restore")).one()
        assert event.object_id == last.id and event.details["restored"] == 2

    in_db(app, check)
    page = text_of(sec.get(OVERVIEW))
    assert "restore of version 2" in page


def undo_value(page: str) -> str:
    """The version the page's "Undo last change" button of Article 2 would restore."""
    form = re.search(r'name="version" value="(\d+)">\s*<input type="hidden" name="current"[^>]*>\s*'
                     r'<button type="submit">Undo last change', page)  # fmt: skip
    assert form, page
    return form.group(1)


def test_undo_pressed_again_steps_further_back_instead_of_redoing(app, client, people):
    edit(app, people, "Article 2", "1. First rewording of the obligation.")
    edit(app, people, "Article 2", "1. Second rewording of the obligation.")
    sec = signed_in(app, people.secretariat, client)
    assert undo_value(text_of(sec.get(OVERVIEW))) == "2"
    assert sec.post(restore_url(), data={"version": "2", "current": current_id(app)}).status_code == 302
    # Version 4 undid version 3: undoing again brings back version 1, not version 3.
    assert undo_value(text_of(sec.get(OVERVIEW))) == "1"
    assert sec.post(restore_url(), data={"version": "1", "current": current_id(app)}).status_code == 302
    assert in_db(app, lambda: current_text("Article 2")) == in_db(app, lambda: versions_of("Article 2")[0].text)


def test_restoring_the_current_wording_is_a_no_op_and_an_unknown_version_is_404(app, client, people):
    edit(app, people, "Article 2", "1. First rewording of the obligation.")
    sec = signed_in(app, people.secretariat, client)
    before = state_of(app)
    same = sec.post(restore_url(), data={"version": "2", "current": current_id(app)}, follow_redirects=True)
    assert same.status_code == 200 and "Nothing changed" in text_of(same)
    assert sec.post(restore_url(), data={"version": "9", "current": current_id(app)}).status_code == 404
    seen = current_id(app)
    assert sec.post(restore_url(), data={"version": "zero", "current": seen}).status_code == 400
    assert sec.post(restore_url(), data={"version": "99999999999999999999", "current": seen}).status_code == 400
    blind = sec.post(restore_url(), data={"version": "1"})  # without the version the page showed
    assert blind.status_code == 400 and "reload the working draft" in text_of(blind)
    assert sec.post(discard_url(), data={"confirm": "y"}).status_code == 400
    assert sec.post("/i/t/c/no-such-clause/restore", data={"version": "1"}).status_code == 404
    assert state_of(app) == before


def test_a_restore_from_a_stale_page_is_409_and_writes_nothing(app, client, people):
    seen = current_id(app)
    edit(app, people, "Article 2", "1. Someone changed it meanwhile.")
    before = state_of(app)
    sec = signed_in(app, people.secretariat, client)
    for url, data in ((restore_url(), {"version": "1"}), (discard_url(), {"confirm": "y"})):
        response = sec.post(url, data={**data, "current": seen})
        assert response.status_code == 409, url
        assert "changed since the page was shown" in text_of(response)
    assert state_of(app) == before


def test_discard_brings_back_the_published_text_and_keeps_comments_anchored(app, client, people):
    def comment():
        target = clause("Article 2")
        quoted = "obligation number 2"
        c = post_comment(
            author=user(people.mfa),
            clause=target,
            version=target.current_version,
            body="Too vague.",
            quote=quoted,
            draft=visibility.latest_draft(target.instrument),
        )
        return c.id

    comment_id = in_db(app, comment)
    edit(app, people, "Article 2", "1. The Parties shall give effect to obligation number 2 at once and in full.")
    sec = signed_in(app, people.secretariat, client)
    refused = sec.post(discard_url(), data={"current": current_id(app)})
    assert refused.status_code == 400 and "Tick the box" in text_of(refused)
    response = sec.post(discard_url(), data={"confirm": "y", "current": current_id(app)}, follow_redirects=True)
    assert response.status_code == 200 and "reads again as in the last published draft" in text_of(response)
    assert 'id="clause-article-2"' not in text_of(response)  # nothing left to publish there

    def check():
        history = versions_of("Article 2")
        assert [v.cause for v in history] == [VersionCause.IMPORT, VersionCause.EDIT, VersionCause.RESTORE]
        assert history[-1].text == history[0].text
        anchor = db.session.get(CommentAnchor, (comment_id, history[-1].id))
        assert anchor is not None and anchor.placed
        assert db.session.scalars(select(Event).where(Event.verb == "clause.discard")).one().details["restored"] == 1

    in_db(app, check)
    again = sec.post(discard_url(), data={"confirm": "y", "current": current_id(app)}, follow_redirects=True)
    assert "Nothing to discard" in text_of(again)


def test_discard_removes_a_clause_added_since_and_brings_back_one_deleted_since(app, client, people):
    inserted = in_db(app, propose, people.mfa, "1. A new obligation on recruitment fees.", kind="insert",
                     number="Article 1A", heading="Fees")  # fmt: skip
    in_db(app, accept, inserted, people.secretariat)
    deletion = in_db(app, propose, people.asetuc, key="Article 3", kind="delete")
    in_db(app, accept, deletion, people.secretariat)
    new_uid = in_db(app, lambda: amendment(inserted).result_version.clause.uid)
    sec = signed_in(app, people.secretariat, client)
    page = text_of(sec.get(OVERVIEW))
    assert '<span class="badge">added</span>' in page and '<span class="badge">deleted</span>' in page
    assert "removes this clause" in page

    def current_of(uid):
        return db.session.scalar(select(Clause).where(Clause.uid == uid)).current_version_id

    for uid in (new_uid, "article-3"):
        response = sec.post(discard_url(uid), data={"confirm": "y", "current": in_db(app, current_of, uid)})
        assert response.status_code == 302, uid

    def check():
        db.session.expire_all()
        added = db.session.scalar(select(Clause).where(Clause.uid == new_uid))
        assert added.deleted and added.current_version.deleted
        assert added.current_version.cause is VersionCause.RESTORE
        back = clause("Article 3")
        assert not back.deleted and back.current_version.cause is VersionCause.RESTORE
        assert back.current_version.text == versions_of("Article 3")[0].text
        # Deleting the added clause kept its versions.
        assert len(db.session.scalars(select(ClauseVersion).where(ClauseVersion.clause_id == added.id)).all()) == 2

    in_db(app, check)
    assert "nothing is waiting to be published" in text_of(sec.get(OVERVIEW))


# --- who may ----------------------------------------------------------------------------------


def test_only_the_secretariat_reaches_the_working_draft(app, client, people):
    with committed(app):  # a public instrument: anonymous visitors read its published drafts, not this
        db.session.scalar(select(Instrument).where(Instrument.slug == "t")).is_public = True
    a = in_db(app, propose, people.mfa, WORK_TOGETHER)
    before = state_of(app)
    requests = [
        ("GET", OVERVIEW, None),
        ("GET", APPLY, None),
        ("POST", APPLY, {"amendment": [str(a)], "action": "preview"}),
        ("POST", restore_url(), {"version": "1"}),
        ("POST", discard_url(), {"confirm": "y"}),
    ]
    stakeholder = signed_in(app, people.mfa)
    anonymous = app.test_client()
    for method, url, data in requests:
        assert stakeholder.open(url, method=method, data=data).status_code == 403, url
        response = anonymous.open(url, method=method, data=data)
        if method == "GET":
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
        else:
            assert response.status_code == 401, url
    assert state_of(app) == before


def test_insertions_after_one_clause_applied_together_keep_the_order_of_their_numbers(app, client, people):
    first = in_db(app, propose, people.mfa, "1. Fees are never charged to workers.", kind="insert",
                  number="Article 1A", heading="Fees")  # fmt: skip
    second = in_db(app, propose, people.asetuc, "1. Contracts are written in the worker's language.", kind="insert",
                   number="Article 1B", heading="Contracts")  # fmt: skip
    sec = signed_in(app, people.secretariat, client)
    page = text_of(preview(sec, [second, first]))
    assert page.index("(Amendment 1)") < page.index("(Amendment 2)")
    data = {"amendment": [str(first), str(second)], "action": "confirm"}
    response = sec.post(APPLY, data={**data, "seen": hidden(page, "seen"), "previewed": hidden(page, "previewed")})
    assert response.status_code == 302

    def order():
        keys = db.session.scalars(select(Clause.key).where(Clause.deleted.is_(False)).order_by(Clause.position))
        return [k for k in keys if k.startswith("Article")]

    assert in_db(app, order) == ["Article 1", "Article 1A", "Article 1B", "Article 2", "Article 3"]
