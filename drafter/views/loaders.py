"""Loading objects named in a URL, with a 404 for unknown ones and a 403/401 for unreadable ones;
and the answer to a page number past the end of a list."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from drafter import policies
from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, DraftEntry, Instrument
from drafter.services import visibility

#: What readers are told before the first draft of an instrument is published.
NOTHING_PUBLISHED = "No draft of this instrument has been published yet."
#: What readers are told of a clause no published draft holds (its id in the URL is not repeated).
NOT_PUBLISHED_CLAUSE = "This clause is not part of any published draft of this instrument."


def get_instrument_or_404(slug: str, *, check_read: bool = True) -> Instrument:
    """Return the instrument with ``slug``.

    :raises NotFound: (404) when there is none.
    :raises Unauthorized: (401) for an anonymous visitor of a non-public instrument.
    """
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    if instrument is None:
        abort(404, f"There is no instrument called “{slug}”.")
    if check_read and not policies.can_read(current_user, instrument):
        abort(401, "This instrument is open to registered participants only. Please sign in.")
    return instrument


def get_draft_or_404(instrument: Instrument, number: int) -> Draft:
    """Return Draft ``number`` of ``instrument``.

    :raises NotFound: (404) when it does not exist.
    """
    draft = db.session.scalar(select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == number))
    if draft is None:
        abort(404, f"{instrument.short_title or instrument.title} has no Draft {number}.")
    return draft


def requested_draft(instrument: Instrument) -> Draft | None:
    """The draft named by ``?draft=N`` in the query string, if any.

    The one reader of ``?draft=`` for every page that shows or acts on the text of a draft
    (full text, clause, comments, amendment form, exports).

    :param instrument: the instrument the draft belongs to.
    :returns: the draft, or ``None`` when the query has no (or an empty) ``draft``.
    :raises BadRequest: (400) when the value is not a whole number from 1.
    :raises NotFound: (404) when the instrument has no such draft.
    """
    value = request.args.get("draft", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        abort(400, "The draft number must be a whole number from 1.")
    return get_draft_or_404(instrument, int(value))


def text_draft(instrument: Instrument) -> Draft | None:
    """The text a page or download shows when it names no draft, as the visitor may read it.

    ``?draft=N`` when given; otherwise ``None`` (the working draft) for the
    secretariat and the latest published draft for everybody else
    (:mod:`drafter.services.visibility`).

    :returns: the draft to show, or ``None`` for the working draft (secretariat only).
    :raises BadRequest: (400) for a ``draft`` that is not a whole number from 1.
    :raises NotFound: (404) for an unknown draft, or for a reader who does not see the
        working draft when no draft is published yet.
    """
    named = requested_draft(instrument)
    if named is not None or policies.sees_working_draft(current_user, instrument):
        return named
    latest = visibility.latest_draft(instrument)
    if latest is None:
        abort(404, NOTHING_PUBLISHED)
    return latest


def draft_version(draft: Draft, clause: Clause) -> ClauseVersion | None:
    """The version of ``clause`` that ``draft`` holds, or ``None`` when the clause is not part of it
    (added after it, or deleted before it)."""
    return db.session.scalar(
        select(ClauseVersion)
        .join(DraftEntry, DraftEntry.version_id == ClauseVersion.id)
        .where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
    )


def get_draft_version_or_404(draft: Draft, clause: Clause) -> ClauseVersion:
    """The version of ``clause`` that ``draft`` holds.

    :raises NotFound: (404) when the clause is not part of the draft (added after it, or deleted before it).
    """
    version = draft_version(draft, clause)
    if version is None:
        abort(404, f"{clause.key} is not part of Draft {draft.number}.")
    return version


def get_clause_or_404(instrument: Instrument, uid: str) -> Clause:
    """Return the clause with stable id ``uid`` in ``instrument``, if the visitor may see it.

    :raises NotFound: (404) when it does not exist, or for a visitor who reads published
        drafts only when no published draft holds it
        (:func:`drafter.services.visibility.may_see_clause`); the message then does not
        repeat the id, which may carry unpublished words.
    """
    clause = db.session.scalar(select(Clause).where(Clause.instrument_id == instrument.id, Clause.uid == uid))
    if clause is None:
        abort(404, f"There is no clause “{uid}” in this instrument.")
    if not visibility.may_see_clause(current_user, clause):
        abort(404, NOT_PUBLISHED_CLAUSE)
    return clause


#: The largest page number read from a URL: any larger one is past the end of every list,
#: and as an OFFSET it would not fit the database's integers (a server error on SQLite).
MAX_PAGE = 1_000_000


def requested_page(arg: str = "page", *, strict: bool = False) -> int:
    """The page number asked for in the query string (``?page=N``), from 1 to :data:`MAX_PAGE`.

    A number above :data:`MAX_PAGE` counts as :data:`MAX_PAGE`, which
    :func:`past_the_last_page` then turns into the last page.

    :param arg: the query argument.
    :param strict: for pages whose other query arguments are checked too:
        anything but a whole number from 1 is refused. Otherwise such a value
        (a mangled link) means page 1.
    :returns: the page number.
    :raises BadRequest: (400) in strict mode, for a value that is not a whole number from 1.
    """
    value = request.args.get(arg, "").strip()
    if value.isdigit() and int(value) >= 1:
        return min(int(value), MAX_PAGE)
    if strict and value:
        abort(400, f"“{arg}” must be a whole number from 1.")
    return 1


def past_the_last_page(page: int, pages: int, arg: str = "page") -> WerkzeugResponse | None:
    """A redirect to the last page of a list when ``page`` is past it, else ``None``.

    A link kept from when the list was longer, or a page number typed by
    hand, then lands on the last page with the same filters, instead of a
    page that says there is nothing to list and "Page 7 of 5".

    :param page: the page asked for (from 1).
    :param pages: the number of pages the list has (an empty list has one).
    :param arg: the query argument holding the page number.
    :returns: a 302 redirect to the same endpoint and arguments with ``arg``
        set to the last page (left out when that is page 1), or ``None``.
        A query argument named like one of the URL's path arguments is left
        out, so that the redirect stays on the same path.
    """
    pages = max(1, pages)
    endpoint = request.endpoint
    if page <= pages or endpoint is None:  # no endpoint: not a routed request, nowhere to go back to
        return None
    args = request.args.to_dict(flat=False)
    args[arg] = [str(pages)] if pages > 1 else []
    values: dict[str, Any] = {k: v for k, v in args.items() if v}
    values.update(request.view_args or {})
    return redirect(url_for(endpoint, **values))
