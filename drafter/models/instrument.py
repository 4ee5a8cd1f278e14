"""The instrument aggregate: clauses, their append-only versions, and drafts.

A :class:`Clause` is the head row with a stable identity (``uid``) that
survives renumbering and moves; its text lives in :class:`ClauseVersion`
rows that are only ever inserted. A :class:`Draft` is a numbered snapshot
that maps every clause present at that time to the version it had.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafter.extensions import Model
from drafter.models._base import enum_column, utcnow
from drafter.models.user import User
from instrument.types import ClauseKind


class VersionCause(str, enum.Enum):
    """Why a version was made."""

    IMPORT = "import"
    EDIT = "edit"
    AMENDMENT = "amendment"
    RESTORE = "restore"


class Instrument(Model):
    """A legal instrument being drafted (one text, many clauses, many drafts)."""

    __tablename__ = "instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    short_title: Mapped[str] = mapped_column(String(200), default="")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    #: IANA time zone in which the instrument's dates are entered and shown (see drafter.services.timezones).
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta", server_default="Asia/Jakarta")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    clauses: Mapped[list[Clause]] = relationship(
        back_populates="instrument", order_by="Clause.position", foreign_keys="Clause.instrument_id"
    )
    drafts: Mapped[list[Draft]] = relationship(back_populates="instrument", order_by="Draft.number")

    def __repr__(self) -> str:
        return f"<Instrument {self.slug!r}>"


class Clause(Model):
    """A numbered unit of the instrument with a stable identity.

    ``uid`` never changes; ``key`` and ``position`` follow the current text
    (a renumbered article keeps its ``uid`` and gets a new ``key``).
    ``current_version_id`` is advanced only by a compare-and-set update, see
    :func:`drafter.services.versions.add_version`.
    """

    __tablename__ = "clause"
    __table_args__ = (UniqueConstraint("instrument_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    uid: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ClauseKind] = mapped_column(enum_column(ClauseKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("clause_version.id", use_alter=True, name="fk_clause_current_version_id_clause_version")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    instrument: Mapped[Instrument] = relationship(back_populates="clauses", foreign_keys=[instrument_id])
    parent: Mapped[Clause | None] = relationship(remote_side=[id])
    current_version: Mapped[ClauseVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", order_by="ClauseVersion.seq", foreign_keys="ClauseVersion.clause_id"
    )

    def __repr__(self) -> str:
        return f"<Clause {self.uid!r} {self.key!r}>"


class ClauseVersion(Model):
    """One immutable state of one clause. Rows are inserted, never updated or deleted."""

    __tablename__ = "clause_version"
    __table_args__ = (UniqueConstraint("clause_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(200), default="")
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    cause: Mapped[VersionCause] = mapped_column(enum_column(VersionCause))
    note: Mapped[str] = mapped_column(Text, default="")
    parent_version_id: Mapped[int | None] = mapped_column(ForeignKey("clause_version.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The amendment whose acceptance made this version (cause = amendment); see drafter.models.amendment.
    # use_alter: amendment rows point back at versions (base and result), so the two tables form a cycle.
    amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("amendment.id", use_alter=True, name="fk_clause_version_amendment_id_amendment"), index=True
    )

    clause: Mapped[Clause] = relationship(back_populates="versions", foreign_keys=[clause_id])
    parent_version: Mapped[ClauseVersion | None] = relationship(remote_side=[id])
    author: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """Number and heading as a reader sees them ("Article 5 — Recruitment")."""
        if self.number and self.heading:
            return f"{self.number} — {self.heading}"
        return self.number or self.heading

    def __repr__(self) -> str:
        return f"<ClauseVersion {self.clause_id}#{self.seq}>"


class Draft(Model):
    """A numbered, published state of the whole instrument, with its consultation phases.

    The phases are moments in UTC: comments (and replies) are taken from
    ``comments_open_from`` (publication when ``None``) until
    ``comments_close_at``; amendments until ``amendments_close_at``. ``None``
    for an end means no end is set. A draft with ``final_at`` is the adopted
    text and takes nothing, ever. :mod:`drafter.services.phases` is the one
    rule that reads them.
    """

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("instrument_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comments_open_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comments_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    amendments_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the draft was declared final (the adopted text; who did it is in the audit log).
    final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    instrument: Mapped[Instrument] = relationship(back_populates="drafts")
    published_by: Mapped[User | None] = relationship()
    entries: Mapped[list[DraftEntry]] = relationship(
        back_populates="draft", order_by="DraftEntry.position", cascade="all, delete-orphan"
    )

    @property
    def is_final(self) -> bool:
        """Whether this draft is the adopted text."""
        return self.final_at is not None

    def __repr__(self) -> str:
        return f"<Draft {self.instrument_id}/{self.number}>"


class DraftEntry(Model):
    """Which version a clause had in a draft, and where it stood."""

    __tablename__ = "draft_entry"

    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("clause_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(200))
    #: The clause's kind when the draft was published: a later import may turn a
    #: heading into a part, or an article into unnumbered text; the draft keeps its own.
    kind: Mapped[ClauseKind] = mapped_column(enum_column(ClauseKind))
    parent_clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"))

    draft: Mapped[Draft] = relationship(back_populates="entries")
    clause: Mapped[Clause] = relationship(foreign_keys=[clause_id])
    version: Mapped[ClauseVersion] = relationship()
