"""Forms of an instrument's own pages: publishing the next numbered draft."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from drafter.forms import plain_text, strip
from drafter.forms.drafts import PeriodsForm


class PublishDraftForm(PeriodsForm):
    """The secretariat publishes the working draft as the next numbered draft, with its periods."""

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
    #: The number the page announced: a form sent twice publishes one draft, not two.
    number = HiddenField()
    keep_earlier_open = BooleanField(
        "Keep the earlier drafts open",
        description="Left unticked, publishing ends the comment and amendment periods of every earlier draft.",
    )
