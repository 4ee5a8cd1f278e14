"""Forms of the administration pages: roles and states of accounts, and the audit log's filters."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from drafter.forms import Form, options, strip
from drafter.models import Role, UserState


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
