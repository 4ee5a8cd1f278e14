"""A round through the web: periods set at publication in the instrument's zone and changed later,
earlier drafts closed by the next, the final text, and the instrument's settings."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select, update

from drafter.extensions import db
from drafter.models import Draft, Instrument, Role
from drafter.services import drafts, phases
from drafter.services.comments import operations as comment_operations
from drafter.services.timezones import aware
from tests.drafter.accounts_helpers import add_org, add_user, events, row_counts
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in, text_of
from tests.export_words import poppler

#: A 15 January still to come, whatever the day the tests run.
JAN_15 = date(date.today().year + 1, 1, 15)


@pytest.fixture
def people(app):
    with committed(app):
        import_text(instrument_md(3), "t")
        org = add_org()
        return {
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=org),
            "stakeholder": add_user("delegate@example.org", organisation=org),
        }


def the_draft(app, number: int) -> Draft:
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.number == number))
        db.session.expunge(draft)
        return draft


def publish(client, **data) -> None:
    response = client.post("/i/t/drafts/publish", data={"title": "Next", **data})
    assert response.status_code == 302, text_of(response)


def test_a_day_in_jakarta_closes_at_its_last_second_and_the_page_says_wib(client, app, people):
    signed_in(app, people["secretariat"], client)
    form = text_of(client.get("/i/t/drafts/publish"))
    assert "Times in Asia/Jakarta (WIB)" in form
    publish(client, comments_close_on=JAN_15.isoformat(), amendments_close_on=JAN_15.isoformat())
    draft = the_draft(app, 2)
    assert aware(draft.comments_close_at) == datetime(JAN_15.year, 1, 15, 16, 59, 59, tzinfo=UTC)
    assert aware(draft.amendments_close_at) == aware(draft.comments_close_at)
    page = text_of(client.get("/i/t/drafts/2/"))
    assert f"Comments are open until 15 January {JAN_15.year}, 23:59 WIB." in page
    assert f"Amendments are open until 15 January {JAN_15.year}, 23:59 WIB." in page
    with app.app_context():
        draft = db.session.get(Draft, draft.id)
        assert phases.is_open(draft, "comment", now=datetime(JAN_15.year, 1, 15, 16, 59, 59, tzinfo=UTC))
        assert not phases.is_open(draft, "comment", now=datetime(JAN_15.year, 1, 15, 17, 0, 0, tzinfo=UTC))


def test_times_are_read_and_shown_in_the_zone_chosen_in_the_settings(client, app, people):
    signed_in(app, people["secretariat"], client)
    response = client.post("/i/t/settings", data={"time_zone": "Asia/Bangkok", "is_public": "y"})
    assert response.status_code == 302
    assert "Times in Asia/Bangkok (UTC+07:00)" in text_of(client.get("/i/t/drafts/publish"))
    publish(
        client,
        comments_open_on=(JAN_15 - timedelta(days=5)).isoformat(),
        comments_open_time="09:00",
        comments_close_on=JAN_15.isoformat(),
        comments_close_time="17:00",
        amendments_close_on=(JAN_15 - timedelta(days=1)).isoformat(),
    )
    draft = the_draft(app, 2)
    assert aware(draft.comments_open_from) == datetime(JAN_15.year, 1, 10, 2, 0, tzinfo=UTC)
    assert aware(draft.comments_close_at) == datetime(JAN_15.year, 1, 15, 10, 0, tzinfo=UTC)
    assert aware(draft.amendments_close_at) == datetime(JAN_15.year, 1, 14, 16, 59, 59, tzinfo=UTC)
    page = text_of(client.get("/i/t/drafts/2/"))
    assert f"Comments open on 10 January {JAN_15.year}, 09:00 UTC+07:00." in page
    # The form shows the stored moments back in the zone, a closing time of 23:59:59 left empty.
    form = text_of(client.get("/i/t/drafts/2/phases"))
    assert f'value="{JAN_15.isoformat()}"' in form and 'value="17:00"' in form and 'value="09:00"' in form
    with app.app_context():
        [event] = events("instrument.time_zone")
        assert (event.details["before"], event.details["after"]) == ("Asia/Jakarta", "Asia/Bangkok")


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"comments_close_time": "12:00"}, "Give the day as well, or leave the time empty."),
        (
            {"comments_close_on": JAN_15.isoformat(), "amendments_close_on": (JAN_15 + timedelta(days=1)).isoformat()},
            "Amendments must close no later than comments",
        ),
        (
            {"comments_open_on": (JAN_15 + timedelta(days=1)).isoformat(), "comments_close_on": JAN_15.isoformat()},
            "Comments must close after they open.",
        ),
        ({"comments_close_on": "2001-01-01"}, "That moment has passed: choose today or a later day."),
        ({"comments_close_on": JAN_15.isoformat(), "comments_close_time": "25:00"}, "Not a valid time value."),
    ],
)
def test_periods_that_cannot_work_are_form_errors_and_nothing_is_written(client, app, people, data, field_message):
    signed_in(app, people["secretariat"], client)
    with app.app_context():
        before = row_counts()
    response = client.post("/i/t/drafts/publish", data={"title": "Next", **data})
    assert response.status_code == 400 and field_message in text_of(response)
    # The same rules on the page that changes a published draft's periods.
    response = client.post("/i/t/drafts/1/phases", data=data)
    assert response.status_code == 400 and field_message in text_of(response)
    with app.app_context():
        assert row_counts() == before
        assert db.session.get(Draft, 1).comments_close_at is None


def test_extending_a_closed_comment_period_opens_it_again_audited_and_shown(client, app, people):
    signed_in(app, people["secretariat"], client)
    publish(client, comments_close_on=JAN_15.isoformat())
    with app.app_context():  # the period ends: as if the day had passed
        past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        db.session.execute(
            update(Draft).where(Draft.number == 2).values(comments_close_at=past, amendments_close_at=past)
        )
        db.session.commit()

    def comment() -> None:
        with app.app_context():
            draft = db.session.scalar(select(Draft).where(Draft.number == 2))
            row = drafts.draft_state(draft)[-1]
            author = db.session.get(type(people["stakeholder"]), people["stakeholder"].id)
            comment_operations.post(author=author, clause=row.clause, version=row.version, body="Agreed.", draft=draft)
            db.session.commit()

    with pytest.raises(phases.PeriodClosed, match="Comments closed on"):
        comment()
    assert "This draft no longer takes comments or amendments." in text_of(client.get("/i/t/drafts/2/"))
    later = JAN_15 + timedelta(days=7)
    response = client.post("/i/t/drafts/2/phases", data={"comments_close_on": later.isoformat()})
    assert response.status_code == 302
    comment()  # taken again
    page = text_of(client.get("/i/t/drafts/2/"))
    assert f"Comment period extended to {later.day} January {later.year}, 23:59 WIB" in page
    assert "by " + people["secretariat"].name in page
    assert f"Comment period extended to {later.day} January {later.year}" in text_of(client.get("/i/t/drafts/"))
    with app.app_context():
        [event] = [e for e in events("draft.phases") if e.details["number"] == 2]
        assert event.actor_id == people["secretariat"].id
        assert event.details["before"]["comments_close_at"] == past.isoformat()
        assert (
            event.details["after"]["comments_close_at"]
            == datetime(later.year, later.month, later.day, 16, 59, 59, tzinfo=UTC).isoformat()
        )


def test_publishing_the_next_draft_closes_the_earlier_ones_unless_kept_open(client, app, people):
    signed_in(app, people["secretariat"], client)
    publish(client, comments_close_on=JAN_15.isoformat())
    with app.app_context():
        assert not phases.is_open(db.session.get(Draft, 1), "comment")  # closed by Draft 2
        assert phases.is_open(db.session.get(Draft, 2), "comment")
        closed = [e for e in events("draft.phases") if e.details["reason"] == "Draft 2 published"]
        assert [e.details["number"] for e in closed] == [1]
    assert "(Draft 2 published)" in text_of(client.get("/i/t/drafts/1/"))
    publish(client, keep_earlier_open="y")
    with app.app_context():
        assert phases.is_open(db.session.get(Draft, 2), "comment")
        assert phases.is_open(db.session.get(Draft, 3), "amendment")
        assert not [e for e in events("draft.phases") if e.details["reason"] == "Draft 3 published"]


def test_a_final_draft_needs_confirming_then_takes_nothing_from_anyone(client, app, people):
    signed_in(app, people["secretariat"], client)
    publish(client)
    assert "cannot be undone" in text_of(client.get("/i/t/drafts/2/final"))
    # Not ticked: nothing happens.
    assert client.post("/i/t/drafts/2/final", data={}).status_code == 400
    assert the_draft(app, 2).final_at is None
    # Only the latest draft can be adopted.
    assert client.post("/i/t/drafts/1/final", data={"confirm": "y"}).status_code == 409
    assert the_draft(app, 1).final_at is None
    assert client.post("/i/t/drafts/2/final", data={"confirm": "y"}).status_code == 302
    final = the_draft(app, 2)
    assert final.final_at is not None
    with app.app_context():
        [event] = events("draft.final")
        assert event.actor_id == people["secretariat"].id and event.details["number"] == 2
        draft = db.session.get(Draft, final.id)
        row = drafts.draft_state(draft)[-1]
        uid = row.clause.uid
        secretariat = db.session.get(type(people["secretariat"]), people["secretariat"].id)
        for activity in phases.Activity:
            with pytest.raises(phases.PeriodClosed, match="final, adopted text"):
                phases.ensure_open(draft, activity)
        with pytest.raises(phases.PeriodClosed):
            comment_operations.post(
                author=secretariat, clause=row.clause, version=row.version, body="One more.", draft=draft
            )
        db.session.rollback()
        before = row_counts()
    # No further draft, no change of its periods, no second adoption.
    assert "no further draft can be published" in text_of(client.get("/i/t/drafts/publish"))
    assert client.post("/i/t/drafts/publish", data={"title": "After"}).status_code == 409
    assert client.post("/i/t/drafts/2/phases", data={"comments_close_on": JAN_15.isoformat()}).status_code == 409
    assert client.post("/i/t/drafts/2/final", data={"confirm": "y"}).status_code == 409
    with app.app_context():
        assert row_counts() == before
    marked = "Final text, adopted on"
    for url in ("/i/t/drafts/2/", "/i/t/drafts/", "/", f"/i/t/c/{uid}/?draft=2"):
        assert marked in text_of(client.get(url)), url
    for fmt in ("md", "html"):  # redlines name the adopted text too
        assert "Draft 2 (final text)" in text_of(client.get(f"/i/t/compare/redline.{fmt}?from=1&to=2")), fmt


def test_every_download_of_the_final_text_says_so(client, app, people, tmp_path):
    signed_in(app, people["secretariat"], client)
    assert client.post("/i/t/drafts/1/final", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        adopted = aware(db.session.get(Draft, 1).final_at).astimezone(drafts.zone_of(db.session.get(Instrument, 1)))
    marked = f"Final text, adopted on {adopted.day} {adopted:%B %Y}"
    for fmt in ("md", "html", "akn"):
        response = client.get(f"/i/t/export.{fmt}?draft=1")
        assert marked in text_of(response), fmt
    assert "<docStatus>" + marked in text_of(client.get("/i/t/export.akn?draft=1"))
    document = Document(io.BytesIO(client.get("/i/t/export.docx?draft=1").data))
    assert any(marked in p.text for p in document.paragraphs)
    pdf = tmp_path / "final.pdf"
    pdf.write_bytes(client.get("/i/t/export.pdf?draft=1").data)
    text = subprocess.run([poppler("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert marked in " ".join(text.split())


def test_making_an_instrument_private_shuts_out_anonymous_visitors(client, app, people):
    assert client.get("/i/t/drafts/1/").status_code == 200
    secretariat = signed_in(app, people["secretariat"], app.test_client())
    assert "Settings" in text_of(secretariat.get("/i/t/drafts/"))
    assert secretariat.post("/i/t/settings", data={"time_zone": "Asia/Jakarta"}).status_code == 302
    assert client.get("/i/t/drafts/1/").status_code == 401
    with app.app_context():
        assert not db.session.get(Instrument, 1).is_public
        [event] = events("instrument.visibility")
        assert (event.details["before"], event.details["after"]) == (True, False)
        assert not events("instrument.time_zone")  # unchanged: not recorded
    response = secretariat.post("/i/t/settings", data={"time_zone": "Mars/Olympus", "is_public": "y"})
    assert response.status_code == 400 and "Not a valid choice" in text_of(response)
    with app.app_context():
        assert not db.session.get(Instrument, 1).is_public


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/i/t/drafts/1/phases"),
        ("post", "/i/t/drafts/1/phases"),
        ("get", "/i/t/drafts/1/final"),
        ("post", "/i/t/drafts/1/final"),
        ("get", "/i/t/settings"),
        ("post", "/i/t/settings"),
    ],
)
def test_stakeholders_and_visitors_cannot_reach_these_pages(client, app, people, method, url):
    data = {"confirm": "y", "time_zone": "Asia/Manila", "comments_close_on": JAN_15.isoformat()}
    with app.app_context():
        before = row_counts()
    assert getattr(client, method)(url, data=data).status_code in (302, 401)  # to the sign-in page
    stakeholder = signed_in(app, people["stakeholder"], app.test_client())
    assert getattr(stakeholder, method)(url, data=data).status_code == 403
    with app.app_context():
        assert row_counts() == before


def test_a_period_closed_by_the_next_draft_can_be_saved_again_as_the_form_shows_it(client, app, people):
    """The form shows times to the minute; a stored end with seconds, sent back unchanged, is not a new end."""
    signed_in(app, people["secretariat"], client)
    publish(client)  # Draft 2 closes Draft 1
    with app.app_context():
        # An end with seconds, in the past, after the draft's publication.
        closed = (datetime.now(UTC) - timedelta(hours=1)).replace(second=37, microsecond=0)
        db.session.execute(
            update(Draft)
            .where(Draft.number == 1)
            .values(published_at=closed - timedelta(days=2), comments_close_at=closed, amendments_close_at=closed)
        )
        db.session.commit()
        changes = len(events("draft.phases"))
    form = text_of(client.get("/i/t/drafts/1/phases"))
    shown = closed.astimezone(drafts.zone_of(stored_instrument(app)))
    assert f'value="{shown:%H:%M}"' in form
    data = {
        "comments_close_on": shown.date().isoformat(),
        "comments_close_time": f"{shown:%H:%M}",
        "amendments_close_on": shown.date().isoformat(),
        "amendments_close_time": f"{shown:%H:%M}",
    }
    assert client.post("/i/t/drafts/1/phases", data=data).status_code == 302
    with app.app_context():
        assert aware(db.session.get(Draft, 1).comments_close_at) == closed
        assert len(events("draft.phases")) == changes


def stored_instrument(app) -> Instrument:
    with app.app_context():
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "t"))
        db.session.expunge(instrument)
        return instrument


def test_importing_a_new_text_into_an_adopted_instrument_is_refused_with_a_message(app, people, tmp_path):
    with committed(app):
        drafts.declare_final(db.session.scalar(select(Draft).where(Draft.number == 1)), actor=None)
    with app.app_context():
        before = row_counts()
    changed = tmp_path / "t.md"
    changed.write_text(instrument_md(3, overrides={2: "1. The Parties shall cooperate."}), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(changed), "--instrument", "t"])
    assert result.exit_code == 1
    assert "Draft 1 is the final text" in result.output and "Traceback" not in result.output
    with app.app_context():
        assert row_counts() == before


def test_periods_left_as_they_are_are_saved_even_when_amendments_outlast_comments(client, app, people):
    """A later publication may leave amendments closing after comments; saving other fields keeps that."""
    with app.app_context():
        ended = (datetime.now(UTC) - timedelta(days=1)).replace(second=0, microsecond=0)
        db.session.execute(
            update(Draft)
            .where(Draft.number == 1)
            .values(published_at=ended - timedelta(days=9), comments_close_at=ended, amendments_close_at=None)
        )
        db.session.commit()
    signed_in(app, people["secretariat"], client)
    publish(client)  # Draft 2 ends Draft 1's amendments now, after its comments
    closed = the_draft(app, 1)
    zone = drafts.zone_of(stored_instrument(app))
    comments, amendments = (aware(m).astimezone(zone) for m in (closed.comments_close_at, closed.amendments_close_at))
    assert amendments > comments
    data = {
        "comments_open_on": (comments - timedelta(days=5)).date().isoformat(),  # the one change
        "comments_close_on": comments.date().isoformat(),
        "comments_close_time": f"{comments:%H:%M}",
        "amendments_close_on": amendments.date().isoformat(),
        "amendments_close_time": f"{amendments:%H:%M}",
    }
    assert client.post("/i/t/drafts/1/phases", data=data).status_code == 302
    assert the_draft(app, 1).comments_open_from is not None


def test_a_publish_form_sent_twice_publishes_one_draft(client, app, people):
    signed_in(app, people["secretariat"], client)
    page = text_of(client.get("/i/t/drafts/publish"))
    assert 'name="number" type="hidden" value="2"' in page or 'type="hidden" name="number" value="2"' in page
    sent = {"title": "For the national consultations", "number": "2"}
    assert client.post("/i/t/drafts/publish", data=sent).status_code == 302
    with app.app_context():
        before = row_counts()
    again = client.post("/i/t/drafts/publish", data=sent)
    assert again.status_code == 409 and "Draft 2 has already been published" in text_of(again)
    with app.app_context():
        assert row_counts() == before
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 2
    # A fresh page announces Draft 3 and publishes it.
    assert client.post("/i/t/drafts/publish", data={**sent, "number": "3"}).status_code == 302
