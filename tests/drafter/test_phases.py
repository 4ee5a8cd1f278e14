"""The one rule of whether a draft takes comments, replies and amendments, and deadlines in an instrument's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from drafter.models import Draft, Instrument
from drafter.services import phases
from drafter.services.timezones import format_moment, to_utc, zone_abbreviation

JAKARTA = ZoneInfo("Asia/Jakarta")


def a_draft(**phases_at) -> Draft:
    instrument = Instrument(slug="t", title="T", time_zone="Asia/Jakarta")
    return Draft(number=2, instrument=instrument, published_at=datetime(2027, 1, 1, tzinfo=UTC), **phases_at)


def test_a_day_in_jakarta_closes_at_its_last_second_there():
    closes = to_utc(date(2027, 1, 15), None, JAKARTA)
    assert closes == datetime(2027, 1, 15, 16, 59, 59, tzinfo=UTC)
    assert format_moment(closes, JAKARTA) == "15 January 2027, 23:59 WIB"
    draft = a_draft(comments_close_at=closes)
    assert phases.is_open(draft, "comment", now=closes)
    assert not phases.is_open(draft, "comment", now=closes + timedelta(seconds=1))
    assert "15 January 2027, 23:59 WIB" in phases.phase(draft, "comment", now=closes).describe()


def test_a_time_of_day_is_read_in_the_zone():
    assert to_utc(date(2027, 3, 1), time(9, 30), JAKARTA) == datetime(2027, 3, 1, 2, 30, tzinfo=UTC)


def test_zones_without_an_abbreviation_are_named_by_their_offset():
    assert zone_abbreviation(datetime(2027, 1, 1, tzinfo=UTC), ZoneInfo("Asia/Bangkok")) == "UTC+07:00"


def test_comments_and_amendments_have_their_own_periods():
    draft = a_draft(
        comments_close_at=datetime(2027, 2, 1, tzinfo=UTC), amendments_close_at=datetime(2027, 1, 20, tzinfo=UTC)
    )
    between = datetime(2027, 1, 25, tzinfo=UTC)
    assert phases.is_open(draft, phases.Activity.COMMENT, now=between)
    assert not phases.is_open(draft, phases.Activity.AMENDMENT, now=between)
    with pytest.raises(phases.PeriodClosed, match="Amendments closed on 20 January 2027, 07:00 WIB"):
        phases.ensure_open(draft, phases.Activity.AMENDMENT, now=between)


def test_a_period_may_open_later_than_the_publication():
    draft = a_draft(comments_open_from=datetime(2027, 1, 10, tzinfo=UTC))
    judged = phases.phase(draft, "comment", now=datetime(2027, 1, 5, tzinfo=UTC))
    assert judged.state is phases.PhaseState.NOT_YET and "open on 10 January 2027" in judged.describe()
    assert phases.is_open(draft, "comment", now=datetime(2027, 1, 10, tzinfo=UTC))


def test_without_dates_a_draft_stays_open_and_a_final_draft_takes_nothing():
    assert phases.is_open(a_draft(), "amendment", now=datetime(2040, 1, 1, tzinfo=UTC))
    final = a_draft(final_at=datetime(2027, 6, 1, tzinfo=UTC))
    for activity in phases.Activity:
        with pytest.raises(phases.PeriodClosed, match="final, adopted text"):
            phases.ensure_open(final, activity, now=datetime(2027, 6, 2, tzinfo=UTC))
