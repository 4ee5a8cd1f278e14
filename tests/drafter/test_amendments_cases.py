"""The reference cases of merging amendments, each played through the web pages."""

from __future__ import annotations

import re

import pytest

from drafter.extensions import db
from drafter.models import VersionCause
from drafter.services import versions
from instrument.amendments import AmendmentState as S
from tests.drafter.accounts_helpers import events, row_counts
from tests.drafter.amendments_helpers import (
    BASE,
    PARAGRAPHS,
    amendment,
    clause,
    current_text,
    versions_of,
)
from tests.drafter.helpers import in_db, signed_in


@pytest.fixture
def people(make_people):
    return make_people(texts={1: BASE, 2: PARAGRAPHS})


def propose_via_web(app, user_id, text, uid="article-1", kind="modify"):
    """Fill in the proposal form as a delegate would and submit it; returns the amendment id."""
    client = signed_in(app, user_id)
    page = client.get(f"/i/t/c/{uid}/amend?kind={kind}").get_data(as_text=True)
    base_id = re.search(r'name="base_version_id" type="hidden" value="(\d+)"', page).group(1)
    heading = in_db(app, lambda: clause("Article 1" if uid == "article-1" else "Article 2").current_version.heading)
    response = client.post(
        f"/i/t/c/{uid}/amend",
        data={
            "kind": kind,
            "base_version_id": base_id,
            "heading": heading,
            "text": text,
            "rationale": "Agreed at the national consultation.",
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/amendments/(\d+)/", response.headers["Location"]).group(1))


def decide_via_web(app, user_id, amendment_id, **data):
    return signed_in(app, user_id).post(f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted", **data})


def test_both_insert_closely_a_then_b_gives_closely_once(app, people):
    a = propose_via_web(app, people.mfa, "States shall closely cooperate on recruitment.")
    b = propose_via_web(app, people.asetuc, "States shall closely cooperate on recruitment.")
    assert decide_via_web(app, people.secretariat, a).status_code == 302
    response = decide_via_web(app, people.secretariat, b)
    assert response.status_code == 302
    with app.app_context():
        assert current_text() == "States shall closely cooperate on recruitment."
        assert current_text().count("closely") == 1
        assert amendment(b).state is S.ACCEPTED and amendment(b).result_version_id is None


def test_deleted_sentence_and_a_sentence_appended_meanwhile_are_both_kept(app, people):
    proposed = PARAGRAPHS.replace(" Fees shall not be charged to workers.", "")
    amendment_id = propose_via_web(app, people.mfa, proposed, uid="article-2")
    editor = signed_in(app, people.secretariat)
    page = editor.get("/i/t/c/article-2/edit").get_data(as_text=True)
    base_id = re.search(r'name="base_version_id" type="hidden" value="(\d+)"', page).group(1)
    appended = PARAGRAPHS.replace(
        "without discrimination.", "without discrimination. Access to remedies shall be guaranteed."
    )
    assert (
        editor.post(
            "/i/t/c/article-2/edit", data={"base_version_id": base_id, "heading": "Heading 2", "text": appended}
        ).status_code
        == 302
    )
    # The amendment's page already says it still applies cleanly, and shows it against the new text.
    page = editor.get(f"/i/t/amendments/{amendment_id}/").get_data(as_text=True)
    assert "Still applies cleanly" in page and "Access to remedies shall be guaranteed." in page
    response = decide_via_web(app, people.secretariat, amendment_id)
    assert response.status_code == 302
    with app.app_context():
        text = current_text("Article 2")
        assert "Access to remedies shall be guaranteed." in text and "Fees shall not be charged" not in text
        merge_event = events("amendment.merge")[-1]
        assert merge_event.details["three_way"] is True
        assert versions_of("Article 2")[-1].amendment_id == amendment_id


def test_should_then_must_the_second_is_a_conflict_showing_both(app, people):
    should = propose_via_web(app, people.mfa, "States should cooperate on recruitment.")
    must = propose_via_web(app, people.asetuc, "States must cooperate on recruitment.")
    assert decide_via_web(app, people.secretariat, should).status_code == 302
    before = in_db(app, row_counts)
    response = decide_via_web(app, people.secretariat, must)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert re.search(r"The amendment has</p><div class=\"redline\">must</div>", page)
    assert re.search(r"The current text has</p><div class=\"redline\">should</div>", page)
    assert in_db(app, row_counts) == before  # nothing written until the secretariat resolves it


def test_an_amendment_on_a_clause_deleted_since_is_superseded(app, people):
    amendment_id = propose_via_web(app, people.mfa, "States must cooperate on recruitment.")
    with app.app_context():
        target = clause()
        cur = target.current_version
        versions.add_version(
            target,
            number=cur.number,
            heading=cur.heading,
            text=cur.text,
            cause=VersionCause.EDIT,
            actor=None,
            deleted=True,
        )
        db.session.commit()
    client = signed_in(app, people.secretariat)
    page = client.get(f"/i/t/amendments/{amendment_id}/").get_data(as_text=True)
    assert "has been deleted since this amendment was written" in page
    response = client.post(
        f"/i/t/amendments/{amendment_id}/decide", data={"outcome": "accepted"}, follow_redirects=True
    )
    assert "was not applied: its clause has been deleted since" in response.get_data(as_text=True)
    with app.app_context():
        assert amendment(amendment_id).state is S.SUPERSEDED
        assert [v.deleted for v in versions_of()] == [False, True]


def test_a_stakeholder_posting_an_accept_or_another_organisations_withdrawal_gets_403(app, people):
    amendment_id = propose_via_web(app, people.mfa, "States must cooperate on recruitment.")
    before = in_db(app, row_counts)
    assert decide_via_web(app, people.mfa, amendment_id).status_code == 403
    assert decide_via_web(app, people.asetuc, amendment_id).status_code == 403
    withdrawal = signed_in(app, people.asetuc).post(f"/i/t/amendments/{amendment_id}/state", data={"to": "withdrawn"})
    assert withdrawal.status_code == 403
    assert in_db(app, row_counts) == before
    with app.app_context():
        assert amendment(amendment_id).state is S.SUBMITTED
        assert len(versions_of()) == 1
