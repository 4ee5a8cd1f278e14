"""SQLAlchemy models, one module per aggregate.

Importing this package registers every table on :data:`drafter.extensions.db`.
"""
from drafter.models.amendment import Amendment, amendment_sponsor
from drafter.models.audit import Event
from drafter.models.instrument import Clause, ClauseVersion, Draft, DraftEntry, Instrument, VersionCause
from drafter.models.user import Organisation, OrganisationType, Role, User, UserState

__all__ = [
    "Amendment",
    "Clause",
    "ClauseVersion",
    "Draft",
    "DraftEntry",
    "Event",
    "Instrument",
    "Organisation",
    "OrganisationType",
    "Role",
    "User",
    "UserState",
    "VersionCause",
    "amendment_sponsor",
]
