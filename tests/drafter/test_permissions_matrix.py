"""Every endpoint x every kind of visitor x GET/POST, checked against drafter.permissions.RULES.

The test walks ``app.url_map``, so a new route is covered the moment it
exists: without an entry in :data:`drafter.permissions.RULES` it fails here
(and the app refuses it with 403), and without a URL value for a new
argument in :data:`URL_VALUES` it fails with a message saying what to add.
A refused request must not write anything: the rows of every table are
counted before and after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from flask import url_for
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, OrganisationType, Role, User, UserState
from drafter.permissions import RULES, Audience
from drafter.services.accounts import make_reset_token
from drafter.services.amendments.operations import propose as propose_amendment
from drafter.services.comments.operations import latest_draft_holding
from drafter.services.comments.operations import post as post_comment
from tests.drafter.accounts_helpers import add_org, add_user, make_app, row_counts
from tests.drafter.consultations_helpers import matrix_records
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in

#: The kinds of visitor; "pending" carries the session of an account still waiting for approval,
#: "other_org" is a stakeholder of another organisation than the "stakeholder".
VISITORS = ["anonymous", "pending", "stakeholder", "other_org", "secretariat", "admin"]
METHODS = ["GET", "POST"]


@dataclass(frozen=True)
class World:
    """What the matrix runs against: account ids per visitor and values for URL arguments."""

    user_ids: dict[str, int]
    url_values: dict[str, object]


@pytest.fixture
def world(app) -> World:
    """Accounts of every kind, a non-public instrument with a draft, a reset token, a target account."""
    with committed(app):
        task_force = add_org("Task Force on ASEAN Migrant Workers", OrganisationType.SECRETARIAT)
        mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        asetuc = add_org("ASETUC", OrganisationType.TRADE_UNION)
        users = {
            "pending": add_user("pending@example.org", state=UserState.PENDING, organisation=mfa),
            "stakeholder": add_user("mfa@example.org", organisation=mfa),
            "other_org": add_user("asetuc@example.org", organisation=asetuc),
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=task_force),
            "admin": add_user("admin@example.org", role=Role.ADMIN, organisation=task_force),
        }
        # The account that approve/refuse/role/state requests act on (never one of the visitors).
        target = add_user("target@example.org", state=UserState.PENDING, organisation=asetuc)
        import_text(instrument_md(2), "members-only", public=False)
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
        token = make_reset_token(db.session.get(User, users["stakeholder"].id), app.secret_key)
        # A comment by the "stakeholder" on Article 1, for the comment routes.
        comment = post_comment(
            author=db.session.get(User, users["stakeholder"].id),
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="A comment for the matrix.",
        )
        db.session.commit()
        # A submitted amendment by the "stakeholder"'s organisation on Article 1, for the amendment routes.
        amendment = propose_amendment(
            clause,
            actor=db.session.get(User, users["stakeholder"].id),
            kind="modify",
            base_version_id=clause.current_version_id,
            rationale="For the matrix.",
            text="Changed for the matrix.",
            submit=True,
        )
        db.session.commit()
        values = {
            "slug": "members-only",
            "number": 1,
            "uid": clause.uid,
            "fmt": "md",
            "user_id": target.id,
            "token": token,
            "filename": "css/drafter.css",
            "comment_id": comment.id,
            "amendment_id": amendment.id,
        }
    # A written call, an input the "stakeholder" sent to it and the records citing it, for the consultation routes.
    values.update(
        matrix_records(
            app,
            slug="members-only",
            stakeholder_id=users["stakeholder"].id,
            secretariat_id=users["secretariat"].id,
            amendment_id=amendment.id,
        )
    )
    return World({name: user.id for name, user in users.items()}, values)


#: Values for URL arguments, filled by the ``world`` fixture; a new argument needs one.
URL_VALUES = (
    "slug",
    "number",
    "uid",
    "fmt",
    "user_id",
    "token",
    "filename",
    "comment_id",
    "amendment_id",
    "consultation_id",
    "input_id",
    "organisation_id",
)


#: Refusals that depend on the object in the URL, not on the audience alone:
#: (endpoint, method) -> visitors refused with 403 although the audience lets them in.
#: The world's comment is the "stakeholder"'s: only its author edits it; author and
#: secretariat resolve it (drafter.policies.can_*_comment).
OBJECT_REFUSALS = {
    ("comments.edit", "GET"): {"other_org", "secretariat", "admin"},
    ("comments.edit", "POST"): {"other_org", "secretariat", "admin"},
    ("comments.resolve", "POST"): {"other_org"},
    # The world's amendment is the "stakeholder"'s organisation's: others may read it, not act on it.
    ("amendments.transition", "POST"): {"other_org"},
    # The world's input was sent by the "stakeholder"'s organisation: only it (and the secretariat) withdraws
    # it; only the proposing organisation and the secretariat choose the inputs the amendment cites.
    ("consultations.withdraw", "POST"): {"other_org"},
    ("consultations.amendment_inputs", "POST"): {"other_org"},
}


#: Endpoints whose allowed GET answer is a redirect for readers of published drafts only:
#: endpoint -> where it sends stakeholders (and anonymous visitors of a public instrument).
READER_REDIRECTS = {"instruments.current": "/i/members-only/drafts/1/"}


def client_for(app, world: World, visitor: str):
    """A fresh client carrying ``visitor``'s current session identity (none for anonymous)."""
    if visitor == "anonymous":
        return app.test_client()
    return signed_in(app, world.user_ids[visitor])


def expectation(audience: Audience, visitor: str) -> str:
    """What should happen, derived from the audience alone (independently of drafter.permissions.decide)."""
    signed_in = visitor not in ("anonymous", "pending")  # a pending account's session counts for nothing
    if audience is Audience.EVERYONE:
        return "allow"
    if audience is Audience.READER:  # the instrument in URL_VALUES is not public
        return "allow" if signed_in else "unauthorized"
    if audience is Audience.GUEST:
        return "home" if signed_in else "allow"
    if not signed_in:
        return "sign_in"
    if audience is Audience.SIGNED_IN:
        return "allow"
    if audience is Audience.SECRETARIAT:
        return "allow" if visitor in ("secretariat", "admin") else "forbidden"
    if audience is Audience.ADMIN:
        return "allow" if visitor == "admin" else "forbidden"
    raise AssertionError(f"the matrix test does not know audience {audience}; add it to expectation()")


def routes(app):
    """(endpoint, rule) for every rule of the URL map, sorted for stable output."""
    return sorted(((rule.endpoint, rule) for rule in app.url_map.iter_rules()), key=lambda pair: pair[1].rule)


def test_every_endpoint_and_method_has_an_entry(app):
    missing = [
        f"{endpoint} {method}"
        for endpoint, rule in routes(app)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if method not in RULES.get(endpoint, {})
    ]
    assert not missing, f"add these to drafter.permissions.RULES: {missing}"


def test_the_table_names_only_existing_endpoints(app):
    known = {(endpoint, method) for endpoint, rule in routes(app) for method in rule.methods}
    stale = [f"{e} {m}" for e, methods in RULES.items() for m in methods if (e, m) not in known]
    assert not stale, f"RULES entries without a route (typo, or a removed view?): {stale}"


def test_matrix(app, world):
    failures = []
    for endpoint, rule in routes(app):
        unknown = [arg for arg in rule.arguments if arg not in world.url_values]
        assert not unknown, f"{endpoint}: add a value for URL argument(s) {unknown} to the matrix test's world"
        with app.test_request_context():
            url = url_for(endpoint, **{arg: world.url_values[arg] for arg in rule.arguments})
        for visitor in VISITORS:
            for method in METHODS:
                problem = check(app, world, endpoint, rule, url, visitor, method)
                if problem:
                    failures.append(f"{method} {url} ({endpoint}) as {visitor}: {problem}")
    assert not failures, "\n".join(failures)


def check(app, world, endpoint, rule, url, visitor, method) -> str | None:
    """Make one request and return what is wrong with the answer, or ``None``."""
    client = client_for(app, world, visitor)
    with app.app_context():
        before = row_counts()
    response = client.open(url, method=method)
    status, location = response.status_code, response.headers.get("Location", "")
    if status >= 500:
        return f"server error {status}"
    if method not in rule.methods:
        return None if status == 405 else f"expected 405 for a method the route lacks, got {status}"
    expected = expectation(RULES[endpoint][method], visitor)
    if expected == "allow" and visitor in OBJECT_REFUSALS.get((endpoint, method), ()):
        expected = "forbidden"
    if expected == "allow":
        if method == "GET" and endpoint in READER_REDIRECTS and visitor not in ("secretariat", "admin"):
            want = READER_REDIRECTS[endpoint]
            return None if (status, location) == (302, want) else f"expected a redirect to {want}, got {status}"
        if method == "GET":
            return None if status == 200 else f"allowed, expected 200, got {status} {location}"
        if status in (401, 403) or location.startswith("/sign-in"):
            return f"allowed, but refused with {status} {location}"
        return None
    with app.app_context():
        written = {t: n for t, n in row_counts().items() if before[t] != n}
    if written:
        return f"refused ({expected}) but wrote rows: {written}"
    if expected == "sign_in":
        want_get = status == 302 and location.startswith("/sign-in?next=")
        return (
            None if (want_get if method == "GET" else status == 401) else f"expected sign-in, got {status} {location}"
        )
    if expected == "unauthorized":
        return None if status == 401 else f"expected 401, got {status}"
    if expected == "forbidden":
        return None if status == 403 else f"expected 403, got {status}"
    if expected == "home":
        return None if status == 302 and location == "/" else f"expected a redirect home, got {status} {location}"
    return f"unknown expectation {expected}"


def test_pending_visitor_is_treated_as_anonymous(app, world):
    pending = client_for(app, world, "pending")
    assert pending.get("/account/").status_code == 302
    assert pending.get("/i/members-only/").status_code == 401


def test_public_instrument_is_readable_anonymously(app, client):
    with committed(app):
        import_text(instrument_md(1), "open-text", public=True)
    # The instrument opens on its latest published draft.
    assert client.get("/i/open-text/").headers["Location"] == "/i/open-text/drafts/1/"
    assert client.get("/i/open-text/drafts/1/").status_code == 200


#: Who may reach each endpoint, pinned so that loosening the table is a visible change.
PINNED = {
    "admin.users": {"GET": Audience.ADMIN},
    "admin.change_role": {"POST": Audience.ADMIN},
    "admin.change_state": {"POST": Audience.ADMIN},
    "admin.events": {"GET": Audience.ADMIN},
    "accounts.pending": {"GET": Audience.SECRETARIAT},
    "accounts.approve": {"POST": Audience.SECRETARIAT},
    "accounts.refuse": {"POST": Audience.SECRETARIAT},
    "auth.account": {"GET": Audience.SIGNED_IN},
    "auth.change_password": {"GET": Audience.SIGNED_IN, "POST": Audience.SIGNED_IN},
    "instruments.current": {"GET": Audience.READER},
    "instruments.export": {"GET": Audience.READER},
}


@pytest.mark.parametrize("endpoint", sorted(PINNED))
def test_sensitive_endpoints_keep_their_audience(endpoint):
    assert dict(RULES[endpoint]) == PINNED[endpoint]


def test_an_unlisted_endpoint_is_refused_even_to_admins(tmp_path, caplog):
    app = make_app(tmp_path)
    app.logger.addHandler(caplog.handler)  # building the schema reconfigures logging (Alembic's fileConfig)
    caplog.set_level(logging.ERROR)
    app.add_url_rule("/not-in-the-table", "unlisted", lambda: "unlisted view body", methods=["GET", "POST"])
    with committed(app):
        admin = add_user("admin@example.org", role=Role.ADMIN)
    for visitor in (None, admin):
        client = app.test_client() if visitor is None else signed_in(app, visitor)
        for method in METHODS:
            response = client.open("/not-in-the-table", method=method)
            assert response.status_code == 403
            assert "unlisted view body" not in response.get_data(as_text=True)
    assert any("'unlisted' has no entry" in r.getMessage() for r in caplog.records)
    app.logger.removeHandler(caplog.handler)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_method_missing_from_an_entry_is_refused(tmp_path, monkeypatch):
    import drafter.permissions as permissions

    app = make_app(tmp_path)
    app.add_url_rule("/half-listed", "half_listed", lambda: "ok", methods=["GET", "POST"])
    monkeypatch.setitem(permissions.RULES, "half_listed", {"GET": Audience.EVERYONE})
    client = app.test_client()
    assert client.get("/half-listed").status_code == 200
    assert client.post("/half-listed").status_code == 403
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
