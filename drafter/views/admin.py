"""Administration: accounts (roles, disabling) and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from drafter.errors import render_error
from drafter.extensions import db
from drafter.forms.admin import EventFilterForm, RoleForm, StateForm
from drafter.models import Event, Role, User, UserState
from drafter.services import accounts
from drafter.views.accounts import get_user_or_404
from drafter.views.loaders import past_the_last_page, requested_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Events shown per page of the audit log.
EVENTS_PER_PAGE = 50
#: Accounts shown per page of the accounts list.
USERS_PER_PAGE = 50
#: Query parameters of the audit-log filters (kept in the pagination links).
FILTERS = ("verb", "actor", "date_from", "date_to")


@bp.get("/accounts/")
def users():
    """The accounts with their organisation, role and state, and forms to change them.

    Paginated (``?page=N``, :data:`USERS_PER_PAGE` a page) and searchable
    (``?q=``: part of the name or email, case-insensitive), by state and email.
    """
    needle = (request.args.get("q") or "").strip()[:254]
    stmt = select(User).options(joinedload(User.organisation)).order_by(User.state, User.email, User.id)
    if needle:
        stmt = stmt.where(User.email.icontains(needle, autoescape=True) | User.name.icontains(needle, autoescape=True))
    pagination = db.paginate(stmt, page=requested_page(), per_page=USERS_PER_PAGE, error_out=False)
    if beyond := past_the_last_page(pagination.page, pagination.pages):
        return beyond
    return render_template(
        "admin/users.html", pagination=pagination, users=pagination.items, q=needle, roles=list(Role), me=current_user
    )


@bp.post("/accounts/<int:user_id>/role")
def change_role(user_id: int):
    """Give an account another role."""
    user = get_user_or_404(user_id)
    form = RoleForm()
    if not form.validate():
        return render_error(400, "Choose one of the roles in the list.")
    changed = accounts.change_role(user, Role(form.role.data), actor=current_user._get_current_object())
    db.session.commit()
    if changed:
        flash(f"{user.email} is now {user.role.value}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/accounts/<int:user_id>/state")
def change_state(user_id: int):
    """Disable an account (its sessions end at once) or make it active again."""
    user = get_user_or_404(user_id)
    form = StateForm()
    if not form.validate():
        return render_error(400, "Choose “active” or “disabled”.")
    changed = accounts.change_state(user, UserState(form.state.data), actor=current_user._get_current_object())
    db.session.commit()
    if changed:
        flash(f"{user.email} is now {user.state.value}.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/events/")
def events():
    """The audit log, newest first, filtered by verb, actor (part of an email) and date range."""
    form = EventFilterForm(formdata=request.args)
    form.set_verbs(list(db.session.scalars(select(Event.verb).distinct().order_by(Event.verb))))
    stmt = select(Event).options(joinedload(Event.actor)).order_by(Event.created_at.desc(), Event.id.desc())
    status = 200
    filters = {}
    if any(request.args.get(name) for name in FILTERS):
        if form.validate() and _dates_in_order(form):
            filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
            stmt = _filtered(stmt, form)
        else:
            status = 400
    pagination = db.paginate(stmt, page=requested_page(), per_page=EVENTS_PER_PAGE, error_out=False)
    if beyond := past_the_last_page(pagination.page, pagination.pages):
        return beyond
    return render_template("admin/events.html", form=form, pagination=pagination, filters=filters), status


def _dates_in_order(form: EventFilterForm) -> bool:
    if form.date_from.data and form.date_to.data and form.date_from.data > form.date_to.data:
        form.date_to.errors = [*form.date_to.errors, "This date is before the “From” date."]
        return False
    return True


def _filtered(stmt, form: EventFilterForm):
    if form.verb.data:
        stmt = stmt.where(Event.verb == form.verb.data)
    if form.actor.data:
        needle = form.actor.data.lower()
        stmt = stmt.where(Event.actor_id.in_(select(User.id).where(User.email.contains(needle, autoescape=True))))
    if form.date_from.data:
        stmt = stmt.where(Event.created_at >= datetime.combine(form.date_from.data, time.min, UTC))
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time.min, UTC)
        stmt = stmt.where(Event.created_at < end)
    return stmt
