"""Comments on clauses: post, reply, edit, resolve, hide; re-anchor them on new versions; read them for pages.

Every function takes the acting user explicitly, changes rows and flushes;
the caller commits. Refusals are :class:`CommentError` values carrying a
message for the visitor, the HTTP status a view answers with and, for form
errors, the name of the form field concerned.

Anchoring: a comment records the version it was written on and,
when it quotes words, a W3C Web Annotation selector made on that version's
plain text (:func:`instrument.render.plain_text`). Each later version of the
clause gets one :class:`~drafter.models.CommentAnchor` row per comment that
is not hidden, computed by :func:`instrument.anchors.reanchor` from the
original selector and the original text (so the outcome for a version
depends only on the text commented on and that version's text). The rows
are written by :func:`anchor_new_version`, which
:func:`drafter.services.versions.add_version` calls in its own transaction,
and by :func:`post` for versions that already exist after the one commented
on. A page that finds no row (a comment committed while a new version was
being made) computes the outcome on the fly with :func:`anchoring_on`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from drafter import permissions
from drafter.extensions import db
from drafter.models import (
    AnchorState,
    Clause,
    ClauseVersion,
    Comment,
    CommentAnchor,
    CommentCategory,
    CommentStatus,
    Draft,
    DraftEntry,
    Instrument,
    Organisation,
    User,
)
from drafter.services import audit, drafts
from drafter.services.paging import Page, page_count
from instrument.anchors import Selector, make_selector, reanchor, selector_from_quote
from instrument.errors import AnchorError
from instrument.export.cleaning import spreadsheet_cell
from instrument.highlight import highlight_spans
from instrument.render import plain_text as markdown_plain_text
from instrument.render import render_markdown
from instrument.text import comparison_form

#: Longest comment body accepted when the app sets no ``MAX_COMMENT_LENGTH``.
DEFAULT_MAX_LENGTH = 20_000
#: Longest quote accepted, in characters (a long paragraph; more is the whole clause).
MAX_QUOTE_LENGTH = 5_000
#: Longest prefix or suffix a client may send; longer ones are cut to the part next to the quote.
MAX_CONTEXT_LENGTH = 200
#: Longest reason for hiding a comment.
MAX_REASON_LENGTH = 1_000
#: Characters of surrounding text shown around a quoted passage.
PASSAGE_CONTEXT = 60


class CommentError(Exception):
    """A comment request that cannot be carried out.

    :ivar message: what went wrong, in words a visitor understands.
    :ivar status: the HTTP status a view answers with (400, 403, 404, 409).
    :ivar field: the form field the message belongs to, or ``None``.
    """

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


# --- plain text and anchoring ----------------------------------------------


@lru_cache(maxsize=4096)
def _plain(version_id: int, text: str) -> str:
    # Versions are immutable, so the id and text identify the result for good.
    return markdown_plain_text(text)


@lru_cache(maxsize=1024)
def _rendered(version_id: int, text: str) -> str:
    return render_markdown(text)


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


# --- posting ------------------------------------------------------------------


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


def check_body(body: str | None, max_length: int) -> str:
    """Return ``body`` without surrounding whitespace, or refuse it.

    :param body: the Markdown body as typed.
    :param max_length: the longest body accepted (``MAX_COMMENT_LENGTH``).
    :returns: the stripped body.
    :raises CommentError: (400, field ``body``) when empty or too long.
    """
    text = (body or "").strip()
    if not text:
        raise CommentError("Write your comment.", 400, "body")
    if len(text) > max_length:
        raise CommentError(
            f"A comment may have at most {max_length:,} characters; this one has {len(text):,}.", 400, "body"
        )
    return text


def _check_can_post(author: User) -> None:
    if not permissions.is_active_user(author):
        raise CommentError("Only approved accounts may comment.", 403)


def _check_draft(draft: Draft, clause: Clause, version: ClauseVersion) -> None:
    if draft.instrument_id != clause.instrument_id:
        raise CommentError(f"Draft {draft.number} belongs to another instrument.", 400)
    in_draft = db.session.scalar(
        select(DraftEntry.version_id).where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
    )
    if in_draft is None:
        raise CommentError(f"{clause.key} is not part of Draft {draft.number}.", 400)
    if in_draft != version.id:
        raise CommentError(f"This is not the text {clause.key} has in Draft {draft.number}.", 400)
    try:
        drafts.ensure_open_for_comment(draft)
    except drafts.CommentPeriodClosed as exc:
        raise CommentError(str(exc), 409) from None


def post(
    *,
    author: User,
    clause: Clause,
    version: ClauseVersion,
    body: str,
    category: CommentCategory = CommentCategory.OTHER,
    quote: str = "",
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
    in_reply_to: Comment | None = None,
    draft: Draft | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> Comment:
    """Post a comment on ``version`` of ``clause``, optionally quoting words of it or replying.

    Checks, in order: the author is an approved account; the body is not
    empty and at most ``max_length`` characters; the version belongs to the
    clause and does not delete it; when written from a draft's page, the
    version is the draft's text of the clause and the draft is open for
    comment (:func:`drafter.services.drafts.ensure_open_for_comment`); a
    reply answers a visible comment of the same clause (a reply to a reply
    joins the first comment's thread) and quotes nothing; a quote occurs in
    the version's plain text.

    The comment gets an anchor on the version written on and on every
    later version of the clause that exists already.

    :param author: who writes; the organisation recorded is theirs at this moment.
    :param clause: the clause commented on.
    :param version: the version of it the author read.
    :param body: Markdown body.
    :param category: kind of comment (a reply takes whatever is given).
    :param quote: the quoted words, or ``""`` for the whole clause.
    :param prefix: text shown before the quote on the page (helps pick among copies).
    :param suffix: text shown after it.
    :param start: the page's offset of the selection, if it sent one.
    :param end: the page's offset just after it.
    :param in_reply_to: the comment answered, if any.
    :param draft: the draft whose page the comment is written from, if any.
    :param max_length: the longest body accepted.
    :returns: the new, flushed :class:`~drafter.models.Comment`.
    :raises CommentError: 403 for an account that may not comment; 400
        (with a field for form errors) for bad input; 409 when the draft's
        comment period is over.
    """
    _check_can_post(author)
    text = check_body(body, max_length)
    if version.clause_id != clause.id:
        raise CommentError("This version belongs to another clause.", 400)
    if version.deleted:
        raise CommentError("This version deletes the clause; comment on another version.", 400)
    if draft is not None:
        _check_draft(draft, clause, version)
    selector: Selector | None = None
    if in_reply_to is not None:
        if in_reply_to.clause_id != clause.id or in_reply_to.instrument_id != clause.instrument_id:
            raise CommentError("You can only reply to a comment on the same clause.", 400)
        if in_reply_to.status is CommentStatus.HIDDEN:
            raise CommentError("This comment was hidden by the secretariat; it takes no replies.", 409)
        if in_reply_to.in_reply_to_id is not None:
            in_reply_to = in_reply_to.in_reply_to
    elif (quote or "").strip():
        if len(quote) > MAX_QUOTE_LENGTH:
            raise CommentError(
                f"Quote at most {MAX_QUOTE_LENGTH:,} characters, or comment on the whole clause.", 400, "quote"
            )
        try:
            selector = build_selector(
                plain_text_of(version), quote, prefix=prefix or "", suffix=suffix or "", start=start, end=end
            )
        except AnchorError:
            raise CommentError(
                "These words are not in this version of the clause. Copy them exactly from the text, "
                "or leave the quote empty to comment on the whole clause.",
                400,
                "quote",
            ) from None
    comment = Comment(
        instrument_id=clause.instrument_id,
        clause_id=clause.id,
        version_id=version.id,
        draft_id=draft.id if draft is not None else None,
        selector=selector.to_json() if selector is not None else None,
        body=text,
        category=CommentCategory(category),
        author_id=author.id,
        organisation_id=author.organisation_id,
        in_reply_to_id=in_reply_to.id if in_reply_to is not None else None,
        status=CommentStatus.OPEN,
    )
    db.session.add(comment)
    db.session.flush()
    if in_reply_to is None:
        written = plain_text_of(version)
        later = db.session.scalars(
            select(ClauseVersion)
            .where(ClauseVersion.clause_id == clause.id, ClauseVersion.seq >= version.seq)
            .order_by(ClauseVersion.seq)
        ).all()
        for target in later:
            _store(comment, target, anchoring_on(comment, written, target))
    audit.record(
        "comment.post",
        comment,
        actor=author,
        instrument_id=clause.instrument_id,
        clause=clause.uid,
        version=version.seq,
        reply_to=comment.in_reply_to_id,
    )
    return comment


def reply(
    parent: Comment,
    *,
    author: User,
    body: str,
    version: ClauseVersion | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> Comment:
    """Answer ``parent`` (see :func:`post` for the checks).

    :param parent: the comment answered (a reply to a reply joins the thread's first comment).
    :param author: who writes.
    :param body: Markdown body.
    :param version: the version the author read; defaults to the clause's
        current version, or the parent's when the clause is deleted.
    :param max_length: the longest body accepted.
    :returns: the new, flushed reply.
    :raises CommentError: as :func:`post`.
    """
    clause = parent.clause
    if version is None:
        version = clause.current_version if clause.current_version and not clause.deleted else parent.version
    return post(author=author, clause=clause, version=version, body=body, in_reply_to=parent, max_length=max_length)


# --- changing a comment ---------------------------------------------------------


def edit(comment: Comment, *, actor: User, body: str, max_length: int = DEFAULT_MAX_LENGTH) -> bool:
    """Replace the body of ``comment`` (its author only, while it is open).

    The previous body is kept in the ``comment.edit`` audit event;
    ``edited_at`` is set. Saving the same text changes nothing.

    :returns: ``True`` when the body changed.
    :raises CommentError: 403 for anyone but the author; 409 when the
        comment is resolved or hidden; 400 (field ``body``) for an empty or
        too long body.
    """
    if not permissions.can_edit_comment(actor, comment):
        raise CommentError("Only the author of a comment may edit it.", 403)
    if comment.status is not CommentStatus.OPEN:
        raise CommentError(f"This comment is {comment.status.value}; it can no longer be edited.", 409)
    text = check_body(body, max_length)
    if text == comment.body:
        return False
    previous = comment.body
    comment.body = text
    comment.edited_at = datetime.now(UTC)
    db.session.flush()
    audit.record("comment.edit", comment, actor=actor, instrument_id=comment.instrument_id, previous_body=previous)
    return True


def resolve(comment: Comment, *, actor: User) -> None:
    """Mark ``comment`` resolved (its author or the secretariat).

    :raises CommentError: 403 for anyone else; 400 for a reply (threads are
        resolved as a whole); 409 unless the comment is open.
    """
    if not permissions.can_resolve_comment(actor, comment):
        raise CommentError("Only the author or the secretariat may resolve a comment.", 403)
    if comment.in_reply_to_id is not None:
        raise CommentError("Replies are resolved with the comment they answer.", 400)
    if comment.status is not CommentStatus.OPEN:
        raise CommentError(f"This comment is already {comment.status.value}.", 409)
    comment.status = CommentStatus.RESOLVED
    comment.resolved_by_id = actor.id
    comment.resolved_at = datetime.now(UTC)
    db.session.flush()
    audit.record("comment.resolve", comment, actor=actor, instrument_id=comment.instrument_id)


def hide(comment: Comment, *, actor: User, reason: str) -> None:
    """Hide ``comment`` from the page (the secretariat, with a reason that is logged).

    A hidden comment keeps its rows; readers see that it was hidden and why.

    :raises CommentError: 403 for anyone but the secretariat; 400 (field
        ``reason``) without a reason or with one longer than
        :data:`MAX_REASON_LENGTH`; 409 when it is hidden already.
    """
    if not permissions.can_hide_comment(actor, comment):
        raise CommentError("Only the secretariat may hide comments.", 403)
    text = (reason or "").strip()
    if not text:
        raise CommentError("Say why the comment is hidden; the reason is shown in its place.", 400, "reason")
    if len(text) > MAX_REASON_LENGTH:
        raise CommentError(f"Give the reason in at most {MAX_REASON_LENGTH:,} characters.", 400, "reason")
    if comment.status is CommentStatus.HIDDEN:
        raise CommentError("This comment is hidden already.", 409)
    comment.status = CommentStatus.HIDDEN
    comment.hidden_by_id = actor.id
    comment.hidden_at = datetime.now(UTC)
    comment.hidden_reason = text
    db.session.flush()
    audit.record("comment.hide", comment, actor=actor, instrument_id=comment.instrument_id, reason=text)


# --- reading: one clause ---------------------------------------------------------


@dataclass
class Thread:
    """A top-level comment as shown beside one version of its clause, with its replies.

    :ivar comment: the comment.
    :ivar outcome: where it stands in the version shown; ``None`` when it
        was written on a later version than the one shown.
    :ivar before: plain text just before the quoted span in the version shown (placed only).
    :ivar quoted: the quoted span as it reads in the version shown (placed only).
    :ivar after: plain text just after it (placed only).
    :ivar replies: visible replies, oldest first.
    """

    comment: Comment
    outcome: Outcome | None
    before: str = ""
    quoted: str = ""
    after: str = ""
    replies: list[Comment] = field(default_factory=list)

    @property
    def later(self) -> bool:
        """Written on a later version than the one shown."""
        return self.outcome is None


#: Threads (a top-level comment with its replies) on one page of a clause's comments:
#: a debated article gathers hundreds, and a delegate on a phone reads them a page at a time.
THREADS_PER_PAGE = 30


@dataclass
class ClauseComments:
    """Everything the comment panel of one clause version needs.

    :ivar version: the version shown.
    :ivar threads: the top-level comments of this page, oldest first (hidden ones included as placeholders).
    :ivar body_html: the version's rendered text with quoted spans marked,
        or plain rendered text when nothing could be marked.
    :ivar count: visible comments and replies on the clause (every page).
    :ivar page: the page shown (from 1).
    :ivar pages: the number of pages (at least 1).
    :ivar total_threads: top-level comments on the clause (every page).
    """

    version: ClauseVersion
    threads: list[Thread]
    body_html: str
    count: int
    page: int = 1
    pages: int = 1
    total_threads: int = 0


def _thread_counts(clause: Clause) -> tuple[int, int]:
    """``(visible comments and replies, top-level comments)`` of ``clause``, in one query."""
    visible, threads = db.session.execute(
        select(
            func.coalesce(func.sum(case((Comment.status != CommentStatus.HIDDEN, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Comment.in_reply_to_id.is_(None), 1), else_=0)), 0),
        ).where(Comment.clause_id == clause.id)
    ).one()
    return int(visible), int(threads)


def clause_comments(
    clause: Clause, version: ClauseVersion, *, page: int | None = None, per_page: int = THREADS_PER_PAGE
) -> ClauseComments:
    """Load one page of the comments of ``clause`` as they stand in ``version``, in four queries.

    Threads are in the order they were started, :data:`THREADS_PER_PAGE` a
    page counted back from the newest (the first page holds the remainder);
    without ``page`` the last page (the newest threads, next to the form) is
    shown. Hidden comments are listed as placeholders (the template
    shows the body only to the secretariat and the author, see
    :func:`drafter.permissions.can_see_hidden_comment`). Quoted spans placed
    in ``version`` are marked in its rendered text
    (:func:`instrument.highlight.highlight_spans`), those of every page;
    comments of this page without a stored anchor for ``version`` (written
    on a later version, or saved while it was being made) get one computed
    on the fly or none.

    :param clause: the clause.
    :param version: the version shown (current, a draft's or an older one).
    :param page: the page wanted (from 1; out-of-range numbers are brought into range), or ``None`` for the last.
    :param per_page: threads per page.
    :returns: a :class:`ClauseComments`.
    """
    count, total_threads = _thread_counts(clause)
    pages = page_count(total_threads, per_page)
    page = pages if page is None else min(max(1, page), pages)
    # Pages are counted back from the newest thread, so the page shown by default is
    # full and the first page holds what is left over.
    end = total_threads - (pages - page) * per_page
    start = max(0, end - per_page)
    loaded = (
        joinedload(Comment.author),
        joinedload(Comment.organisation),
        joinedload(Comment.draft),
        joinedload(Comment.version),
    )
    top = db.session.scalars(
        select(Comment)
        .options(*loaded)
        .where(Comment.clause_id == clause.id, Comment.in_reply_to_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .limit(max(0, end - start))
        .offset(start)
    ).all()
    replies = db.session.scalars(
        select(Comment)
        .options(*loaded)
        .where(Comment.in_reply_to_id.in_([c.id for c in top]))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    # Anchors of every thread on the clause (a few numbers each): this page's threads
    # need theirs, and the text shows the quotes of all pages.
    anchors = {
        comment_id: (Outcome(AnchorState(status), start, end, score), comment_status)
        for comment_id, status, start, end, score, comment_status in db.session.execute(
            select(
                CommentAnchor.comment_id,
                CommentAnchor.status,
                CommentAnchor.start,
                CommentAnchor.end,
                CommentAnchor.score,
                Comment.status,
            )
            .join(Comment, Comment.id == CommentAnchor.comment_id)
            .where(Comment.clause_id == clause.id, CommentAnchor.version_id == version.id)
        )
    }
    plain = plain_text_of(version)
    threads: dict[int, Thread] = {}
    for comment in top:
        stored = anchors.get(comment.id)
        if stored is not None:
            outcome = stored[0]
        elif comment.version.seq > version.seq:
            outcome = None
        else:
            outcome = anchoring_on(comment, plain_text_of(comment.version), version)
        thread = Thread(comment, outcome)
        if outcome is not None and outcome.placed and outcome.start is not None and outcome.end is not None:
            s, e = outcome.start, outcome.end
            thread.before = _clip_left(plain[max(0, s - PASSAGE_CONTEXT) : s], s > PASSAGE_CONTEXT)
            thread.quoted = plain[s:e]
            thread.after = _clip_right(plain[e : e + PASSAGE_CONTEXT], e + PASSAGE_CONTEXT < len(plain))
        threads[comment.id] = thread
    for comment in replies:
        parent = threads.get(comment.in_reply_to_id) if comment.in_reply_to_id is not None else None
        if parent is not None:
            parent.replies.append(comment)
    spans = {
        (outcome.start, outcome.end)
        for outcome, status in anchors.values()
        if outcome.placed
        and outcome.start is not None
        and outcome.end is not None
        and status is not CommentStatus.HIDDEN
    }
    spans.update(
        (t.outcome.start, t.outcome.end)
        for t in threads.values()
        if t.outcome is not None
        and t.outcome.placed
        and t.outcome.start is not None
        and t.outcome.end is not None
        and t.comment.status is not CommentStatus.HIDDEN
    )
    rendered = _rendered(version.id, version.text)
    body_html = highlight_spans(rendered, plain, sorted(spans)) if spans else rendered
    return ClauseComments(
        version,
        list(threads.values()),
        body_html if body_html is not None else rendered,
        count,
        page,
        pages,
        total_threads,
    )


def thread_page(comment: Comment, per_page: int = THREADS_PER_PAGE) -> int | None:
    """The page of its clause's comments that shows ``comment``'s thread (one query).

    :param comment: a comment or a reply (a reply is on its thread's page).
    :returns: the page number, or ``None`` when it is the last page (the one shown by default).
    """
    top = comment.in_reply_to or comment
    earlier = or_(Comment.created_at < top.created_at, and_(Comment.created_at == top.created_at, Comment.id < top.id))
    before, total = db.session.execute(
        select(
            func.coalesce(func.sum(case((earlier, 1), else_=0)), 0),
            func.count(Comment.id),
        ).where(Comment.clause_id == top.clause_id, Comment.in_reply_to_id.is_(None))
    ).one()
    pages = page_count(total, per_page)
    page = pages - (int(total) - 1 - int(before)) // per_page  # counted back from the newest, as in clause_comments
    return None if page >= pages else page


def _clip_left(text: str, cut: bool) -> str:
    text = text.replace("\n\n", " ")
    if cut and " " in text:
        text = "…" + text[text.index(" ") :]
    return text


def _clip_right(text: str, cut: bool) -> str:
    text = text.replace("\n\n", " ")
    if cut and " " in text:
        text = text[: text.rindex(" ")] + " …"
    return text


# --- reading: counts, lists, export ----------------------------------------------


def counts_by_clause(instrument: Instrument, draft: Draft | None = None) -> dict[int, int]:
    """Visible comments and replies per clause, in one grouped query.

    :param instrument: the instrument.
    :param draft: for a draft's page, only comments written on the draft's
        version of each clause or an earlier one are counted (comments carry
        over into later drafts, not back into earlier ones).
    :returns: ``{clause_id: count}``; clauses without comments are absent.
    """
    stmt = (
        select(Comment.clause_id, func.count(Comment.id))
        .where(Comment.instrument_id == instrument.id, Comment.status != CommentStatus.HIDDEN)
        .group_by(Comment.clause_id)
    )
    if draft is not None:
        # Counted per written version first, then compared with the draft's version of each
        # clause: the joins then run over one row per version, not one per comment.
        per_version = (
            select(Comment.clause_id, Comment.version_id, func.count(Comment.id).label("n"))
            .where(Comment.instrument_id == instrument.id, Comment.status != CommentStatus.HIDDEN)
            .group_by(Comment.clause_id, Comment.version_id)
            .subquery()
        )
        written = aliased(ClauseVersion)
        shown = aliased(ClauseVersion)
        stmt = (
            select(per_version.c.clause_id, func.sum(per_version.c.n))
            .join(written, written.id == per_version.c.version_id)
            .join(DraftEntry, and_(DraftEntry.clause_id == per_version.c.clause_id, DraftEntry.draft_id == draft.id))
            .join(shown, shown.id == DraftEntry.version_id)
            .where(written.seq <= shown.seq)
            .group_by(per_version.c.clause_id)
        )
    return {clause_id: int(n) for clause_id, n in db.session.execute(stmt)}


@dataclass(frozen=True)
class ListFilters:
    """Filters of the comments list; empty values filter nothing.

    :ivar clause_id: only this clause.
    :ivar organisation_id: only comments written for this organisation.
    :ivar category: only this category.
    :ivar status: only this status.
    :ivar changed_since_mine: only the viewer's own comments whose quoted
        words (or, for a comment on the whole clause, whose clause text) have
        changed or been deleted in the current text.
    """

    clause_id: int | None = None
    organisation_id: int | None = None
    category: CommentCategory | None = None
    status: CommentStatus | None = None
    changed_since_mine: bool = False


@dataclass(frozen=True)
class ListRow:
    """One comment of the list with what the row shows.

    :ivar comment: the comment (author, organisation, clause and version loaded).
    :ivar clause: its clause.
    :ivar written: the version it was written on.
    :ivar current: its anchor on the clause's current version, if any.
    """

    comment: Comment
    clause: Clause
    written: ClauseVersion
    current: CommentAnchor | None


def _visible_to(viewer: User | None):
    if permissions.is_secretariat(viewer):
        return None
    if permissions.is_active_user(viewer):
        return or_(Comment.status != CommentStatus.HIDDEN, Comment.author_id == viewer.id)
    return Comment.status != CommentStatus.HIDDEN


def list_comments(
    instrument: Instrument, filters: ListFilters, viewer: User | None, *, page: int = 1, per_page: int = 25
) -> Page[ListRow]:
    """The comments of ``instrument`` matching ``filters``, newest first, one page, in two queries.

    Hidden comments are listed only for the secretariat and their authors.

    :param instrument: the instrument.
    :param filters: see :class:`ListFilters`; ``changed_since_mine`` needs a signed-in viewer.
    :param viewer: the visitor.
    :param page: page number from 1 (pages past the end are empty).
    :param per_page: rows per page.
    :returns: a :class:`~drafter.services.paging.Page` of :class:`ListRow`.
    """
    current = aliased(CommentAnchor)
    written = aliased(ClauseVersion)
    conditions = [Comment.instrument_id == instrument.id]
    visible = _visible_to(viewer)
    if visible is not None:
        conditions.append(visible)
    if filters.clause_id is not None:
        conditions.append(Comment.clause_id == filters.clause_id)
    if filters.organisation_id is not None:
        conditions.append(Comment.organisation_id == filters.organisation_id)
    if filters.category is not None:
        conditions.append(Comment.category == filters.category)
    if filters.status is not None:
        conditions.append(Comment.status == filters.status)
    if filters.changed_since_mine:
        conditions.append(Comment.author_id == (viewer.id if permissions.is_active_user(viewer) else -1))
        conditions.append(current.status.in_([AnchorState.CHANGED, AnchorState.DELETED]))
    joined = (
        select(Comment, Clause, written, current)
        .join(Clause, Clause.id == Comment.clause_id)
        .join(written, written.id == Comment.version_id)
        .outerjoin(current, and_(current.comment_id == Comment.id, current.version_id == Clause.current_version_id))
    )
    # Counted on the comment rows alone: the clause and the version written on always exist,
    # so the joins change nothing but the cost; the current anchor matters only to its filter.
    counted = select(func.count(Comment.id)).where(*conditions)
    if filters.changed_since_mine:
        counted = counted.join(Clause, Clause.id == Comment.clause_id).join(
            current, and_(current.comment_id == Comment.id, current.version_id == Clause.current_version_id)
        )
    total = db.session.scalar(counted)
    page = max(1, page)
    newest_first = (Comment.created_at.desc(), Comment.id.desc())
    # The page's ids are found on the comment rows alone (from the index), and only those
    # rows are joined, by primary key: joined before the OFFSET, every skipped comment of
    # a deep page was joined too (page 2,000 of 50,000 comments: 185 ms).
    on_page = (
        counted.with_only_columns(Comment.id).order_by(*newest_first).limit(per_page).offset((page - 1) * per_page)
    )
    rows = db.session.execute(
        joined.where(Comment.id.in_(on_page.scalar_subquery()))
        .options(joinedload(Comment.author), joinedload(Comment.organisation))
        .order_by(*newest_first)
    ).all()
    return Page([ListRow(c, cl, w, a) for c, cl, w, a in rows], total or 0, page, per_page)


def filter_choices(instrument: Instrument) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Clauses and organisations that have comments on ``instrument`` (two queries).

    :returns: ``(clauses, organisations)`` as ``(id, label)`` lists in document and name order.
    """
    clauses = db.session.execute(
        select(Clause.id, Clause.key)
        .where(Clause.id.in_(select(Comment.clause_id).where(Comment.instrument_id == instrument.id)))
        .order_by(Clause.position)
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(select(Comment.organisation_id).where(Comment.instrument_id == instrument.id)))
        .order_by(Organisation.name)
    ).all()
    return [(i, k) for i, k in clauses], [(i, n) for i, n in organisations]


#: Columns of the CSV export, in order.
CSV_HEADER = [
    "comment id", "reply to", "clause", "clause version", "draft", "quote", "category",
    "organisation", "author", "date (UTC)", "status", "current text", "body",
]  # fmt: skip


def export_rows(instrument: Instrument) -> Iterator[list[str]]:
    """Every comment of ``instrument`` (hidden ones included, for the secretariat) as CSV rows.

    One query, streamed in batches. Cells go through
    :func:`instrument.export.cleaning.spreadsheet_cell` (no cell starts a formula).

    :returns: an iterator of rows, the header first (:data:`CSV_HEADER`).
    """
    yield list(CSV_HEADER)
    current = aliased(CommentAnchor)
    written = aliased(ClauseVersion)
    stmt = (
        select(Comment, Clause.key, written.seq, Draft.number, Organisation.name, User.name, current.status)
        .join(Clause, Clause.id == Comment.clause_id)
        .join(written, written.id == Comment.version_id)
        .join(User, User.id == Comment.author_id)
        .outerjoin(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Draft, Draft.id == Comment.draft_id)
        .outerjoin(current, and_(current.comment_id == Comment.id, current.version_id == Clause.current_version_id))
        .where(Comment.instrument_id == instrument.id)
        .order_by(Clause.position, Comment.created_at, Comment.id)
        .execution_options(yield_per=500)
    )
    for comment, key, seq, draft_number, organisation, author, anchor_status in db.session.execute(stmt):
        values: Sequence[object] = (
            comment.id,
            comment.in_reply_to_id or "",
            key,
            seq,
            draft_number or "",
            comment.quote,
            comment.category.label,
            organisation or "",
            author,
            comment.created_at.strftime("%Y-%m-%d %H:%M"),
            comment.status.value,
            anchor_status.value if anchor_status is not None else "",
            comment.body,
        )
        yield [spreadsheet_cell(v) for v in values]
