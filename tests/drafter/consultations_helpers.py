"""Builders shared by the consultation, traceability and permission-matrix tests."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Clause, Instrument, User
from drafter.services import attachments
from drafter.services.consultations import operations as consultation_operations
from drafter.services.editing import edit_clause


def clause_of(slug: str, key: str) -> Clause:
    """The clause ``key`` ("Article 2") of the instrument ``slug``."""
    return db.session.scalar(
        select(Clause)
        .join(Instrument, Instrument.id == Clause.instrument_id)
        .where(Instrument.slug == slug, Clause.key == key)
    )


def record_call(instrument: Instrument, actor: User, *, open_days: int = 30, title: str = "Call for written inputs"):
    """A written call open for ``open_days`` more days (closed when negative), recorded by ``actor``."""
    return consultation_operations.record_consultation(
        instrument,
        consultation_operations.ConsultationData(
            title=title,
            kind="written_call",
            starts_on=date.today() - timedelta(days=10),
            open_until=datetime.now(UTC) + timedelta(days=open_days),
        ),
        actor=actor,
    )


def record_workshop(instrument: Instrument, actor: User, *, title: str = "Regional workshop", organiser_id=None):
    """A regional workshop held on 1 August 2007."""
    return consultation_operations.record_consultation(
        instrument,
        consultation_operations.ConsultationData(
            title=title, kind="regional_workshop", starts_on=date(2007, 8, 1), organiser_id=organiser_id
        ),
        actor=actor,
    )


def secretariat_edit(clause: Clause, actor: User, old: str, new: str):
    """A direct edit of ``clause`` replacing ``old`` by ``new`` in its current text; returns the new version."""
    current = clause.current_version
    assert old in current.text, f"{old!r} is not in {clause.key}"
    return edit_clause(
        clause, actor=actor, base_version_id=current.id, heading=current.heading, text=current.text.replace(old, new)
    )


def matrix_records(app, *, slug: str, stakeholder_id: int, secretariat_id: int, amendment_id: int) -> dict:
    """Consultation records for the permission matrix, and the URL values naming them.

    An open written call; an input the stakeholder sent to it, with a text
    attachment; a secretariat edit of Article 2 citing the input and the
    world's amendment citing it too, so that no visitor's request can
    delete it (deleting a cited input is refused) and every input page
    stays there for the next visitor.

    :returns: ``{"consultation_id", "input_id", "organisation_id"}``.
    """
    with app.app_context():
        secretariat = db.session.get(User, secretariat_id)
        stakeholder = db.session.get(User, stakeholder_id)
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
        call = record_call(instrument, secretariat, title="Call for the matrix")
        item = consultation_operations.add_input(
            call,
            consultation_operations.InputData(kind="submission", title="An input for the matrix"),
            actor=stakeholder,
            upload=attachments.Upload(
                io.BytesIO(b"A written input for the matrix.\n"), "input.txt", app.config["INSTANCE_UPLOADS"]
            ),
        )
        version = secretariat_edit(clause_of(slug, "Article 2"), secretariat, "good faith", "good faith and in full")
        consultation_operations.cite_in_version(item, version, actor=secretariat)
        consultation_operations.link_amendment(item, db.session.get(Amendment, amendment_id), actor=secretariat)
        db.session.commit()
        return {"consultation_id": call.id, "input_id": item.id, "organisation_id": stakeholder.organisation_id}
