"""The stored form of a comment's place in a clause: selectors and the outcome of re-anchoring.

A comment may quote a span of the clause version it was written on. The span
is recorded twice, in the shapes of the W3C Web Annotation Data Model
(https://www.w3.org/TR/annotation-model/, sections 4.2.4 and 4.2.5):

* a :class:`TextQuoteSelector`: the exact text, with some text before
  (``prefix``) and after (``suffix``) it to tell copies apart;
* a :class:`TextPositionSelector`: ``start`` and ``end`` offsets, counted in
  Unicode code points (Python ``str`` indices) as the model requires.

Both refer to the clause's *plain text*, :func:`instrument.render.plain_text`
of its Markdown: the text a reader sees and selects in the page. A
:class:`Selector` holds the two and is stored as the W3C JSON list of its
:meth:`Selector.to_json`; an :class:`Anchoring`, the outcome of
:func:`instrument.anchors.reanchor` on a new version, is stored as the dict
of :meth:`Anchoring.to_json`. Reading either back checks its shape and
raises :class:`~instrument.errors.AnchorError` for anything else.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from instrument.errors import AnchorError


class AnchorStatus(str, enum.Enum):
    """Outcome of re-anchoring a comment on a new version of its clause."""

    UNCHANGED = "unchanged"
    MOVED = "moved"
    CHANGED = "changed"
    DELETED = "deleted"


def require_str(value: Any, name: str) -> str:
    """Return ``value`` when it is a string; for checking what a client sent.

    :raises AnchorError: naming ``name`` otherwise.
    """
    if not isinstance(value, str):
        raise AnchorError(f"{name} must be a string")
    return value


def require_offset(value: Any, name: str) -> int:
    """Return ``value`` when it is an integer offset (``bool`` is not); for checking what a client sent.

    :raises AnchorError: naming ``name`` otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnchorError(f"{name} must be an integer")
    return value


@dataclass(frozen=True)
class TextQuoteSelector:
    """The quoted text with some of its surroundings (W3C TextQuoteSelector).

    :ivar exact: the quoted text; must hold something other than whitespace.
    :ivar prefix: text immediately before it, possibly empty.
    :ivar suffix: text immediately after it, possibly empty.
    :raises AnchorError: on a non-string field or a blank ``exact``.
    """

    exact: str
    prefix: str = ""
    suffix: str = ""

    def __post_init__(self) -> None:
        require_str(self.exact, "exact")
        require_str(self.prefix, "prefix")
        require_str(self.suffix, "suffix")
        if not self.exact.strip():
            raise AnchorError("the quote is empty")

    def to_json(self) -> dict[str, str]:
        """Return the W3C JSON form.

        :returns: ``{"type": "TextQuoteSelector", "exact": ..., "prefix": ...,
            "suffix": ...}``; empty ``prefix``/``suffix`` are left out, as the
            model makes them optional.
        """
        out = {"type": "TextQuoteSelector", "exact": self.exact}
        if self.prefix:
            out["prefix"] = self.prefix
        if self.suffix:
            out["suffix"] = self.suffix
        return out

    @classmethod
    def from_json(cls, data: object) -> TextQuoteSelector:
        """Read the W3C JSON form written by :meth:`to_json` (or by a client).

        :param data: a mapping with ``"type": "TextQuoteSelector"``, a string
            ``exact`` and optional string ``prefix`` and ``suffix``.
        :returns: the selector.
        :raises AnchorError: when ``data`` has another shape.
        """
        if not isinstance(data, Mapping) or data.get("type") != "TextQuoteSelector":
            raise AnchorError("not a TextQuoteSelector")
        if "exact" not in data:
            raise AnchorError("a TextQuoteSelector needs 'exact'")
        return cls(data["exact"], data.get("prefix", ""), data.get("suffix", ""))


@dataclass(frozen=True)
class TextPositionSelector:
    """A span by offsets (W3C TextPositionSelector).

    :ivar start: offset of the first code point of the span (0-based).
    :ivar end: offset just after the last code point; ``start < end``.
    :raises AnchorError: on non-integer, negative or empty spans.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        require_offset(self.start, "start")
        require_offset(self.end, "end")
        if not 0 <= self.start < self.end:
            raise AnchorError(f"not a span: start {self.start}, end {self.end}")

    def to_json(self) -> dict[str, Any]:
        """Return the W3C JSON form ``{"type": "TextPositionSelector", "start": s, "end": e}``."""
        return {"type": "TextPositionSelector", "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, data: object) -> TextPositionSelector:
        """Read the W3C JSON form written by :meth:`to_json`.

        :param data: a mapping with ``"type": "TextPositionSelector"`` and
            integer ``start`` and ``end``.
        :returns: the selector.
        :raises AnchorError: when ``data`` has another shape.
        """
        if not isinstance(data, Mapping) or data.get("type") != "TextPositionSelector":
            raise AnchorError("not a TextPositionSelector")
        if "start" not in data or "end" not in data:
            raise AnchorError("a TextPositionSelector needs 'start' and 'end'")
        return cls(data["start"], data["end"])


@dataclass(frozen=True)
class Selector:
    """A quoted span: the quote with its context, and its offsets.

    Both describe the same span of the text the selector was made on; the
    quote is what re-anchoring searches for, the offsets say where to look
    first and which copy was meant.

    :ivar quote: see :class:`TextQuoteSelector`.
    :ivar position: see :class:`TextPositionSelector`.
    """

    quote: TextQuoteSelector
    position: TextPositionSelector

    def to_json(self) -> list[dict[str, Any]]:
        """Return the W3C JSON form: the value of a target's ``"selector"``.

        :returns: ``[quote.to_json(), position.to_json()]``; the model reads a
            list of selectors as alternative descriptions of one segment.
        """
        return [self.quote.to_json(), self.position.to_json()]

    @classmethod
    def from_json(cls, data: object) -> Selector:
        """Read the form written by :meth:`to_json`.

        :param data: a list holding one ``TextQuoteSelector`` and one
            ``TextPositionSelector`` object, in either order.
        :returns: the selector.
        :raises AnchorError: when either is missing, repeated or malformed.
        """
        if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Sequence):
            raise AnchorError("a selector must be a list of two selector objects")
        by_type: dict[str, Mapping[str, Any]] = {}
        for item in data:
            kind = item.get("type") if isinstance(item, Mapping) else None
            if kind not in ("TextQuoteSelector", "TextPositionSelector") or kind in by_type:
                raise AnchorError("a selector needs one TextQuoteSelector and one TextPositionSelector")
            by_type[kind] = item
        if len(by_type) != 2:
            raise AnchorError("a selector needs one TextQuoteSelector and one TextPositionSelector")
        return cls(
            TextQuoteSelector.from_json(by_type["TextQuoteSelector"]),
            TextPositionSelector.from_json(by_type["TextPositionSelector"]),
        )


@dataclass(frozen=True)
class Anchoring:
    """Where a comment's span is in a new version of its clause.

    :ivar status: see :class:`AnchorStatus`.
    :ivar start: offset of the span in the new text (code points of the string
        given to :func:`reanchor`) when the status is ``unchanged`` or
        ``moved``; ``None`` otherwise.
    :ivar end: offset just after the span, like ``start``.
    :ivar score: in ``[0, 1]``: the share of the selector's characters
        (prefix, quote and suffix) found at the reported place; 1.0 when
        everything agrees, 0.0 when nothing was found or the clause is deleted.
    :ivar near: only for ``changed``: where the passage probably is now, when
        a fuzzy match with agreeing context on both sides found an edited
        copy, or the diff kept the quoted words but rewrote all around them.
        It is a hint for showing "this passage was edited", never a place
        for the comment.
    """

    status: AnchorStatus
    start: int | None = None
    end: int | None = None
    score: float = 0.0
    near: TextPositionSelector | None = None

    @property
    def placed(self) -> bool:
        """Whether the comment has a place in the new text (unchanged or moved)."""
        return self.status in (AnchorStatus.UNCHANGED, AnchorStatus.MOVED)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict for storage.

        :returns: ``{"status": "moved", "start": 12, "end": 20, "score": 0.9,
            "near": None}``, ``near`` in :meth:`TextPositionSelector.to_json` form.
        """
        return {
            "status": self.status.value,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "near": self.near.to_json() if self.near else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Anchoring:
        """Read the form written by :meth:`to_json`.

        :raises AnchorError: when ``data`` has another shape.
        """
        try:
            status = AnchorStatus(data["status"])
            near = data.get("near")
            return cls(
                status,
                data.get("start"),
                data.get("end"),
                float(data.get("score", 0.0)),
                TextPositionSelector.from_json(near) if near else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, AnchorError):
                raise
            raise AnchorError(f"not an anchoring: {exc}") from None


def mark_deleted() -> Anchoring:
    """Return the outcome for a comment whose clause was deleted.

    :returns: ``Anchoring(AnchorStatus.DELETED)`` with no place and score 0.
    """
    return Anchoring(AnchorStatus.DELETED)
