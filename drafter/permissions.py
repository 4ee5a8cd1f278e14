"""Who may do what, in one place.

:data:`RULES` names, for every endpoint of the app and every HTTP method it
accepts, the :class:`Audience` allowed to use it. :func:`init_app` installs a
``before_request`` hook that looks the request up in the table before any
view runs, so a view cannot forget the check; an endpoint or method missing
from the table is refused with 403 (fail closed) and logged as an error.
``tests/drafter/test_permissions_matrix.py`` walks the URL map and requests
every endpoint as every kind of visitor, so a new route without an entry
fails the tests as well.

Object-level rules that need the object itself (may this visitor read *this*
instrument, edit *this* comment?) are the other half, in :mod:`drafter.policies`;
views call them (instruments through their loaders, see
:mod:`drafter.views.loaders`), and services receive the acting user explicitly.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeGuard

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from drafter.models import Role, User, UserState


class Audience(str, enum.Enum):
    """Who may use an endpoint with a given method."""

    #: Everybody, signed in or not.
    EVERYONE = "everyone"
    #: Visitors who are not signed in (sign-in, registration, password reset);
    #: a signed-in user is sent to the home page instead.
    GUEST = "guest"
    #: Everybody who may read the instrument named in the URL: the view checks
    #: :func:`drafter.policies.can_read` (anonymous visitors only for public instruments).
    READER = "reader"
    #: Any signed-in, approved account.
    SIGNED_IN = "signed_in"
    #: Secretariat and admin accounts.
    SECRETARIAT = "secretariat"
    #: Admin accounts only.
    ADMIN = "admin"


A = Audience

#: endpoint -> {HTTP method -> audience}. HEAD follows GET; OPTIONS is open.
RULES: Mapping[str, Mapping[str, Audience]] = {
    "static": {"GET": A.EVERYONE},
    "health.healthz": {"GET": A.EVERYONE},
    # Reading the instrument (drafter/views/instruments.py).
    "instruments.index": {"GET": A.EVERYONE},
    "instruments.current": {"GET": A.READER},
    "instruments.drafts": {"GET": A.READER},
    "instruments.draft": {"GET": A.READER},
    "instruments.clause": {"GET": A.READER},
    "instruments.export": {"GET": A.READER},
    # The synoptic table lists submitted amendments, which signed-in users read.
    "instruments.synoptic": {"GET": A.SIGNED_IN},
    "instruments.publish": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    # The working draft: its changes, restoring, discarding, applying amendments together (drafter/views/working.py).
    "working.overview": {"GET": A.SECRETARIAT},
    "working.restore": {"POST": A.SECRETARIAT},
    "working.discard": {"POST": A.SECRETARIAT},
    "working.apply": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    # A draft's periods, the final text, the instrument's settings (drafter/views/drafts.py).
    "drafts.phases": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    "drafts.final": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    "drafts.settings": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    # Redlines (drafter/views/compare.py).
    "compare.states": {"GET": A.READER},
    "compare.export": {"GET": A.READER},
    "compare.versions": {"GET": A.READER},
    # Signing in and one's own account (drafter/views/auth.py).
    "auth.sign_in": {"GET": A.GUEST, "POST": A.GUEST},
    "auth.sign_out": {"POST": A.EVERYONE},
    "auth.register": {"GET": A.GUEST, "POST": A.GUEST},
    "auth.reset_request": {"GET": A.GUEST, "POST": A.GUEST},
    "auth.reset_password": {"GET": A.GUEST, "POST": A.GUEST},
    "auth.account": {"GET": A.SIGNED_IN},
    "auth.change_password": {"GET": A.SIGNED_IN, "POST": A.SIGNED_IN},
    # The secretariat's review of registrations (drafter/views/accounts.py).
    "accounts.pending": {"GET": A.SECRETARIAT},
    "accounts.approve": {"POST": A.SECRETARIAT},
    "accounts.refuse": {"POST": A.SECRETARIAT},
    # Administration (drafter/views/admin.py).
    "admin.users": {"GET": A.ADMIN},
    "admin.change_role": {"POST": A.ADMIN},
    "admin.change_state": {"POST": A.ADMIN},
    "admin.events": {"GET": A.ADMIN},
    # Amendments (drafter/views/amendments.py); who may act on which amendment is
    # decided per amendment by drafter.policies.roles_for and can_view.
    "amendments.propose": {"GET": A.SIGNED_IN, "POST": A.SIGNED_IN},
    "amendments.show": {"GET": A.SIGNED_IN},
    "amendments.transition": {"POST": A.SIGNED_IN},
    "amendments.decide": {"POST": A.SECRETARIAT},
    "amendments.resolve": {"GET": A.SECRETARIAT},
    "amendments.queue": {"GET": A.SECRETARIAT},
    "amendments.review": {"GET": A.SECRETARIAT},
    "amendments.mine": {"GET": A.SIGNED_IN},
    "amendments.on_clause": {"GET": A.SIGNED_IN},
    # Direct editing of a clause by the secretariat (drafter/views/editing.py).
    "editing.edit_clause": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    # Comments (drafter/views/comments.py); who may change which comment is
    # decided per comment by the can_*_comment rules in drafter.policies.
    "comments.clause": {"GET": A.READER, "POST": A.SIGNED_IN},
    "comments.index": {"GET": A.READER},
    "comments.edit": {"GET": A.SIGNED_IN, "POST": A.SIGNED_IN},
    "comments.resolve": {"POST": A.SIGNED_IN},
    "comments.hide": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    "comments.export": {"GET": A.SECRETARIAT},
    # Consultations and inputs (drafter/views/consultations.py); stakeholders may submit to an open
    # written call, withdraw their organisation's pending input and choose the inputs their open
    # amendment cites, as decided per object by drafter.policies.can_*.
    "consultations.index": {"GET": A.READER},
    "consultations.show": {"GET": A.READER},
    "consultations.new": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    "consultations.edit": {"GET": A.SECRETARIAT, "POST": A.SECRETARIAT},
    "consultations.add_input": {"GET": A.SIGNED_IN, "POST": A.SIGNED_IN},
    "consultations.input": {"GET": A.READER},
    "consultations.disposition": {"POST": A.SECRETARIAT},
    "consultations.link": {"POST": A.SECRETARIAT},
    "consultations.withdraw": {"POST": A.SIGNED_IN},
    "consultations.delete": {"POST": A.SECRETARIAT},
    "consultations.attachment": {"GET": A.SIGNED_IN},
    "consultations.amendment_inputs": {"GET": A.SIGNED_IN, "POST": A.SIGNED_IN},
    # Traceability (drafter/views/traceability.py): reading only.
    "traceability.provenance": {"GET": A.READER},
    "traceability.register": {"GET": A.READER},
    "traceability.matrix": {"GET": A.READER},
    "traceability.organisations": {"GET": A.READER},
    "traceability.organisation_report": {"GET": A.READER},
    "traceability.organisation_report_csv": {"GET": A.READER},
    "traceability.organisation_report_docx": {"GET": A.READER},
    "traceability.draft_sources": {"GET": A.READER},
}


class Decision(str, enum.Enum):
    """What the request hook does with a request (see :func:`decide`)."""

    ALLOW = "allow"
    SIGN_IN = "sign_in"  # not signed in: GET -> sign-in page, otherwise 401
    FORBIDDEN = "forbidden"  # 403
    GO_HOME = "go_home"  # a guest-only page asked for while signed in
    UNLISTED = "unlisted"  # no entry in RULES: 403, logged


def is_active_user(user: object) -> TypeGuard[User]:
    """True for a signed-in, approved account (so ``user`` is a :class:`User`)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "state", None) == UserState.ACTIVE


def is_secretariat(user: object) -> TypeGuard[User]:
    """True for an active secretariat or admin account."""
    return is_active_user(user) and user.role in (Role.SECRETARIAT, Role.ADMIN)


def is_admin(user: object) -> TypeGuard[User]:
    """True for an active admin account."""
    return is_active_user(user) and user.role == Role.ADMIN


def rule_for(endpoint: str | None, method: str) -> Audience | None:
    """Look up the audience of ``endpoint`` for ``method`` in :data:`RULES`.

    :param endpoint: a Flask endpoint name ("auth.sign_in").
    :param method: an HTTP method; HEAD is looked up as GET.
    :returns: the audience, or ``None`` when the table has no entry.
    """
    if endpoint is None:
        return None
    methods = RULES.get(endpoint)
    if methods is None:
        return None
    return methods.get("GET" if method == "HEAD" else method)


def decide(user, audience: Audience | None) -> Decision:
    """Decide whether ``user`` passes ``audience``.

    :param user: the current user (Flask-Login's anonymous user, or a :class:`User`).
    :param audience: from :func:`rule_for`; ``None`` means unlisted.
    :returns: a :class:`Decision`.
    """
    if audience is None:
        return Decision.UNLISTED
    if audience in (Audience.EVERYONE, Audience.READER):
        return Decision.ALLOW
    signed_in = is_active_user(user)
    if audience is Audience.GUEST:
        return Decision.GO_HOME if signed_in else Decision.ALLOW
    if not signed_in:
        return Decision.SIGN_IN
    if audience is Audience.SIGNED_IN:
        return Decision.ALLOW
    if audience is Audience.SECRETARIAT:
        return Decision.ALLOW if is_secretariat(user) else Decision.FORBIDDEN
    if audience is Audience.ADMIN:
        return Decision.ALLOW if is_admin(user) else Decision.FORBIDDEN
    return Decision.UNLISTED  # an audience added to the enum but not handled here


def check_request():  # noqa: RET503 (every path that returns nothing ends in abort(), which raises)
    """``before_request`` hook: enforce :data:`RULES` for the current request.

    Requests that match no route (404/405) and ``OPTIONS`` pass through to
    Flask's own handling.

    :returns: ``None`` to let the view run, or a redirect response.
    :raises Unauthorized: (401) a non-GET request by a visitor who is not signed in.
    :raises Forbidden: (403) a signed-in account without the role, or an unlisted endpoint.
    """
    if request.url_rule is None or request.method == "OPTIONS":
        return None
    endpoint = request.endpoint
    decision = decide(current_user, rule_for(endpoint, request.method))
    if decision is Decision.ALLOW:
        return None
    if decision is Decision.UNLISTED:
        current_app.logger.error(
            "Refused %s %s: endpoint %r has no entry for this method in drafter.permissions.RULES",
            request.method,
            request.path,
            endpoint,
        )
        abort(403, "This page is not open to anyone yet.")
    if decision is Decision.GO_HOME:
        return redirect(url_for("instruments.index"))
    if decision is Decision.SIGN_IN:
        if request.method in ("GET", "HEAD"):
            target = request.full_path.rstrip("?")
            return redirect(url_for("auth.sign_in", next=target))
        abort(401, "Please sign in first.")
    abort(403, "Your account does not have access to this page.")


def init_app(app: Flask) -> None:
    """Install :func:`check_request` on ``app`` (before every view)."""
    app.before_request(check_request)
