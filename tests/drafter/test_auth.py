"""Signing in and out, "remember me", password change and password reset, and their bad input."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Role, User, UserState
from drafter.services import accounts
from tests.drafter.accounts_helpers import PASSWORD, add_org, add_user, events, row_counts, sign_in
from tests.drafter.helpers import committed

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mfa(app):
    """An active stakeholder of the Migrant Forum in Asia."""
    with committed(app):
        return add_user("mfa@example.org", organisation=add_org(), name="MFA delegate")


def get_user(app, user_id: int) -> User:
    """A fresh copy of the account, read in its own app context."""
    with app.app_context():
        return db.session.get(User, user_id)


def whoami(client) -> str:
    """The name shown in the header, or "" for an anonymous visitor."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<li class="who"><a href="/account/">([^<]+)</a>', html)
    return match.group(1) if match else ""


# --- signing in -------------------------------------------------------------


def test_sign_in_page_has_labelled_fields(client):
    html = client.get("/sign-in").get_data(as_text=True)
    for field in ("email", "password", "remember"):
        assert re.search(rf'<label[^>]*(for="{field}"|>\s*<input[^>]*id="{field}")', html), field
    assert 'autocomplete="current-password"' in html


def test_sign_in_starts_a_new_session_and_records_it(app, client, mfa):
    with client.session_transaction() as session:
        session["left_over"] = "from before signing in"
    response = sign_in(client, "MFA@example.org ")  # case and spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["_user_id"] == mfa.get_id()
        assert session["_fresh"] is True
    assert whoami(client) == "MFA delegate"
    with app.app_context():
        [event] = events("user.sign_in")
        assert event.actor_id == mfa.id
    assert get_user(app, mfa.id).last_login_at is not None


def test_wrong_password_and_unknown_email_look_the_same(app, client, mfa):
    wrong = sign_in(client, "mfa@example.org", "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: r.get_data(as_text=True).replace("nobody@example.org", "").replace("mfa@example.org", "")  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "The email address or password is not right." in strip(wrong)
    with app.app_context():
        failed = events("user.sign_in_failed")
        assert [(e.object_id, e.details["reason"]) for e in failed] == [(mfa.id, "invalid"), (None, "invalid")]
    assert whoami(client) == ""


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (UserState.PENDING, "waiting for approval"),
        (UserState.REFUSED, "was not approved"),
        (UserState.DISABLED, "is disabled"),
    ],
)
def test_inactive_accounts_are_told_why_only_with_the_right_password(app, client, state, message):
    with committed(app):
        add_user("someone@example.org", state=state)
    right = sign_in(client, "someone@example.org")
    assert right.status_code == 403
    assert message in right.get_data(as_text=True)
    wrong = sign_in(client, "someone@example.org", "wrong password")
    assert wrong.status_code == 401
    assert message not in wrong.get_data(as_text=True)
    assert whoami(client) == ""


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"email": "", "password": ""}, "Enter your email address."),
        ({"email": "mfa@example.org", "password": ""}, "Enter your password."),
        ({"email": "x" * 250 + "@example.org", "password": "p"}, "Field cannot be longer than 254 characters."),
        ({"email": "not an address", "password": "p"}, "Enter an email address"),
        ({"email": "mfa@example.org", "password": "p" * 129}, "Field cannot be longer than 128 characters."),
    ],
)
def test_empty_or_overlong_fields_get_form_errors(app, client, mfa, data, field_error):
    with app.app_context():
        before = row_counts()
    response = client.post("/sign-in", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error in html and 'class="form-error"' in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert row_counts() == before


def test_remember_me_sets_a_lasting_cookie_that_sign_out_kills(app, client, mfa):
    sign_in(client, "mfa@example.org", remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None
    # A browser that lost its session but kept the cookie is still signed in ...
    other = app.test_client()
    other.set_cookie("remember_token", cookie.value)
    assert whoami(other) == "MFA delegate"
    # ... until the person signs out anywhere.
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    assert whoami(client) == ""
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie.value)
    assert whoami(stale) == ""
    with app.app_context():
        assert [e.verb for e in events()][-1] == "user.sign_out"


def test_sign_out_ends_copies_of_the_session_cookie(app, client, mfa):
    sign_in(client, "mfa@example.org")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert whoami(copy) == "MFA delegate"
    client.post("/sign-out")
    assert whoami(copy) == ""


def test_sign_out_when_not_signed_in_just_goes_home(app, client):
    with app.app_context():
        before = row_counts()
    response = client.post("/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.app_context():
        assert row_counts() == before


def test_sign_out_needs_post(client, mfa):
    sign_in(client, "mfa@example.org")
    assert client.get("/sign-out").status_code == 405
    assert whoami(client) == "MFA delegate"


def test_signed_in_visitor_is_sent_home_from_the_sign_in_page(client, mfa):
    sign_in(client, "mfa@example.org")
    response = client.get("/sign-in")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- changing the password --------------------------------------------------


def test_change_password_keeps_this_session_and_ends_the_others(app, client, mfa):
    sign_in(client, "mfa@example.org")
    other = app.test_client()
    sign_in(other, "mfa@example.org")
    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert whoami(client) == "MFA delegate"
    assert whoami(other) == ""
    user = get_user(app, mfa.id)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    with app.app_context():
        assert [e.actor_id for e in events("user.password_change")] == [mfa.id]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current": "wrong one", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "current password is not right"),
        ({"current": PASSWORD, "password": "short", "confirm": "short"}, "Use between 10 and 128 characters."),
        ({"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "The two passwords differ."),
        ({"current": "", "password": "", "confirm": ""}, "Enter your current password."),
    ],
)
def test_change_password_bad_input(app, client, mfa, data, message):
    sign_in(client, "mfa@example.org")
    with app.app_context():
        before = row_counts()
    response = client.post("/account/password", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert row_counts() == before
    assert get_user(app, mfa.id).check_password(PASSWORD)
    assert whoami(client) == "MFA delegate"


def test_account_page_shows_organisation_and_role(client, mfa):
    sign_in(client, "mfa@example.org")
    html = client.get("/account/").get_data(as_text=True)
    assert "Migrant Forum in Asia" in html and "Stakeholder" in html and "mfa@example.org" in html


# --- password reset ---------------------------------------------------------


def reset_link(caplog) -> str:
    """The reset path from the e-mail written to the log."""
    [record] = [r for r in caplog.records if "choose a new password" in r.getMessage()]
    return re.search(r"http://localhost(/reset-password/\S+)", record.getMessage()).group(1)


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    known = client.post("/reset-password", data={"email": "mfa@example.org"})
    unknown = client.post("/reset-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/sign-in"
    flash = lambda: client.get("/sign-in").get_data(as_text=True)  # noqa: E731
    assert "If an account uses that address" in flash()
    mails = [r.getMessage() for r in caplog.records if "No mail server configured" in r.getMessage()]
    assert len(mails) == 1 and "To: mfa@example.org" in mails[0]


def test_reset_link_works_once(app, client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    client.post("/reset-password", data={"email": "mfa@example.org"})
    link = reset_link(caplog)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert sign_in(client, "mfa@example.org", NEW_PASSWORD).status_code == 302
    client.post("/sign-out")
    # The same link again: refused with a clear message, the password stays.
    again = client.post(link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 400
    assert get_user(app, mfa.id).check_password(NEW_PASSWORD)
    with app.app_context():
        assert [e.verb for e in events() if e.verb.startswith("user.password")] == [
            "user.password_reset_request",
            "user.password_reset",
        ]


def test_reset_ends_existing_sessions(app, client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    signed_in = app.test_client()
    sign_in(signed_in, "mfa@example.org")
    client.post("/reset-password", data={"email": "mfa@example.org"})
    client.post(reset_link(caplog), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert whoami(signed_in) == ""


def test_expired_reset_link_is_refused(app, client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    client.post("/reset-password", data={"email": "mfa@example.org"})
    link = reset_link(caplog)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every token is now older than its lifetime
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert get_user(app, mfa.id).check_password(PASSWORD)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ.abc.def", "x" * 500])
def test_forged_reset_links_are_refused(client, mfa, token):
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_token_signed_with_another_key_or_for_another_purpose_is_refused(app_ctx, mfa):
    from itsdangerous import URLSafeTimedSerializer

    app = app_ctx

    other_key = accounts.make_reset_token(mfa, "another secret")
    with pytest.raises(accounts.TokenError):
        accounts.user_for_reset_token(other_key, app.secret_key, 3600)
    other_salt = URLSafeTimedSerializer(app.secret_key, salt="something else").dumps({"u": mfa.id})
    with pytest.raises(accounts.TokenError):
        accounts.user_for_reset_token(other_salt, app.secret_key, 3600)
    good = accounts.make_reset_token(mfa, app.secret_key)
    assert accounts.user_for_reset_token(good, app.secret_key, 3600).id == mfa.id
    assert mfa.password_hash not in good  # the token carries a fingerprint, never the hash


def test_refused_and_disabled_accounts_get_no_reset_link(app, client, caplog):
    caplog.set_level(logging.WARNING)
    with committed(app):
        add_user("refused@example.org", state=UserState.REFUSED)
        add_user("disabled@example.org", state=UserState.DISABLED)
    for address in ("refused@example.org", "disabled@example.org"):
        assert client.post("/reset-password", data={"email": address}).status_code == 302
    assert not [r for r in caplog.records if "choose a new password" in r.getMessage()]


def test_reset_link_uses_the_public_url_when_set(app, client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    app.config["PUBLIC_URL"] = "https://drafter.example/"
    client.post("/reset-password", data={"email": "mfa@example.org"}, headers={"Host": "evil.example"})
    [record] = [r for r in caplog.records if "choose a new password" in r.getMessage()]
    assert "https://drafter.example/reset-password/" in record.getMessage()
    assert "evil.example" not in record.getMessage()


def _mails(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "No mail server configured" in r.getMessage()]


@pytest.mark.parametrize(
    "forged", [{"Host": "evil.example"}, {"Host": "localhost", "X-Forwarded-Host": "evil.example"}]
)
def test_without_a_public_url_a_forged_host_gets_no_link(app, client, mfa, caplog, forged):
    """The reset token must never travel in a link to a host the request named."""
    caplog.set_level(logging.WARNING)
    app.config["PUBLIC_URL"] = None
    response = client.post("/reset-password", data={"email": "mfa@example.org"}, headers=forged)
    assert response.status_code == 302  # the same answer as for any address
    assert not [r for r in caplog.records if "evil.example" in r.getMessage()]
    assert not [m for m in _mails(caplog) if "/reset-password/" in m]
    assert any("DRAFTER_PUBLIC_URL is not set" in r.getMessage() for r in caplog.records)
    with app.app_context():
        assert db.session.scalars(select(User).where(User.id == mfa.id)).one().state == UserState.ACTIVE


def test_without_a_public_url_trusted_hosts_refuse_other_hosts_and_links_use_the_request_host(app, client, mfa, caplog):
    caplog.set_level(logging.WARNING)
    app.config["PUBLIC_URL"] = None
    app.config["TRUSTED_HOSTS"] = ["drafter.example"]
    forged = client.post("/reset-password", data={"email": "mfa@example.org"}, headers={"Host": "evil.example"})
    assert forged.status_code == 400 and "host name" in forged.get_data(as_text=True)
    assert not [r for r in caplog.records if "evil.example" in r.getMessage()] and _mails(caplog) == []
    client.post("/reset-password", data={"email": "mfa@example.org"}, headers={"Host": "drafter.example"})
    [mail] = _mails(caplog)
    assert "http://drafter.example/reset-password/" in mail


def test_services_flush_but_leave_the_commit_to_the_caller(app_ctx):
    secretariat = db.session.get(User, add_user("sec@example.org", role=Role.SECRETARIAT).id)
    pending = db.session.get(User, add_user("new@example.org", state=UserState.PENDING).id)
    db.session.commit()  # the rollback below must undo only the approval
    accounts.approve(pending, actor=secretariat)
    assert db.session.scalar(select(User.state).where(User.id == pending.id)) == UserState.ACTIVE  # flushed
    db.session.rollback()
    assert db.session.get(User, pending.id).state == UserState.PENDING
    assert events("user.approve") == []


def test_a_password_is_compared_as_typed(app, client, mfa):
    """Form text is normalised to NFC, passwords are not: a stored hash of an NFD password still matches."""
    decomposed = "Vie\u0302\u0323t-Nam-2007!"
    from werkzeug.security import generate_password_hash

    with app.app_context():
        db.session.get(User, mfa.id).password_hash = generate_password_hash(decomposed)
        db.session.commit()
    assert sign_in(client, mfa.email, decomposed).status_code == 302
