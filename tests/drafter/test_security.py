"""The security baseline: safe ``next`` targets, CSRF, rate limits, headers and cookies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafter.config import from_environment
from drafter.extensions import db
from drafter.models import Clause, Role, User, UserState
from drafter.security import is_safe_next, safe_next
from tests.drafter.accounts_helpers import PASSWORD, add_user, events, make_app, put_in_session, row_counts, sign_in
from tests.drafter.helpers import committed

# --- the next-URL table -------------------------------------------------------

#: Forms a browser (or a server that decodes and redirects again) would send to another host, or run.
UNSAFE_NEXT = [
    "",
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%252F%252Fevil.example",  # double-encoded
    "/%25252F%25252Fevil.example",  # triple-encoded
    "/\tevil",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%00",
    "/\x00",
    "/\x7f",
    " /account/",
    "/account/ ",
    "/ /evil.example",
    "http://evil.example",
    "https://evil.example/account/",
    "http://localhost/account/",  # absolute, even to this host
    "http://a@evil.example",
    "//a@evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    "account/",
    "?next=//evil",
    "#fragment",
    "/caf\u00e9",  # non-ASCII: never produced by url_for
    "/\uff0f/evil.example",  # fullwidth solidus
    "/" + "a" * 2100,
    None,
    123,
]

SAFE_NEXT = [
    "/",
    "/account/",
    "/i/asean-migrant-workers/c/article-6/",
    "/i/asean-migrant-workers/export.md?draft=2",
    "/i/x/#article-4",
    "/admin/events/?verb=user.sign_in&page=2",
    "/a/b%2Fc",  # an encoded slash inside the path stays on this site
    "/javascript:alert(1)",  # a path on this site, not a scheme
]


@pytest.mark.parametrize("target", UNSAFE_NEXT, ids=repr)
def test_unsafe_next_targets_are_refused(target):
    assert not is_safe_next(target)
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE_NEXT, ids=repr)
def test_same_site_paths_are_kept(target):
    assert is_safe_next(target)
    assert safe_next(target, "/home") == target


@pytest.fixture
def member(app):
    with committed(app):
        return add_user("mfa@example.org")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/%2F%2Fevil.example",
        "/\\evil.example",
        "http://a@evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    ],
    ids=repr,
)
def test_sign_in_falls_back_home_for_unsafe_next(app, member, target):
    response = sign_in(app.test_client(), "mfa@example.org", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_safe_next(app, member):
    response = sign_in(app.test_client(), "mfa@example.org", next="/account/")
    assert response.headers["Location"] == "/account/"


def test_the_sign_in_redirect_carries_next_through_the_form(app, member):
    client = app.test_client()
    first = client.get("/admin/events/?verb=x")
    assert first.status_code == 302
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/admin/events/?verb=x"' in page


# --- CSRF --------------------------------------------------------------------


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with committed(app):
        add_user("mfa@example.org")
        add_user("admin@example.org", role=Role.ADMIN)
        add_user("pending@example.org", state=UserState.PENDING)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("token", [None, "", "wrong-token", "IjEyMyI.abc.def"])
def test_sign_in_without_a_valid_csrf_token_is_400_and_writes_nothing(csrf_app, token):
    client = csrf_app.test_client()
    client.get("/sign-in")  # a session with a real token exists
    data = {"email": "mfa@example.org", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    with csrf_app.app_context():
        before = row_counts()
    response = client.post("/sign-in", data=data)
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert row_counts() == before


def test_sign_in_with_the_token_from_the_form_works(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "mfa@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_a_token_from_another_session_is_refused(csrf_app):
    attacker = csrf_app.test_client()
    token = csrf_token(attacker.get("/sign-in").get_data(as_text=True))
    victim = csrf_app.test_client()
    victim.get("/sign-in")
    response = victim.post("/sign-in", data={"email": "mfa@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def account(email: str):
    """The account with ``email`` (call inside an app context)."""
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/sign-out", {}),
        ("/account/password", {"current": PASSWORD, "password": "new passphrase 1", "confirm": "new passphrase 1"}),
        ("/admin/accounts/{mfa}/role", {"role": "admin"}),
        ("/admin/accounts/{mfa}/state", {"state": "disabled"}),
        ("/secretariat/registrations/{pending}/approve", {}),
        ("/register", {}),
        ("/reset-password", {"email": "mfa@example.org"}),
    ],
)
def test_every_state_changing_form_needs_the_token(csrf_app, path, data):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        put_in_session(client, account("admin@example.org"))  # allowed everywhere
        ids = {"mfa": account("mfa@example.org").id, "pending": account("pending@example.org").id}
        before = row_counts()
    response = client.post(path.format(**ids), data=data)
    assert response.status_code == 400
    with csrf_app.app_context():
        assert row_counts() == before
    assert client.get("/account/").status_code == 200  # still signed in


def test_pages_render_the_token_for_their_forms(csrf_app):
    client = csrf_app.test_client()
    for path in ("/sign-in", "/register", "/reset-password"):
        assert csrf_token(client.get(path).get_data(as_text=True))
    with csrf_app.app_context():
        put_in_session(client, account("admin@example.org"))
    for path in ("/account/password", "/admin/accounts/", "/secretariat/registrations/"):
        html = client.get(path).get_data(as_text=True)
        forms = html.count('<form method="post"')
        assert forms and html.count('name="csrf_token"') >= forms, path


# --- rate limits ---------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    with committed(app):
        add_user("mfa@example.org")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_too_many_sign_in_attempts_get_429(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        assert sign_in(client, "mfa@example.org", "wrong password").status_code == 401
    blocked = sign_in(client, "mfa@example.org", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    assert client.get("/sign-in").status_code == 200  # reading the form is not limited
    with limited_app.app_context():
        assert [e.details["reason"] for e in events("user.sign_in_failed")] == ["invalid"] * 3
        assert events("user.sign_in") == []


@pytest.mark.parametrize(
    ("path", "data"),
    [("/register", {"email": "x@example.org"}), ("/reset-password", {"email": "mfa@example.org"})],
)
def test_registration_and_reset_are_limited_too(limited_app, path, data):
    client = limited_app.test_client()
    statuses = [client.post(path, data=data).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429


def test_limits_count_per_client_address(limited_app):
    for _ in range(3):
        sign_in(limited_app.test_client(), "mfa@example.org", "wrong password")
    elsewhere = limited_app.test_client()
    response = elsewhere.post(
        "/sign-in", data={"email": "mfa@example.org", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert response.status_code == 302


# --- headers and cookies -----------------------------------------------------


def test_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_cookies_are_httponly_and_samesite_lax(app, member):
    response = sign_in(app.test_client(), "mfa@example.org", remember="y")
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]
        assert "Secure" not in cookies[name]


def test_cookies_are_secure_when_configured(tmp_path):
    app = make_app(tmp_path, **from_environment({"DRAFTER_SESSION_COOKIE_SECURE": "1"}))
    with committed(app):
        add_user("mfa@example.org")
    response = sign_in(app.test_client(), "mfa@example.org", remember="y")
    cookies = set_cookies(response)
    assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_pages_have_no_inline_script_or_style(app, member):
    with committed(app):
        admin = add_user("admin@example.org", role=Role.ADMIN)
    anonymous = app.test_client()
    pages = [anonymous.get(p) for p in ("/sign-in", "/register", "/reset-password", "/reset-password/bad-token")]
    signed_in = app.test_client()
    put_in_session(signed_in, admin)
    pages += [
        signed_in.get(p)
        for p in ("/account/", "/account/password", "/admin/accounts/", "/admin/events/", "/secretariat/registrations/")
    ]
    for response in pages:
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), response.request.path
        assert "<style" not in html and not re.search(r"\sstyle=", html), response.request.path
        assert not re.search(r"\son[a-z]+=", html), response.request.path  # no inline event handlers


def test_nul_characters_are_refused_at_the_door_and_never_stored(app, client):
    """PostgreSQL refuses NUL in text: every form answers 400 instead, on every backend."""
    from drafter.models import ClauseVersion, VersionCause
    from drafter.services.versions import add_version
    from tests.drafter.helpers import import_text, instrument_md

    with committed(app):
        import_text(instrument_md(1), "t")
        before = row_counts()
    for path, data in [
        ("/sign-in", {"email": "a\x00@example.org", "password": "x"}),
        ("/register", {"name": "Del\x00egate"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "NUL character" in response.get_data(as_text=True)
    assert client.get("/i/t/?q=\x00").status_code == 400
    with app.app_context():
        assert row_counts() == before
        # Text that reaches the store another way (files, services) loses its NUL.
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
        version = add_version(
            clause, number="Article 1", heading="H", text="Pasted\x00 text.", cause=VersionCause.EDIT, actor=None
        )
        db.session.commit()
        assert db.session.get(ClauseVersion, version.id).text == "Pasted text."
