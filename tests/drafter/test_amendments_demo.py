"""The demo amendments: one accepted, one rejected with a reason, two open ones that overlap."""

from __future__ import annotations

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Clause, VersionCause
from instrument.amendments import AmendmentState as S
from tests.drafter.accounts_helpers import put_in_session


def test_demo_amendments_load_once_and_show_each_outcome(app, client):
    from drafter.demo import DEMO_SLUG, load_demo
    from drafter.services import accounts

    with app.app_context():
        lines = list(load_demo())
        assert (
            "Demo amendments: 4 added on asean-migrant-workers (1 submitted, 1 under review, 1 accepted, 1 rejected)."
            in lines
        )
        amendments = db.session.scalars(select(Amendment).order_by(Amendment.id)).all()
        assert [a.state for a in amendments] == [S.ACCEPTED, S.REJECTED, S.SUBMITTED, S.UNDER_REVIEW]
        accepted, rejected = amendments[0], amendments[1]
        assert accepted.result_version.cause is VersionCause.AMENDMENT
        assert "to form and to join trade unions" in accepted.clause.current_version.text
        assert [o.name for o in accepted.sponsors] == ["Mekong Migrant Network"]
        assert rejected.reason.startswith("A ban on every deduction")
        assert rejected.clause.current_version.seq == rejected.base_version.seq  # nothing changed
        again = list(load_demo())
        assert "Demo amendments: 4 already on asean-migrant-workers." in again
        assert len(db.session.scalars(select(Amendment)).all()) == 4
        put_in_session(client, accounts.get_user_by_email("secretariat@drafter.example"))
        uid = db.session.scalar(select(Clause.uid).where(Clause.key == "Article 14"))
    page = client.get(f"/i/{DEMO_SLUG}/c/{uid}/amendments").get_data(as_text=True)
    assert page.count('<section class="column"') == 2
    assert page.count("Overlaps with") == 2 and '<mark class="overlap"' in page
