"""Organisations and user accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from drafter.extensions import Model
from drafter.models._base import enum_column, utcnow


class OrganisationType(str, enum.Enum):
    """Kinds of organisation taking part in a consultation."""

    NGO = "ngo"
    TRADE_UNION = "trade_union"
    MIGRANT_WORKERS = "migrant_workers_organisation"
    INTERGOVERNMENTAL = "intergovernmental"
    GOVERNMENT = "government"
    ACADEMIC = "academic"
    SECRETARIAT = "secretariat"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human-readable name of the type."""
        return {
            "ngo": "NGO",
            "trade_union": "Trade union",
            "migrant_workers_organisation": "Migrant workers' organisation",
            "intergovernmental": "UN or intergovernmental agency",
            "government": "Government",
            "academic": "Academic",
            "secretariat": "Secretariat",
            "other": "Other",
        }[self.value]


#: The ten ASEAN member states plus a regional/other entry (ISO 3166-1 alpha-2 codes).
COUNTRIES = {
    "BN": "Brunei Darussalam",
    "KH": "Cambodia",
    "ID": "Indonesia",
    "LA": "Lao PDR",
    "MY": "Malaysia",
    "MM": "Myanmar",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "VN": "Viet Nam",
    "XX": "Regional / other",
}


class Role(str, enum.Enum):
    """What an account may do; see :mod:`drafter.permissions`."""

    STAKEHOLDER = "stakeholder"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class UserState(str, enum.Enum):
    """Life cycle of an account: self-registered accounts start pending."""

    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"
    DISABLED = "disabled"


class Organisation(Model):
    """An organisation whose delegates take part (NGO, trade union, UN agency, ...)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[OrganisationType] = mapped_column(enum_column(OrganisationType, 40))
    country: Mapped[str] = mapped_column(String(2), default="XX")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class User(UserMixin, Model):
    """A person's account; the person acts for one organisation."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 20),
        default=Role.STAKEHOLDER,
    )
    state: Mapped[UserState] = mapped_column(
        enum_column(UserState, 20),
        default=UserState.PENDING,
    )
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # Changing it invalidates sessions and remember-me cookies (see get_id).
    session_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (werkzeug's default scrypt/pbkdf2)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` matches the stored hash; False when none is set."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: only active accounts may sign in
        return self.state == UserState.ACTIVE

    def get_id(self) -> str:
        """Flask-Login identity: id plus session token, so a token change signs the user out everywhere."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_secretariat(self) -> bool:
        """True for secretariat and admin accounts."""
        return self.role in (Role.SECRETARIAT, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role.value}>"
