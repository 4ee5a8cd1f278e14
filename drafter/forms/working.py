"""The forms of the working-draft page: restore a version, discard unpublished changes, apply amendments."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from drafter.forms import CheckboxListField, Form

_STALE = "The form lacks the version the page showed; reload the working draft and try again."

#: The largest version number a form accepts (beyond any clause's history, within the database's integers).
MAX_SEQ = 1_000_000_000


class RestoreForm(Form):
    """Restore version ``version`` of a clause, as a new version; ``current`` is the version the page showed."""

    version = IntegerField(
        "Version",
        validators=[InputRequired("Choose the version to restore."), NumberRange(min=1, max=MAX_SEQ)],
    )
    current = IntegerField(widget=HiddenInput(), validators=[InputRequired(_STALE), NumberRange(min=1)])


class DiscardForm(Form):
    """Discard every unpublished change of a clause, once confirmed."""

    confirm = BooleanField(
        "Yes, discard the unpublished changes of this clause",
        validators=[DataRequired("Tick the box to confirm; nothing was discarded.")],
    )
    current = IntegerField(widget=HiddenInput(), validators=[InputRequired(_STALE), NumberRange(min=1)])


class ApplyAmendmentsForm(Form):
    """The amendments to apply together, and whether to preview or to confirm.

    The ticked ids are checked by :func:`drafter.services.working.chosen_amendments`,
    not against a list of choices, so that a refusal can say which one and why.
    ``seen`` and ``previewed`` carry back what the preview showed.
    """

    amendment = CheckboxListField("Amendments to apply", coerce=str, validate_choice=False)
    action = StringField(validators=[AnyOf(("preview", "confirm"), message="Choose “Preview” or “Apply”.")])
    seen = SelectMultipleField(coerce=str, validate_choice=False)
    previewed = SelectMultipleField(coerce=str, validate_choice=False)
