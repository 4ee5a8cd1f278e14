"""Forms of the secretariat's pages on pending registrations."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from drafter.forms import Form


class RegistrationDecisionForm(Form):
    """Approve or refuse a registration; a refusal may carry a note for the audit log."""

    reason = TextAreaField("Note (optional, kept in the log)", validators=[Optional(), Length(max=500)])
