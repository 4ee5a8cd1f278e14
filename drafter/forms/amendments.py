"""Forms for amendments, the secretariat's decisions on them and the review queue.

Every POST form carries a CSRF token (Flask-WTF); the filter forms are GET
forms without one, since they change nothing. Length limits follow
:mod:`drafter.services.amendments.operations` (``MAX_TEXT``, ``MAX_RATIONALE``) and the
columns they fill.
"""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from drafter.forms import CheckboxListField, Form, LongSelect, options, plain_text, strip
from drafter.services.amendments.operations import MAX_RATIONALE, MAX_TEXT
from instrument.amendments import AmendmentKind, AmendmentState

#: What each kind of amendment proposes, keyed by :class:`AmendmentKind` value.
KIND_LABELS = {
    AmendmentKind.MODIFY.value: "Change the wording of this clause",
    AmendmentKind.INSERT.value: "Insert a new clause after this one",
    AmendmentKind.DELETE.value: "Delete this clause",
}


class ProposeForm(Form):
    """A stakeholder's amendment to one clause: what, the text, why, and who supports it."""

    kind = RadioField(
        "What do you propose?",
        choices=options(KIND_LABELS.items()),
        default=AmendmentKind.MODIFY.value,
        validators=[InputRequired("Choose what you propose.")],
    )
    number = StringField(
        "Number of the new clause",
        description="Only for a new clause, for example “Article 12A”.",
        validators=[Optional(), Length(max=200), plain_text],
        filters=[strip],
    )
    heading = StringField("Heading", validators=[Optional(), Length(max=500), plain_text], filters=[strip])
    text = TextAreaField(
        "Proposed text",
        description="Edit the text as you want it to read. Paragraphs start with “1.”, points with “(a)”.",
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why the change is needed: the problem it solves, the standard or experience it draws on.",
        validators=[DataRequired("Explain why you propose this change."), Length(max=MAX_RATIONALE)],
        filters=[strip],
    )
    sponsors = CheckboxListField("Co-sponsoring organisations (optional)", coerce=int, validators=[Optional()])
    base_version_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def set_sponsors(self, organisations) -> None:
        """Offer ``organisations`` as possible co-sponsors."""
        self.sponsors.choices = options((o.id, o.name) for o in organisations)

    def validate(self, extra_validators=None) -> bool:
        """Run the field validators, then require the text (and a number) the chosen kind needs.

        Done here rather than as ``validate_<field>`` methods: those do not
        run on an empty field marked ``Optional``.
        """
        ok = super().validate(extra_validators)
        kind = self.kind.data
        if kind in (AmendmentKind.MODIFY.value, AmendmentKind.INSERT.value) and not (self.text.data or "").strip():
            self.text.errors.append("Write the text you propose.")
            ok = False
        if kind == AmendmentKind.INSERT.value and not self.number.data:
            self.number.errors.append("Give the new clause a number, for example “Article 12A”.")
            ok = False
        return ok


class TransitionForm(Form):
    """Submit, withdraw, put under review or mark superseded: the target state and an optional reason."""

    to = HiddenField(validators=[InputRequired()])
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=MAX_RATIONALE)], filters=[strip])

    def validate_to(self, field) -> None:
        """Only known states."""
        if field.data not in {s.value for s in AmendmentState}:
            raise ValidationError("Unknown state.")


class AmendmentDecisionForm(Form):
    """The secretariat's decision; with modifications it carries the text as accepted."""

    outcome = SelectField(
        "Decision",
        choices=options(
            [
                (AmendmentState.ACCEPTED.value, "Accept"),
                (AmendmentState.ACCEPTED_WITH_MODIFICATIONS.value, "Accept with modifications"),
                (AmendmentState.REJECTED.value, "Reject"),
            ]
        ),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        "Reason",
        description="Required to reject, or to accept with modifications. Stakeholders will read it.",
        validators=[Optional(), Length(max=MAX_RATIONALE)],
        filters=[strip],
    )
    number = StringField(
        "Number of the new clause", validators=[Optional(), Length(max=200), plain_text], filters=[strip]
    )
    heading = StringField("Heading", validators=[Optional(), Length(max=500), plain_text], filters=[strip])
    text = TextAreaField("Text as accepted", validators=[Optional(), Length(max=MAX_TEXT)])
    base_version_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


#: Filters of the review queue: (value, label) of the state filter.
STATE_FILTERS = (
    [("open", "Open (submitted or under review)")]
    + [(s.value, s.label) for s in AmendmentState if s is not AmendmentState.DRAFT]
    + [("all", "All")]
)
#: Age filter: (value, label); the value is a number of days.
AGE_FILTERS = [("", "Any age"), ("7", "Older than a week"), ("30", "Older than 30 days"), ("90", "Older than 90 days")]


class QueueFilterForm(Form):
    """Filters of the review queue and of an organisation's list (GET: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    # Every clause of a long instrument can be a choice.
    clause = SelectField("Clause", validators=[Optional()], widget=LongSelect())
    organisation = SelectField("Organisation", validators=[Optional()], widget=LongSelect())
    state = SelectField("State", choices=options(STATE_FILTERS), default="open", validators=[Optional()])
    age = SelectField("Age", choices=options(AGE_FILTERS), default="", validators=[Optional()])

    def set_choices(self, clauses, organisations) -> None:
        """Offer ``clauses`` (uid, label) and ``organisations`` (id, name) in the filters."""
        self.clause.choices = options([("", "Any clause"), *clauses])
        self.organisation.choices = options([("", "Any organisation")] + [(str(i), n) for i, n in organisations])
