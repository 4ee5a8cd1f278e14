"""Glue between comments and :mod:`instrument.anchors`: where a comment's quoted words stand in each version.

A comment records the version it was written on and, when it quotes words,
a W3C Web Annotation selector made on that version's plain text
(:func:`instrument.render.plain_text`). Each later version of the clause
gets one :class:`~drafter.models.CommentAnchor` row per comment that is not
hidden, computed by :func:`instrument.anchors.reanchor` from the original
selector and the original text (so the outcome for a version depends only on
the text commented on and that version's text). The rows are written by
:func:`anchor_new_version`, which :func:`drafter.services.versions.add_version`
calls in its own transaction, and by :func:`anchor_comment` for a new comment
on the versions that already exist. A page that finds no row (a comment
committed while a new version was being made) computes the outcome on the fly
with :func:`anchoring_on`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import AnchorState, Clause, ClauseVersion, Comment, CommentAnchor, CommentStatus
from instrument.anchors import make_selector, reanchor, selector_from_quote
from instrument.errors import AnchorError
from instrument.render import plain_text as markdown_plain_text
from instrument.selectors import Selector
from instrument.text import comparison_form

#: Longest prefix or suffix a client may send; longer ones are cut to the part next to the quote.
MAX_CONTEXT_LENGTH = 200


@lru_cache(maxsize=4096)
def _plain(version_id: int, text: str) -> str:
    # Versions are immutable, so the id and text identify the result for good.
    return markdown_plain_text(text)


def plain_text_of(version: ClauseVersion) -> str:
    """The plain text of ``version`` that selectors' offsets refer to (cached per version).

    :returns: :func:`instrument.render.plain_text` of ``version.text``.
    """
    return _plain(version.id, version.text)


@dataclass(frozen=True)
class Outcome:
    """Where a comment stands in one version (a stored or a freshly computed anchor).

    :ivar status: unchanged, moved, changed or deleted.
    :ivar start: offset of the quoted span in the version's plain text (placed only).
    :ivar end: offset just after it (placed only).
    :ivar score: share of the selector found at that place (see :class:`instrument.anchors.Anchoring`).
    """

    status: AnchorState
    start: int | None = None
    end: int | None = None
    score: float = 0.0

    @property
    def placed(self) -> bool:
        """Whether the quoted words have a place in the version."""
        return self.status in (AnchorState.UNCHANGED, AnchorState.MOVED)


def anchoring_on(comment: Comment, written_text: str, target: ClauseVersion) -> Outcome:
    """Compute where ``comment`` stands in ``target`` (nothing is stored).

    Rules: a deleted version gives ``deleted``; the version written on gives
    ``unchanged``; a comment on the whole clause is ``unchanged`` while the
    clause's plain text compares equal (:func:`instrument.text.comparison_form`)
    and ``changed`` otherwise; a quoting comment gets
    :func:`instrument.anchors.reanchor` of its selector from the text written
    on to ``target``'s text.

    :param comment: a top-level comment.
    :param written_text: plain text of the version the comment was written on.
    :param target: a version of the same clause.
    :returns: an :class:`Outcome`.
    """
    if target.deleted:
        return Outcome(AnchorState.DELETED)
    selector = _selector(comment)
    if target.id == comment.version_id:
        if selector is None:
            return Outcome(AnchorState.UNCHANGED, score=1.0)
        return Outcome(AnchorState.UNCHANGED, selector.position.start, selector.position.end, 1.0)
    new_text = plain_text_of(target)
    if selector is None:
        same = comparison_form(written_text) == comparison_form(new_text)
        return Outcome(AnchorState.UNCHANGED if same else AnchorState.CHANGED, score=1.0 if same else 0.0)
    try:
        result = reanchor(selector, new_text, old_text=written_text)
    except AnchorError:  # a stored selector that no longer reads: never place it by guess
        return Outcome(AnchorState.CHANGED)
    return Outcome(AnchorState(result.status.value), result.start, result.end, result.score)


def _selector(comment: Comment) -> Selector | None:
    if not comment.selector:
        return None
    try:
        return Selector.from_json(comment.selector)
    except AnchorError:
        return None


def _store(comment: Comment, version: ClauseVersion, outcome: Outcome) -> CommentAnchor:
    anchor = CommentAnchor(
        comment_id=comment.id,
        version_id=version.id,
        status=outcome.status,
        start=outcome.start,
        end=outcome.end,
        score=outcome.score,
    )
    db.session.add(anchor)
    return anchor


def anchor_new_version(clause: Clause, version: ClauseVersion, previous: ClauseVersion | None) -> int:
    """Re-anchor the comments of ``clause`` on its new ``version`` (the hook of ``add_version``).

    Every top-level comment of the clause that is not hidden (open and
    resolved ones: both stay on the page) gets a
    :class:`~drafter.models.CommentAnchor` for ``version``. A deleted
    version marks them all ``deleted``. Runs in the caller's transaction:
    one query to find the comments, inserts flushed at the end.

    :param clause: the clause that got a new version.
    :param version: the new, flushed version.
    :param previous: the version it replaces; ``None`` for a new clause (no comments yet).
    :returns: the number of anchors written.
    """
    if previous is None:
        return 0
    rows = db.session.execute(
        select(Comment, ClauseVersion.id, ClauseVersion.text)
        .join(ClauseVersion, ClauseVersion.id == Comment.version_id)
        .where(
            Comment.clause_id == clause.id,
            Comment.in_reply_to_id.is_(None),
            Comment.status != CommentStatus.HIDDEN,
        )
    ).all()
    for comment, written_id, written_text in rows:
        _store(comment, version, anchoring_on(comment, _plain(written_id, written_text), version))
    if rows:
        db.session.flush()
    return len(rows)


def anchor_comment(comment: Comment, clause: Clause, version: ClauseVersion) -> None:
    """Anchor a new top-level ``comment`` on ``version`` (written on) and every later version of ``clause``.

    Runs in the caller's transaction; the anchors are added, not flushed.

    :param comment: the new, flushed comment.
    :param clause: its clause.
    :param version: the version it was written on.
    """
    written = plain_text_of(version)
    later = db.session.scalars(
        select(ClauseVersion)
        .where(ClauseVersion.clause_id == clause.id, ClauseVersion.seq >= version.seq)
        .order_by(ClauseVersion.seq)
    ).all()
    for target in later:
        _store(comment, target, anchoring_on(comment, written, target))


def build_selector(
    plain: str, quote: str, *, prefix: str = "", suffix: str = "", start: int | None = None, end: int | None = None
) -> Selector:
    """Make the selector of a quote typed, pasted or selected on a page.

    When ``start``/``end`` are offsets into ``plain`` that hold the quote
    (compared in :func:`instrument.text.comparison_form`), the span is taken
    as it is (:func:`instrument.anchors.make_selector`). Otherwise the quote
    is looked for with :func:`instrument.anchors.selector_from_quote`,
    ``prefix``/``suffix`` choosing among copies and ``start`` as a hint.

    :param plain: plain text of the version commented on.
    :param quote: the quoted words.
    :param prefix: text the page showed just before the quote (may be empty).
    :param suffix: text the page showed just after it (may be empty).
    :param start: offset of the selection as the page counted it, if known.
    :param end: offset just after it, if known.
    :returns: the :class:`~instrument.anchors.Selector`.
    :raises AnchorError: when the quote is blank or not in ``plain``.
    """
    if (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(plain)
        and comparison_form(plain[start:end]) == comparison_form(quote)
    ):
        return make_selector(plain, start, end)
    hint = start if isinstance(start, int) and 0 <= start <= len(plain) else None
    return selector_from_quote(plain, quote, prefix[-MAX_CONTEXT_LENGTH:], suffix[:MAX_CONTEXT_LENGTH], hint)
