"""Forms for consultations, inputs, dispositions and links.

Every POST form carries a CSRF token (Flask-WTF). Length limits follow the
columns and :mod:`drafter.services.consultations`. The filter forms of the
register and the matrix are GET forms without a token: they change nothing.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from drafter.forms import CheckboxListField, Form, options, plain_text, strip
from drafter.models import ConsultationKind, Disposition, InputKind
from drafter.services.consultations.operations import MAX_REASON, MAX_SUMMARY, MAX_TITLE


class ConsultationForm(Form):
    """Recording (or correcting) a consultation."""

    title = StringField(
        "Title",
        validators=[DataRequired("Give the consultation a title."), Length(max=MAX_TITLE), plain_text],
        filters=[strip],
    )
    kind = SelectField(
        "Kind", choices=options((k.value, k.label) for k in ConsultationKind), validators=[InputRequired()]
    )
    starts_on = DateField("First day (or the day the call opened)", validators=[DataRequired("Give a date.")])
    ends_on = DateField("Last day (if it lasted several days)", validators=[Optional()])
    place = StringField("Place", validators=[Optional(), Length(max=200), plain_text], filters=[strip])
    organiser = SelectField("Organised by", validators=[Optional()])
    summary = TextAreaField(
        "Summary",
        description="What the consultation was for and what came out of it. Markdown: *emphasis*, lists with “-”.",
        validators=[Optional(), Length(max=MAX_SUMMARY)],
        filters=[strip],
    )
    open_until = DateField(
        "Written inputs accepted until (written calls only; inclusive, UTC)", validators=[Optional()]
    )

    def set_organisations(self, organisations) -> None:
        """Offer ``organisations`` as organisers."""
        self.organiser.choices = options([("", "— none —")] + [(str(o.id), o.name) for o in organisations])

    def validate_ends_on(self, field) -> None:
        """The last day is not before the first."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day is before the first day.")

    def validate_open_until(self, field) -> None:
        """Only written calls have a closing date."""
        if field.data and self.kind.data != ConsultationKind.WRITTEN_CALL.value:
            raise ValidationError("Only a written call takes inputs until a closing date.")


class InputForm(Form):
    """An input: recorded by the secretariat, or submitted by a stakeholder to an open call."""

    kind = SelectField(
        "Kind of input", choices=options((k.value, k.label) for k in InputKind), validators=[InputRequired()]
    )
    title = StringField(
        "Short title",
        validators=[DataRequired("Give the input a short title."), Length(max=MAX_TITLE), plain_text],
        filters=[strip],
    )
    summary = TextAreaField(
        "Summary",
        description="What the input asks for or offers, in a few sentences. Markdown is allowed.",
        validators=[Optional(), Length(max=MAX_SUMMARY)],
        filters=[strip],
    )
    organisations = CheckboxListField("Made by", coerce=int, validators=[Optional()])
    reference_document = StringField(
        "Document (optional)",
        description="Title of the paper, tool-kit or statement it comes from.",
        validators=[Optional(), Length(max=500), plain_text],
        filters=[strip],
    )
    reference_page = StringField(
        "Page (optional)", validators=[Optional(), Length(max=40), plain_text], filters=[strip]
    )
    attachment = FileField(
        "Attached file (optional)",
        description="A PDF, a Word document (.docx) or a plain text file. Only signed-in participants can download it.",
    )

    def set_organisations(self, organisations) -> None:
        """Offer ``organisations`` (the secretariat names who made the input)."""
        self.organisations.choices = options((o.id, o.name) for o in organisations)


class DispositionForm(Form):
    """The secretariat's answer to an input."""

    disposition = SelectField(
        "Disposition", choices=options((d.value, d.label) for d in Disposition), validators=[InputRequired()]
    )
    reason = TextAreaField(
        "Reason",
        description="Required for “not reflected” and “noted”. The organisation will read it.",
        validators=[Optional(), Length(max=MAX_REASON)],
        filters=[strip],
    )


class WithdrawForm(Form):
    """Withdrawing an input, with an optional reason."""

    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=MAX_REASON)], filters=[strip])


class ConfirmForm(Form):
    """A button with nothing but the CSRF token (delete)."""


#: What a link form changes: target kind -> label.
LINK_TARGETS = {"clause": "clause", "amendment": "amendment", "version": "edit version"}


class LinkForm(Form):
    """Add or remove one link of an input: to a clause, an amendment or an edit version."""

    target = HiddenField(validators=[InputRequired()])
    op = HiddenField(validators=[InputRequired()])
    value = StringField("Which", validators=[DataRequired("Choose what to link."), Length(max=120)], filters=[strip])

    def validate_target(self, field) -> None:
        """Only the known kinds of link."""
        if field.data not in LINK_TARGETS:
            raise ValidationError("Unknown kind of link.")

    def validate_op(self, field) -> None:
        """Add or remove."""
        if field.data not in ("add", "remove"):
            raise ValidationError("Unknown operation.")


class CiteInputsForm(Form):
    """The inputs an amendment cites (proposers and the secretariat)."""

    inputs = CheckboxListField("Inputs behind this amendment", coerce=int, validators=[Optional()])

    def set_inputs(self, inputs) -> None:
        """Offer ``inputs`` ("Title — organisations (consultation)")."""
        self.inputs.choices = options((i.id, f"{i.title} — {i.by} ({i.consultation.title})") for i in inputs)
