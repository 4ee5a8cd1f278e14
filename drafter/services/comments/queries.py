"""Comments on clauses, what feeds the pages: one clause's panel, counts, the list and the CSV export.

Nothing here writes; each function runs a fixed, small number of queries.
Every reading function takes the reader and keeps only the comments
:func:`readable_by` lets them read: the versions rule of
:mod:`drafter.services.visibility`, with the secretariat's notes on the
working draft kept internal and a stakeholder's own material always shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from drafter import permissions, policies
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
    Role,
    User,
)
from drafter.services import visibility
from drafter.services.comments.anchoring import Outcome, anchoring_on, plain_text_of
from drafter.services.paging import Page, page_count
from instrument.export.cleaning import spreadsheet_cell
from instrument.highlight import highlight_spans
from instrument.render import render_markdown

#: Characters of surrounding text shown around a quoted passage.
PASSAGE_CONTEXT = 60


@lru_cache(maxsize=1024)
def _rendered(version_id: int, text: str) -> str:
    return render_markdown(text)


# --- who reads which comments -------------------------------------------------------


def readable_by(viewer: User | None, instrument: Instrument) -> ColumnElement[bool]:
    """A WHERE condition keeping the comments (and replies) of ``instrument`` that ``viewer`` may read.

    The secretariat reads every comment. Anybody else reads a comment when
    :func:`drafter.services.visibility.version_filter` lets them see the
    version it was written on, unless it is one of the secretariat's notes on
    the working draft (written from no draft by a secretariat or admin
    account: internal); and always the comments written by themselves or
    for their organisation (their own material, whatever its state).
    Hidden comments are not filtered here: they show as placeholders.

    :param viewer: the reader (``None`` or anonymous for a visitor).
    :param instrument: the instrument the comments belong to.
    :returns: a condition on :class:`~drafter.models.Comment` columns.
    """
    if policies.sees_working_draft(viewer, instrument):
        return true()
    internal = Comment.draft_id.is_(None) & Comment.author_id.in_(
        select(User.id).where(User.role.in_([Role.SECRETARIAT, Role.ADMIN])).correlate(None)
    )
    shown: ColumnElement[bool] = visibility.version_filter(viewer, instrument, Comment.version_id) & ~internal
    if permissions.is_active_user(viewer):
        own = Comment.author_id == viewer.id
        if viewer.organisation_id is not None:
            own = own | (Comment.organisation_id == viewer.organisation_id)
        shown = shown | own
    return shown


def is_internal(comment: Comment) -> bool:
    """Whether ``comment`` is a secretariat's note on the working draft (written from no draft by a
    secretariat or admin account), which only the secretariat reads (the Python form of :func:`readable_by`'s
    exception)."""
    return comment.draft_id is None and comment.author.role in (Role.SECRETARIAT, Role.ADMIN)


def latest_drafts_holding(version_ids: Iterable[int]) -> dict[int, Draft]:
    """The latest published draft holding each version, for those a draft holds (one query).

    :returns: ``{version id: draft}``.
    """
    wanted = set(version_ids)
    # Asked even for no version, so that a page runs the same statements whatever its comments.
    found: dict[int, Draft] = {}
    for version_id, draft in db.session.execute(
        select(DraftEntry.version_id, Draft)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.version_id.in_(wanted))
        .order_by(Draft.number)
    ):
        found[version_id] = draft  # the latest comes last
    return found


def thread_draft(top: Comment, holding: dict[int, Draft] | None = None) -> Draft | None:
    """The draft a thread started by ``top`` is on, which replies to it join and whose phase they follow.

    Its own draft; for a comment written before comments carried their draft, the latest
    published draft holding its version; none for a secretariat's note on the working draft.

    :param holding: :func:`latest_drafts_holding` of the threads' versions, when already loaded.
    """
    if top.draft_id is not None or is_internal(top):
        return top.draft
    if holding is None:
        holding = latest_drafts_holding([top.version_id])
    return holding.get(top.version_id)


def may_read(viewer: User | None, comment: Comment) -> bool:
    """Whether ``viewer`` may read ``comment`` (:func:`readable_by` for one loaded comment; at most one query)."""
    instrument = comment.instrument
    if policies.sees_working_draft(viewer, instrument):
        return True
    found = db.session.scalar(
        select(Comment.id).where(Comment.id == comment.id, readable_by(viewer, instrument)).limit(1)
    )
    return found is not None


def reader_clause_key(viewer: User | None, instrument: Instrument) -> ColumnElement[str]:
    """A column naming each :class:`~drafter.models.Clause` row as ``viewer`` reads it: its working key for
    the secretariat, its key in the latest published draft holding it for anybody else (a renumbering in the
    working draft is not shown); a clause never published keeps its key."""
    if policies.sees_working_draft(viewer, instrument):
        return Clause.key.expression
    in_draft = (
        select(DraftEntry.key)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id == Clause.id)
        .order_by(Draft.number.desc())
        .limit(1)
        .correlate(Clause)
        .scalar_subquery()
    )
    return func.coalesce(in_draft, Clause.key)


def _reader_anchor_version(viewer: User | None, instrument: Instrument) -> ColumnElement[int | None]:
    """The version a comment row's "changed since" is judged on, per clause: the working version for the
    secretariat, the clause's version in the latest published draft for anybody else (none before one)."""
    if policies.sees_working_draft(viewer, instrument):
        return Clause.current_version_id.expression
    latest = visibility.latest_draft(instrument)
    if latest is None:
        return select(DraftEntry.version_id).where(false()).scalar_subquery()
    return (
        select(DraftEntry.version_id)
        .where(DraftEntry.draft_id == latest.id, DraftEntry.clause_id == Clause.id)
        .correlate(Clause)
        .scalar_subquery()
    )


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
    #: The draft replies join (:func:`thread_draft`), ``None`` on the working draft.
    reply_draft: Draft | None = None

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


def _thread_counts(clause: Clause, readable: ColumnElement[bool]) -> tuple[int, int]:
    """``(visible comments and replies, top-level comments)`` of ``clause`` among the ``readable``, in one query."""
    visible, threads = db.session.execute(
        select(
            func.coalesce(func.sum(case((Comment.status != CommentStatus.HIDDEN, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Comment.in_reply_to_id.is_(None), 1), else_=0)), 0),
        ).where(Comment.clause_id == clause.id, readable)
    ).one()
    return int(visible), int(threads)


def clause_comments(
    clause: Clause,
    version: ClauseVersion,
    *,
    viewer: User | None = None,
    page: int | None = None,
    per_page: int = THREADS_PER_PAGE,
) -> ClauseComments:
    """Load one page of the comments of ``clause`` as they stand in ``version``, in four queries.

    Threads are in the order they were started, :data:`THREADS_PER_PAGE` a
    page counted back from the newest (the first page holds the remainder);
    without ``page`` the last page (the newest threads, next to the form) is
    shown. Hidden comments are listed as placeholders (the template
    shows the body only to the secretariat and the author, see
    :func:`drafter.policies.can_see_hidden_comment`). Quoted spans placed
    in ``version`` are marked in its rendered text
    (:func:`instrument.highlight.highlight_spans`), those of every page;
    comments of this page without a stored anchor for ``version`` (written
    on a later version, or saved while it was being made) get one computed
    on the fly or none.

    :param clause: the clause.
    :param version: the version shown (current, a draft's or an older one).
    :param viewer: the reader: only the comments :func:`readable_by` them are counted, listed and marked
        (``None``: an anonymous visitor).
    :param page: the page wanted (from 1; out-of-range numbers are brought into range), or ``None`` for the last.
    :param per_page: threads per page.
    :returns: a :class:`ClauseComments`.
    """
    readable = readable_by(viewer, clause.instrument)
    count, total_threads = _thread_counts(clause, readable)
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
        .where(Comment.clause_id == clause.id, Comment.in_reply_to_id.is_(None), readable)
        .order_by(Comment.created_at, Comment.id)
        .limit(max(0, end - start))
        .offset(start)
    ).all()
    replies = db.session.scalars(
        select(Comment)
        .options(*loaded)
        .where(Comment.in_reply_to_id.in_([c.id for c in top]), readable)
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
            .where(Comment.clause_id == clause.id, CommentAnchor.version_id == version.id, readable)
        )
    }
    plain = plain_text_of(version)
    threads: dict[int, Thread] = {}
    holding = latest_drafts_holding(c.version_id for c in top if c.draft_id is None)
    for comment in top:
        stored = anchors.get(comment.id)
        if stored is not None:
            outcome = stored[0]
        elif comment.version.seq > version.seq:
            outcome = None
        else:
            outcome = anchoring_on(comment, plain_text_of(comment.version), version)
        thread = Thread(comment, outcome, reply_draft=thread_draft(comment, holding))
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


def thread_page(comment: Comment, viewer: User | None = None, per_page: int = THREADS_PER_PAGE) -> int | None:
    """The page of its clause's comments that shows ``comment``'s thread to ``viewer`` (one query).

    :param comment: a comment or a reply (a reply is on its thread's page).
    :param viewer: the reader, whose pages hold the threads :func:`readable_by` them.
    :returns: the page number, or ``None`` when it is the last page (the one shown by default).
    """
    top = comment.in_reply_to or comment
    earlier = or_(Comment.created_at < top.created_at, and_(Comment.created_at == top.created_at, Comment.id < top.id))
    before, total = db.session.execute(
        select(
            func.coalesce(func.sum(case((earlier, 1), else_=0)), 0),
            func.count(Comment.id),
        ).where(
            Comment.clause_id == top.clause_id, Comment.in_reply_to_id.is_(None), readable_by(viewer, top.instrument)
        )
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


def counts_by_clause(
    instrument: Instrument, draft: Draft | None = None, *, viewer: User | None = None
) -> dict[int, int]:
    """Visible comments and replies per clause, in one grouped query.

    :param instrument: the instrument.
    :param draft: for a draft's page, only comments written on the draft's
        version of each clause or an earlier one are counted (comments carry
        over into later drafts, not back into earlier ones).
    :param viewer: the reader: only comments :func:`readable_by` them count (``None``: an anonymous visitor).
    :returns: ``{clause_id: count}``; clauses without comments are absent.
    """
    readable = readable_by(viewer, instrument)
    stmt = (
        select(Comment.clause_id, func.count(Comment.id))
        .where(Comment.instrument_id == instrument.id, Comment.status != CommentStatus.HIDDEN, readable)
        .group_by(Comment.clause_id)
    )
    if draft is not None:
        # Counted per written version first, then compared with the draft's version of each
        # clause: the joins then run over one row per version, not one per comment.
        per_version = (
            select(Comment.clause_id, Comment.version_id, func.count(Comment.id).label("n"))
            .where(Comment.instrument_id == instrument.id, Comment.status != CommentStatus.HIDDEN, readable)
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
    :ivar current: its anchor on the clause's version the viewer reads now (the working version for the
        secretariat, the latest published draft's for anybody else), if any.
    :ivar label: the clause's name as the viewer reads it (:func:`reader_clause_key`).
    """

    comment: Comment
    clause: Clause
    written: ClauseVersion
    current: CommentAnchor | None
    label: str = ""


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

    Hidden comments are listed only for the secretariat and their authors; anybody else
    sees only the comments :func:`readable_by` them.

    :param instrument: the instrument.
    :param filters: see :class:`ListFilters`; ``changed_since_mine`` needs a signed-in viewer.
    :param viewer: the visitor.
    :param page: page number from 1 (pages past the end are empty).
    :param per_page: rows per page.
    :returns: a :class:`~drafter.services.paging.Page` of :class:`ListRow`.
    """
    current = aliased(CommentAnchor)
    written = aliased(ClauseVersion)
    conditions = [Comment.instrument_id == instrument.id, readable_by(viewer, instrument)]
    reads = _reader_anchor_version(viewer, instrument)
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
        select(Comment, Clause, written, current, reader_clause_key(viewer, instrument))
        .join(Clause, Clause.id == Comment.clause_id)
        .join(written, written.id == Comment.version_id)
        .outerjoin(current, and_(current.comment_id == Comment.id, current.version_id == reads))
    )
    # Counted on the comment rows alone: the clause and the version written on always exist,
    # so the joins change nothing but the cost; the current anchor matters only to its filter.
    counted = select(func.count(Comment.id)).where(*conditions)
    if filters.changed_since_mine:
        counted = counted.join(Clause, Clause.id == Comment.clause_id).join(
            current, and_(current.comment_id == Comment.id, current.version_id == reads)
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
    return Page([ListRow(c, cl, w, a, key) for c, cl, w, a, key in rows], total or 0, page, per_page)


def filter_choices(
    instrument: Instrument, viewer: User | None = None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Clauses and organisations that have comments on ``instrument`` that ``viewer`` may read (two queries).

    :param viewer: the reader (:func:`readable_by`; ``None``: an anonymous visitor).
    :returns: ``(clauses, organisations)`` as ``(id, label)`` lists in document and name order; clauses
        are named as the viewer reads them (:func:`reader_clause_key`).
    """
    commented = select(Comment.clause_id).where(Comment.instrument_id == instrument.id, readable_by(viewer, instrument))
    clauses = db.session.execute(
        select(Clause.id, reader_clause_key(viewer, instrument))
        .where(Clause.id.in_(commented))
        .order_by(Clause.position)
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(
            Organisation.id.in_(
                select(Comment.organisation_id).where(
                    Comment.instrument_id == instrument.id, readable_by(viewer, instrument)
                )
            )
        )
        .order_by(Organisation.name)
    ).all()
    return [(i, k) for i, k in clauses], [(i, n) for i, n in organisations]


#: Columns of the CSV export, in order.
CSV_HEADER = [
    "comment id", "reply to", "clause", "clause version", "draft", "quote", "category",
    "organisation", "author", "date (UTC)", "status", "current text", "body",
]  # fmt: skip


def export_rows(instrument: Instrument, viewer: User | None = None) -> Iterator[list[str]]:
    """Every comment of ``instrument`` that ``viewer`` may read (hidden ones included) as CSV rows.

    One query, streamed in batches. Cells go through
    :func:`instrument.export.cleaning.spreadsheet_cell` (no cell starts a formula).

    :param viewer: the reader (:func:`readable_by`; the page is the secretariat's, who reads every one);
        "current text" is the anchor on the text the viewer reads now.
    :returns: an iterator of rows, the header first (:data:`CSV_HEADER`).
    """
    yield list(CSV_HEADER)
    current = aliased(CommentAnchor)
    written = aliased(ClauseVersion)
    # Aliased, so that the subqueries of the visibility rule (over drafts) are not correlated with it.
    draft = aliased(Draft)
    key_column = reader_clause_key(viewer, instrument)
    reads = _reader_anchor_version(viewer, instrument)
    stmt = (
        select(Comment, key_column, written.seq, draft.number, Organisation.name, User.name, current.status)
        .join(Clause, Clause.id == Comment.clause_id)
        .join(written, written.id == Comment.version_id)
        .join(User, User.id == Comment.author_id)
        .outerjoin(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(draft, draft.id == Comment.draft_id)
        .outerjoin(current, and_(current.comment_id == Comment.id, current.version_id == reads))
        .where(Comment.instrument_id == instrument.id, readable_by(viewer, instrument))
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
