"""The form of the secretariat's direct edit of a clause.

Length limits follow :mod:`drafter.services.amendments.operations` (``MAX_TEXT``) and the
columns they fill.
"""

from __future__ import annotations

from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from drafter.forms import Form, plain_text, strip
from drafter.services.amendments.operations import MAX_TEXT


class EditClauseForm(Form):
    """The secretariat's direct edit of a clause, with the version it started from."""

    heading = StringField("Heading", validators=[Optional(), Length(max=500), plain_text], filters=[strip])
    text = TextAreaField(
        "Text",
        validators=[DataRequired("The clause needs a text; to delete it, propose a deletion."), Length(max=MAX_TEXT)],
    )
    note = StringField(
        "Note (optional)",
        description="A few words shown in the clause's history, for example “typo” or “agreed at the workshop”.",
        validators=[Optional(), Length(max=300), plain_text],
        filters=[strip],
    )
    base_version_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
