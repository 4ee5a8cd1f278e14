"""Amendments: what feeds pages (who may do what, reading, merges for display, lists).

Nothing here writes.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Draft, Instrument, Organisation, User
from drafter.permissions import is_active_user, is_secretariat
from drafter.services.paging import Page
from instrument.amendments import (
    Actor,
    AmendmentState,
    allowed,
)
from instrument.merge import MergeResult, merge
from instrument.text import comparison_form

S = AmendmentState
#: Open states visible to every signed-in user (a draft is private to its organisation).
PUBLIC_OPEN_STATES = (S.SUBMITTED, S.UNDER_REVIEW)
#: The secretariat's decisions.
DECISIONS = (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS, S.REJECTED)

# --- who may do what ---------------------------------------------------------------


def roles_for(amendment: Amendment, user: User | None) -> frozenset[Actor]:
    """The roles ``user`` holds for ``amendment`` (see :class:`instrument.amendments.Actor`).

    :param amendment: any amendment.
    :param user: the acting user, or ``None``/anonymous.
    :returns: ``PROPOSER`` for active members of the proposing organisation,
        ``SECRETARIAT`` for active secretariat and admin accounts; empty for
        everybody else (members of other organisations, co-sponsors included).
    """
    if not is_active_user(user):
        return frozenset()
    roles = set()
    if user.organisation_id is not None and user.organisation_id == amendment.organisation_id:
        roles.add(Actor.PROPOSER)
    if is_secretariat(user):
        roles.add(Actor.SECRETARIAT)
    return frozenset(roles)


def can_view(amendment: Amendment, user: User | None) -> bool:
    """May ``user`` see ``amendment``?

    A draft is private to its organisation; any other state is visible to
    every signed-in, approved account.
    """
    if not is_active_user(user):
        return False
    if amendment.state is S.DRAFT:
        return user.organisation_id is not None and user.organisation_id == amendment.organisation_id
    return True


def actions_for(amendment: Amendment, user: User | None) -> tuple[AmendmentState, ...]:
    """The states ``user`` may move ``amendment`` to, for buttons (decisions included).

    :returns: targets from :func:`instrument.amendments.available_transitions`
        for each of the user's roles, in :class:`AmendmentState` order;
        ``superseded`` is left out for people (the system marks it, or the
        secretariat with a reason from the decision form).
    """
    roles = roles_for(amendment, user)
    return tuple(target for target in AmendmentState if any(allowed(amendment.state, target, role) for role in roles))


# --- reading -----------------------------------------------------------------------


def latest_draft(instrument: Instrument) -> Draft | None:
    """The instrument's latest published draft, or ``None`` when none was published."""
    return db.session.scalar(
        select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(1)
    )


def open_on_clause(clause: Clause, viewer: User | None) -> list[Amendment]:
    """The open amendments on ``clause`` that ``viewer`` may see, oldest first (one query).

    Submitted and under-review amendments for every signed-in user, plus the
    drafts of the viewer's own organisation; nothing for anonymous visitors.
    Proposer, organisation and base version are loaded with them.
    """
    if not is_active_user(viewer):
        return []
    visible: ColumnElement[bool] = Amendment.state.in_(PUBLIC_OPEN_STATES)
    if viewer.organisation_id is not None:
        visible = visible | ((Amendment.state == S.DRAFT) & (Amendment.organisation_id == viewer.organisation_id))
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.clause_id == clause.id, visible)
            .options(
                joinedload(Amendment.organisation),
                joinedload(Amendment.proposer),
                joinedload(Amendment.base_version),
                selectinload(Amendment.sponsors),
            )
            .order_by(Amendment.id)
        )
    )


@functools.lru_cache(maxsize=512)
def cached_merge(key: Hashable, base: str, proposed: str, current: str) -> MergeResult:
    """:func:`instrument.merge.merge`, remembered for the 512 most recent calls.

    Versions and proposed texts never change, so a merge named by the ids
    it was made from (``key``, e.g. ``(amendment id, current version id)``)
    never changes either. The texts are part of the cache key too, so a
    wrong key can never return the merge of other texts.

    :returns: the same value as ``merge(base, proposed, current)``.
    """
    return merge(base, proposed, current)


def merge_onto_current(amendment: Amendment, current: ClauseVersion) -> MergeResult:
    """Merge a modification onto ``current`` (base -> proposed onto base -> current), cached by ids.

    :param amendment: a ``modify`` amendment (its base version loaded or loadable).
    :param current: the clause's current version.
    :returns: the :class:`~instrument.merge.MergeResult`.
    """
    base = amendment.base_version
    return cached_merge((amendment.id, base.id, current.id), base.text, amendment.text, current.text)


def merge_heading(base: str, proposed: str, current: str) -> str | None:
    """Three-way choice of a heading, taken as a whole.

    :returns: the merged heading, or ``None`` when both sides changed it
        differently (a conflict).
    """
    same = lambda a, b: comparison_form(a) == comparison_form(b)  # noqa: E731
    if same(proposed, base) or same(proposed, current):
        return current
    if same(current, base):
        return proposed
    return None


def numbers_of(ids: Iterable[int | None]) -> dict[int, int]:
    """The numbers (``seq``) of amendments known by id, e.g. to name the amendment that made a version.

    :param ids: amendment ids; ``None`` entries are skipped.
    :returns: ``{id: seq}`` for those that exist (one query, none when there is no id).
    """
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Amendment.id, Amendment.seq).where(Amendment.id.in_(wanted)))
    return dict(rows.all())


# --- lists ----------------------------------------------------------------------------


def state_counts(instrument: Instrument, *, organisation_id: int | None = None) -> dict[AmendmentState, int]:
    """Count amendments per state in one query.

    :param organisation_id: only this organisation's amendments (drafts
        included); without it, every organisation's except drafts.
    :returns: every state mapped to its count (zero when none).
    """
    stmt = select(Amendment.state, func.count()).where(Amendment.instrument_id == instrument.id)
    if organisation_id is None:
        stmt = stmt.where(Amendment.state != S.DRAFT)
    else:
        stmt = stmt.where(Amendment.organisation_id == organisation_id)
    counts = dict.fromkeys(AmendmentState, 0)
    for state, n in db.session.execute(stmt.group_by(Amendment.state)):
        counts[AmendmentState(state)] = n
    return counts


def list_amendments(
    instrument: Instrument,
    *,
    states: Sequence[AmendmentState] | None = None,
    clause_uid: str | None = None,
    organisation_id: int | None = None,
    include_drafts: bool = False,
    older_than: datetime | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """Amendments of ``instrument`` matching the filters, oldest first, one page (three queries).

    :param states: only these states (``None``: any).
    :param clause_uid: only amendments on this clause.
    :param organisation_id: only this proposing organisation's.
    :param include_drafts: whether drafts may be listed (only for the
        drafting organisation's own list; pass ``organisation_id`` with it).
    :param older_than: only amendments submitted (or, for drafts, made) before this time.
    :param page: page number from 1; a page past the end is empty.
    :param per_page: page size.
    :returns: a :class:`Page`.
    """
    since = func.coalesce(Amendment.submitted_at, Amendment.created_at)
    stmt = select(Amendment).where(Amendment.instrument_id == instrument.id)
    if not include_drafts:
        stmt = stmt.where(Amendment.state != S.DRAFT)
    if states is not None:
        stmt = stmt.where(Amendment.state.in_(list(states)))
    if clause_uid:
        stmt = stmt.join(Clause, Clause.id == Amendment.clause_id).where(Clause.uid == clause_uid)
    if organisation_id is not None:
        stmt = stmt.where(Amendment.organisation_id == organisation_id)
    if older_than is not None:
        stmt = stmt.where(since <= older_than)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(1, page)
    items = db.session.scalars(
        stmt.options(
            joinedload(Amendment.clause).joinedload(Clause.current_version),
            joinedload(Amendment.organisation),
            joinedload(Amendment.proposer),
            selectinload(Amendment.sponsors),
        )
        .order_by(since, Amendment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def filter_choices(instrument: Instrument, *, organisation_id: int | None = None) -> tuple[list, list]:
    """Clauses and organisations that have amendments, for the filters (two queries).

    :param organisation_id: limit to this organisation's amendments (drafts included);
        without it, drafts are left out.
    :returns: ``([(clause uid, clause key)], [(organisation id, name)])`` in document / name order.
    """
    scope = [Amendment.instrument_id == instrument.id]
    if organisation_id is None:
        scope.append(Amendment.state != S.DRAFT)
    else:
        scope.append(Amendment.organisation_id == organisation_id)
    clauses = db.session.execute(
        select(Clause.uid, Clause.key, Clause.position)
        .join(Amendment, Amendment.clause_id == Clause.id)
        .where(*scope)
        .distinct()
        .order_by(Clause.position)
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Amendment, Amendment.organisation_id == Organisation.id)
        .where(*scope)
        .distinct()
        .order_by(Organisation.name)
    ).all()
    return [(uid, key) for uid, key, _ in clauses], [(i, n) for i, n in organisations]
