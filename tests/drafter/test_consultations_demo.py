"""The demo consultation record: the Expert Group Workshop of 1 August 2007, loaded once, with every register state."""

from __future__ import annotations

from sqlalchemy import select

from drafter.demo import DEMO_SLUG, load_demo
from drafter.extensions import db
from drafter.models import Consultation, Disposition, Input, Organisation, OrganisationType, User
from drafter.services.consultations import queries as consultation_queries
from tests.drafter.accounts_helpers import put_in_session, row_counts


def test_the_demo_records_the_workshop_once_with_every_kind_of_answer(app, client):
    with app.app_context():
        lines = list(load_demo())
        assert any(line.startswith("Demo consultation: the Expert Group Workshop") for line in lines)
        before = row_counts()
        again = list(load_demo())
        assert "Demo consultation: the Expert Group Workshop is already recorded." in again
        assert row_counts() == before
        workshop = db.session.scalar(select(Consultation))
        assert (
            workshop.starts_on.isoformat() == "2007-08-01"
            and workshop.organiser.name == "Task Force on ASEAN Migrant Workers"
        )
        counts = consultation_queries.disposition_counts(workshop)
        assert counts[Disposition.REFLECTED] >= 2 and counts[Disposition.REFLECTED_IN_PART] >= 1
        assert (
            counts[Disposition.NOT_REFLECTED] >= 1
            and counts[Disposition.NOTED] >= 1
            and counts[Disposition.PENDING] >= 2
        )
        inputs = list(db.session.scalars(select(Input)))
        found = consultation_queries.evidence(i.id for i in inputs)
        for item in inputs:
            assert item.clauses, item.title
            if item.disposition.needs_evidence:
                assert found.get(item.id), item.title
            if item.disposition.needs_reason:
                assert item.disposition_reason, item.title
        via_amendment = {i.title for i in inputs if i.amendments}
        assert "Migrant workers must be able to form and lead unions" in via_amendment
        assert {o.type for o in db.session.scalars(select(Organisation))} >= {
            OrganisationType.INTERGOVERNMENTAL,
            OrganisationType.ACADEMIC,
            OrganisationType.TRADE_UNION,
            OrganisationType.NGO,
        }
        secretariat = db.session.scalar(select(User).where(User.email == "secretariat@drafter.example"))
        put_in_session(client, secretariat)
    # Every traceability page shows real content from the first start.
    mfa_input = next(i for i in inputs if i.title.startswith("Migrant workers must be able"))
    for path, words in [
        (f"/i/{DEMO_SLUG}/consultations/{workshop.id}/", "Expert Group Workshop"),
        (f"/i/{DEMO_SLUG}/inputs/{mfa_input.id}/", "Article 10, version 2"),
        (f"/i/{DEMO_SLUG}/c/article-10/provenance", "Migrant workers must be able to form and lead unions"),
        (f"/i/{DEMO_SLUG}/register", "Not reflected"),
        (f"/i/{DEMO_SLUG}/matrix", "reflected in Article 8 version 2"),
        (f"/i/{DEMO_SLUG}/drafts/2/sources", "Article 12"),
    ]:
        response = client.get(path)
        assert response.status_code == 200 and words in response.get_data(as_text=True), path


def test_the_synoptic_table_names_the_inputs_behind_each_amendment(app, client):
    import csv
    import io

    with app.app_context():
        list(load_demo())
        put_in_session(client, db.session.scalar(select(User).where(User.email == "asetuc@drafter.example")))
    body = client.get(f"/i/{DEMO_SLUG}/synoptic?format=csv").get_data(as_text=True).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    article10 = next(r for r in rows[1:] if r[0].startswith("Article 10 "))
    sources = article10[-1]
    assert "Migrant Forum in Asia (Expert Group Workshop on the ASEAN Framework Instrument, 1 Aug 2007)" in sources
    assert "Migrant workers must be able to form and lead unions — reflected" in sources
    assert "Mekong Migrant Network" in sources and "reflected in part" in sources
