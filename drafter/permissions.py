"""Who may do what, in one place.

Views ask these functions; services receive the acting user explicitly.
"""
from __future__ import annotations

from drafter.models import Instrument, Role, User, UserState


def is_active_user(user) -> bool:
    """True for a signed-in, approved account."""
    return bool(getattr(user, "is_authenticated", False)) and user.state == UserState.ACTIVE


def is_secretariat(user) -> bool:
    """True for an active secretariat or admin account."""
    return is_active_user(user) and user.role in (Role.SECRETARIAT, Role.ADMIN)


def is_admin(user) -> bool:
    """True for an active admin account."""
    return is_active_user(user) and user.role == Role.ADMIN


def can_read(user: User | None, instrument: Instrument) -> bool:
    """May ``user`` read ``instrument``'s text and drafts?

    Anonymous visitors may read only instruments marked public; every
    active account may read every instrument.
    """
    return instrument.is_public or is_active_user(user)


def can_manage(user: User | None, instrument: Instrument) -> bool:
    """May ``user`` edit clauses, publish drafts and decide on amendments of ``instrument``?"""
    return is_secretariat(user)
