"""The secretariat's review of self-registrations: list pending accounts, approve or refuse them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from drafter.errors import render_error
from drafter.extensions import db
from drafter.forms.accounts import RegistrationDecisionForm
from drafter.mail import public_url, send_mail
from drafter.models import User, UserState
from drafter.models.user import COUNTRIES
from drafter.services import accounts
from drafter.views.loaders import past_the_last_page, requested_page

bp = Blueprint("accounts", __name__, url_prefix="/secretariat/registrations")


def get_user_or_404(user_id: int) -> User:
    """Return the account with ``user_id``.

    :raises NotFound: (404) when there is none.
    """
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, "There is no such account.")
    return user


#: Registrations shown per page.
PER_PAGE = 25


@bp.get("/")
def pending():
    """Registrations waiting for a decision, oldest first, :data:`PER_PAGE` a page (``?page=N``)."""
    stmt = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.state == UserState.PENDING)
        .order_by(User.created_at, User.id)
    )
    pagination = db.paginate(stmt, page=requested_page(), per_page=PER_PAGE, error_out=False)
    if beyond := past_the_last_page(pagination.page, pagination.pages):
        return beyond
    return render_template(
        "accounts/pending.html",
        pagination=pagination,
        users=pagination.items,
        form=RegistrationDecisionForm(),
        countries=COUNTRIES,
    )


@bp.post("/<int:user_id>/approve")
def approve(user_id: int):
    """Approve a registration and tell the person by e-mail."""
    user = get_user_or_404(user_id)
    if not RegistrationDecisionForm().validate():
        return render_error(400, "The form could not be read. Reload the page and try again.")
    accounts.approve(user, actor=current_user._get_current_object())
    db.session.commit()
    link = public_url("auth.sign_in")
    send_mail(
        user.email,
        "Drafter: your account is approved",
        "Your Drafter account is approved. " + (f"Sign in here:\n{link}" if link else "You can sign in now."),
    )
    flash(f"Approved {user.name} ({user.email}).", "success")
    return redirect(url_for("accounts.pending"))


@bp.post("/<int:user_id>/refuse")
def refuse(user_id: int):
    """Refuse a registration; the optional note is kept in the audit log only."""
    user = get_user_or_404(user_id)
    form = RegistrationDecisionForm()
    if not form.validate():
        return render_error(400, "The note can have at most 500 characters.")
    accounts.refuse(user, actor=current_user._get_current_object(), reason=form.reason.data or "")
    db.session.commit()
    flash(f"Refused the registration of {user.name} ({user.email}).", "success")
    return redirect(url_for("accounts.pending"))
