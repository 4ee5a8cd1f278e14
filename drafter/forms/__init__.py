"""Flask-WTF forms. Every POST form carries a CSRF token (Flask-WTF's ``csrf_token`` field).

Length limits follow the columns they fill (see :mod:`drafter.models.user`)
and the password rules in :mod:`drafter.services.accounts`.
"""

from __future__ import annotations

from datetime import UTC

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from drafter.models import Organisation, OrganisationType, Role, UserState
from drafter.models.user import COUNTRIES
from drafter.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, find_organisation, looks_like_email
from instrument.text import nfc

NEW_ORGANISATION = "new"


def options(pairs) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LongSelect(Select):
    """A ``<select>`` widget for lists of thousands of options (every clause of a long instrument).

    The HTML is WTForms' own (:class:`wtforms.widgets.Select`); an option
    without extra attributes is written with one format instead of
    ``html_params``, which took two thirds of a comments list page with
    1,900 clauses to choose from.
    """

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        """One ``<option>``, as :meth:`wtforms.widgets.Select.render_option` writes it."""
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = choice.label or choice.value
        return Markup(f'<option{selected} value="{escape(choice.value)}">{escape(label)}</option>')


class Form(FlaskForm):
    """The base of every form: text enters the application here, normalised once.

    Each submitted string value is put in one form before any field reads it:
    line endings (CRLF from browsers, lone CR, U+0085, U+2028, U+2029) become
    LF and the text is NFC (:func:`instrument.text.nfc`). Rules that read lines
    (conflict markers, "no change", empty text, paragraph anchors) then see the
    text as it will be stored. Uploaded files and passwords are passed on unchanged.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """Flask-WTF's form data, with every string value normalised (see :class:`Form`)."""
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            # Passwords are compared with the hash of what was typed before; never rewrite them.
            secret = {name for name, field in form._fields.items() if isinstance(field, PasswordField)}
            return MultiDict(
                [
                    (key, nfc(value) if isinstance(value, str) and key not in secret else value)
                    for key, value in data.items(multi=True)
                ]
            )


def strip(value):
    """WTForms filter: surrounding whitespace off a text value; other values unchanged."""
    return value.strip() if isinstance(value, str) else value


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (easier on a phone than a multi-select box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def email_address(form, field) -> None:
    """WTForms validator: a plausible e-mail address (see :func:`~drafter.services.accounts.looks_like_email`)."""
    if field.data and not looks_like_email(field.data.lower()):
        raise ValidationError("Enter an email address such as name@example.org.")


def plain_text(form, field) -> None:
    """WTForms validator: no control characters (tabs, newlines, NUL ...) in a one-line field."""
    if field.data and any(ord(ch) < 32 or ord(ch) == 127 for ch in field.data):
        raise ValidationError("Use letters, digits and punctuation only.")


def _email_field(label: str = "Email address") -> StringField:
    return StringField(
        label, validators=[DataRequired("Enter your email address."), Length(max=254), email_address], filters=[strip]
    )


def _new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good password.",
    )


def _confirm_field(label: str = "New password again") -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords differ.")]
    )


class SignInForm(Form):
    """Email, password and "remember me"; ``next`` is where to go after signing in."""

    email = _email_field()
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class RegisterForm(Form):
    """Self-registration: the person, their password and their organisation (listed or new)."""

    name = StringField(
        "Your name as others will see it",
        validators=[DataRequired("Enter a name."), Length(max=200), plain_text],
        filters=[strip],
        description="For example “MFA delegate” or your own name.",
    )
    email = _email_field()
    password = _new_password_field("Password")
    confirm = _confirm_field("Password again")
    organisation = SelectField("Your organisation", validators=[DataRequired("Choose your organisation.")])
    new_name = StringField("Name of the organisation", validators=[Length(max=200), plain_text], filters=[strip])
    new_type = SelectField(
        "Kind of organisation",
        choices=options(
            [("", "— choose —")]
            + [(t.value, t.label) for t in OrganisationType if t is not OrganisationType.SECRETARIAT]
        ),
    )
    new_country = SelectField("Country", choices=options([("", "— choose —"), *COUNTRIES.items()]))

    def set_organisations(self, organisations: list[Organisation]) -> None:
        """Offer ``organisations`` (and "not listed") in the organisation list."""
        self.organisation.choices = options(
            [("", "— choose —")]
            + [(str(o.id), o.name) for o in organisations if o.type is not OrganisationType.SECRETARIAT]
            + [(NEW_ORGANISATION, "My organisation is not listed: add it below")]
        )

    def validate(self, extra_validators=None) -> bool:
        """Run the field validators, then require the new organisation's details when "not listed" is chosen."""
        ok = super().validate(extra_validators)
        if self.organisation.data != NEW_ORGANISATION:
            return ok
        if not self.new_name.data:
            self.new_name.errors.append("Enter the name of your organisation.")
            ok = False
        elif find_organisation(self.new_name.data) is not None:
            self.new_name.errors.append("This organisation is already listed: choose it above.")
            ok = False
        if not self.new_type.data:
            self.new_type.errors.append("Choose the kind of organisation.")
            ok = False
        if not self.new_country.data:
            self.new_country.errors.append("Choose a country, or “Regional / other”.")
            ok = False
        return ok


class ResetRequestForm(Form):
    """Ask for a password-reset link."""

    email = _email_field()


class ResetPasswordForm(Form):
    """Choose a new password with a reset link."""

    password = _new_password_field()
    confirm = _confirm_field()


class ChangePasswordForm(Form):
    """Change one's own password."""

    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password."), Length(max=MAX_PASSWORD_LENGTH)]
    )
    password = _new_password_field()
    confirm = _confirm_field()


class DecisionForm(Form):
    """Approve or refuse a registration; a refusal may carry a note for the audit log."""

    reason = TextAreaField("Note (optional, kept in the log)", validators=[Optional(), Length(max=500)])


class RoleForm(Form):
    """Give an account another role."""

    role = SelectField("Role", choices=options((r.value, r.value.capitalize()) for r in Role))


class StateForm(Form):
    """Disable an account or make it active again."""

    state = SelectField(
        "State", choices=options([(UserState.ACTIVE.value, "Active"), (UserState.DISABLED.value, "Disabled")])
    )


class EventFilterForm(Form):
    """Filters of the audit log page (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    verb = SelectField("What happened", validators=[Optional()])
    actor = StringField("Done by (email)", validators=[Optional(), Length(max=254)], filters=[strip])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To (inclusive)", validators=[Optional()])

    def set_verbs(self, verbs: list[str]) -> None:
        """Offer ``verbs`` in the "what happened" list."""
        self.verb.choices = options([("", "Anything")] + [(v, v) for v in verbs])


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
