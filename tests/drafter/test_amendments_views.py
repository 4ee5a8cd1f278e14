"""Amendment pages: propose with a preview, read, act, decide, resolve, queues, side by side, direct edits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from drafter.extensions import db
from drafter.models import Amendment, ClauseVersion, Draft, VersionCause
from drafter.services import drafts, versions
from instrument.amendments import AmendmentState as S
from tests.drafter.accounts_helpers import row_counts
from tests.drafter.amendments_helpers import (
    BASE,
    accept,
    amendment,
    clause,
    current_text,
    propose,
    user,
    versions_of,
)
from tests.drafter.helpers import committed, in_db, signed_in, text_of

A1 = "/i/t/c/article-1"


@pytest.fixture
def people(make_people):
    return make_people(texts={1: BASE})


# --- the clause page and proposing -----------------------------------------------------------


def test_clause_page_links_to_proposing_and_lists_open_amendments(app, client, people):
    visible = in_db(app, propose, people.asetuc, "States must cooperate on recruitment.")
    private = in_db(app, propose, people.asetuc, "States may cooperate on recruitment.", submit=False)
    page = text_of(signed_in(app, people.mfa, client).get(A1 + "/"))
    assert "Propose an amendment" in page and f"{A1}/amend" in page
    assert f"/i/t/amendments/{visible}/" in page and f"/i/t/amendments/{private}/" not in page
    assert "1 open" in page


def test_propose_form_is_prefilled_with_the_current_text(app, client, people):
    page = text_of(signed_in(app, people.mfa, client).get(A1 + "/amend"))
    assert BASE in page
    base_id = in_db(app, lambda: clause().current_version_id)
    assert f'name="base_version_id" type="hidden" value="{base_id}"' in page
    assert "ASETUC" in page and "Task Force" not in page.split("Co-sponsoring")[1]  # the secretariat sponsors nothing
    assert 'value="preview"' in page and 'value="submit"' in page


def form(app, **values):
    base_id = in_db(app, lambda: clause().current_version_id)
    data = {
        "kind": "modify",
        "base_version_id": base_id,
        "heading": "Heading 1",
        "text": "States shall closely cooperate on recruitment.",
        "rationale": "Cooperation must be real.",
    }
    data.update(values)
    return data


def test_preview_shows_the_redline_and_saves_nothing(app, client, people):
    response = signed_in(app, people.mfa, client).post(A1 + "/amend", data=form(app, action="preview"))
    assert response.status_code == 200
    page = text_of(response)
    assert re.search(r'<ins class="redline-ins"><span class="visually-hidden">inserted: </span>closely ?</ins>', page)
    assert "Preview: your change against version 1" in page
    assert "States shall closely cooperate on recruitment." in page  # still in the textarea
    assert in_db(app, row_counts)["amendment"] == 0


def test_submitting_a_proposal_with_co_sponsors(app, client, people):
    response = signed_in(app, people.mfa, client).post(
        A1 + "/amend", data=form(app, action="submit", sponsors=[people.asetuc_org, people.mmn_org])
    )
    assert response.status_code == 302
    amendment_id = int(re.search(r"/amendments/(\d+)/", response.headers["Location"]).group(1))
    with app.app_context():
        a = amendment(amendment_id)
        assert a.state is S.SUBMITTED and {o.id for o in a.sponsors} == {people.asetuc_org, people.mmn_org}
    page = text_of(client.get(response.headers["Location"]))
    assert "is submitted" in page and "ASETUC, Mekong Migrant Network" in page
    assert "Cooperation must be real." in page
    assert "Withdraw this amendment" in page and "Decision of the secretariat" not in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rationale": ""}, "Explain why you propose this change."),
        ({"text": BASE}, "The proposed text is the same as the text you started from."),
        ({"text": ""}, "Write the text you propose."),
        ({"kind": "insert", "number": ""}, "Give the new clause a number"),
        ({"kind": "sideways"}, "Not a valid choice"),
        ({"sponsors": ["999"]}, "is not a valid choice for this field"),
    ],
)
def test_bad_proposals_are_form_errors_and_write_nothing(app, client, people, values, message):
    before = in_db(app, row_counts)
    response = signed_in(app, people.mfa, client).post(A1 + "/amend", data=form(app, action="submit", **values))
    assert response.status_code == 400
    assert message in text_of(response)
    assert in_db(app, row_counts) == before


def test_a_base_version_of_another_clause_is_a_400(app, client, people):
    other = in_db(app, lambda: clause("Article 2").current_version_id)
    response = signed_in(app, people.mfa, client).post(
        A1 + "/amend", data=form(app, action="submit", base_version_id=other)
    )
    assert response.status_code == 400


def test_after_the_comment_period_proposals_are_refused_with_its_message(app, client, people):
    with app.app_context():
        draft = drafts.publish_draft(
            clause().instrument,
            actor=None,
            title="For comment",
            comments_close_at=datetime.now(UTC) + timedelta(days=1),
        )
        db.session.commit()
        db.session.execute(
            update(Draft).where(Draft.id == draft.id).values(amendments_close_at=datetime.now(UTC) - timedelta(days=1))
        )
        db.session.commit()
    signed_in(app, people.mfa, client)
    notice = text_of(client.get(A1 + "/amend"))
    assert "Amendments closed on" in notice
    assert 'value="submit"' not in notice  # no form to fill in for nothing
    before = in_db(app, row_counts)
    response = client.post(A1 + "/amend", data=form(app, action="submit"))
    assert response.status_code == 409
    assert "Amendments closed on" in text_of(response)
    assert in_db(app, row_counts) == before


def test_proposing_on_a_deleted_clause_is_a_409(app, client, people):
    with app.app_context():
        db.session.execute(update(type(clause())).where(type(clause()).key == "Article 1").values(deleted=True))
        db.session.commit()
    assert signed_in(app, people.mfa, client).get(A1 + "/amend").status_code == 409


# --- one amendment's page and its actions -------------------------------------------------------


def test_amendment_page_shows_redlines_against_base_and_current(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States shall closely cooperate on recruitment.")
    with app.app_context():
        from drafter.services import editing

        target = clause()
        editing.edit_clause(
            target,
            actor=user(people.secretariat),
            base_version_id=target.current_version_id,
            heading="Heading 1",
            text="States shall cooperate on fair recruitment.",
        )
        db.session.commit()
    page = text_of(signed_in(app, people.asetuc, client).get(f"/i/t/amendments/{amendment_id}/"))
    assert "against the text it was written on (version 1)" in page
    # The edit is in the secretariat's working draft: stakeholders read the amendment against the published text.
    assert "The amendment was written on the text of the latest draft" in page
    assert "fair recruitment" not in page
    assert "Withdraw" not in page and "Decision of the secretariat" not in page  # another organisation: nothing to do
    page = text_of(signed_in(app, people.secretariat, client).get(f"/i/t/amendments/{amendment_id}/"))
    assert "Decision of the secretariat" in page and "Put under review" in page and "Accept with modifications" in page
    assert "Still applies cleanly" in page
    assert "States shall <ins" in page and "fair recruitment" in page  # the merge, against version 2
    with app.app_context():
        drafts.publish_draft(db.session.scalar(select(Draft).limit(1)).instrument, actor=None)
        db.session.commit()
    page = text_of(signed_in(app, people.asetuc, client).get(f"/i/t/amendments/{amendment_id}/"))
    assert "Still applies cleanly" in page and "fair recruitment" in page  # published: the merge shows to everybody


def test_another_organisations_draft_is_not_found(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States must cooperate on recruitment.", submit=False)
    assert signed_in(app, people.asetuc, client).get(f"/i/t/amendments/{amendment_id}/").status_code == 404
    assert signed_in(app, people.secretariat, client).get(f"/i/t/amendments/{amendment_id}/").status_code == 404
    assert signed_in(app, people.mfa_colleague, client).get(f"/i/t/amendments/{amendment_id}/").status_code == 200


def test_the_proposer_submits_and_withdraws_through_the_buttons(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States must cooperate on recruitment.", submit=False)
    signed_in(app, people.mfa_colleague, client)
    url = f"/i/t/amendments/{amendment_id}/state"
    assert client.post(url, data={"to": "submitted"}).status_code == 302
    assert in_db(app, lambda: amendment(amendment_id).state) is S.SUBMITTED
    assert client.post(url, data={"to": "withdrawn", "reason": "Covered elsewhere."}).status_code == 302
    assert in_db(app, lambda: amendment(amendment_id).reason) == "Covered elsewhere."
    response = client.post(url, data={"to": "withdrawn"})
    assert response.status_code == 409 and "The amendment is already withdrawn." in text_of(response)
    response = client.post(url, data={"to": "submitted"})
    assert response.status_code == 409 and "A withdrawn amendment cannot be submitted." in text_of(response)


@pytest.mark.parametrize(
    ("visitor", "to", "status", "message"),
    [
        ("asetuc", "withdrawn", 403, "Only members of Migrant Forum in Asia or the secretariat"),
        ("secretariat", "withdrawn", 403, "Only the proposing organisation may withdraw an amendment."),
        ("mfa", "under_review", 403, "Only the secretariat may put an amendment under review."),
        ("mfa", "accepted", 403, "Only the secretariat decides on amendments."),
        ("secretariat", "accepted", 400, "Use the decision form"),
        ("mfa", "draft", 409, "cannot return to draft"),
        ("mfa", "nonsense", 400, "Say which state"),
    ],
)
def test_refused_changes_of_state_change_nothing(app, client, people, visitor, to, status, message):
    amendment_id = in_db(app, propose, people.mfa, "States must cooperate on recruitment.")
    before = in_db(app, row_counts)
    response = signed_in(app, getattr(people, visitor), client).post(
        f"/i/t/amendments/{amendment_id}/state", data={"to": to}
    )
    assert response.status_code == status
    assert message in text_of(response)
    assert in_db(app, row_counts) == before
    assert in_db(app, lambda: amendment(amendment_id).state) is S.SUBMITTED


# --- deciding ----------------------------------------------------------------------------------------


def test_secretariat_accepts_and_the_version_shows_on_the_clause_page(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States shall closely cooperate on recruitment.")
    signed_in(app, people.secretariat, client)
    response = client.post(f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted"})
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert f"Amendment {amendment_id} is accepted: it made version 2" in page
    assert "merged into the text" in page  # the history
    clause_page = text_of(client.get(A1 + "/"))
    assert f'amendment (<a href="/i/t/amendments/{amendment_id}/">Amendment {amendment_id}</a>)' in clause_page
    assert "States shall closely cooperate on recruitment." in clause_page


def test_rejecting_needs_a_reason_shown_next_to_the_field(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States must cooperate on recruitment.")
    signed_in(app, people.secretariat, client)
    before = in_db(app, row_counts)
    response = client.post(f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "rejected", "reason": ""})
    assert response.status_code == 400
    assert re.search(r'class="form-error"[^>]*>A reason is required to reject an amendment.', text_of(response))
    assert in_db(app, row_counts) == before
    response = client.post(
        f"/i/t/amendments/{amendment_id}/decide",
        data={"outcome": "rejected", "reason": "Binding wording is premature."},
    )
    assert response.status_code == 302
    response = client.post(f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted"})
    assert response.status_code == 409 and "A rejected amendment cannot be accepted." in text_of(response)


def test_a_conflict_opens_the_resolution_form_and_markers_are_refused(app, client, people):
    should = in_db(app, propose, people.mfa, "States should cooperate on recruitment.")
    must = in_db(app, propose, people.asetuc, "States must cooperate on recruitment.")
    in_db(app, accept, should, people.secretariat)
    signed_in(app, people.secretariat, client)
    response = client.post(f"/i/t/amendments/{must}/decide", data={"outcome": "accepted"})
    assert response.status_code == 409
    page = text_of(response)
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; amendment\nmust\n=======\nshould\n&gt;&gt;&gt;&gt;&gt;&gt;&gt; current" in page
    assert "Accept with these modifications" in page
    current_id = in_db(app, lambda: clause().current_version_id)
    assert f'name="base_version_id" type="hidden" value="{current_id}"' in page

    marked = in_db(app, lambda: current_text())  # (the current text is "should")
    data = {
        "outcome": "accepted_with_modifications",
        "base_version_id": current_id,
        "heading": "Heading 1",
        "reason": "Binding wording agreed at the workshop.",
    }
    response = client.post(
        f"/i/t/amendments/{must}/decide",
        data={**data, "text": "States\n<<<<<<< amendment\nmust\n=======\nshould\n>>>>>>> current\ncooperate."},
    )
    assert response.status_code == 400 and "conflict markers" in text_of(response)
    response = client.post(
        f"/i/t/amendments/{must}/decide", data={**data, "reason": "", "text": "States must cooperate."}
    )
    assert response.status_code == 400 and "A reason is required to accept an amendment with modifications." in text_of(
        response
    )
    assert in_db(app, current_text) == marked
    response = client.post(
        f"/i/t/amendments/{must}/decide", data={**data, "text": "States must cooperate on recruitment."}
    )
    assert response.status_code == 302
    with app.app_context():
        a = amendment(must)
        assert a.state is S.ACCEPTED_WITH_MODIFICATIONS and a.reason == "Binding wording agreed at the workshop."
        assert current_text() == "States must cooperate on recruitment."


def test_resolution_page_prefills_a_clean_merge(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States shall closely cooperate on recruitment.")
    page = text_of(signed_in(app, people.secretariat, client).get(f"/i/t/amendments/{amendment_id}/resolve"))
    assert "States shall closely cooperate on recruitment.</textarea>" in page
    deletion = in_db(app, propose, people.mfa, kind="delete")
    assert client.get(f"/i/t/amendments/{deletion}/resolve").status_code == 400
    in_db(app, accept, amendment_id, people.secretariat)
    response = client.get(f"/i/t/amendments/{amendment_id}/resolve")
    assert response.status_code == 409 and "An accepted amendment cannot be accepted with modifications." in text_of(
        response
    )


def test_accepting_after_the_clause_was_deleted_supersedes(app, client, people):
    change = in_db(app, propose, people.asetuc, "States must cooperate on recruitment.")
    deletion = in_db(app, propose, people.mfa, kind="delete")
    signed_in(app, people.secretariat, client)
    assert client.post(f"/i/t/amendments/{deletion}/decide", data={"outcome": "accepted"}).status_code == 302
    assert in_db(app, lambda: amendment(change).state) is S.SUPERSEDED  # marked at once
    page = text_of(client.get(A1 + "/"))
    assert "deleted" in page and "Propose an amendment" not in page


# --- lists ----------------------------------------------------------------------------------------------


def make_many(app, people, n: int) -> list[int]:
    with committed(app):
        ids = [
            propose(people.mfa if i % 2 else people.asetuc, f"States shall cooperate on recruitment, item {i}.")
            for i in range(n)
        ]
        propose(people.mfa, "A private draft.", submit=False)
        propose(people.asetuc, "On another clause.", key="Article 2")
        return ids


def test_review_queue_counts_filters_and_pages(app, client, people):
    ids = make_many(app, people, 27)
    with committed(app):
        accept(ids[0], people.secretariat, outcome="rejected", reason="Duplicate.")
    signed_in(app, people.secretariat, client)
    page = text_of(client.get("/i/t/amendments/"))
    assert "Submitted: <strong>27</strong>" in page and "Rejected: <strong>1</strong>" in page
    assert "Draft:" not in page  # drafts are private
    assert "27 amendments match" in page and "Page 1 of 2" in page and "A private draft" not in page
    page2 = text_of(client.get("/i/t/amendments/?page=2"))
    assert "Page 2 of 2" in page2 and len(re.findall(r'<tr>\s*<td><a href="/i/t/amendments/', page2)) == 2
    only_a2 = text_of(client.get("/i/t/amendments/?clause=article-2"))
    assert "1 amendment matches" in only_a2
    mfa_only = text_of(client.get(f"/i/t/amendments/?organisation={people.mfa_org}&state=all"))
    assert "13 amendments match" in mfa_only
    assert "1 amendment matches" in text_of(client.get("/i/t/amendments/?state=rejected"))
    assert "0 amendments match" in text_of(client.get("/i/t/amendments/?age=7"))
    assert client.get("/i/t/amendments/?state=bogus").status_code == 400
    assert client.get("/i/t/amendments/?page=0").status_code == 400
    assert "Review amendments" in text_of(client.get("/amendments/review"))
    assert signed_in(app, people.mfa, client).get("/i/t/amendments/").status_code == 403


def test_open_amendments_say_when_their_clause_moved_on_or_was_deleted(app, client, people):
    older = in_db(app, propose, people.asetuc, "States must cooperate on recruitment.")
    newer = in_db(app, propose, people.mfa, "States shall closely cooperate on recruitment.")
    queue = text_of(signed_in(app, people.secretariat, client).get("/i/t/amendments/"))
    assert "The clause changed since it was written." not in queue
    in_db(app, accept, newer, people.secretariat)
    queue = text_of(client.get("/i/t/amendments/"))
    assert queue.count("The clause changed since it was written.") == 1  # the accepted one is no longer open
    assert "can no longer be applied" not in text_of(client.get(f"/i/t/amendments/{older}/"))
    with app.app_context():
        deleted = clause()
        versions.add_version(
            deleted,
            number=deleted.current_version.number,
            heading=deleted.current_version.heading,
            text=deleted.current_version.text,
            cause=VersionCause.EDIT,
            actor=user(people.secretariat),
            base_version_id=deleted.current_version_id,
            deleted=True,
        )
        db.session.commit()
    assert "Article 1 has been deleted since this amendment was written" in text_of(
        client.get(f"/i/t/amendments/{older}/")
    )
    assert "can no longer be applied" not in text_of(client.get(f"/i/t/amendments/{newer}/"))  # decided


def test_my_organisation_lists_its_drafts_and_nothing_of_others(app, client, people):
    make_many(app, people, 4)
    page = text_of(signed_in(app, people.mfa_colleague, client).get("/i/t/amendments/mine"))
    assert "Amendments of Migrant Forum in Asia" in page
    assert "3 amendments match" in page  # 2 submitted and 1 draft are open
    assert "Draft: <strong>1</strong>" in page
    page = text_of(client.get("/i/t/amendments/mine?state=draft"))
    assert "1 amendment matches" in page
    other = text_of(signed_in(app, people.asetuc, client).get("/i/t/amendments/mine?state=all"))
    assert "Amendments of ASETUC" in other and "3 amendments match" in other


def test_competing_amendments_side_by_side_with_overlaps_marked(app, client, people):
    with committed(app):
        a = propose(people.mfa, "States should cooperate on recruitment.")
        b = propose(people.asetuc, "States must cooperate on recruitment.")
        propose(people.mfa, "States shall cooperate on fair recruitment.")
    page = text_of(signed_in(app, people.secretariat, client).get(A1 + "/amendments"))
    columns = page.split('<section class="column"')[1:]
    assert len(columns) == 3
    assert f'class="overlap" title="also changed by Amendment {b}"' in columns[0]
    assert f'class="overlap" title="also changed by Amendment {a}"' in columns[1]
    assert "overlap" not in columns[2].split('<div class="redline">')[1]
    assert f'Overlaps with <a href="/i/t/amendments/{b}/">Amendment {b}</a>' in columns[0]
    # After A is accepted, B no longer applies cleanly and C still does, against the new text.
    with committed(app):
        accept(a, people.secretariat)
    page = text_of(client.get(A1 + "/amendments"))
    columns = page.split('<section class="column"')[1:]
    assert len(columns) == 2
    assert "Does not apply cleanly: 1 conflict" in columns[0]
    assert "Applies cleanly" in columns[1] and "States should cooperate on <ins" in columns[1]
    assert "Compare these amendments side by side" in text_of(client.get(A1 + "/"))


# --- direct editing -----------------------------------------------------------------------------------------------


def test_secretariat_edits_a_clause_with_a_note(app, client, people):
    signed_in(app, people.secretariat, client)
    page = text_of(client.get(A1 + "/edit"))
    base_id = in_db(app, lambda: clause().current_version_id)
    assert f'name="base_version_id" type="hidden" value="{base_id}"' in page and BASE in page
    response = client.post(
        A1 + "/edit",
        data={
            "base_version_id": base_id,
            "heading": "Heading 1",
            "text": "States shall cooperate on fair recruitment.",
            "note": "workshop",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        v = versions_of()[-1]
        assert (v.seq, v.cause.value, v.note, v.author_id) == (2, "edit", "workshop", people.secretariat)


def test_a_stale_edit_is_a_409_with_the_three_way_merge_prefilled(app, client, people):
    signed_in(app, people.secretariat, client)
    base_id = in_db(app, lambda: clause().current_version_id)
    first = {"base_version_id": base_id, "heading": "Heading 1", "text": "States shall cooperate on fair recruitment."}
    assert client.post(A1 + "/edit", data=first).status_code == 302
    second = {
        "base_version_id": base_id,
        "heading": "Heading 1",
        "text": "States shall closely cooperate on recruitment.",
    }
    response = client.post(A1 + "/edit", data=second)
    assert response.status_code == 409
    page = text_of(response)
    assert "changed while you were editing it" in page
    assert "States shall closely cooperate on fair recruitment.</textarea>" in page
    new_id = in_db(app, lambda: clause().current_version_id)
    assert f'name="base_version_id" type="hidden" value="{new_id}"' in page
    assert len(in_db(app, versions_of)) == 2  # nothing overwritten
    conflicting = {"base_version_id": base_id, "heading": "Heading 1", "text": "States must cooperate on recruitment."}
    third = client.post(A1 + "/edit", data={**conflicting, "text": "States must cooperate on recruitment."})
    assert third.status_code == 409  # "shall" changed on one side only: clean, shown for review
    markers = client.post(
        A1 + "/edit",
        data={
            "base_version_id": new_id,
            "heading": "H",
            "text": "a\n<<<<<<< amendment\nb\n=======\nc\n>>>>>>> current\n",
        },
    )
    assert markers.status_code == 400 and "conflict markers" in text_of(markers)
    assert signed_in(app, people.mfa, client).get(A1 + "/edit").status_code == 403


# --- bounded queries ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/i/t/amendments/", "/i/t/amendments/mine", A1 + "/amendments", A1 + "/", "AMENDMENT"]
)
def test_pages_use_a_bounded_number_of_queries(app, client, people, count_queries, path):
    def measure(n):
        ids = make_many(app, people, n)
        url = f"/i/t/amendments/{ids[-1]}/" if path == "AMENDMENT" else path
        signed_in(app, people.secretariat if "mine" not in url else people.mfa, client)
        client.get(url)  # warm caches (redlines, merges) like a second visitor would
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        return counter.count

    small = measure(3)
    large = measure(12)
    assert large == small, (small, large)


def test_rows_untouched_by_a_stakeholder_accept(app, client, people):
    amendment_id = in_db(app, propose, people.mfa, "States must cooperate on recruitment.")
    before = in_db(app, row_counts)
    response = signed_in(app, people.mfa, client).post(
        f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted"}
    )
    assert response.status_code == 403
    assert in_db(app, row_counts) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ClauseVersion)) == before["clause_version"]
        assert db.session.get(Amendment, amendment_id).state is S.SUBMITTED


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u0085", "\u2028", "\u2029"])
def test_markers_are_refused_whatever_the_line_endings(app, client, people, newline):
    """Browsers send textareas with CRLF: markers left in a resolution or a stale edit are still refused."""
    should = in_db(app, propose, people.mfa, "States should cooperate on recruitment.")
    must = in_db(app, propose, people.asetuc, "States must cooperate on recruitment.")
    in_db(app, accept, should, people.secretariat)
    signed_in(app, people.secretariat, client)
    current_id = in_db(app, lambda: clause().current_version_id)
    before = in_db(app, current_text)
    marked = newline.join(["States", "<<<<<<< amendment", "must", "=======", "should", ">>>>>>> current", "cooperate."])
    response = client.post(
        f"/i/t/amendments/{must}/decide",
        data={
            "outcome": "accepted_with_modifications",
            "base_version_id": current_id,
            "heading": "Heading 1",
            "reason": "Agreed.",
            "text": marked,
        },
    )
    assert response.status_code == 400 and "conflict markers" in text_of(response)
    response = client.post(A1 + "/edit", data={"base_version_id": current_id, "heading": "H", "text": marked})
    assert response.status_code == 400 and "conflict markers" in text_of(response)
    assert in_db(app, current_text) == before
