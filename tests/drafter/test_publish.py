"""Publishing drafts, and the comment period of a circulated draft."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from drafter.extensions import db
from drafter.models import Draft, Role
from drafter.services import phases
from drafter.services.timezones import aware, to_utc
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in


@pytest.fixture
def people(app):
    with committed(app):
        import_text(instrument_md(3), "t")
        org = add_org()
        return {
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=org),
            "stakeholder": add_user("delegate@example.org", organisation=org),
        }


def draft_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Draft))


def test_secretariat_publishes_the_next_draft_with_a_comment_period(client, app, people):
    signed_in(app, people["secretariat"], client)
    form = client.get("/i/t/drafts/publish")
    assert form.status_code == 200 and "Publish Draft 2" in form.get_data(as_text=True)
    closes = date.today() + timedelta(days=14)
    response = client.post(
        "/i/t/drafts/publish",
        data={
            "title": "For the national consultations",
            "note": "Article 2 reworded.",
            "comments_close_on": closes.isoformat(),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/i/t/drafts/2/")
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.number == 2))
        assert draft.title == "For the national consultations"
        assert draft.published_by_id == people["secretariat"].id
        assert phases.is_open(draft, "comment")
        end = to_utc(closes, None, ZoneInfo("Asia/Jakarta"))
        assert draft.instrument.time_zone == "Asia/Jakarta"
        assert aware(draft.comments_close_at) == end
        assert not phases.is_open(draft, "comment", now=end + timedelta(seconds=1))
        assert [e.key for e in draft.entries] == [e.key for e in db.session.get(Draft, 1).entries]
    page = client.get("/i/t/drafts/2/").get_data(as_text=True)
    assert "Comments are open until" in page and "WIB" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give the draft a title."),
        ({"title": "x" * 501}, "500"),
        ({"title": "Late", "comments_close_on": "2001-01-01"}, "That moment has passed: choose today or a later day."),
        ({"title": "Bad date", "comments_close_on": "31/31/2030"}, "Not a valid date value."),
    ],
)
def test_bad_input_is_a_form_error_and_publishes_nothing(client, app, people, data, message):
    signed_in(app, people["secretariat"], client)
    before = draft_count(app)
    response = client.post("/i/t/drafts/publish", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert draft_count(app) == before


def test_stakeholders_and_visitors_cannot_publish(client, app, people):
    before = draft_count(app)
    assert client.post("/i/t/drafts/publish", data={"title": "x"}).status_code == 401
    signed_in(app, people["stakeholder"], client)
    assert client.get("/i/t/drafts/publish").status_code == 403
    assert client.post("/i/t/drafts/publish", data={"title": "x"}).status_code == 403
    assert draft_count(app) == before
