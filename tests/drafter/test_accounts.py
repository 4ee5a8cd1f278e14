"""Registration, the secretariat's review, the admin's account and event pages, and the demo accounts."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Event, Organisation, OrganisationType, Role, User, UserState
from drafter.services import accounts
from drafter.services.errors import Conflict, InvalidInput
from tests.drafter.accounts_helpers import PASSWORD, add_org, add_user, events, row_counts, sign_in
from tests.drafter.helpers import committed, signed_in


@pytest.fixture
def people(app):
    """Organisations and one active account per role; returns {name: user}."""
    with committed(app):
        task_force = add_org("Task Force on ASEAN Migrant Workers", OrganisationType.SECRETARIAT)
        mfa = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        add_org("ASETUC", OrganisationType.TRADE_UNION)
        return {
            "secretariat": add_user("sec@example.org", role=Role.SECRETARIAT, organisation=task_force),
            "admin": add_user("admin@example.org", role=Role.ADMIN, organisation=task_force),
            "stakeholder": add_user("mfa@example.org", organisation=mfa, name="MFA delegate"),
        }


def registration(**changes) -> dict:
    data = {
        "name": "ASETUC delegate",
        "email": "delegate@asetuc.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "organisation": "",
        "new_name": "",
        "new_type": "",
        "new_country": "",
    }
    data.update(changes)
    return data


def org_id(app, name: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Organisation.id).where(Organisation.name == name)))


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


# --- registration -----------------------------------------------------------


def test_register_page_offers_listed_organisations_but_not_the_secretariat(client, people):
    html = client.get("/register").get_data(as_text=True)
    assert "ASETUC" in html and "Migrant Forum in Asia" in html
    assert "Task Force on ASEAN Migrant Workers" not in html
    assert 'value="new"' in html
    for field in ("name", "email", "password", "confirm", "organisation", "new_name", "new_type", "new_country"):
        assert f'<label for="{field}">' in html, field


def test_registering_with_a_listed_organisation_makes_a_pending_stakeholder(app, client, people):
    response = client.post("/register", data=registration(organisation=org_id(app, "ASETUC")))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "The secretariat will review your registration" in client.get("/").get_data(as_text=True)
    user = user_by_email(app, "delegate@asetuc.example")
    assert user.state == UserState.PENDING and user.role == Role.STAKEHOLDER
    assert user.check_password(PASSWORD)
    with app.app_context():
        assert db.session.get(User, user.id).organisation.name == "ASETUC"
        [event] = events("user.register")
        assert event.actor_id == user.id and event.details["organisation"] == "ASETUC"
    # Pending: cannot sign in yet.
    assert sign_in(client, "delegate@asetuc.example").status_code == 403


def test_registering_a_new_organisation_adds_it(app, client, people):
    data = registration(
        organisation="new",
        new_name="Mekong  Migrant Network",
        new_type="migrant_workers_organisation",
        new_country="TH",
        email="mmn@example.org",
    )
    assert client.post("/register", data=data).status_code == 302
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Mekong Migrant Network"))
        assert organisation.type == OrganisationType.MIGRANT_WORKERS and organisation.country == "TH"
        user = db.session.scalar(select(User).where(User.email == "mmn@example.org"))
        assert user.organisation_id == organisation.id and user.state == UserState.PENDING


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organisation": ""}, "organisation", "Choose your organisation."),
        ({"organisation": "new"}, "new_name", "Enter the name of your organisation."),
        ({"organisation": "new", "new_name": "New Org"}, "new_type", "Choose the kind of organisation."),
        ({"organisation": "new", "new_name": "New Org", "new_type": "ngo"}, "new_country", "Choose a country"),
        (
            {"organisation": "new", "new_name": "asetuc", "new_type": "ngo", "new_country": "XX"},
            "new_name",
            "already listed",
        ),
        (
            {"organisation": "new", "new_name": "X", "new_type": "secretariat", "new_country": "XX"},
            "new_type",
            "Not a valid choice",
        ),
        (
            {"organisation": "new", "new_name": "X", "new_type": "ngo", "new_country": "FR"},
            "new_country",
            "Not a valid choice",
        ),
        ({"organisation": "999999"}, "organisation", "Not a valid choice"),
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "n" * 201}, "name", "Field cannot be longer than 200 characters."),
        ({"name": "tab\there"}, "name", "Use letters, digits and punctuation only."),
        ({"email": "no-at-sign"}, "email", "Enter an email address"),
        ({"password": "short", "confirm": "short"}, "password", "Use between 10 and 128 characters."),
        ({"password": "p" * 129, "confirm": "p" * 129}, "password", "Use between 10 and 128 characters."),
        ({"confirm": "something else"}, "confirm", "The two passwords differ."),
    ],
)
def test_registration_bad_input_gets_errors_next_to_the_field(app, client, people, changes, field, message):
    data = registration(organisation=org_id(app, "ASETUC"))
    data.update(changes)
    with app.app_context():
        before = row_counts()
    response = client.post("/register", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="form-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html[html.find("form-error") - 200 :][:600]
    with app.app_context():
        assert row_counts() == before


def test_registering_a_known_address_looks_the_same_and_writes_nothing(app, client, people, caplog):
    caplog.set_level(logging.WARNING)
    with app.app_context():
        before = row_counts()
    known = client.post("/register", data=registration(organisation=org_id(app, "ASETUC"), email="MFA@example.org"))
    fresh = client.post("/register", data=registration(organisation=org_id(app, "ASETUC")))
    assert known.status_code == fresh.status_code == 302
    assert known.headers["Location"] == fresh.headers["Location"]
    with app.app_context():
        after = row_counts()
    assert after["user_account"] == before["user_account"] + 1  # only the new address
    assert user_by_email(app, "mfa@example.org").state == UserState.ACTIVE
    mails = [r.getMessage() for r in caplog.records if "No mail server configured" in r.getMessage()]
    assert any("To: mfa@example.org" in m and "already has an account" in m for m in mails)


# --- the secretariat's review --------------------------------------------------


@pytest.fixture
def applicant(app, people):
    with committed(app):
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == "ASETUC"))
        return add_user(
            "applicant@example.org", state=UserState.PENDING, organisation=organisation, name="ASETUC delegate"
        )


def test_without_a_public_url_e_mails_go_out_without_links_never_to_the_requested_host(app, people, applicant, caplog):
    """A forged Host header must not put its host into an e-mail; the e-mail still says what to do."""
    caplog.set_level(logging.WARNING)
    app.config["PUBLIC_URL"] = None
    forged = {"Host": "evil.example"}
    client = signed_in(app, people["secretariat"])
    assert client.post(f"/secretariat/registrations/{applicant.id}/approve").status_code == 302
    data = registration(organisation=org_id(app, "ASETUC"), email="mfa@example.org")
    assert app.test_client().post("/register", data=data, headers=forged).status_code == 302
    mails = [r.getMessage() for r in caplog.records if "No mail server configured" in r.getMessage()]
    [approved] = [m for m in mails if "To: applicant@example.org" in m]
    [known] = [m for m in mails if "To: mfa@example.org" in m]
    assert "approved" in approved and "sign in" in approved and "http" not in approved
    assert "already has an account" in known and "Forgot password" in known and "http" not in known
    assert not [r for r in caplog.records if "evil.example" in r.getMessage()]


def test_pending_page_lists_registrations_with_their_organisation(app, people, applicant):
    html = signed_in(app, people["secretariat"]).get("/secretariat/registrations/").get_data(as_text=True)
    assert "applicant@example.org" in html and "ASETUC" in html and "Trade union" in html
    assert "mfa@example.org" not in html  # active accounts are not listed


def test_secretariat_approves_and_the_person_can_sign_in(app, people, applicant, caplog):
    caplog.set_level(logging.WARNING)
    client = signed_in(app, people["secretariat"])
    response = client.post(f"/secretariat/registrations/{applicant.id}/approve")
    assert response.status_code == 302
    assert user_by_email(app, "applicant@example.org").state == UserState.ACTIVE
    with app.app_context():
        [event] = events("user.approve")
        assert event.actor_id == people["secretariat"].id and event.object_id == applicant.id
    assert any("To: applicant@example.org" in r.getMessage() and "approved" in r.getMessage() for r in caplog.records)
    assert sign_in(app.test_client(), "applicant@example.org").status_code == 302
    # Deciding twice is a conflict, not a second approval.
    again = client.post(f"/secretariat/registrations/{applicant.id}/approve")
    assert again.status_code == 409 and "not waiting for approval" in again.get_data(as_text=True)
    assert client.post(f"/secretariat/registrations/{applicant.id}/refuse").status_code == 409


def test_secretariat_refuses_with_a_note(app, people, applicant):
    client = signed_in(app, people["secretariat"])
    response = client.post(f"/secretariat/registrations/{applicant.id}/refuse", data={"reason": "Not a delegate."})
    assert response.status_code == 302
    assert user_by_email(app, "applicant@example.org").state == UserState.REFUSED
    with app.app_context():
        [event] = events("user.refuse")
        assert event.details["reason"] == "Not a delegate."
    assert sign_in(app.test_client(), "applicant@example.org").status_code == 403


def test_refusal_note_too_long_is_refused(app, people, applicant):
    client = signed_in(app, people["secretariat"])
    response = client.post(f"/secretariat/registrations/{applicant.id}/refuse", data={"reason": "x" * 501})
    assert response.status_code == 400
    assert user_by_email(app, "applicant@example.org").state == UserState.PENDING


def test_deciding_on_an_unknown_account_is_404(app, people):
    assert signed_in(app, people["secretariat"]).post("/secretariat/registrations/999999/approve").status_code == 404


# --- the admin's account page ------------------------------------------------


def test_admin_changes_a_role(app, people):
    client = signed_in(app, people["admin"])
    stakeholder = people["stakeholder"]
    assert "mfa@example.org" in client.get("/admin/accounts/").get_data(as_text=True)
    response = client.post(f"/admin/accounts/{stakeholder.id}/role", data={"role": "secretariat"})
    assert response.status_code == 302
    assert user_by_email(app, "mfa@example.org").role == Role.SECRETARIAT
    with app.app_context():
        [event] = events("user.role_change")
        assert (event.details["before"], event.details["after"]) == ("stakeholder", "secretariat")
    # The same role again changes nothing and records nothing.
    client.post(f"/admin/accounts/{stakeholder.id}/role", data={"role": "secretariat"})
    with app.app_context():
        assert len(events("user.role_change")) == 1


@pytest.mark.parametrize("role", ["", "superuser"])
def test_unknown_role_is_refused(app, people, role):
    response = signed_in(app, people["admin"]).post(
        f"/admin/accounts/{people['stakeholder'].id}/role", data={"role": role}
    )
    assert response.status_code == 400
    assert user_by_email(app, "mfa@example.org").role == Role.STAKEHOLDER


def test_admin_cannot_change_their_own_role_or_state(app, people):
    client = signed_in(app, people["admin"])
    me = people["admin"].id
    assert client.post(f"/admin/accounts/{me}/role", data={"role": "stakeholder"}).status_code == 409
    assert client.post(f"/admin/accounts/{me}/state", data={"state": "disabled"}).status_code == 409
    assert user_by_email(app, "admin@example.org").role == Role.ADMIN


def test_disabling_ends_sessions_and_enabling_restores_sign_in(app, people):
    admin = signed_in(app, people["admin"])
    victim = signed_in(app, people["stakeholder"])
    assert victim.get("/account/").status_code == 200
    assert (
        admin.post(f"/admin/accounts/{people['stakeholder'].id}/state", data={"state": "disabled"}).status_code == 302
    )
    assert victim.get("/account/").status_code == 302  # signed out: sent to the sign-in page
    assert sign_in(app.test_client(), "mfa@example.org").status_code == 403
    admin.post(f"/admin/accounts/{people['stakeholder'].id}/state", data={"state": "active"})
    assert sign_in(app.test_client(), "mfa@example.org").status_code == 302
    with app.app_context():
        assert [e.verb for e in events() if e.verb in ("user.disable", "user.enable")] == [
            "user.disable",
            "user.enable",
        ]


def test_state_form_only_accepts_active_or_disabled(app, people):
    response = signed_in(app, people["admin"]).post(
        f"/admin/accounts/{people['stakeholder'].id}/state", data={"state": "pending"}
    )
    assert response.status_code == 400


# --- the events page ---------------------------------------------------------


@pytest.fixture
def logged(app, people):
    """A few events at known times."""
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        base = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
        for i in range(60):
            db.session.add(
                Event(
                    verb="user.sign_in",
                    object_type="user",
                    object_id=admin.id,
                    actor_id=admin.id,
                    created_at=base + timedelta(minutes=i),
                    details={},
                )
            )
        db.session.add(
            Event(
                verb="user.approve",
                object_type="user",
                object_id=1,
                actor_id=people["secretariat"].id,
                created_at=base - timedelta(days=5),
                details={},
            )
        )
        db.session.add(
            Event(
                verb="user.sign_in_failed",
                object_type="",
                object_id=None,
                actor_id=None,
                created_at=base + timedelta(days=5),
                details={"email": "x@example.org"},
            )
        )
        db.session.commit()
    return signed_in(app, people["admin"])


def test_events_are_paginated_newest_first(logged):
    first = logged.get("/admin/events/").get_data(as_text=True)
    assert "62 events" in first and "Page 1 of 2" in first
    rows = first[first.index("<tbody>") :]
    assert rows.index("<td>user.sign_in_failed</td>") < rows.index("<td>user.sign_in</td>")
    second = logged.get("/admin/events/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "user.approve" in second
    past = logged.get("/admin/events/?page=99")  # a page past the end leads to the last one
    assert past.status_code == 302 and past.headers["Location"].endswith("/admin/events/?page=2")
    assert logged.get("/admin/events/?page=-3").status_code == 200
    assert logged.get("/admin/events/?page=abc").status_code == 200


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("verb=user.approve", 1),
        ("verb=user.sign_in", 60),
        ("actor=sec%40example", 1),
        ("actor=ADMIN@", 60),
        ("date_from=2026-03-10&date_to=2026-03-10", 60),
        ("date_from=2026-03-11", 1),
        ("date_to=2026-03-09", 1),
        ("verb=user.sign_in&date_from=2026-03-11", 0),
    ],
)
def test_event_filters(logged, query, count):
    response = logged.get(f"/admin/events/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{count} {'event' if count == 1 else 'events'} match" in html


def test_pagination_keeps_the_filters(logged):
    html = logged.get("/admin/events/?verb=user.sign_in").get_data(as_text=True)
    assert 'href="/admin/events/?page=2&amp;verb=user.sign_in"' in html


@pytest.mark.parametrize(
    "query",
    ["date_from=yesterday", "date_from=2026-03-12&date_to=2026-03-10", "verb=user.nonsense", "actor=" + "a" * 300],
)
def test_bad_event_filters_get_errors(logged, query):
    response = logged.get(f"/admin/events/?{query}")
    assert response.status_code == 400
    assert 'class="form-error"' in response.get_data(as_text=True)


# --- demo accounts -------------------------------------------------------------


def test_demo_adds_one_account_per_role_with_working_printed_passwords(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    printed = re.findall(r"Demo (\w+) account: (\S+) / password (\S+)", result.output)
    assert sorted(label for label, _, _ in printed) == ["admin", "pending", "secretariat", "stakeholder", "stakeholder"]
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        stakeholders = [u for u in users.values() if u.role == Role.STAKEHOLDER and u.state == UserState.ACTIVE]
        assert {u.organisation.type for u in stakeholders} == {OrganisationType.NGO, OrganisationType.TRADE_UNION}
        assert {u.organisation.name for u in stakeholders} == {"Migrant Forum in Asia", "ASETUC"}
        for label, email, password in printed:
            assert users[email].check_password(password)
            assert users[email].state == (UserState.PENDING if label == "pending" else UserState.ACTIVE)
        before = row_counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "/ password " not in second.output and "already exists" in second.output
    with app.app_context():
        assert row_counts() == before
    # Secretariat and stakeholder sign in with what was printed.
    client = app.test_client()
    _, email, password = next(p for p in printed if p[0] == "secretariat")
    assert sign_in(client, email, password).status_code == 302


def test_create_organisation_refuses_duplicates_and_unknown_countries(app_ctx):
    add_org("ASETUC", OrganisationType.TRADE_UNION)
    with pytest.raises(Conflict):
        accounts.create_organisation(accounts.NewOrganisation(" asetuc ", OrganisationType.NGO, "XX"), actor=None)
    with pytest.raises(InvalidInput):
        accounts.create_organisation(accounts.NewOrganisation("New", OrganisationType.NGO, "FR"), actor=None)
    with pytest.raises(InvalidInput):
        accounts.create_organisation(accounts.NewOrganisation("   ", OrganisationType.NGO, "XX"), actor=None)
