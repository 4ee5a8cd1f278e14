"""Flask-Login wiring: loading the signed-in user from the session."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from drafter.extensions import db, login_manager
from drafter.models import User, UserState


def load_user(user_id: str) -> User | None:
    """Load the account for a session identity ``"<id>:<session token>"``.

    A changed session token (password change, sign-out everywhere) or an
    account that is no longer active yields ``None``: the visitor is anonymous.
    One query, the account's organisation included.
    """
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    # The organisation comes in the same query: every page's header names it.
    user = db.session.scalar(select(User).options(joinedload(User.organisation)).where(User.id == int(ident)))
    if user is None or user.session_token != token or user.state != UserState.ACTIVE:
        return None
    return user


def init_app(app: Flask) -> None:
    """Configure Flask-Login for ``app``."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.session_protection = "basic"
