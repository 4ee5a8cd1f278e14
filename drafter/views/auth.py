"""Signing in and out, registering, resetting and changing one's password, one's account page.

Who may use each endpoint is in :data:`drafter.permissions.RULES`. Sign-in,
registration and password reset are rate-limited per client address
(``AUTH_RATE_LIMIT``, counted on POST only).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from drafter.extensions import db, limiter
from drafter.forms.auth import (
    NEW_ORGANISATION,
    ChangePasswordForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from drafter.mail import public_url, send_mail
from drafter.models import Organisation, OrganisationType
from drafter.security import safe_next
from drafter.services import accounts
from drafter.views.refusals import refusals_on

bp = Blueprint("auth", __name__)


def auth_rate_limit() -> str:
    """The Flask-Limiter limit string for sign-in, registration and reset (``AUTH_RATE_LIMIT``)."""
    return current_app.config.get("AUTH_RATE_LIMIT", "10 per minute; 50 per hour")


def _sign_in_session(user, *, remember: bool) -> None:
    """Start a new session for ``user``: nothing from the previous session is kept."""
    session.clear()
    login_user(user, remember=remember, fresh=True)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(auth_rate_limit, methods=["POST"])
def sign_in():
    """Sign in with email and password; then go to ``next`` when it is a safe local path."""
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("auth/sign_in.html", form=form, error=None)
    if not form.validate():
        return render_template("auth/sign_in.html", form=form, error=None), 400
    try:
        user = accounts.authenticate(form.email.data, form.password.data)
    except accounts.SignInRefused as exc:
        db.session.commit()  # keep the record of the failed attempt, so no rollback at the edge
        status = 401 if exc.reason == "invalid" else 403
        return render_template("auth/sign_in.html", form=form, error=exc.message), status
    remember = bool(form.remember.data)
    accounts.record_sign_in(user, remember=remember)
    db.session.commit()
    _sign_in_session(user, remember=remember)
    flash(f"Welcome, {user.name}. You are signed in.", "success")
    return redirect(safe_next(form.next.data, url_for("instruments.index")))


@bp.post("/sign-out")
def sign_out():
    """Sign out here and everywhere: the session token changes, so old sessions and "remember me" cookies die."""
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the "remember me" cookie for deletion in the session
    flash("You are signed out.", "success")
    return redirect(url_for("instruments.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(auth_rate_limit, methods=["POST"])
def register():
    """Ask for an account for oneself and one's organisation; the secretariat approves it."""
    form = RegisterForm()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.set_organisations(list(organisations))
    if request.method == "GET":
        return render_template("auth/register.html", form=form, error=None)
    if not form.validate():
        return render_template("auth/register.html", form=form, error=None), 400
    organisation = new_organisation = None
    if form.organisation.data == NEW_ORGANISATION:
        new_organisation = accounts.NewOrganisation(
            form.new_name.data, OrganisationType(form.new_type.data), form.new_country.data
        )
    else:
        organisation = db.session.get(Organisation, int(form.organisation.data))
    with refusals_on(form):
        user = accounts.register(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            organisation=organisation,
            new_organisation=new_organisation,
        )
    if form.errors:
        return render_template("auth/register.html", form=form, error=" ".join(form.form_errors) or None), 400
    db.session.commit()
    address = accounts.normalise_email(form.email.data)
    if user is None:
        link = public_url("auth.reset_request")
        where = f"here:\n{link}" if link else 'with "Forgot password" on the sign-in page.'
        send_mail(
            address,
            "Drafter: registration with your address",
            "Someone asked to register at Drafter with this address, which already has an account.\n"
            f"If it was you and you forgot your password, ask for a new one {where}\n\n"
            "If it was not you, you need not do anything.",
        )
    else:
        send_mail(
            address,
            "Drafter: registration received",
            f"Thank you for registering, {user.name}.\nThe secretariat will review your registration; "
            "you will get an e-mail once it is approved.",
        )
    flash(
        "Thank you. The secretariat will review your registration; you can sign in once it is approved.",
        "success",
    )
    return redirect(url_for("instruments.index"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(auth_rate_limit, methods=["POST"])
def reset_request():
    """Ask for a password-reset link. The answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if request.method == "GET":
        return render_template("auth/reset_request.html", form=form)
    if not form.validate():
        return render_template("auth/reset_request.html", form=form), 400
    user = accounts.request_password_reset(form.email.data)
    db.session.commit()
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    if user is not None:
        token = accounts.make_reset_token(user, current_app.secret_key)
        link = public_url("auth.reset_password", token=token)
        if link:  # without its link the e-mail is useless; public_url has logged why
            send_mail(
                user.email,
                "Drafter: choose a new password",
                f"To choose a new password for your Drafter account, open this link:\n{link}\n\n"
                f"It works once, within {minutes} minutes. If you did not ask for it, ignore this e-mail.",
            )
    flash(
        f"If an account uses that address, we have sent it a link to choose a new password. "
        f"The link works once, within {minutes} minutes.",
        "success",
    )
    return redirect(url_for("auth.sign_in"))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(auth_rate_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with a reset link (single use, expiring)."""
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        accounts.user_for_reset_token(token, secret, max_age)
    except accounts.TokenError as exc:
        return render_template("auth/reset_password.html", form=None, error=exc.message), 400
    form = ResetPasswordForm()
    if request.method == "GET":
        return render_template("auth/reset_password.html", form=form, error=None)
    if not form.validate():
        return render_template("auth/reset_password.html", form=form, error=None), 400
    with refusals_on(form):
        accounts.reset_password(token, form.password.data, secret_key=secret, max_age=max_age)
    if form.form_errors:  # the link itself was refused: no form to show again
        return render_template("auth/reset_password.html", form=None, error=" ".join(form.form_errors)), 400
    if form.errors:
        return render_template("auth/reset_password.html", form=form, error=None), 400
    db.session.commit()
    flash("Your password is changed. Sign in with the new one.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/account/")
def account():
    """The signed-in person's account: organisation, role, and a link to change the password."""
    return render_template("auth/account.html", user=current_user)


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(auth_rate_limit, methods=["POST"])
def change_password():
    """Change one's password; other sessions and "remember me" cookies of the account end."""
    form = ChangePasswordForm()
    if request.method == "GET":
        return render_template("auth/change_password.html", form=form)
    if not form.validate():
        return render_template("auth/change_password.html", form=form), 400
    user = current_user._get_current_object()
    with refusals_on(form):
        accounts.change_password(user, form.current.data, form.password.data, actor=user)
    if form.errors:
        return render_template("auth/change_password.html", form=form), 400
    db.session.commit()
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    _sign_in_session(user, remember=remember)  # the session token changed: sign this session in again
    flash("Your password is changed. Your other devices have been signed out.", "success")
    return redirect(url_for("auth.account"))
