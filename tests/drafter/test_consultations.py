"""Consultations and inputs: recording, links, the register's rules, deleting and foreign keys.

Runs on SQLite, and on PostgreSQL when ``DATABASE_URL`` is set (as in CI):
the foreign-key tests check the same refusals on both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from drafter.extensions import db
from drafter.models import (
    Consultation,
    Disposition,
    Event,
    Input,
    Instrument,
    Organisation,
    input_amendment,
    input_clause,
    input_organisation,
    input_version,
)
from drafter.services.consultations import operations as consultation_operations
from drafter.services.consultations import queries as consultation_queries
from drafter.services.errors import Conflict, InvalidInput, NotPermitted
from tests.drafter.accounts_helpers import events, row_counts
from tests.drafter.amendments_helpers import accept, add_instrument, add_people, clause, propose, user
from tests.drafter.consultations_helpers import record_call, record_workshop, secretariat_edit
from tests.drafter.helpers import import_text, instrument_md


@pytest.fixture
def people(app_ctx):
    """The amendment tests' people and a three-article instrument "t"."""
    found = add_people()
    add_instrument("t", articles=3)
    db.session.commit()  # the tests roll refusals back; the set-up must outlive that
    return found


def instrument(slug: str = "t") -> Instrument:
    return db.session.scalar(select(Instrument).where(Instrument.slug == slug))


def workshop_input(
    people, *, organisations=None, title: str = "Fair recruitment", kind: str = "recommendation"
) -> Input:
    """A workshop with one input by Migrant Forum in Asia (or ``organisations``); committed."""
    sec = user(people.secretariat)
    workshop = db.session.scalar(select(Consultation).where(Consultation.title == "Regional workshop"))
    if workshop is None:
        workshop = record_workshop(instrument(), sec)
    item = consultation_operations.add_input(
        workshop,
        consultation_operations.InputData(
            kind=kind,
            title=title,
            summary="Employers *pay* the fees.",
            organisation_ids=organisations or [people.mfa_org],
        ),
        actor=sec,
    )
    db.session.commit()
    return item


# --- recording -------------------------------------------------------------------------


def test_secretariat_records_a_workshop_with_an_input_by_two_organisations(people):
    sec = user(people.secretariat)
    workshop = record_workshop(instrument(), sec, organiser_id=people.mfa_org)
    item = consultation_operations.add_input(
        workshop,
        consultation_operations.InputData(
            kind="proposal",
            title="Going beyond treaty bodies",
            organisation_ids=[people.asetuc_org, people.mmn_org],
            reference_document="Union statement",
            reference_page="4",
        ),
        actor=sec,
    )
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(Input, item.id)
    assert item.disposition is Disposition.PENDING
    assert [o.name for o in item.organisations] == ["ASETUC", "Mekong Migrant Network"]
    assert item.by == "ASETUC and Mekong Migrant Network"
    assert item.reference == "Union statement, p. 4"
    assert not item.via_call and item.recorded_by_id == people.secretariat
    assert workshop.dates == "1 Aug 2007"
    assert [e.verb for e in events()][-2:] == ["consultation.record", "input.record"]
    assert events("input.record")[0].details["organisations"] == sorted([people.asetuc_org, people.mmn_org])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "  ", "kind": "regional_workshop", "starts_on": date(2007, 8, 1)}, "title"),
        (
            {"title": "W", "kind": "regional_workshop", "starts_on": date(2007, 8, 2), "ends_on": date(2007, 8, 1)},
            "ends_on",
        ),
        (
            {
                "title": "W",
                "kind": "regional_workshop",
                "starts_on": date(2007, 8, 1),
                "open_until": datetime(2007, 9, 1, tzinfo=UTC),
            },
            "open_until",
        ),
        (
            {"title": "W", "kind": "written_call", "starts_on": date(2007, 8, 1), "organiser_id": 999_999},
            "organiser_id",
        ),
    ],
)
def test_unusable_consultations_are_refused_with_their_field(people, data, field):
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        consultation_operations.record_consultation(
            instrument(), consultation_operations.ConsultationData(**data), actor=user(people.secretariat)
        )
    assert refused.value.field == field
    db.session.rollback()
    assert row_counts() == before


def test_only_the_secretariat_records_consultations_and_answers_inputs(people):
    with pytest.raises(NotPermitted):
        record_workshop(instrument(), user(people.mfa))
    item = workshop_input(people)
    with pytest.raises(NotPermitted):
        consultation_operations.set_disposition(item, "noted", actor=user(people.mfa), reason="mine")
    with pytest.raises(NotPermitted):
        consultation_operations.link_clause(item, clause("Article 1"), actor=user(people.mfa))


def test_a_stakeholder_submits_to_an_open_call_for_their_own_organisation_only(people):
    call = record_call(instrument(), user(people.secretariat))
    db.session.commit()
    item = consultation_operations.add_input(
        call,
        consultation_operations.InputData(
            kind="submission", title="Our written input", organisation_ids=[people.asetuc_org]
        ),
        actor=user(people.mfa),
    )
    db.session.commit()
    assert [o.id for o in item.organisations] == [people.mfa_org]  # not ASETUC, whatever the form said
    assert item.via_call
    assert events("input.submit")[0].actor_id == people.mfa


def test_nobody_but_the_secretariat_adds_inputs_to_a_closed_call_or_an_event(people):
    sec = user(people.secretariat)
    closed = record_call(instrument(), sec, open_days=-1, title="Closed call")
    workshop = record_workshop(instrument(), sec)
    db.session.commit()
    before = row_counts()
    for consultation in (closed, workshop):
        with pytest.raises(NotPermitted):
            consultation_operations.add_input(
                consultation, consultation_operations.InputData(kind="submission", title="Late"), actor=user(people.mfa)
            )
    assert row_counts() == before
    assert closed.is_open(datetime.now(UTC) - timedelta(days=2))  # it was open until yesterday
    assert not closed.is_open(datetime.now(UTC))
    # The secretariat may still record what reached it by other channels.
    consultation_operations.add_input(
        closed,
        consultation_operations.InputData(kind="submission", title="By post", organisation_ids=[people.mfa_org]),
        actor=sec,
    )


def test_an_input_needs_a_title_and_known_organisations(people):
    workshop = record_workshop(instrument(), user(people.secretariat))
    for data, field in [
        (consultation_operations.InputData(kind="pledge", title=" ", organisation_ids=[people.mfa_org]), "title"),
        (consultation_operations.InputData(kind="pledge", title="Support", organisation_ids=[]), "organisations"),
        (
            consultation_operations.InputData(
                kind="pledge", title="Support", organisation_ids=[people.mfa_org, 999_999]
            ),
            "organisations",
        ),
    ]:
        with pytest.raises(InvalidInput) as refused:
            consultation_operations.add_input(workshop, data, actor=user(people.secretariat))
        assert refused.value.field == field


# --- links -------------------------------------------------------------------------------


def test_linking_a_clause_of_another_instrument_is_refused_and_nothing_is_written(people):
    import_text(instrument_md(2), "other")
    item = workshop_input(people)
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        consultation_operations.link_clause(item, clause("Article 1", slug="other"), actor=user(people.secretariat))
    assert refused.value.field == "clause"
    db.session.rollback()
    assert row_counts() == before


def test_links_to_clauses_are_made_once_and_removed(people):
    item = workshop_input(people)
    sec = user(people.secretariat)
    assert consultation_operations.link_clause(item, clause("Article 2"), actor=sec) is True
    assert consultation_operations.link_clause(item, clause("Article 2"), actor=sec) is False
    db.session.commit()
    assert [c.key for c in item.clauses] == ["Article 2"]
    assert consultation_operations.unlink_clause(item, clause("Article 2"), actor=sec) is True
    assert consultation_operations.unlink_clause(item, clause("Article 2"), actor=sec) is False
    db.session.commit()
    assert item.clauses == []
    assert [e.verb for e in events()][-2:] == ["input.link_clause", "input.unlink_clause"]


def test_an_amendment_of_another_instrument_cannot_cite_the_input(people):
    import_text(instrument_md(2), "other")
    sec = user(people.secretariat)
    elsewhere = record_workshop(instrument("other"), sec, title="Workshop on the other instrument")
    item = consultation_operations.add_input(
        elsewhere,
        consultation_operations.InputData(kind="proposal", title="Elsewhere", organisation_ids=[people.mfa_org]),
        actor=sec,
    )
    amendment_id = propose(people.mfa, "The Parties shall act.", key="Article 2")  # on instrument "t"
    from drafter.models import Amendment

    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        consultation_operations.link_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)
    assert refused.value.field == "amendment"
    assert row_counts() == before


def test_only_edits_can_cite_inputs_directly(people):
    item = workshop_input(people)
    sec = user(people.secretariat)
    imported = clause("Article 1").current_version
    with pytest.raises(InvalidInput, match="no sources"):
        consultation_operations.cite_in_version(item, imported, actor=sec)
    amendment_id = propose(people.mfa, "1. The Parties shall act at once.")
    made = accept(amendment_id, people.secretariat).version
    with pytest.raises(InvalidInput, match="cite the input on its amendment"):
        consultation_operations.cite_in_version(item, made, actor=user(people.secretariat))


def test_proposers_cite_inputs_on_their_open_amendment_others_may_not(people):
    item = workshop_input(people)
    amendment_id = propose(people.mfa, "1. The Parties shall act at once.")
    from drafter.models import Amendment

    amendment = db.session.get(Amendment, amendment_id)
    assert consultation_operations.set_amendment_inputs(amendment, [item.id], actor=user(people.mfa_colleague)) == (
        1,
        0,
    )
    db.session.commit()
    with pytest.raises(NotPermitted):
        consultation_operations.set_amendment_inputs(amendment, [], actor=user(people.asetuc))
    assert [i.id for i in consultation_queries.inputs_cited_by(amendment)] == [item.id]
    accept(amendment_id, people.secretariat)
    amendment = db.session.get(Amendment, amendment_id)
    with pytest.raises(NotPermitted):  # decided: only the secretariat changes its sources now
        consultation_operations.set_amendment_inputs(amendment, [], actor=user(people.mfa))
    assert consultation_operations.set_amendment_inputs(amendment, [], actor=user(people.secretariat)) == (0, 1)


# --- the register's rules ---------------------------------------------------------------------


@pytest.mark.parametrize("disposition", ["not_reflected", "noted"])
def test_not_reflected_and_noted_need_a_reason(people, disposition):
    item = workshop_input(people)
    with pytest.raises(InvalidInput) as refused:
        consultation_operations.set_disposition(item, disposition, actor=user(people.secretariat), reason="   ")
    assert refused.value.field == "reason"
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Input, item.id).disposition is Disposition.PENDING
    consultation_operations.set_disposition(
        item, disposition, actor=user(people.secretariat), reason="Outside the scope."
    )
    db.session.commit()
    assert item.disposition.value == disposition and item.decided_by_id == people.secretariat
    assert events("input.disposition")[-1].details == {
        "before": "pending",
        "after": disposition,
        "reason": "Outside the scope.",
    }


def test_reflected_is_computed_from_links_and_the_manual_answer_needs_that_evidence(people):
    """ "Reflected" may only be said of an input that some version cites; links alone never answer it."""
    item = workshop_input(people)
    sec = user(people.secretariat)
    with pytest.raises(InvalidInput) as refused:
        consultation_operations.set_disposition(item, "reflected", actor=sec)
    assert refused.value.field == "disposition"
    assert consultation_queries.evidence([item.id]) == {}

    # An amendment cites it: not evidence until the amendment is accepted and makes a version.
    amendment_id = propose(people.mfa, "1. The Parties shall act at once and in good faith.")
    from drafter.models import Amendment

    consultation_operations.link_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)
    db.session.commit()
    assert consultation_queries.evidence([item.id]) == {}
    version = accept(amendment_id, people.secretariat).version
    found = consultation_queries.evidence([item.id])[item.id]
    assert [(e.version.id, e.amendment_id, e.clause.key) for e in found] == [(version.id, amendment_id, "Article 1")]
    assert item.disposition is Disposition.PENDING  # the answer is still the secretariat's to give

    # A secretariat edit citing it is evidence too.
    edit = secretariat_edit(clause("Article 2"), sec, "good faith", "good faith and promptly")
    consultation_operations.cite_in_version(item, edit, actor=sec)
    db.session.commit()
    assert [e.version.id for e in consultation_queries.evidence([item.id])[item.id]] == [version.id, edit.id]

    consultation_operations.set_disposition(
        item, "reflected_in_part", actor=sec, reason="The fee ban is in; the fund is not."
    )
    db.session.commit()
    # Removing one piece of evidence is fine; the last one is refused while the answer says "reflected".
    assert consultation_operations.uncite_version(item, edit, actor=sec)
    with pytest.raises(InvalidInput, match="Change the disposition first"):
        consultation_operations.unlink_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)
    consultation_operations.set_disposition(item, "pending", actor=sec)
    assert item.decided_by_id is None and item.decided_at is None
    assert consultation_operations.unlink_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)


def test_sources_of_versions_follow_their_cause(people):
    item = workshop_input(people)
    other = workshop_input(people, title="Second input")
    sec = user(people.secretariat)
    amendment_id = propose(people.mfa, "1. The Parties shall act at once.")
    from drafter.models import Amendment

    consultation_operations.link_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)
    by_amendment = accept(amendment_id, people.secretariat).version
    edit = secretariat_edit(clause("Article 2"), sec, "good faith", "good faith and promptly")
    consultation_operations.cite_in_version(other, edit, actor=sec)
    imported = clause("Article 3").current_version
    db.session.commit()
    sources = consultation_queries.sources_of_versions([by_amendment, edit, imported])
    assert {k: [i.id for i in v] for k, v in sources.items()} == {by_amendment.id: [item.id], edit.id: [other.id]}


def test_counts_per_disposition(people):
    sec = user(people.secretariat)
    items = [workshop_input(people, title=f"Input {n}") for n in range(4)]
    consultation_operations.set_disposition(items[0], "noted", actor=sec, reason="Work plan.")
    consultation_operations.set_disposition(items[1], "not_reflected", actor=sec, reason="No agreement.")
    consultation_operations.withdraw_input(items[2], actor=user(people.mfa))
    db.session.commit()
    counts = consultation_queries.disposition_counts(items[0].consultation)
    assert counts == {
        **dict.fromkeys(Disposition, 0),
        Disposition.PENDING: 1,
        Disposition.NOTED: 1,
        Disposition.NOT_REFLECTED: 1,
        Disposition.WITHDRAWN: 1,
    }
    assert consultation_queries.disposition_counts(instrument=instrument()) == counts


def test_withdrawing_is_for_the_organisation_while_pending_and_for_the_secretariat(people):
    item = workshop_input(people)
    with pytest.raises(NotPermitted):
        consultation_operations.withdraw_input(item, actor=user(people.asetuc))
    consultation_operations.set_disposition(item, "noted", actor=user(people.secretariat), reason="Outside the scope.")
    db.session.commit()
    with pytest.raises(NotPermitted):  # answered: no longer the organisation's to withdraw
        consultation_operations.withdraw_input(item, actor=user(people.mfa))
    consultation_operations.withdraw_input(
        item, actor=user(people.secretariat), reason="At the organisation's request."
    )
    db.session.commit()
    assert item.disposition is Disposition.WITHDRAWN
    n = len(events("input.withdraw"))
    consultation_operations.withdraw_input(item, actor=user(people.mfa))  # already withdrawn: nothing changes
    assert len(events("input.withdraw")) == n


# --- deleting and foreign keys ------------------------------------------------------------------


def test_a_pending_uncited_input_is_deleted_with_its_own_links(people):
    item = workshop_input(people)
    consultation_operations.link_clause(item, clause("Article 1"), actor=user(people.secretariat))
    db.session.commit()
    item_id = item.id
    consultation_operations.delete_input(item, actor=user(people.secretariat))
    db.session.commit()
    assert db.session.get(Input, item_id) is None
    assert db.session.scalar(select(func.count()).select_from(input_clause)) == 0
    assert db.session.scalar(select(func.count()).select_from(input_organisation)) == 0
    assert db.session.get(Organisation, people.mfa_org) is not None
    assert events("input.delete")[0].details["input"] == item_id


def test_deleting_an_input_that_decisions_or_versions_refer_to_is_refused(people):
    sec = user(people.secretariat)
    cited = workshop_input(people, title="Cited by an edit")
    answered = workshop_input(people, title="Answered")
    consultation_operations.cite_in_version(
        cited, secretariat_edit(clause("Article 2"), sec, "good faith", "good faith, openly"), actor=sec
    )
    consultation_operations.set_disposition(answered, "noted", actor=sec, reason="Outside the scope.")
    db.session.commit()
    before = row_counts()
    for item in (cited, answered):
        with pytest.raises(Conflict, match="Withdraw it instead"):
            consultation_operations.delete_input(item, actor=sec)
        db.session.rollback()
    assert row_counts() == before


def _raw_delete_fails(statement) -> None:
    """Run a DELETE behind the application's back; the database must refuse it."""
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(statement)


def test_the_database_refuses_deletes_that_would_leave_dangling_references(people):
    """ON DELETE RESTRICT on SQLite (foreign keys on) and PostgreSQL alike."""
    sec = user(people.secretariat)
    item = workshop_input(people)
    amendment_id = propose(people.mfa, "1. The Parties shall act at once.")
    from drafter.models import Amendment, ClauseVersion

    consultation_operations.link_amendment(item, db.session.get(Amendment, amendment_id), actor=sec)
    edit = secretariat_edit(clause("Article 2"), sec, "good faith", "good faith, openly")
    consultation_operations.cite_in_version(item, edit, actor=sec)
    db.session.commit()
    before = row_counts()
    _raw_delete_fails(delete(Input).where(Input.id == item.id))
    _raw_delete_fails(delete(Amendment).where(Amendment.id == amendment_id))
    _raw_delete_fails(delete(ClauseVersion).where(ClauseVersion.id == edit.id))
    _raw_delete_fails(delete(Consultation).where(Consultation.id == item.consultation_id))
    _raw_delete_fails(delete(Organisation).where(Organisation.id == people.mfa_org))
    db.session.rollback()
    assert row_counts() == before
    # The ORM, asked to delete the object itself, does not clear the link rows first: refused too.
    db.session.delete(db.session.get(Input, item.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert row_counts() == before
    assert db.session.scalar(select(func.count()).select_from(input_amendment)) == 1
    assert db.session.scalar(select(func.count()).select_from(input_version)) == 1


def test_every_change_is_an_event(people):
    sec = user(people.secretariat)
    item = workshop_input(people)
    consultation_operations.link_clause(item, clause("Article 1"), actor=sec)
    consultation_operations.set_disposition(item, "noted", actor=sec, reason="Outside the scope.")
    db.session.commit()
    verbs = [e.verb for e in db.session.scalars(select(Event).where(Event.verb.like("input.%")).order_by(Event.id))]
    assert verbs == ["input.record", "input.link_clause", "input.disposition"]
    assert {e.instrument_id for e in events() if e.verb.startswith(("input.", "consultation."))} == {instrument().id}
