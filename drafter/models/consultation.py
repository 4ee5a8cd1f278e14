"""Consultations, the inputs made at them, and the links from inputs to the text.

A :class:`Consultation` is an event (a regional workshop, a national
consultation, an expert group meeting) or a written call for submissions.
An :class:`Input` is one recommendation, proposal, submission, good-practice
example or pledge made at a consultation by one or more organisations; the
secretariat answers each one with a :class:`Disposition` and, where the
answer needs one, a reason.

Links, each its own table:

* ``input_clause``: the clauses an input concerns;
* ``input_amendment``: the amendments an input motivated (an amendment
  cites the inputs behind it);
* ``input_version``: direct secretariat edits (versions with
  ``cause = edit``) that cite the inputs they answer.

So every :class:`~drafter.models.ClauseVersion` knows its sources through
its cause: ``amendment`` -> the inputs its amendment cites, ``edit`` -> the
inputs cited on the version, ``import`` and ``restore`` -> none.

Deleting: the two tables that record decisions and text (``input_amendment``
and ``input_version``) refer to inputs, amendments and versions with
``ON DELETE RESTRICT``, so no delete, from the application or from a
database console, can leave a decision or a version pointing at nothing.
The owned rows (``input_organisation``, ``input_clause``) go with their
input (``CASCADE``). Foreign keys are enforced on SQLite too (see the
connection pragmas in :mod:`drafter`). The relationships use
``passive_deletes``, so the ORM leaves those rows to the database instead
of deleting link rows itself before the input.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafter.extensions import Model, db
from drafter.models._base import enum_column, utcnow
from drafter.models.amendment import Amendment
from drafter.models.instrument import Clause, ClauseVersion, Instrument
from drafter.models.user import Organisation, User


class ConsultationKind(str, enum.Enum):
    """What kind of consultation: an event, or a call for written submissions."""

    REGIONAL_WORKSHOP = "regional_workshop"
    NATIONAL_CONSULTATION = "national_consultation"
    EXPERT_GROUP_MEETING = "expert_group_meeting"
    WRITTEN_CALL = "written_call"

    @property
    def label(self) -> str:
        """Human-readable name ("Regional workshop")."""
        return self.value.replace("_", " ").capitalize()


class InputKind(str, enum.Enum):
    """What an input offers."""

    RECOMMENDATION = "recommendation"
    PROPOSAL = "proposal"
    SUBMISSION = "submission"
    GOOD_PRACTICE = "good_practice"
    PLEDGE = "pledge"

    @property
    def label(self) -> str:
        """Human-readable name ("Good-practice example")."""
        return {"good_practice": "Good-practice example"}.get(self.value, self.value.capitalize())


class Disposition(str, enum.Enum):
    """What the secretariat did with an input (the register's states).

    ``reflected`` and ``reflected_in_part`` may only be given while the input
    is cited by a version of the text (see
    :func:`drafter.services.consultations.set_disposition`);
    ``not_reflected`` and ``noted`` (outside the instrument's scope) need a reason.
    """

    PENDING = "pending"
    REFLECTED = "reflected"
    REFLECTED_IN_PART = "reflected_in_part"
    NOT_REFLECTED = "not_reflected"
    NOTED = "noted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """Human-readable name ("Reflected in part")."""
        return self.value.replace("_", " ").capitalize()

    @property
    def needs_reason(self) -> bool:
        """Whether this disposition must come with a written reason."""
        return self in (Disposition.NOT_REFLECTED, Disposition.NOTED)

    @property
    def needs_evidence(self) -> bool:
        """Whether this disposition needs a version of the text that cites the input."""
        return self in (Disposition.REFLECTED, Disposition.REFLECTED_IN_PART)


#: The organisations that made an input (one or more).
input_organisation = Table(
    "input_organisation",
    db.metadata,
    Column("input_id", ForeignKey("consultation_input.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

#: The clauses an input concerns.
input_clause = Table(
    "input_clause",
    db.metadata,
    Column("input_id", ForeignKey("consultation_input.id", ondelete="CASCADE"), primary_key=True),
    Column("clause_id", ForeignKey("clause.id", ondelete="RESTRICT"), primary_key=True, index=True),
    Column("created_at", DateTime(timezone=True), default=utcnow),
)

#: The amendments an input motivated; read the other way, the inputs an amendment cites.
input_amendment = Table(
    "input_amendment",
    db.metadata,
    Column("input_id", ForeignKey("consultation_input.id", ondelete="RESTRICT"), primary_key=True),
    Column("amendment_id", ForeignKey("amendment.id", ondelete="RESTRICT"), primary_key=True, index=True),
    Column("created_at", DateTime(timezone=True), default=utcnow),
)

#: Direct secretariat edits (versions with cause ``edit``) citing the inputs they answer.
input_version = Table(
    "input_version",
    db.metadata,
    Column("input_id", ForeignKey("consultation_input.id", ondelete="RESTRICT"), primary_key=True),
    Column("version_id", ForeignKey("clause_version.id", ondelete="RESTRICT"), primary_key=True, index=True),
    Column("created_at", DateTime(timezone=True), default=utcnow),
)


class Consultation(Model):
    """An event or a call for written submissions on an instrument.

    ``open_until`` is set only for a written call: stakeholders may submit
    inputs to it until that moment (UTC).
    """

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ConsultationKind] = mapped_column(enum_column(ConsultationKind, 40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    summary: Mapped[str] = mapped_column(Text, default="")
    open_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    instrument: Mapped[Instrument] = relationship()
    organiser: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    inputs: Mapped[list[Input]] = relationship(back_populates="consultation", order_by="Input.id")

    def is_open(self, now: datetime) -> bool:
        """Whether stakeholders may submit written inputs at ``now`` (an aware UTC datetime)."""
        return (
            self.kind is ConsultationKind.WRITTEN_CALL
            and self.open_until is not None
            and now <= _aware(self.open_until)
        )

    @property
    def dates(self) -> str:
        """ "1 Aug 2007" or "1–3 Aug 2007" style date range for headings."""
        start = self.starts_on
        end = self.ends_on
        if end is None or end == start:
            return f"{start.day} {start:%b %Y}"
        if (end.year, end.month) == (start.year, start.month):
            return f"{start.day}–{end.day} {end:%b %Y}"
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.title!r}>"


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Input(Model):
    """One recommendation, proposal, submission, good-practice example or pledge made at a consultation.

    The attachment, when there is one, is a file under the instance's
    uploads folder named ``attachment_key`` (random, never the uploaded
    name); ``attachment_name`` is the cleaned original name used for
    downloads.
    """

    __tablename__ = "consultation_input"
    __table_args__ = (Index("ix_consultation_input_consultation_id_disposition", "consultation_id", "disposition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="RESTRICT"))
    kind: Mapped[InputKind] = mapped_column(enum_column(InputKind, 30))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    reference_document: Mapped[str] = mapped_column(String(500), default="")
    reference_page: Mapped[str] = mapped_column(String(40), default="")
    attachment_key: Mapped[str | None] = mapped_column(String(80))
    attachment_name: Mapped[str] = mapped_column(String(255), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_size: Mapped[int] = mapped_column(Integer, default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition, 30), default=Disposition.PENDING)
    disposition_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Sent by a stakeholder in answer to a written call (rather than recorded by the secretariat).
    via_call: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="inputs")
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=input_organisation, order_by=Organisation.name, passive_deletes=True
    )
    clauses: Mapped[list[Clause]] = relationship(secondary=input_clause, order_by=Clause.position, passive_deletes=True)
    amendments: Mapped[list[Amendment]] = relationship(
        secondary=input_amendment, order_by=Amendment.id, passive_deletes=True
    )
    versions: Mapped[list[ClauseVersion]] = relationship(
        secondary=input_version, order_by=ClauseVersion.id, passive_deletes=True
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def reference(self) -> str:
        """The cited document and page as one line ("Tool-kit, p. 12"), or ""."""
        if self.reference_document and self.reference_page:
            return f"{self.reference_document}, p. {self.reference_page}"
        return self.reference_document

    @property
    def by(self) -> str:
        """The organisations' names, joined ("ASETUC and UNI Asia-Pacific")."""
        names = [o.name for o in self.organisations]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    def __repr__(self) -> str:
        return f"<Input {self.id} {self.disposition.value}>"
