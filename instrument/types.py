"""Value objects shared across the :mod:`instrument` package."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TypeAlias

#: The identifiers a source file gave one element, by attribute (``{"eId": "art_1", "wId": ..., "GUID": ...}``),
#: with those of its parts and numbered units nested under ``"num"``, ``"heading"``, ``"content"``, ``"p"``
#: and ``"units"`` (see :func:`instrument.parse_akn.parse_akn`). Plain JSON, as it is stored.
ElementIds: TypeAlias = dict[str, "str | ElementIds"]


class ClauseKind(str, enum.Enum):
    """What a clause is in the structure of an instrument.

    ``PREAMBLE`` covers every unnumbered opening or closing text (preamble,
    enacting formula, final formula); ``PART`` covers every division that
    groups provisions (part, chapter, book, title, section, annex);
    ``ARTICLE`` is a numbered provision ("Article 5", "Art 21", "§ 2a").
    Paragraphs and points live inside an article's Markdown text and are
    numbered by :mod:`instrument.numbering`.
    """

    PREAMBLE = "preamble"
    PART = "part"
    ARTICLE = "article"


@dataclass(frozen=True)
class ParsedClause:
    """One clause as read from a source text.

    :ivar key: stable identity within the instrument, derived from the
        provision number ("Art 21", "§ 2a"), never from the heading text; for
        divisions and unnumbered texts, from their label. Unique per instrument.
    :ivar kind: see :class:`ClauseKind`.
    :ivar number: the number label as shown ("Art 21", "§§ 3 bis 6", "Part I"),
        empty for unnumbered texts.
    :ivar heading: the heading text after the number ("Gegenstand des Vertrags"),
        possibly empty.
    :ivar text: the clause body as canonical Markdown (hard wraps reflowed,
        one blank line between blocks, NFC), possibly empty.
    :ivar parent_key: key of the enclosing division, or ``None`` at top level.
    :ivar depth: nesting depth, 0 at top level.
    :ivar line: 1-based line of the clause's heading in the source.
    """

    key: str
    kind: ClauseKind
    number: str
    heading: str
    text: str
    parent_key: str | None = None
    depth: int = 0
    line: int = 0


@dataclass(frozen=True)
class ParsedInstrument:
    """An instrument as read from a source text.

    :ivar title: the instrument's title (from the front matter or first H1).
    :ivar metadata: front-matter and metadata-block fields, in source order.
    :ivar clauses: every clause in document order (parents before children).
    :ivar warnings: what was changed in the source while reading it, one
        message per line concerned ("draft.md, line 4: a NUL character was
        dropped"), for the person importing it.
    :ivar element_ids: clause key -> the identifiers the source gave the
        clause's element and the numbered units inside it (Akoma Ntoso
        ``eId``/``wId``/``GUID``), so that an export can keep them; see
        :func:`instrument.parse_akn.parse_akn`. Empty for Markdown.
    """

    title: str
    metadata: dict[str, str] = field(default_factory=dict)
    clauses: tuple[ParsedClause, ...] = ()
    warnings: tuple[str, ...] = ()
    element_ids: dict[str, ElementIds] = field(default_factory=dict)


@dataclass(frozen=True)
class ClauseState:
    """One clause as it stands in one state (a draft, the current text, a file).

    :ivar key: identity used to match the clause across states (the stable
        clause id when known, else the provision key).
    :ivar kind: see :class:`ClauseKind`.
    :ivar number: number label in this state ("Article 5").
    :ivar heading: heading in this state.
    :ivar text: Markdown text in this state.
    :ivar parent_key: ``key`` of the enclosing clause, or ``None``.
    :ivar position: 0-based document order in this state.
    :ivar version_id: the stored version, when there is one (for caching).
    :ivar deleted: whether the clause is marked deleted in this state.
    """

    key: str
    kind: ClauseKind
    number: str
    heading: str
    text: str
    parent_key: str | None = None
    position: int = 0
    version_id: int | None = None
    deleted: bool = False
