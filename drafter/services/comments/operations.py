"""Comments on clauses, the use cases that change them: post, reply, edit, resolve, hide.

Every function takes the acting user explicitly, changes rows and flushes;
the caller commits. Refusals are :mod:`drafter.services.errors` kinds:
:class:`~drafter.services.errors.NotPermitted` for who may not,
:class:`~drafter.services.errors.Conflict` for a state that no longer allows
it, :class:`~drafter.services.errors.InvalidInput` (with the form field, when
there is one) for input that cannot be used.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from drafter import policies
from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Comment, CommentCategory, CommentStatus, Draft, DraftEntry, User
from drafter.services import audit, phases, visibility
from drafter.services.comments.anchoring import anchor_comment, build_selector, plain_text_of
from drafter.services.comments.queries import latest_drafts_holding, may_read, thread_draft
from drafter.services.errors import Conflict, InvalidInput, NotFound, NotPermitted
from instrument.errors import AnchorError
from instrument.selectors import Selector

#: Longest comment body accepted when the app sets no ``MAX_COMMENT_LENGTH``.
DEFAULT_MAX_LENGTH = 20_000
#: Longest quote accepted, in characters (a long paragraph; more is the whole clause).
MAX_QUOTE_LENGTH = 5_000
#: Longest reason for hiding a comment.
MAX_REASON_LENGTH = 1_000


def check_body(body: str | None, max_length: int) -> str:
    """Return ``body`` without surrounding whitespace, or refuse it.

    :param body: the Markdown body as typed.
    :param max_length: the longest body accepted (``MAX_COMMENT_LENGTH``).
    :returns: the stripped body.
    :raises InvalidInput: (field ``body``) when empty or too long.
    """
    text = (body or "").strip()
    if not text:
        raise InvalidInput("Write your comment.", field="body")
    if len(text) > max_length:
        raise InvalidInput(
            f"A comment may have at most {max_length:,} characters; this one has {len(text):,}.", field="body"
        )
    return text


def _check_can_post(author: User) -> None:
    if not policies.can_post_comment(author):
        raise NotPermitted("Only approved accounts may comment.")


def _check_draft(draft: Draft, clause: Clause, version: ClauseVersion) -> None:
    if draft.instrument_id != clause.instrument_id:
        raise InvalidInput(f"Draft {draft.number} belongs to another instrument.")
    in_draft = db.session.scalar(
        select(DraftEntry.version_id).where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
    )
    if in_draft is None:
        raise InvalidInput(f"{clause.key} is not part of Draft {draft.number}.")
    if in_draft != version.id:
        raise InvalidInput(f"This is not the text {clause.key} has in Draft {draft.number}.")
    phases.ensure_open(draft, phases.Activity.COMMENT)


def latest_draft_holding(version: ClauseVersion) -> Draft | None:
    """The latest published draft that holds ``version``, or ``None`` when no draft holds it (one query)."""
    return latest_drafts_holding([version.id]).get(version.id)


def thread_of(parent: Comment) -> tuple[Comment, ClauseVersion, Draft | None]:
    """Where a reply to ``parent`` belongs: ``(the thread's first comment, its version, its draft)``.

    A reply joins its thread: the version and draft are those of the thread's
    first comment (:func:`~drafter.services.comments.queries.thread_draft`).
    """
    top = parent.in_reply_to if parent.in_reply_to_id is not None and parent.in_reply_to is not None else parent
    return top, top.version, thread_draft(top)


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
    empty and at most ``max_length`` characters; a reply answers a comment of
    the same clause that the author may read and that is not hidden, and
    takes the version and draft of its thread (:func:`thread_of`; the
    ``version`` and ``draft`` given are not used), quoting nothing; the
    version belongs to the clause and does not delete it; a comment from no
    draft (on the working draft) comes from the secretariat, and not once the
    instrument's latest draft is final; written from a
    draft, the version is the draft's text of the clause and the draft takes
    comments now (:func:`drafter.services.phases.ensure_open`: a closed or
    final draft refuses everybody, the secretariat included); a quote occurs
    in the version's plain text.

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
    :raises NotPermitted: for an account that may not comment, or a comment on the working draft
        from anyone but the secretariat.
    :raises NotFound: for a reply to a comment the author may not read.
    :raises InvalidInput: for bad input (with the form field, for ``body`` and ``quote``).
    :raises Conflict: when the draft does not take comments now
        (:class:`~drafter.services.phases.PeriodClosed`, with its next step)
        or the comment answered is hidden.
    """
    _check_can_post(author)
    text = check_body(body, max_length)
    if in_reply_to is not None:
        if in_reply_to.clause_id != clause.id or in_reply_to.instrument_id != clause.instrument_id:
            raise InvalidInput("You can only reply to a comment on the same clause.")
        if not may_read(author, in_reply_to):
            raise NotFound("There is no such comment to reply to.")
        if in_reply_to.status is CommentStatus.HIDDEN:
            raise Conflict("This comment was hidden by the secretariat; it takes no replies.")
        in_reply_to, version, draft = thread_of(in_reply_to)
    if version.clause_id != clause.id:
        raise InvalidInput("This version belongs to another clause.")
    if version.deleted:
        raise InvalidInput("This version deletes the clause; comment on another version.")
    if draft is None:
        if not policies.sees_working_draft(author, clause.instrument):
            raise NotPermitted(
                "Comments are written on a published draft; only the secretariat notes remarks on its working draft."
            )
        latest = visibility.latest_draft(clause.instrument)
        if latest is not None and latest.is_final:
            phases.ensure_open(latest, phases.Activity.COMMENT)  # the adopted text takes no remark, even internal
    else:
        _check_draft(draft, clause, version)
    selector: Selector | None = None
    if in_reply_to is None and (quote or "").strip():
        if len(quote) > MAX_QUOTE_LENGTH:
            raise InvalidInput(
                f"Quote at most {MAX_QUOTE_LENGTH:,} characters, or comment on the whole clause.", field="quote"
            )
        try:
            selector = build_selector(
                plain_text_of(version), quote, prefix=prefix or "", suffix=suffix or "", start=start, end=end
            )
        except AnchorError:
            raise InvalidInput(
                "These words are not in this version of the clause. Copy them exactly from the text, "
                "or leave the quote empty to comment on the whole clause.",
                field="quote",
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
        anchor_comment(comment, clause, version)
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


def reply(parent: Comment, *, author: User, body: str, max_length: int = DEFAULT_MAX_LENGTH) -> Comment:
    """Answer ``parent`` in its thread, on the thread's version and draft (see :func:`post` for the checks).

    :param parent: the comment answered (a reply to a reply joins the thread's first comment).
    :param author: who writes.
    :param body: Markdown body.
    :param max_length: the longest body accepted.
    :returns: the new, flushed reply.
    :raises Refused: as :func:`post`; :class:`~drafter.services.phases.PeriodClosed` when the thread's
        draft takes no comments now.
    """
    _, version, draft = thread_of(parent)
    return post(
        author=author,
        clause=parent.clause,
        version=version,
        body=body,
        in_reply_to=parent,
        draft=draft,
        max_length=max_length,
    )


# --- changing a comment ---------------------------------------------------------


def ensure_editable(comment: Comment, actor: User | None) -> None:
    """Refuse unless ``actor`` may edit ``comment`` now (its author, while it is open and its draft
    takes comments).

    Views call it before showing the edit form too, so the form is refused for the same reasons.

    :raises NotPermitted: for anyone but the author (:func:`drafter.policies.can_edit_comment`).
    :raises Conflict: when the comment is resolved or hidden, or
        (:class:`~drafter.services.phases.PeriodClosed`) its draft takes no comments now: words
        written after the period would change what was sent within it.
    """
    if not policies.can_edit_comment(actor, comment):
        raise NotPermitted("Only the author of a comment may edit it.")
    if comment.status is not CommentStatus.OPEN:
        raise Conflict(f"This comment is {comment.status.value}; it can no longer be edited.")
    if comment.draft is not None:
        phases.ensure_open(comment.draft, phases.Activity.COMMENT)


def is_editable(comment: Comment, actor: User | None) -> bool:
    """Whether :func:`ensure_editable` lets ``actor`` edit ``comment`` now (for the Edit link)."""
    return (
        policies.can_edit_comment(actor, comment)
        and comment.status is CommentStatus.OPEN
        and (comment.draft is None or phases.is_open(comment.draft, phases.Activity.COMMENT))
    )


def edit(comment: Comment, *, actor: User, body: str, max_length: int = DEFAULT_MAX_LENGTH) -> bool:
    """Replace the body of ``comment`` (its author only, while it is open).

    The previous body is kept in the ``comment.edit`` audit event;
    ``edited_at`` is set. Saving the same text changes nothing.

    :returns: ``True`` when the body changed.
    :raises NotPermitted: for anyone but the author.
    :raises Conflict: when the comment is resolved or hidden.
    :raises InvalidInput: (field ``body``) for an empty or too long body.
    """
    ensure_editable(comment, actor)
    text = check_body(body, max_length)
    if text == comment.body:
        return False
    previous = comment.body
    comment.body = text
    comment.edited_at = datetime.now(UTC)
    db.session.flush()
    audit.record("comment.edit", comment, actor=actor, instrument_id=comment.instrument_id, previous_body=previous)
    return True


def ensure_may_resolve(comment: Comment, actor: User | None) -> None:
    """Refuse unless ``actor`` may resolve ``comment`` (its author or the secretariat).

    :raises NotPermitted: for anyone else (:func:`drafter.policies.can_resolve_comment`).
    :raises PeriodClosed: (409) for a comment on a final draft, which is read-only for good
        (a closed period still lets the secretariat and authors close their threads).
    """
    if not policies.can_resolve_comment(actor, comment):
        raise NotPermitted("Only the author or the secretariat may resolve a comment.")
    if comment.draft is not None and comment.draft.is_final:
        raise phases.PeriodClosed(phases.phase(comment.draft, phases.Activity.COMMENT))


def resolve(comment: Comment, *, actor: User) -> None:
    """Mark ``comment`` resolved (its author or the secretariat).

    :raises NotPermitted: for anyone else.
    :raises InvalidInput: for a reply (threads are resolved as a whole).
    :raises Conflict: unless the comment is open.
    """
    ensure_may_resolve(comment, actor)
    if comment.in_reply_to_id is not None:
        raise InvalidInput("Replies are resolved with the comment they answer.")
    if comment.status is not CommentStatus.OPEN:
        raise Conflict(f"This comment is already {comment.status.value}.")
    comment.status = CommentStatus.RESOLVED
    comment.resolved_by_id = actor.id
    comment.resolved_at = datetime.now(UTC)
    db.session.flush()
    audit.record("comment.resolve", comment, actor=actor, instrument_id=comment.instrument_id)


def ensure_may_hide(comment: Comment, actor: User | None) -> None:
    """Refuse unless ``actor`` may hide ``comment`` (the secretariat).

    :raises NotPermitted: for anyone else (:func:`drafter.policies.can_hide_comment`).
    """
    if not policies.can_hide_comment(actor, comment):
        raise NotPermitted("Only the secretariat may hide comments.")


def hide(comment: Comment, *, actor: User, reason: str) -> None:
    """Hide ``comment`` from the page (the secretariat, with a reason that is logged).

    A hidden comment keeps its rows; readers see that it was hidden and why.

    :raises NotPermitted: for anyone but the secretariat.
    :raises InvalidInput: (field ``reason``) without a reason or with one longer
        than :data:`MAX_REASON_LENGTH`.
    :raises Conflict: when it is hidden already.
    """
    ensure_may_hide(comment, actor)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("Say why the comment is hidden; the reason is shown in its place.", field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(f"Give the reason in at most {MAX_REASON_LENGTH:,} characters.", field="reason")
    if comment.status is CommentStatus.HIDDEN:
        raise Conflict("This comment is hidden already.")
    comment.status = CommentStatus.HIDDEN
    comment.hidden_by_id = actor.id
    comment.hidden_at = datetime.now(UTC)
    comment.hidden_reason = text
    db.session.flush()
    audit.record("comment.hide", comment, actor=actor, instrument_id=comment.instrument_id, reason=text)
