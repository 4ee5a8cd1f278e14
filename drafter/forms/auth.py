"""Forms of signing in, registering and choosing a password.

Length limits follow the columns they fill (see :mod:`drafter.models.user`)
and the password rules in :mod:`drafter.services.accounts`.
"""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from drafter.forms import Form, email_address, options, plain_text, strip
from drafter.models import Organisation, OrganisationType
from drafter.models.user import COUNTRIES
from drafter.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, find_organisation

#: The organisation choice meaning "not listed: add it below".
NEW_ORGANISATION = "new"


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
