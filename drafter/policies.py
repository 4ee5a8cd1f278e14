"""May this user ... this object? The object-level half of who may do what.

:mod:`drafter.permissions` holds the other half: its table says which kind
of visitor may use each endpoint at all, checked before any view runs. The
rules here need the object itself (this instrument, this comment, this
amendment, this consultation, this input) and are asked by loaders, views,
services and, through the views, templates; none of them states a rule of
its own. Every function is a pure yes/no (or the set of roles) from the
user and the object as loaded: no query, no side effect.

``user`` is the acting user: a :class:`~drafter.models.User`, Flask-Login's
anonymous user, or ``None``; only active accounts hold any object-level
right (see :func:`drafter.permissions.is_active_user`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from drafter.models import Amendment, Comment, Consultation, Disposition, Input, Instrument, User
from drafter.permissions import is_active_user, is_secretariat
from instrument.amendments import Actor, AmendmentState, is_open

# --- instruments ----------------------------------------------------------------------


def can_read(user: User | None, instrument: Instrument) -> bool:
    """May ``user`` read ``instrument``'s text and drafts?

    Anonymous visitors may read only instruments marked public; every
    active account may read every instrument.
    """
    return instrument.is_public or is_active_user(user)


def can_manage(user: User | None, instrument: Instrument) -> bool:
    """May ``user`` edit clauses, publish drafts and decide on amendments of ``instrument``?"""
    return is_secretariat(user)


def sees_working_draft(user: User | None, instrument: Instrument) -> bool:
    """May ``user`` read ``instrument``'s working draft (the text not yet published)?

    The secretariat and admins only: everybody else reads published drafts
    (:mod:`drafter.services.visibility` applies this to versions and rows).
    """
    return can_manage(user, instrument)


# --- comments -------------------------------------------------------------------------


def is_author(user: User | None, comment: Comment) -> bool:
    """Did ``user`` (an active account) write ``comment``?"""
    return is_active_user(user) and comment.author_id == user.id


def can_post_comment(user: User | None) -> bool:
    """May ``user`` comment at all? Any approved, active account (the draft's period is checked apart)."""
    return is_active_user(user)


def can_edit_comment(user: User | None, comment: Comment) -> bool:
    """May ``user`` change the body of ``comment``? Only its author (the service also requires it to be open)."""
    return is_author(user, comment)


def can_resolve_comment(user: User | None, comment: Comment) -> bool:
    """May ``user`` mark ``comment`` resolved? Its author and the secretariat."""
    return is_author(user, comment) or is_secretariat(user)


def can_hide_comment(user: User | None, comment: Comment) -> bool:
    """May ``user`` hide ``comment`` (moderation, with a reason)? The secretariat only."""
    return is_secretariat(user)


def can_see_hidden_comment(user: User | None, comment: Comment) -> bool:
    """May ``user`` read the body of a hidden ``comment``? The secretariat and its author."""
    return is_secretariat(user) or is_author(user, comment)


# --- amendments -----------------------------------------------------------------------


def is_proposer(user: User | None, amendment: Amendment) -> bool:
    """Is ``user`` an active member of the organisation that proposes ``amendment``?"""
    return (
        is_active_user(user) and user.organisation_id is not None and user.organisation_id == amendment.organisation_id
    )


def can_propose(user: User | None) -> bool:
    """May ``user`` propose amendments? Active accounts of an organisation: amendments are made on its behalf."""
    return is_active_user(user) and user.organisation_id is not None


def roles_for(amendment: Amendment, user: User | None) -> frozenset[Actor]:
    """The roles ``user`` holds for ``amendment`` (see :class:`instrument.amendments.Actor`).

    :param amendment: any amendment.
    :param user: the acting user, or ``None``/anonymous.
    :returns: ``PROPOSER`` for active members of the proposing organisation,
        ``SECRETARIAT`` for active secretariat and admin accounts; empty for
        everybody else (members of other organisations, co-sponsors included).
    """
    roles = set()
    if is_proposer(user, amendment):
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
    if amendment.state is AmendmentState.DRAFT:
        return is_proposer(user, amendment)
    return True


# --- consultations and inputs ---------------------------------------------------------


def can_submit(user: User | None, consultation: Consultation, now: datetime | None = None) -> bool:
    """May ``user`` send a written input to ``consultation`` now?

    The secretariat may always record inputs; any other active account
    with an organisation may submit to a written call while it is open.

    :param now: the moment to judge at (an aware UTC datetime); the current time when ``None``.
    """
    if is_secretariat(user):
        return True
    return is_active_user(user) and user.organisation_id is not None and consultation.is_open(now or datetime.now(UTC))


def can_withdraw(user: User | None, item: Input) -> bool:
    """May ``user`` withdraw ``item``?

    The secretariat always; members of its organisations while it is
    pending (or already withdrawn, which changes nothing).
    """
    if is_secretariat(user):
        return True
    return (
        is_active_user(user)
        and item.disposition in (Disposition.PENDING, Disposition.WITHDRAWN)
        and user.organisation_id in {o.id for o in item.organisations}
    )


def can_cite_on_amendment(user: User | None, amendment: Amendment) -> bool:
    """May ``user`` change the inputs ``amendment`` cites?

    The secretariat, for any amendment but a private draft; members of the
    proposing organisation while the amendment is open
    (:func:`instrument.amendments.is_open`).
    """
    if is_proposer(user, amendment) and is_open(amendment.state):
        return True
    return is_secretariat(user) and amendment.state is not AmendmentState.DRAFT
