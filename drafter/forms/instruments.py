"""Forms of an instrument's own pages: publishing the next numbered draft."""

from __future__ import annotations

from datetime import UTC

from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from drafter.forms import Form, plain_text, strip


class PublishDraftForm(Form):
    """The secretariat publishes the current text as the next numbered draft."""

    title = StringField(
        "Title of the draft",
        description="For example: Revised draft for the national consultations.",
        validators=[DataRequired("Give the draft a title."), Length(max=500), plain_text],
        filters=[strip],
    )
    note = TextAreaField(
        "Change note",
        description="What changed since the previous draft, in a few sentences.",
        validators=[Optional(), Length(max=5000)],
        filters=[strip],
    )
    comments_close_on = DateField(
        "Open for comments until (optional)",
        description="Comments and amendments on this draft are refused after this day (UTC).",
        validators=[Optional()],
    )

    def validate_comments_close_on(self, field) -> None:
        """The closing day may not be in the past."""
        from datetime import datetime

        if field.data and field.data < datetime.now(UTC).date():
            raise ValidationError("Choose today or a later day.")
