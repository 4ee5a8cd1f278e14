"""Comments: one clause version with its comments, posting and replying, editing, resolving,
hiding, the list per instrument and the CSV export for the secretariat.

Each view: load -> authorise -> call one use case of
:mod:`drafter.services.comments.operations` (or read with
:mod:`~drafter.services.comments.queries`) -> commit once -> redirect or
render. A refusal with a field of the form shows the form again with the
message under it; every other refusal is answered at the edge
(:mod:`drafter.errors`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from drafter import permissions, policies
from drafter.extensions import db
from drafter.forms.comments import (
    BACK_TARGETS,
    ActionForm,
    CommentFilterForm,
    CommentForm,
    EditCommentForm,
    HideCommentForm,
    whole_number,
)
from drafter.models import (
    Clause,
    ClauseVersion,
    Comment,
    CommentCategory,
    CommentStatus,
    Draft,
    Instrument,
)
from drafter.security import safe_next
from drafter.services import phases, visibility
from drafter.services.comments import operations, queries
from drafter.views.loaders import (
    get_clause_or_404,
    get_draft_or_404,
    get_draft_version_or_404,
    get_instrument_or_404,
    past_the_last_page,
    requested_draft,
    requested_page,
)
from drafter.views.refusals import refusals_on

bp = Blueprint("comments", __name__)

#: Rows per page of the comments list.
PER_PAGE = 25
#: Query parameters of the list's filters (kept in the pagination links).
FILTERS = ("clause", "organisation", "category", "status", "changed")


@bp.app_context_processor
def comment_helpers() -> dict[str, Any]:
    """Permission helpers for the comment templates (also used on the clause page)."""
    return {
        "can_edit_comment": operations.is_editable,
        "can_resolve_comment": policies.can_resolve_comment,
        "can_hide_comment": policies.can_hide_comment,
        "can_see_hidden_comment": policies.can_see_hidden_comment,
        "may_reply": may_reply,
    }


def may_reply(thread: queries.Thread) -> bool:
    """Whether the visitor may reply to ``thread`` now: signed in, its comment not hidden, and the
    thread's draft taking comments (a thread on the working draft: the secretariat only).

    The Reply button follows this; the service decides again on posting.
    """
    comment = thread.comment
    if not policies.can_post_comment(current_user) or comment.status is CommentStatus.HIDDEN:
        return False
    if thread.reply_draft is None:
        return policies.sees_working_draft(_actor(), comment.instrument)
    return phases.is_open(thread.reply_draft, phases.Activity.COMMENT)


def _actor():
    return current_user._get_current_object()


def _max_length() -> int:
    return int(current_app.config.get("MAX_COMMENT_LENGTH") or operations.DEFAULT_MAX_LENGTH)


def get_comment_or_404(instrument: Instrument, comment_id: int) -> Comment:
    """Return comment ``comment_id`` of ``instrument``, if the visitor may read it.

    :raises NotFound: (404) when there is none on this instrument, or the visitor may not read it
        (:func:`drafter.services.comments.queries.may_read`).
    """
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.instrument_id != instrument.id or not queries.may_read(_actor(), comment):
        abort(404, "There is no such comment on this instrument.")
    return comment


def _reading(clause: Clause) -> visibility.Reading:
    """:func:`drafter.services.visibility.reader_version` for the visitor, once per request and clause
    (a page asks it for the text shown, the form and every link of its pagination)."""
    cache: dict[int, visibility.Reading] = g.setdefault("comment_readings", {})
    if clause.id not in cache:
        cache[clause.id] = visibility.reader_version(_actor(), clause)
    return cache[clause.id]


def _version_by_seq(clause: Clause, seq: int) -> ClauseVersion:
    version = db.session.scalar(
        select(ClauseVersion).where(ClauseVersion.clause_id == clause.id, ClauseVersion.seq == seq)
    )
    if version is None or not visibility.may_see_version(_actor(), clause.instrument, version):
        abort(404, f"{clause.key} has no version {seq} that you can read.")
    return version


def _shown_state(instrument: Instrument, clause: Clause) -> tuple[ClauseVersion, Draft | None]:
    """The version a GET asks for: ``?draft=N``, ``?version=S`` (one the visitor may see), or the clause as
    the visitor reads it now (:func:`drafter.services.visibility.reader_version`: the working version for
    the secretariat, the latest published draft's for everybody else)."""
    draft = requested_draft(instrument)
    if draft is not None:
        return get_draft_version_or_404(draft, clause), draft
    if "version" in request.args and request.args.get("version", type=int) is None:
        abort(400, "“version” must be a whole number.")
    seq = request.args.get("version", type=int)
    if seq is not None:
        return _version_by_seq(clause, seq), None
    reading = _reading(clause)
    if reading.version is None:
        abort(404, f"{clause.key} has no published text yet.")
    return reading.version, None


def comment_draft(clause: Clause, version: ClauseVersion, draft: Draft | None) -> Draft | None:
    """The draft a comment written under ``version`` is written on.

    The draft shown (``?draft=N``) when there is one. Otherwise, for a reader
    of published drafts, the published draft they read the clause in
    (:func:`drafter.services.visibility.reader_version`) when ``version`` is its
    text there; for the secretariat, none: a note on the working draft.
    """
    if draft is not None or policies.sees_working_draft(_actor(), clause.instrument):
        return draft
    reading = _reading(clause)
    if reading.version is not None and reading.version.id == version.id:
        return reading.draft
    return None


def may_comment_here(clause: Clause, version: ClauseVersion, draft: Draft | None) -> tuple[bool, str]:
    """Whether the comment form is offered under ``version``, and if not, why (for the page).

    :param draft: the draft the comment would be written on (:func:`comment_draft`).

    Offered on a draft's text while the draft takes comments
    (:func:`drafter.services.phases.phase`), and to the secretariat on the
    working text; to signed-in accounts; never on a version that deletes the clause.
    """
    if version.deleted:
        return False, "This version deletes the clause; it takes no new comments."
    if draft is not None:
        judged = phases.phase(draft, phases.Activity.COMMENT)
        if not judged.is_open:
            return False, f"{judged.describe()} {phases.PeriodClosed(judged).next_step}"
    elif version.id != clause.current_version_id or not policies.sees_working_draft(_actor(), clause.instrument):
        return False, "This is an earlier version. Comment on the latest draft instead."
    if not policies.can_post_comment(current_user):
        return False, "Sign in to comment."
    return True, ""


def panel_context(
    instrument: Instrument,
    clause: Clause,
    version: ClauseVersion,
    draft: Draft | None,
    *,
    form: CommentForm | None = None,
    back: str = "clause",
) -> dict[str, Any]:
    """Template variables of the comment panel (``templates/comments/_panel.html``).

    :param instrument: the instrument.
    :param clause: the clause.
    :param version: the version shown and commented on.
    :param draft: the draft the version is shown as part of, if any.
    :param form: a bound form to show again with its errors; a fresh one otherwise.
    :param back: where posting sends the visitor back to ("clause" or "comments").
    :returns: ``comment_panel``, ``comment_body``, ``comment_form``, ``comment_draft`` (the draft a comment
        is written on, :func:`comment_draft`), ``comment_internal`` (a secretariat note on the working draft),
        ``comment_allowed``, ``comment_refusal``, ``comment_here`` (this page's URL, with
        its page of comments unless it is the last) and ``comment_page_url`` (page -> URL).

    The page of comments comes from ``?comments_page=N`` (default: the last, newest threads).
    """
    requested = request.args.get("comments_page", type=int) if request.method == "GET" else None
    panel = queries.clause_comments(clause, version, viewer=_actor(), page=requested)
    target = comment_draft(clause, version, draft)
    allowed, refusal = may_comment_here(clause, version, target)
    if form is None:
        form = CommentForm(formdata=None, version_id=str(version.id), back=back)
        if target is not None:
            form.draft.data = str(target.number)

    def page_url(number: int) -> str:
        kept = None if number >= panel.pages else number
        if back == "clause":
            return url_for(
                "instruments.clause",
                slug=instrument.slug,
                uid=clause.uid,
                draft=draft.number if draft else None,
                comments_page=kept,
            )
        return _comments_url(instrument, clause, version, draft, page=kept)

    return {
        "comment_panel": panel,
        "comment_body": Markup(panel.body_html),
        "comment_form": form,
        "comment_draft": target,
        "comment_internal": target is None,
        "comment_allowed": allowed,
        "comment_refusal": refusal,
        "comment_here": page_url(panel.page),
        "comment_page_url": page_url,
    }


def _comments_url(
    instrument: Instrument, clause: Clause, version: ClauseVersion, draft: Draft | None, *, page: int | None = None
) -> str:
    if draft is not None:
        return url_for("comments.clause", slug=instrument.slug, uid=clause.uid, draft=draft.number, comments_page=page)
    reading = _reading(clause).version
    if reading is not None and version.id == reading.id:
        return url_for("comments.clause", slug=instrument.slug, uid=clause.uid, comments_page=page)
    return url_for("comments.clause", slug=instrument.slug, uid=clause.uid, version=version.seq, comments_page=page)


def _clause_url(instrument: Instrument, comment: Comment) -> str:
    """The clause page at the page of comments that shows ``comment``'s thread, anchored on the comment."""
    page = queries.thread_page(comment, _actor())
    return url_for("instruments.clause", slug=instrument.slug, uid=comment.clause.uid, comments_page=page) + (
        f"#comment-{comment.id}"
    )


def _render_clause(instrument, clause, version, draft):
    context = panel_context(instrument, clause, version, draft, back="comments")
    return render_template("comments/clause.html", instrument=instrument, clause=clause, **context)


@bp.route("/i/<slug>/c/<uid>/comments/", methods=["GET", "POST"])
def clause(slug: str, uid: str):
    """One version of a clause (``?draft=N``, ``?version=S`` or current) with its comments; POST posts one."""
    instrument = get_instrument_or_404(slug)
    the_clause = get_clause_or_404(instrument, uid)
    if request.method == "GET":
        shown, draft = _shown_state(instrument, the_clause)
        return _render_clause(instrument, the_clause, shown, draft)

    form = CommentForm()
    version_id = whole_number(form.version_id.data)
    version = db.session.get(ClauseVersion, version_id) if version_id is not None else None
    if version is None or not visibility.may_see_version(_actor(), instrument, version):
        abort(404, "The version you commented on does not exist. Reload the clause and try again.")
    if version.clause_id != the_clause.id:
        abort(400, "The version you commented on belongs to another clause.")
    draft = None
    if form.draft.data:
        number = whole_number(form.draft.data)
        if number is None:
            abort(400, "The draft number must be a whole number.")
        draft = get_draft_or_404(instrument, number)
    elif not policies.sees_working_draft(_actor(), instrument):
        # A reader of published drafts comments on the draft holding the text read.
        draft = operations.latest_draft_holding(version)
    parent = None
    if form.in_reply_to.data:
        parent_id = whole_number(form.in_reply_to.data)
        parent = db.session.get(Comment, parent_id) if parent_id is not None else None
        if parent is None or parent.instrument_id != instrument.id or not queries.may_read(_actor(), parent):
            abort(404, "The comment you replied to does not exist.")
    back = form.back.data if form.back.data in BACK_TARGETS else "clause"
    if form.validate():
        # Refusals on the body or the quote go under those fields; the rest concern what the page sent.
        with refusals_on(form, fields_only=True):
            comment = operations.post(
                author=_actor(),
                clause=the_clause,
                version=version,
                body=form.body.data or "",
                category=CommentCategory(form.category.data),
                quote=(form.quote.data or "") if parent is None else "",
                prefix=form.prefix.data or "",
                suffix=form.suffix.data or "",
                start=whole_number(form.start.data),
                end=whole_number(form.end.data),
                in_reply_to=parent,
                draft=draft,
                max_length=_max_length(),
            )
            db.session.commit()
            flash("Your reply is posted." if parent is not None else "Your comment is posted.", "success")
            page = queries.thread_page(comment, _actor())  # a reply goes back to its thread's page
            # The page as it was shown: the draft read by default needs no ?draft=.
            shown_draft = None if draft is not None and comment_draft(the_clause, version, None) == draft else draft
            if back == "comments":
                target = _comments_url(instrument, the_clause, version, shown_draft, page=page)
            else:
                # Back to the clause as it was shown: in the draft being read, or the current text.
                target = url_for(
                    "instruments.clause",
                    slug=slug,
                    uid=uid,
                    draft=shown_draft.number if shown_draft else None,
                    comments_page=page,
                )
            return redirect(f"{target}#comment-{comment.in_reply_to_id or comment.id}")
    return _form_error(instrument, the_clause, version, draft, form, back, 400)


def _form_error(instrument, clause, version, draft, form, back, status):
    # The clause with its comments and the form again, errors next to the fields;
    # "back" is kept, so a corrected comment still returns to where it started.
    return render_template(
        "comments/clause.html",
        instrument=instrument,
        clause=clause,
        **panel_context(instrument, clause, version, draft, form=form, back=back),
    ), status


@bp.route("/i/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(slug: str, comment_id: int):
    """The author replaces the body of an open comment."""
    instrument = get_instrument_or_404(slug)
    comment = get_comment_or_404(instrument, comment_id)
    operations.ensure_editable(comment, _actor())
    form = EditCommentForm()
    if request.method == "GET":
        form.body.data = comment.body
    elif form.validate():
        with refusals_on(form, fields_only=True):
            changed = operations.edit(comment, actor=_actor(), body=form.body.data or "", max_length=_max_length())
            db.session.commit()
            flash("Your comment is updated." if changed else "Nothing changed.", "success")
            return redirect(_clause_url(instrument, comment))
    status = 400 if form.is_submitted() else 200
    return render_template("comments/edit.html", instrument=instrument, comment=comment, form=form), status


@bp.post("/i/<slug>/comments/<int:comment_id>/resolve")
def resolve(slug: str, comment_id: int):
    """The author or the secretariat marks a comment resolved."""
    instrument = get_instrument_or_404(slug)
    comment = get_comment_or_404(instrument, comment_id)
    operations.ensure_may_resolve(comment, _actor())
    form = ActionForm()
    if not form.validate():
        abort(400, "The form could not be read. Reload the page and try again.")
    operations.resolve(comment, actor=_actor())
    db.session.commit()
    flash("The comment is marked resolved.", "success")
    return redirect(safe_next(form.next.data, _clause_url(instrument, comment)))


@bp.route("/i/<slug>/comments/<int:comment_id>/hide", methods=["GET", "POST"])
def hide(slug: str, comment_id: int):
    """The secretariat hides a comment, with a reason that readers see and the log keeps."""
    instrument = get_instrument_or_404(slug)
    comment = get_comment_or_404(instrument, comment_id)
    operations.ensure_may_hide(comment, _actor())
    form = HideCommentForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    elif form.validate():
        with refusals_on(form, fields_only=True):
            operations.hide(comment, actor=_actor(), reason=form.reason.data or "")
            db.session.commit()
            flash("The comment is hidden; its place shows your reason.", "success")
            return redirect(safe_next(form.next.data, _clause_url(instrument, comment)))
    status = 400 if form.is_submitted() else 200
    return render_template("comments/hide.html", instrument=instrument, comment=comment, form=form), status


def _filters(form: CommentFilterForm) -> tuple[queries.ListFilters, dict[str, str]]:
    def number(name: str) -> int | None:
        return whole_number(request.args.get(name))

    category = request.args.get("category") or None
    status = request.args.get("status") or None
    filters = queries.ListFilters(
        clause_id=number("clause"),
        organisation_id=number("organisation"),
        category=CommentCategory(category) if category else None,
        status=CommentStatus(status) if status else None,
        changed_since_mine=bool(form.changed.data),
    )
    kept = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    return filters, kept


@bp.get("/i/<slug>/comments/")
def index(slug: str):
    """All comments of an instrument, newest first, filtered and paginated."""
    instrument = get_instrument_or_404(slug)
    form = CommentFilterForm(formdata=request.args)
    clauses, organisations = queries.filter_choices(instrument, _actor())
    # Authors see their own hidden comments in the list, so they may filter on them too.
    form.set_choices(clauses, organisations, hidden=permissions.is_active_user(current_user))
    status = 200
    filters = queries.ListFilters()
    kept: dict[str, str] = {}
    if any(request.args.get(name) for name in FILTERS):
        if form.validate():
            filters, kept = _filters(form)
        else:
            status = 400
    listing = queries.list_comments(instrument, filters, _actor(), page=requested_page(), per_page=PER_PAGE)
    if status == 200 and (beyond := past_the_last_page(listing.page, listing.pages)):
        return beyond
    return render_template(
        "comments/index.html",
        instrument=instrument,
        form=form,
        listing=listing,
        filters=kept,
        may_export=permissions.is_secretariat(current_user),
    ), status


@bp.get("/i/<slug>/comments.csv")
def export(slug: str):
    """Every comment of the instrument as CSV, for the secretariat's analysis (UTF-8 with a BOM for Excel)."""
    instrument = get_instrument_or_404(slug)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in queries.export_rows(instrument, _actor()):
        writer.writerow(row)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{instrument.slug}-comments.csv"'},
    )
