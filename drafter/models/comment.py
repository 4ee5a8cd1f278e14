"""Comments on clauses and quoted spans, and where each one stands in later versions.

A :class:`Comment` is written on one version of one clause. It may quote a
span of that version's plain text (:func:`instrument.render.plain_text`);
the span is kept as a W3C Web Annotation selector (see
:mod:`instrument.anchors`). Every time the clause gets a new version, the
comment is re-anchored on it and the outcome is stored as a
:class:`CommentAnchor` row: one row per comment and per version, from the
version the comment was written on onwards.

Editing: the author may replace the body while the comment is open; the
new body overwrites the old one, ``edited_at`` records when, and the
previous body is kept in the ``comment.edit`` audit event. Quote, category
and clause never change after posting. Comments are never deleted: the
secretariat hides them, with a reason that is logged.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drafter.extensions import Model
from drafter.models._base import enum_column, utcnow
from drafter.models.instrument import Clause, ClauseVersion, Draft, Instrument
from drafter.models.user import Organisation, User


class CommentCategory(str, enum.Enum):
    """What kind of remark a comment is."""

    SUPPORT = "support"
    CONCERN = "concern"
    QUESTION = "question"
    DRAFTING = "drafting_suggestion"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human-readable name ("Drafting suggestion")."""
        return {
            "support": "Support",
            "concern": "Concern",
            "question": "Question",
            "drafting_suggestion": "Drafting suggestion",
            "other": "Other",
        }[self.value]


class CommentStatus(str, enum.Enum):
    """Life cycle of a comment: open until resolved (author or secretariat) or hidden (secretariat)."""

    OPEN = "open"
    RESOLVED = "resolved"
    HIDDEN = "hidden"


class AnchorState(str, enum.Enum):
    """Stored outcome of re-anchoring (the values of :class:`instrument.selectors.AnchorStatus`)."""

    UNCHANGED = "unchanged"
    MOVED = "moved"
    CHANGED = "changed"
    DELETED = "deleted"


class Comment(Model):
    """A stakeholder's comment on a clause, possibly on a quoted span, possibly a reply.

    ``selector`` is ``None`` for a comment on the whole clause; otherwise it
    is the W3C JSON list written by :meth:`instrument.selectors.Selector.to_json`,
    with offsets into the plain text of ``version``. A reply has no selector
    and points with ``in_reply_to_id`` at a top-level comment of the same clause.
    """

    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_clause_id_created_at", "clause_id", "created_at"),
        # These answer from the index alone, without reading 50,000 rows. The comments list walks
        # an instrument's comments newest first and skips those a visitor may not see, for its
        # total and for the ids of a page (id breaks ties of created_at, in the index's order).
        Index("ix_comment_list", "instrument_id", "created_at", "id", "status", "author_id"),
        # Comment counts per clause and per version (full-text pages), the clause filter's choices.
        Index(
            "ix_comment_instrument_id_clause_id_version_id_status", "instrument_id", "clause_id", "version_id", "status"
        ),
        # The organisation filter's choices.
        Index("ix_comment_instrument_id_organisation_id", "instrument_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))  # indexed first in the composites
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"))
    #: The version the comment was written on (it always links back to it).
    version_id: Mapped[int] = mapped_column(ForeignKey("clause_version.id"), index=True)
    #: The draft whose page the comment was written from, if any.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    selector: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[CommentCategory] = mapped_column(enum_column(CommentCategory, 30), default=CommentCategory.OTHER)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The author's organisation when the comment was written (people change organisation).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    status: Mapped[CommentStatus] = mapped_column(enum_column(CommentStatus), default=CommentStatus.OPEN, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    instrument: Mapped[Instrument] = relationship()
    clause: Mapped[Clause] = relationship()
    version: Mapped[ClauseVersion] = relationship()
    draft: Mapped[Draft | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()
    in_reply_to: Mapped[Comment | None] = relationship(remote_side=[id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def quote(self) -> str:
        """The quoted words as written ("" for a comment on the whole clause)."""
        for item in self.selector or ():
            if isinstance(item, dict) and item.get("type") == "TextQuoteSelector":
                return str(item.get("exact", ""))
        return ""

    def __repr__(self) -> str:
        return f"<Comment {self.id} on clause {self.clause_id} v{self.version_id} {self.status.value}>"


class CommentAnchor(Model):
    """Where a comment stands in one version of its clause.

    ``start`` and ``end`` are code-point offsets into the plain text of
    ``version`` and are set only when the status is ``unchanged`` or
    ``moved``. For a comment on the whole clause the status says whether
    the clause text is still the one commented on.
    """

    __tablename__ = "comment_anchor"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("clause_version.id"), primary_key=True, index=True)
    status: Mapped[AnchorState] = mapped_column(enum_column(AnchorState))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    comment: Mapped[Comment] = relationship()
    version: Mapped[ClauseVersion] = relationship()

    @property
    def placed(self) -> bool:
        """Whether the quoted span has a place in this version."""
        return self.status in (AnchorState.UNCHANGED, AnchorState.MOVED)


__all__ = ["AnchorState", "Comment", "CommentAnchor", "CommentCategory", "CommentStatus"]
