"""Flask-WTF forms, one module per view module (``drafter.forms.comments`` for ``drafter.views.comments`` ...).

This package holds what they share: the base :class:`Form`, which normalises
submitted text once, and common widgets, fields, filters and validators.
Every POST form carries a CSRF token (Flask-WTF's ``csrf_token`` field); GET
filter forms, which change nothing, switch it off.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from drafter.services.accounts import looks_like_email
from instrument.text import nfc


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
