"""SQLAlchemy models, one module per aggregate.

Importing this package registers every table on :data:`drafter.extensions.db`.
"""

from drafter.models.amendment import Amendment, amendment_sponsor
from drafter.models.audit import Event
from drafter.models.comment import AnchorState, Comment, CommentAnchor, CommentCategory, CommentStatus
from drafter.models.consultation import (
    Consultation,
    ConsultationKind,
    Disposition,
    Input,
    InputKind,
    input_amendment,
    input_clause,
    input_organisation,
    input_version,
)
from drafter.models.instrument import Clause, ClauseVersion, Draft, DraftEntry, Instrument, VersionCause
from drafter.models.user import Organisation, OrganisationType, Role, User, UserState

__all__ = [
    "Amendment",
    "AnchorState",
    "Clause",
    "ClauseVersion",
    "Comment",
    "CommentAnchor",
    "CommentCategory",
    "CommentStatus",
    "Consultation",
    "ConsultationKind",
    "Disposition",
    "Draft",
    "DraftEntry",
    "Event",
    "Input",
    "InputKind",
    "Instrument",
    "Organisation",
    "OrganisationType",
    "Role",
    "User",
    "UserState",
    "VersionCause",
    "amendment_sponsor",
    "input_amendment",
    "input_clause",
    "input_organisation",
    "input_version",
]
