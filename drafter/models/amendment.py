"""Amendments: proposed changes to one clause, and the secretariat's decision on each.

An :class:`Amendment` records what its proposer saw (``base_version``), what
they want instead (number, heading, text), why (``rationale``), who stands
behind it (proposing and co-sponsoring organisations), where it stands
(``state``, moved only through :mod:`instrument.amendments`) and, once
decided, by whom, when, why and which :class:`~drafter.models.ClauseVersion`
the decision made (``result_version``; that version points back through
``ClauseVersion.amendment_id``).

The proposed text never changes after the amendment is made, so everything
computed from it (redlines, merges) may be cached by ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafter.extensions import Model, db
from drafter.models._base import enum_column, utcnow
from drafter.models.instrument import Clause, ClauseVersion, Draft, Instrument
from drafter.models.user import Organisation, User
from instrument.amendments import AmendmentKind, AmendmentState

#: Organisations that co-sponsor an amendment besides the proposing one.
amendment_sponsor = Table(
    "amendment_sponsor",
    db.metadata,
    Column("amendment_id", ForeignKey("amendment.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


def amendment_title(seq: int) -> str:
    """The name of the amendment numbered ``seq`` in its instrument: ``"Amendment 3"``."""
    return f"Amendment {seq}"


class Amendment(Model):
    """A proposed change to a clause: modify it, insert a new clause after it, or delete it.

    ``clause`` is the clause changed or deleted; for an insertion it is the
    clause after which the new one goes (the new clause is
    ``result_version.clause``). ``draft`` is the latest published draft when
    the amendment was made: its comment period governs proposing and
    submitting.
    """

    __tablename__ = "amendment"
    __table_args__ = (
        Index("ix_amendment_instrument_id_state", "instrument_id", "state"),
        UniqueConstraint("instrument_id", "seq", name="uq_amendment_instrument_id_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    # The amendment's number within its instrument (1, 2, ...), for people; URLs keep the id.
    seq: Mapped[int] = mapped_column(Integer)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    kind: Mapped[AmendmentKind] = mapped_column(enum_column(AmendmentKind))
    base_version_id: Mapped[int] = mapped_column(ForeignKey("clause_version.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    number: Mapped[str] = mapped_column(String(200), default="")
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[AmendmentState] = mapped_column(enum_column(AmendmentState, 40), default=AmendmentState.DRAFT)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    result_version_id: Mapped[int | None] = mapped_column(ForeignKey("clause_version.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    instrument: Mapped[Instrument] = relationship()
    clause: Mapped[Clause] = relationship(foreign_keys=[clause_id])
    base_version: Mapped[ClauseVersion] = relationship(foreign_keys=[base_version_id])
    draft: Mapped[Draft | None] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    result_version: Mapped[ClauseVersion | None] = relationship(foreign_keys=[result_version_id])
    sponsors: Mapped[list[Organisation]] = relationship(secondary=amendment_sponsor, order_by=Organisation.name)

    @property
    def title(self) -> str:
        """How the amendment is named in lists, headings and exports ("Amendment 12"): its number in its instrument."""
        return amendment_title(self.seq)

    def __repr__(self) -> str:
        return f"<Amendment {self.id} (no. {self.seq}) {self.kind.value} {self.state.value}>"
