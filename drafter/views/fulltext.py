"""The body of a full-text page (contents and every clause), built once per text and kept.

A draft of 2,000 clauses is 2 MB of HTML. Built in Jinja, one loop step per
clause with its attribute lookups and escaping, it took most of the page's
quarter of a second, on every request, although a published draft never
changes. Here the parts that are fixed for a given text (contents, headings,
links, rendered clause bodies) are built once and kept in a small LRU per
application (each worker process has its own; a cache, never needed for
correctness); only the comment counts, which change while delegates read,
are put in on every request.

What identifies a text: a published draft by its id and publication time
(its entries are never changed); the current text by a digest of every
column the page shows except the clause texts, read with one narrow query
(clause versions are immutable, so their ids stand for their texts).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, Instrument
from drafter.services import drafts as draft_service
from drafter.templating import render_version

#: Texts kept per application: a 2,000-clause text holds about 2 MB of its own
#: (contents, headings and links; measured), the rendered clauses are shared with
#: the clause render cache. Readers crowd onto a few texts: the current one and the latest drafts.
CACHE_SIZE = 8


@dataclass(frozen=True)
class Piece:
    """One clause of a full text, ready to be sent.

    :ivar clause_id: the clause's primary key (comment counts are keyed by it).
    :ivar uid: its stable identifier (the anchor of its section).
    :ivar label: its label, HTML-escaped.
    :ivar head: the section's opening tag and heading.
    :ivar body: the rendered clause text (the very string the clause render cache
        holds, not a copy), or ``""`` for a clause without text.
    """

    clause_id: int
    uid: str
    label: Markup
    head: str
    body: str


@dataclass(frozen=True)
class TextBody:
    """Everything of a full-text page that does not change while the text stays the same.

    :ivar toc: the list items of the table of contents.
    :ivar pieces: the clauses in document order.
    """

    toc: Markup
    pieces: tuple[Piece, ...]

    def __len__(self) -> int:
        return len(self.pieces)


class TextCache:
    """A bounded LRU of :class:`TextBody` values, safe to share between a worker's threads.

    Two threads missing the same key at once both build it (the result is
    the same); the lock only keeps the dictionary consistent.
    """

    def __init__(self, maxsize: int = CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple, TextBody] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: tuple, build: Callable[[], tuple[tuple, TextBody]]) -> TextBody:
        """The value kept under ``key``, or the one ``build()`` makes.

        :param key: what the caller read the text to be.
        :param build: returns ``(key, value)``: the key of what it actually
            built, which may be newer than ``key`` when the text changed in
            between (the value is kept under its own key, never another's).
        :returns: the value.
        """
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        built_key, value = build()
        with self._lock:
            self._items[built_key] = value
            self._items.move_to_end(built_key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value


def _cache() -> TextCache:
    return current_app.extensions.setdefault("drafter.fulltext", TextCache())


def _heading_level(kind: str, depth: int) -> int:
    # Top-level articles sit under the page's h2 "sections"; deeper clauses step down, at most h6.
    return min(2 + depth if kind != "article" or depth > 0 else 3, 6)


def build_body(instrument: Instrument, rows: list[draft_service.StateRow], draft: Draft | None = None) -> TextBody:
    """Build the fixed parts of a full-text page from state rows.

    :param instrument: the instrument (its slug is in every link).
    :param rows: :func:`drafter.services.drafts.current_state` or ``draft_state`` rows.
    :param draft: the draft the rows are the text of, or ``None`` for the current text:
        each clause heading then opens the clause as it stood in that draft.
    :returns: a :class:`TextBody`.
    """
    # uids are [a-z][a-z0-9-]*, so one built link with a placeholder serves every clause.
    clause_href = url_for(
        "instruments.clause", slug=instrument.slug, uid="~uid~", draft=draft.number if draft is not None else None
    )
    toc: list[str] = []
    pieces: list[Piece] = []
    for row in rows:
        kind, uid = escape(row.kind.value), escape(row.clause.uid)
        label = escape(row.version.label or row.key)
        level = _heading_level(kind, row.depth)
        toc.append(f'<li class="toc-{kind} depth-{row.depth}"><a href="#{uid}">{label}</a></li>\n')
        head = (
            f'<section class="clause clause-{kind}" id="{uid}">\n'
            f'<h{level} class="clause-title"><a href="{clause_href.replace("~uid~", uid)}" '
            f'title="Open this clause and its history">{label}</a></h{level}>\n'
        )
        text = row.version.text
        body = render_version(row.version.id, text) if text else ""
        pieces.append(Piece(row.clause.id, str(uid), label, head, body))
    return TextBody(Markup("".join(toc)), tuple(pieces))


def draft_body(instrument: Instrument, draft: Draft) -> TextBody:
    """The fixed parts of Draft N's page, built at most once per worker while kept.

    :raises: nothing beyond database errors.
    """
    key = ("draft", instrument.id, instrument.slug, draft.id, draft.published_at.isoformat(), request.script_root)
    return _cache().get_or_build(key, lambda: (key, build_body(instrument, draft_service.draft_state(draft), draft)))


def _shape(rows) -> str:
    # Every column a current-text page shows, except the text: the version id stands for it.
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def current_body(instrument: Instrument) -> TextBody:
    """The fixed parts of the current text's page, rebuilt when anything it shows has changed.

    One narrow query reads, for every clause not deleted, each column the
    page shows except the text (the version id stands for it: versions are
    immutable); their digest is the key. A text built after a miss is kept
    under the digest of the rows it was built from, so a change committed
    between the two reads can never be kept under the older digest.
    """
    shape = db.session.execute(
        select(
            Clause.id,
            Clause.uid,
            Clause.kind,
            Clause.depth,
            Clause.key,
            ClauseVersion.id,
            ClauseVersion.number,
            ClauseVersion.heading,
        )
        .join(ClauseVersion, ClauseVersion.id == Clause.current_version_id)
        .where(Clause.instrument_id == instrument.id, Clause.deleted.is_(False))
        .order_by(Clause.position)
    ).all()
    base = ("current", instrument.id, instrument.slug, request.script_root)

    def build() -> tuple[tuple, TextBody]:
        rows = draft_service.current_state(instrument)
        built = _shape(
            (r.clause.id, r.clause.uid, r.kind, r.depth, r.key, r.version.id, r.version.number, r.version.heading)
            for r in rows
        )
        return (*base, built), build_body(instrument, rows)

    return _cache().get_or_build((*base, _shape(shape)), build)


def assemble(body: TextBody, counts: dict[int, int], comments_href: str) -> Markup:
    """The clauses of a full-text page with this request's comment counts.

    :param body: from :func:`draft_body` or :func:`current_body`.
    :param counts: ``{clause_id: visible comments}``; clauses without comments are absent.
    :param comments_href: link to a clause's comments with ``~uid~`` where the uid goes.
    :returns: safe HTML, the sections in document order.
    """
    out: list[str] = []
    for piece in body.pieces:
        out.append(piece.head)
        n = counts.get(piece.clause_id)
        if n:
            out.append(
                f'<p class="comment-count"><a href="{comments_href.replace("~uid~", piece.uid)}">{n} '
                f'{"comment" if n == 1 else "comments"}<span class="visually-hidden"> on {piece.label}</span></a></p>\n'
            )
        if piece.body:
            out += ('<div class="clause-body">', piece.body, "</div>\n")
        out.append("</section>\n")
    return Markup("".join(out))
