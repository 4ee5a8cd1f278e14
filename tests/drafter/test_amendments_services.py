"""The amendment services: proposing, changes of state, and decisions with the three-way merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from drafter import policies
from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Draft, VersionCause
from drafter.services import drafts, editing, phases, versions
from drafter.services.amendments import decisions, operations, queries
from drafter.services.errors import Conflict, InvalidInput, NotPermitted
from instrument.amendments import AmendmentState as S
from instrument.errors import StaleBase
from instrument.merge import AMENDMENT_MARKER, CURRENT_MARKER
from tests.drafter.accounts_helpers import events
from tests.drafter.amendments_helpers import (
    BASE,
    PARAGRAPHS,
    accept,
    add_instrument,
    add_people,
    amendment,
    clause,
    current_text,
    propose,
    user,
    versions_of,
)


@pytest.fixture
def people(app_ctx):
    add_instrument(texts={1: BASE, 2: PARAGRAPHS})
    found = add_people()
    db.session.commit()  # the tests roll refusals back; the people must outlive that
    return found


# --- proposing -------------------------------------------------------------------------


def test_a_proposal_starts_as_a_private_draft_and_is_submitted_later(people):
    amendment_id = propose(
        people.mfa,
        "States shall closely cooperate on recruitment.",
        submit=False,
        sponsor_ids=[people.asetuc_org, people.mfa_org],
    )
    a = amendment(amendment_id)
    assert a.state is S.DRAFT and a.submitted_at is None
    assert a.organisation_id == people.mfa_org and a.proposer_id == people.mfa
    assert [o.id for o in a.sponsors] == [people.asetuc_org]  # one's own organisation is not a co-sponsor
    assert a.base_version_id == clause().current_version_id
    assert a.draft.number == 1  # the latest published draft
    assert not policies.can_view(a, user(people.asetuc)) and policies.can_view(a, user(people.mfa_colleague))
    assert not policies.can_view(a, user(people.secretariat))

    operations.submit_amendment(a, actor=user(people.mfa_colleague))  # any member of the organisation
    db.session.commit()
    a = amendment(amendment_id)
    assert a.state is S.SUBMITTED and a.submitted_at is not None
    assert policies.can_view(a, user(people.asetuc))
    assert [e.verb for e in events() if e.verb.startswith("amendment.")] == ["amendment.propose", "amendment.submit"]


@pytest.mark.parametrize(
    ("kind", "text", "extra", "field", "message"),
    [
        ("modify", "", {}, "text", "Write the text you propose"),
        ("modify", BASE + "  ", {}, "text", "same as the text you started from"),
        ("modify", "Changed.", {"rationale": "   "}, "rationale", "Explain why"),
        ("insert", "A new article.", {}, "number", "Give the new clause a number"),
        ("insert", "", {"number": "Article 1A"}, "text", "Write the text of the new clause"),
    ],
)
def test_unusable_proposals_are_refused_with_the_field_named(people, kind, text, extra, field, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        propose(people.mfa, text, kind=kind, **extra)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Amendment)) is None


def test_a_base_version_of_another_clause_is_refused(people):
    other = clause("Article 2").current_version_id
    with pytest.raises(InvalidInput, match="not a version of this clause"):
        propose(people.mfa, "Changed.", base_version_id=other)


def test_proposals_and_submissions_after_the_comment_period_are_refused(people):
    instrument = clause().instrument
    closes = datetime.now(UTC) + timedelta(days=3)
    drafts.publish_draft(
        instrument, actor=None, title="For comment", comments_close_at=closes, amendments_close_at=closes
    )
    db.session.commit()
    draft_id = propose(people.mfa, "States shall closely cooperate on recruitment.", submit=False)
    db.session.commit()  # the refusal below rolls the session back; what it refuses must outlive that
    later = closes + timedelta(days=1)
    with pytest.raises(phases.PeriodClosed) as caught:
        operations.submit_amendment(amendment(draft_id), actor=user(people.mfa), now=later)
    assert "Amendments closed on" in str(caught.value)
    db.session.rollback()
    target = clause()
    with pytest.raises(phases.PeriodClosed):
        operations.propose(
            target,
            actor=user(people.asetuc),
            kind="modify",
            base_version_id=target.current_version_id,
            rationale="Late.",
            text="States must cooperate on recruitment.",
            now=later,
        )
    db.session.rollback()
    assert amendment(draft_id).state is S.DRAFT
    assert db.session.scalar(select(Amendment).where(Amendment.id != draft_id)) is None


# --- changes of state ------------------------------------------------------------------------


def test_who_may_make_which_change(people):
    amendment_id = propose(people.mfa, "States must cooperate on recruitment.")
    db.session.commit()  # the refusal below rolls the session back; what it refuses must outlive that
    with pytest.raises(NotPermitted, match="Only members of Migrant Forum in Asia or the secretariat"):
        operations.transition(amendment(amendment_id), S.WITHDRAWN, actor=user(people.asetuc))
    with pytest.raises(NotPermitted, match="Only the proposing organisation may withdraw"):
        operations.transition(amendment(amendment_id), S.WITHDRAWN, actor=user(people.secretariat))
    with pytest.raises(NotPermitted, match="Only the secretariat may accept"):
        decisions.decide(amendment(amendment_id), actor=user(people.mfa), outcome=S.ACCEPTED)
    with pytest.raises(NotPermitted, match="Only the secretariat may put"):
        operations.transition(amendment(amendment_id), S.UNDER_REVIEW, actor=user(people.mfa))
    with pytest.raises(InvalidInput, match="A reason is required to reject"):
        decisions.decide(amendment(amendment_id), actor=user(people.secretariat), outcome=S.REJECTED, reason="  ")
    db.session.rollback()
    assert amendment(amendment_id).state is S.SUBMITTED
    assert versions_of()[-1].seq == 1

    operations.transition(amendment(amendment_id), S.UNDER_REVIEW, actor=user(people.secretariat))
    decisions.decide(
        amendment(amendment_id),
        actor=user(people.secretariat),
        outcome=S.REJECTED,
        reason="The obligation is already strong enough.",
    )
    db.session.commit()
    a = amendment(amendment_id)
    assert a.state is S.REJECTED and a.decided_by_id == people.secretariat and a.decided_at is not None
    assert a.reason == "The obligation is already strong enough."
    with pytest.raises(Conflict, match="A rejected amendment cannot be accepted"):
        decisions.decide(a, actor=user(people.secretariat), outcome=S.ACCEPTED)
    with pytest.raises(Conflict, match="A rejected amendment cannot be withdrawn"):
        operations.transition(a, S.WITHDRAWN, actor=user(people.mfa))
    rejected = events("amendment.reject")
    assert len(rejected) == 1 and rejected[0].details["reason"] == "The obligation is already strong enough."


def test_the_proposer_withdraws_before_a_decision(people):
    amendment_id = propose(people.mfa, "States must cooperate on recruitment.")
    operations.transition(
        amendment(amendment_id), S.WITHDRAWN, actor=user(people.mfa), reason="Merged into our other proposal."
    )
    db.session.commit()
    a = amendment(amendment_id)
    assert a.state is S.WITHDRAWN and a.reason == "Merged into our other proposal."
    assert events("amendment.withdraw")[0].actor_id == people.mfa


def test_a_decision_taken_meanwhile_wins_over_a_stale_one(people):
    amendment_id = propose(people.mfa, "States must cooperate on recruitment.")
    db.session.commit()  # another connection changes it below, and the refusal rolls the session back
    stale = amendment(amendment_id)  # loaded as submitted
    # Someone else rejects it in another transaction.
    with db.engine.begin() as other:
        other.execute(update(Amendment).where(Amendment.id == amendment_id).values(state=S.REJECTED, reason="No."))
    with pytest.raises(Conflict, match="A rejected amendment cannot be accepted"):
        decisions.decide(stale, actor=user(people.secretariat), outcome=S.ACCEPTED)
    db.session.rollback()
    assert current_text() == BASE and len(versions_of()) == 1


# --- accepting -------------------------------------------------------------------------------


def test_accepting_on_the_current_text_makes_a_version_linked_to_the_amendment(people):
    amendment_id = propose(people.mfa, "States shall closely cooperate on recruitment.", heading="Cooperation")
    outcome = accept(amendment_id, people.secretariat)
    assert outcome.state is S.ACCEPTED and not outcome.merged
    a = amendment(amendment_id)
    version = a.result_version
    assert version.cause is VersionCause.AMENDMENT and version.amendment_id == amendment_id
    assert version.text == "States shall closely cooperate on recruitment." and version.heading == "Cooperation"
    assert version.seq == 2 and version.author_id == people.secretariat
    assert clause().current_version_id == version.id
    verbs = [e.verb for e in events()]
    assert verbs[-3:] == ["clause.version", "amendment.merge", "amendment.accept"]
    assert events("amendment.merge")[0].details["three_way"] is False


def test_reference_case_same_insertion_accepted_twice_appears_once(people):
    first = propose(people.mfa, "States shall closely cooperate on recruitment.")
    second = propose(people.asetuc, "States shall closely cooperate on recruitment.")
    accept(first, people.secretariat)
    outcome = accept(second, people.secretariat)
    assert outcome.state is S.ACCEPTED and outcome.version is None  # the text already says it
    assert current_text() == "States shall closely cooperate on recruitment."
    assert current_text().count("closely") == 1
    assert [v.seq for v in versions_of()] == [1, 2]
    assert events("amendment.accept")[-1].details["unchanged"] is True


def test_reference_case_deletion_and_a_sentence_added_meanwhile_are_both_kept(people):
    proposed = PARAGRAPHS.replace(" Fees shall not be charged to workers.", "")
    amendment_id = propose(people.mfa, proposed, key="Article 2")
    target = clause("Article 2")
    edited = PARAGRAPHS.replace(
        "without discrimination.", "without discrimination. Access to remedies shall be guaranteed."
    )
    editing.edit_clause(
        target,
        actor=user(people.secretariat),
        base_version_id=target.current_version_id,
        heading=target.current_version.heading,
        text=edited,
        note="remedies",
    )
    db.session.commit()
    outcome = accept(amendment_id, people.secretariat)
    assert outcome.merged and outcome.version.seq == 3
    text = current_text("Article 2")
    assert "Access to remedies shall be guaranteed." in text
    assert "Fees shall not be charged" not in text
    assert text == edited.replace(" Fees shall not be charged to workers.", "")
    merge_event = events("amendment.merge")[0]
    assert (
        merge_event.details["three_way"] is True
        and merge_event.details["onto_version"] == versions_of("Article 2")[1].id
    )


def test_reference_case_should_then_must_is_a_conflict_resolved_with_modifications(people):
    should = propose(people.mfa, "States should cooperate on recruitment.")
    must = propose(people.asetuc, "States must cooperate on recruitment.")
    accept(should, people.secretariat)
    db.session.commit()  # the refusal below rolls the session back; what it refuses must outlive that
    with pytest.raises(decisions.AmendmentConflict) as caught:
        accept(must, people.secretariat)
    db.session.rollback()
    conflict = caught.value
    assert [(c.amendment_text, c.current_text) for c in conflict.merge.conflicts] == [("must", "should")]
    assert AMENDMENT_MARKER in conflict.merge.marked_text and CURRENT_MARKER in conflict.merge.marked_text
    assert amendment(must).state is S.SUBMITTED and current_text() == "States should cooperate on recruitment."

    current_id = clause().current_version_id
    with pytest.raises(InvalidInput, match="conflict markers") as markers:
        accept(
            must,
            people.secretariat,
            outcome=S.ACCEPTED_WITH_MODIFICATIONS,
            reason="Stronger wording.",
            text=conflict.merge.marked_text,
            base_version_id=current_id,
        )
    assert markers.value.field == "text"
    db.session.rollback()
    with pytest.raises(InvalidInput):
        accept(
            must,
            people.secretariat,
            outcome=S.ACCEPTED_WITH_MODIFICATIONS,
            text="States must cooperate on recruitment.",
            base_version_id=current_id,
        )
    db.session.rollback()
    outcome = accept(
        must,
        people.secretariat,
        outcome=S.ACCEPTED_WITH_MODIFICATIONS,
        reason="Kept the binding wording of ASETUC.",
        text="States must cooperate on recruitment.",
        base_version_id=current_id,
    )
    assert outcome.state is S.ACCEPTED_WITH_MODIFICATIONS
    a = amendment(must)
    assert (
        a.reason == "Kept the binding wording of ASETUC."
        and a.result_version.text == "States must cooperate on recruitment."
    )
    assert a.result_version.amendment_id == must and a.result_version.cause is VersionCause.AMENDMENT


def test_a_resolution_written_on_an_older_version_is_merged_onto_the_newer_one(people):
    amendment_id = propose(people.mfa, "States shall closely cooperate on recruitment.")
    old = clause().current_version_id
    target = clause()
    editing.edit_clause(
        target,
        actor=user(people.secretariat),
        base_version_id=old,
        heading=target.current_version.heading,
        text="States shall cooperate on fair recruitment.",
    )
    db.session.commit()
    accept(
        amendment_id,
        people.secretariat,
        outcome=S.ACCEPTED_WITH_MODIFICATIONS,
        reason="Reworded.",
        text="Member States shall closely cooperate on recruitment.",
        base_version_id=old,
    )
    assert current_text() == "Member States shall closely cooperate on fair recruitment."


def test_an_amendment_on_a_clause_deleted_since_is_superseded_not_applied(people):
    amendment_id = propose(people.mfa, "States must cooperate on recruitment.")
    target = clause()
    cur = target.current_version
    versions.add_version(
        target,
        number=cur.number,
        heading=cur.heading,
        text=cur.text,
        cause=VersionCause.EDIT,
        actor=user(people.secretariat),
        deleted=True,
    )
    db.session.commit()
    outcome = accept(amendment_id, people.secretariat)
    assert outcome.state is S.SUPERSEDED and outcome.version is None
    a = amendment(amendment_id)
    assert a.state is S.SUPERSEDED and "has been deleted" in a.reason and a.result_version_id is None
    assert [v.deleted for v in versions_of()] == [False, True]
    assert events("amendment.supersede")[0].details["role"] == "system"


def test_accepting_a_deletion_supersedes_the_other_open_amendments(people):
    change = propose(people.asetuc, "States must cooperate on recruitment.")
    private = propose(people.asetuc, "States shall cooperate.", submit=False)
    deletion = propose(people.mfa, kind="delete")
    outcome = accept(deletion, people.secretariat)
    assert outcome.version.deleted and outcome.version.amendment_id == deletion
    assert {a.id for a in outcome.superseded} == {change, private}
    assert clause().deleted
    assert amendment(change).state is S.SUPERSEDED and amendment(private).state is S.SUPERSEDED


def test_accepting_an_insertion_makes_a_clause_after_the_target(people):
    amendment_id = propose(
        people.mfa,
        "Member States shall publish their bilateral agreements.",
        kind="insert",
        number="Article 1A",
        heading="Transparency",
    )
    before = [c.key for c in db.session.scalars(select(Clause).order_by(Clause.position))]
    outcome = accept(amendment_id, people.secretariat)
    new = outcome.version.clause
    assert (new.key, new.uid, new.kind, new.depth) == ("Article 1A", "article-1a", clause().kind, clause().depth)
    assert outcome.version.seq == 1 and outcome.version.heading == "Transparency"
    after = [c.key for c in db.session.scalars(select(Clause).order_by(Clause.position))]
    i = before.index("Article 1") + 1
    assert after == [*before[:i], "Article 1A", *before[i:]]
    assert len({c.position for c in db.session.scalars(select(Clause))}) == len(after)  # no two clauses share a place
    assert current_text() == BASE  # the target is unchanged
    # The new clause is in the current text, in its place.
    rows = drafts.current_state(clause().instrument)
    assert [r.key for r in rows] == after


def test_headings_changed_differently_are_a_conflict(people):
    amendment_id = propose(people.mfa, "States shall cooperate on recruitment.", heading="Recruitment")
    target = clause()
    editing.edit_clause(
        target,
        actor=user(people.secretariat),
        base_version_id=target.current_version_id,
        heading="Cooperation",
        text=BASE,
    )
    db.session.commit()
    with pytest.raises(decisions.AmendmentConflict) as caught:
        accept(amendment_id, people.secretariat)
    assert caught.value.heading_conflict and caught.value.merge.clean
    assert caught.value.heading == "Recruitment"


def test_a_stale_base_while_writing_is_retried_once_on_the_newer_text(people, monkeypatch):
    amendment_id = propose(people.mfa, "States shall closely cooperate on recruitment.")
    real = versions.add_version
    calls = []

    def flaky(clause_, **kwargs):
        calls.append(kwargs["base_version_id"])
        if len(calls) == 1:
            # Someone saved a version while we merged: write it now, then fail like the CAS would.
            cur = clause_.current_version
            real(
                clause_,
                number=cur.number,
                heading=cur.heading,
                text="States shall cooperate on fair recruitment.",
                cause=VersionCause.EDIT,
                actor=None,
            )
            raise StaleBase("moved on")
        return real(clause_, **kwargs)

    monkeypatch.setattr(versions, "add_version", flaky)
    accept(amendment_id, people.secretariat)
    # The first write and the version made inside the failed attempt are both rolled back
    # to the savepoint; the retry merged onto what it read again.
    assert len(calls) == 2
    assert current_text() == "States shall closely cooperate on recruitment."
    assert events("amendment.merge")[0].details["attempts"] == 2


def test_two_stale_bases_in_a_row_write_nothing(people, monkeypatch):
    amendment_id = propose(people.mfa, "States shall closely cooperate on recruitment.")
    db.session.commit()  # the refusal below rolls the session back; what it refuses must outlive that

    def always_stale(clause_, **kwargs):
        raise StaleBase("moved on")

    monkeypatch.setattr(versions, "add_version", always_stale)
    with pytest.raises(decisions.ClauseChanged, match="changed meanwhile"):
        accept(amendment_id, people.secretariat)
    db.session.rollback()
    assert amendment(amendment_id).state is S.SUBMITTED
    assert len(versions_of()) == 1


def test_an_edit_made_on_an_old_version_is_a_conflict_with_the_merge(people):
    target = clause()
    old = target.current_version_id
    editing.edit_clause(
        target,
        actor=user(people.secretariat),
        base_version_id=old,
        heading="H",
        text="States shall cooperate on fair recruitment.",
    )
    db.session.commit()
    with pytest.raises(editing.EditConflict) as caught:
        editing.edit_clause(
            clause(),
            actor=user(people.secretariat),
            base_version_id=old,
            heading="H",
            text="States shall closely cooperate on recruitment.",
        )
    db.session.rollback()
    assert caught.value.merge.clean
    assert caught.value.merge.text == "States shall closely cooperate on fair recruitment."
    assert len(versions_of()) == 2


def test_open_amendments_on_a_clause_respect_draft_privacy(people):
    mine = propose(people.mfa, "States must cooperate on recruitment.", submit=False)
    theirs = propose(people.asetuc, "States should cooperate on recruitment.")
    assert [a.id for a in queries.open_on_clause(clause(), user(people.mfa_colleague))] == [mine, theirs]
    assert [a.id for a in queries.open_on_clause(clause(), user(people.asetuc))] == [theirs]
    assert [a.id for a in queries.open_on_clause(clause(), user(people.secretariat))] == [theirs]
    assert queries.open_on_clause(clause(), None) == []


def test_changes_that_are_not_simple_ones_are_refused_by_kind(people):
    amendment_id = propose(people.mfa, "States must cooperate on recruitment.")
    db.session.commit()  # the refusal below rolls the session back; what it refuses must outlive that
    with pytest.raises(Conflict, match="cannot return to draft"):
        operations.transition(amendment(amendment_id), S.DRAFT, actor=user(people.mfa))
    with pytest.raises(NotPermitted, match="Only the secretariat decides"):
        operations.transition(amendment(amendment_id), S.ACCEPTED, actor=user(people.mfa))
    with pytest.raises(InvalidInput, match="Use the decision form") as decision:
        operations.transition(amendment(amendment_id), S.ACCEPTED, actor=user(people.secretariat))
    assert decision.value.field == "to"
    with pytest.raises(InvalidInput, match="A reason is required to reject") as no_reason:
        decisions.decide(amendment(amendment_id), actor=user(people.secretariat), outcome=S.REJECTED)
    assert no_reason.value.field == "reason"
    db.session.rollback()
    assert amendment(amendment_id).state is S.SUBMITTED


def test_waiting_days_count_from_submission_or_else_creation(people):
    submitted = amendment(propose(people.mfa, "States must cooperate on recruitment."))
    drafted = amendment(propose(people.asetuc, "States should cooperate on recruitment.", submit=False))
    later = submitted.submitted_at.replace(tzinfo=UTC) + timedelta(days=3, hours=1)
    days = queries.waiting_days([submitted, drafted], now=later)
    assert days[submitted.id] == 3
    assert days[drafted.id] == 3  # made a moment after, never submitted


def test_state_counts_and_lists(people):
    ids = [propose(people.mfa, f"States shall cooperate on recruitment {n}.") for n in range(3)]
    propose(people.asetuc, "States must cooperate on recruitment.", submit=False)
    accept(ids[0], people.secretariat, outcome=S.REJECTED, reason="No.")
    instrument = clause().instrument
    counts = queries.state_counts(instrument)
    assert counts[S.SUBMITTED] == 2 and counts[S.REJECTED] == 1 and counts[S.DRAFT] == 0
    assert queries.state_counts(instrument, organisation_id=people.asetuc_org)[S.DRAFT] == 1
    page = queries.list_amendments(instrument, states=[S.SUBMITTED], per_page=1, page=2)
    assert page.total == 2 and page.pages == 2 and [a.id for a in page.items] == [ids[2]]
    assert queries.list_amendments(instrument, organisation_id=people.asetuc_org).total == 0  # its draft is private
    assert queries.list_amendments(instrument, organisation_id=people.asetuc_org, include_drafts=True).total == 1
    future = datetime.now(UTC) + timedelta(days=1)
    assert queries.list_amendments(instrument, older_than=future).total == 3
    assert queries.list_amendments(instrument, older_than=future - timedelta(days=30)).total == 0
    assert db.session.scalar(select(Draft)) is not None and db.session.scalar(select(ClauseVersion)) is not None
