"""The widget for long option lists writes the same HTML as WTForms' own select."""

from __future__ import annotations

from wtforms import Form, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import Select

from drafter.forms import LongSelect

CHOICES = [
    SelectChoice(v, label)
    for v, label in [
        ("", "Any clause"),
        ("1", "Article 1 — Scope & purpose"),
        ("2", 'The "Parties"'),
        ("3", "<b>bold</b>"),
        ("4", ""),
        ("5", "Article 5 — Ñ, ü, ไทย"),
        ("6", "Article 6"),
    ]
]


def _pair(selected, multiple=False):
    field = SelectMultipleField if multiple else SelectField

    class Both(Form):
        theirs = field(choices=CHOICES, widget=Select(multiple=multiple))
        ours = field(choices=CHOICES, widget=LongSelect(multiple=multiple))

    form = Both(data={"theirs": selected, "ours": selected})
    return str(form.theirs()).replace('"theirs"', '"x"'), str(form.ours()).replace('"ours"', '"x"')


def test_long_select_writes_what_wtforms_writes():
    for selected in ("", "2", "3", "6", "missing"):
        theirs, ours = _pair(selected)
        assert ours == theirs
    theirs, ours = _pair(["1", "5"], multiple=True)
    assert ours == theirs and ours.count(" selected ") == 2
    assert "&lt;b&gt;bold&lt;/b&gt;" in ours and "&#34;Parties&#34;" in ours


def test_long_select_keeps_extra_attributes():
    class WithAttributes(Form):
        pick = SelectField(
            choices=[SelectChoice("1", "One", render_kw={"disabled": True}), SelectChoice("2", "Two")],
            widget=LongSelect(),
        )

    html = str(WithAttributes().pick())
    assert '<option disabled value="1">One</option>' in html and '<option value="2">Two</option>' in html
