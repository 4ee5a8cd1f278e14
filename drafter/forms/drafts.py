"""Forms of a draft's consultation periods, of declaring the final text, and of an instrument's settings."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from wtforms import BooleanField, DateField, SelectField, TimeField
from wtforms.validators import DataRequired, Optional, ValidationError

from drafter.forms import Form, LongSelect
from drafter.models import Draft
from drafter.services.drafts import Periods
from drafter.services.timezones import local_day_and_time, to_utc, zone_choices

#: A day given as an opening, without a time, opens at its start (a closing day ends at 23:59:59).
START_OF_DAY = time(0, 0)


def _day_needed(form, field) -> None:
    """WTForms validator of a time field: a time needs its day (the field named ``…_time`` -> ``…_on``)."""
    day = form._fields[field.name.removesuffix("_time") + "_on"]
    if field.data is not None and day.data is None and not day.errors:
        raise ValidationError("Give the day as well, or leave the time empty.")


class PeriodsForm(Form):
    """The consultation periods of a draft, entered in the instrument's zone.

    A closing day without a time means the end of that day there
    (:func:`drafter.services.timezones.to_utc`); an opening day without a
    time, its start. Amendments left without a day close with the comments.
    """

    comments_open_on = DateField(
        "Comments and amendments open on (optional)",
        description="Left empty: from publication. A day without a time opens at 00:00.",
        validators=[Optional()],
    )
    comments_open_time = TimeField("Opening time (optional)", validators=[Optional(), _day_needed])
    comments_close_on = DateField(
        "Comments and replies until (optional)",
        description="A day without a time closes at 23:59 that day. Left empty: no end.",
        validators=[Optional()],
    )
    comments_close_time = TimeField("Closing time for comments (optional)", validators=[Optional(), _day_needed])
    amendments_close_on = DateField(
        "Amendments until (optional)",
        description="No later than the comments. Left empty: when the comments close.",
        validators=[Optional()],
    )
    amendments_close_time = TimeField("Closing time for amendments (optional)", validators=[Optional(), _day_needed])

    def periods(self, zone: ZoneInfo) -> Periods:
        """The periods entered, as moments in UTC read in ``zone``."""

        def moment(day: date | None, at: time | None, default: time | None):
            return to_utc(day, at if at is not None else default, zone) if day is not None else None

        comments = moment(self.comments_close_on.data, self.comments_close_time.data, None)
        amendments = moment(self.amendments_close_on.data, self.amendments_close_time.data, None)
        return Periods(
            comments_open_from=moment(self.comments_open_on.data, self.comments_open_time.data, START_OF_DAY),
            comments_close_at=comments,
            amendments_close_at=amendments if amendments is not None else comments,
        )

    def fill_from(self, draft: Draft, zone: ZoneInfo) -> None:
        """Show ``draft``'s stored periods in ``zone`` (a time of 00:00 opening or 23:59:59 closing left empty)."""
        for name, stored in (
            ("comments_open", draft.comments_open_from),
            ("comments_close", draft.comments_close_at),
            ("amendments_close", draft.amendments_close_at),
        ):
            day, at = local_day_and_time(stored, zone)
            if name == "comments_open" and at == START_OF_DAY:
                at = None
            self._fields[f"{name}_on"].data = day
            self._fields[f"{name}_time"].data = at


class FinalForm(Form):
    """The secretariat confirms that a draft is the final, adopted text."""

    confirm = BooleanField(
        "I confirm that this draft is the adopted text, and that it can never be changed or commented on again.",
        validators=[DataRequired("Tick the box to confirm, or go back to the draft.")],
    )


class SettingsForm(Form):
    """An instrument's time zone and whether visitors who are not signed in may read it."""

    time_zone = SelectField(
        "Time zone",
        description="Dates of this instrument are entered and shown in this zone. Deadlines already set keep "
        "their moment and are shown in the new zone.",
        widget=LongSelect(),
        validate_choice=True,
    )
    is_public = BooleanField("Public: visitors who are not signed in may read the published drafts")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name) for name in zone_choices()]
