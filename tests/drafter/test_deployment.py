"""Serving in production: pool and proxy settings from the environment, gunicorn's
configuration, and app servers that share nothing but the database and the secret key."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from drafter.config import from_environment
from drafter.extensions import db
from tests.drafter.accounts_helpers import PASSWORD, add_user, make_app, sign_in
from tests.drafter.helpers import committed

ROOT = Path(__file__).resolve().parents[2]


# --- settings from the environment ---------------------------------------------------


def test_pool_settings_come_from_the_environment():
    settings = from_environment(
        {
            "DRAFTER_DB_POOL_SIZE": "8",
            "DRAFTER_DB_MAX_OVERFLOW": "4",
            "DRAFTER_DB_POOL_RECYCLE": "1800",
            "DRAFTER_DB_POOL_TIMEOUT": "10",
        }
    )
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_pre_ping": True,
        "pool_size": 8,
        "max_overflow": 4,
        "pool_recycle": 1800,
        "pool_timeout": 10,
    }
    assert "SQLALCHEMY_ENGINE_OPTIONS" not in from_environment({})  # unset: the defaults stay


def test_the_engine_gets_the_pool_settings(tmp_path):
    app = make_app(tmp_path, **from_environment({"DRAFTER_DB_POOL_SIZE": "7", "DRAFTER_DB_MAX_OVERFLOW": "3"}))
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow) == (7, 3)
        db.engine.dispose()


@pytest.mark.parametrize("value", ["eight", "-1", "1.5", " "])
def test_a_mistyped_setting_stops_the_start(value):
    if not value.strip():
        assert from_environment({"DRAFTER_DB_POOL_SIZE": value}).get("SQLALCHEMY_ENGINE_OPTIONS") is None
        return
    with pytest.raises(ValueError, match="DRAFTER_DB_POOL_SIZE"):
        from_environment({"DRAFTER_DB_POOL_SIZE": value})
    with pytest.raises(ValueError, match="DRAFTER_TRUSTED_PROXIES"):
        from_environment({"DRAFTER_TRUSTED_PROXIES": value})


def test_uploads_folder_comes_from_the_environment():
    assert from_environment({"DRAFTER_UPLOADS": "/srv/shared/uploads"})["INSTANCE_UPLOADS"] == "/srv/shared/uploads"


# --- behind a load balancer ---------------------------------------------------------------


def _limited(tmp_path, **config):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="2 per minute", **config)
    with committed(app):
        add_user("mfa@example.org")
    return app


def _attempts(app, client_address: str) -> list[int]:
    client = app.test_client()
    return [
        client.post(
            "/sign-in",
            data={"email": "mfa@example.org", "password": "wrong password"},
            headers={"X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        ).status_code
        for _ in range(3)
    ]


def test_behind_a_proxy_each_client_has_its_own_limit(tmp_path):
    app = _limited(tmp_path, TRUSTED_PROXIES=1)
    assert isinstance(app.wsgi_app, ProxyFix)
    assert _attempts(app, "198.51.100.1") == [401, 401, 429]
    assert _attempts(app, "198.51.100.2") == [401, 401, 429]  # another delegate behind the same balancer


def test_without_trusted_proxies_a_forwarded_address_is_ignored(tmp_path):
    app = _limited(tmp_path)
    assert _attempts(app, "198.51.100.1") == [401, 401, 429]
    # A client cannot escape its limit by inventing X-Forwarded-For headers.
    assert _attempts(app, "198.51.100.2") == [429, 429, 429]


# --- several app servers ----------------------------------------------------------------------


def test_two_app_servers_share_sessions_and_form_tokens_through_the_secret_key(tmp_path):
    """A load balancer may send each request of one visitor to another server."""
    one = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    url = one.config["SQLALCHEMY_DATABASE_URI"]
    from drafter import create_app

    two = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with committed(one):
        add_user("mfa@example.org")
    browser = one.test_client()
    form = browser.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    # The form came from server one; server two takes the post, with the cookie server one set.
    cookie = browser.get_cookie("session")
    other = two.test_client()
    other.set_cookie("session", cookie.value)
    answer = other.post("/sign-in", data={"csrf_token": token, "email": "mfa@example.org", "password": PASSWORD})
    assert answer.status_code == 302
    # The session server two made is valid on server one.
    browser.set_cookie("session", other.get_cookie("session").value)
    page = browser.get("/account/")
    assert page.status_code == 200 and "mfa@example.org" in page.get_data(as_text=True)
    for app in (one, two):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_signing_out_on_one_server_ends_the_session_on_the_other(tmp_path):
    """Sign-out is a new session token in the database, not a note in one process's memory."""
    one = make_app(tmp_path)
    from drafter import create_app

    two = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "RATELIMIT_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": one.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
        }
    )
    with committed(one):
        add_user("mfa@example.org")
    browser = one.test_client()
    assert sign_in(browser, "mfa@example.org").status_code == 302
    stolen = browser.get_cookie("session").value
    assert browser.post("/sign-out").status_code == 302
    other = two.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/account/").status_code in (302, 401)
    for app in (one, two):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- gunicorn.conf.py ------------------------------------------------------------------------


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in (
        "DRAFTER_WORKERS",
        "DRAFTER_THREADS",
        "DRAFTER_BIND",
        "DRAFTER_RATELIMIT_STORAGE_URI",
        "SECRET_KEY",
        "DRAFTER_GC_THRESHOLD",
        "DRAFTER_PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    return settings


def test_gunicorn_settings_follow_the_environment(monkeypatch):
    settings = _gunicorn_settings(monkeypatch, DRAFTER_WORKERS="3", DRAFTER_THREADS="8", DRAFTER_BIND="0.0.0.0:9000")
    assert (settings["workers"], settings["threads"], settings["bind"]) == (3, 8, "0.0.0.0:9000")
    assert settings["worker_class"] == "gthread" and settings["wsgi_app"] == "drafter:create_app()"
    assert settings["preload_app"] is False  # each worker opens its own database connections


def _warnings(settings: dict, workers: int) -> list[str]:
    messages: list[str] = []
    log = SimpleNamespace(warning=lambda msg, *args: messages.append(msg % args))
    settings["when_ready"](SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=log))
    return messages


def test_gunicorn_warns_about_per_process_rate_limits_and_a_missing_shared_key(monkeypatch):
    messages = _warnings(_gunicorn_settings(monkeypatch), workers=4)
    assert any("4 worker processes" in m and "DRAFTER_RATELIMIT_STORAGE_URI" in m for m in messages)
    assert any("SECRET_KEY" in m for m in messages)
    public = {"SECRET_KEY": "k", "DRAFTER_PUBLIC_URL": "https://drafter.example"}
    quiet = _gunicorn_settings(monkeypatch, DRAFTER_RATELIMIT_STORAGE_URI="redis://cache:6379/0", **public)
    assert _warnings(quiet, workers=4) == []
    assert _warnings(_gunicorn_settings(monkeypatch, **public), workers=1) == []


def test_gunicorn_warns_at_start_when_the_public_address_is_missing(monkeypatch):
    """Without it, e-mailed links (password reset) cannot be built without trusting the Host header."""
    messages = _warnings(_gunicorn_settings(monkeypatch, SECRET_KEY="k"), workers=1)
    assert [m for m in messages if "DRAFTER_PUBLIC_URL" in m]
    public = _gunicorn_settings(monkeypatch, SECRET_KEY="k", DRAFTER_PUBLIC_URL="https://drafter.example")
    assert not [m for m in _warnings(public, workers=1) if "DRAFTER_PUBLIC_URL" in m]


def _run_output(monkeypatch, tmp_path, **config) -> tuple[str, list[tuple]]:
    """``drafter run`` with the server replaced by a recorder: (what it printed, the servers it started)."""
    import flask.cli
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from drafter import create_app
    from drafter.cli import main

    started: list[tuple] = []
    monkeypatch.setattr(flask.cli, "run_simple", lambda host, port, app, **kw: started.append((host, port)))
    settings = {"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/run.sqlite3"}
    info = ScriptInfo(create_app=lambda: create_app({**settings, **config}))
    result = CliRunner().invoke(main, ["run", "--port", "5099"], obj=info)
    assert result.exit_code == 0, result.output
    return result.output, started


def test_drafter_run_warns_at_start_when_the_public_address_is_missing(monkeypatch, tmp_path):
    monkeypatch.delenv("DRAFTER_PUBLIC_URL", raising=False)
    output, started = _run_output(monkeypatch, tmp_path)
    assert "DRAFTER_PUBLIC_URL is not set" in output and started == [("127.0.0.1", 5099)]
    output, started = _run_output(monkeypatch, tmp_path, PUBLIC_URL="https://drafter.example")
    assert "DRAFTER_PUBLIC_URL" not in output and started == [("127.0.0.1", 5099)]


def test_trusted_hosts_come_from_the_environment():
    hosts = from_environment({"DRAFTER_TRUSTED_HOSTS": "drafter.example.org, .asean.example ,"})["TRUSTED_HOSTS"]
    assert hosts == ["drafter.example.org", ".asean.example"]
    assert "TRUSTED_HOSTS" not in from_environment({"DRAFTER_TRUSTED_HOSTS": " , "})


@pytest.fixture
def gc_state():
    import gc

    before = gc.get_threshold()
    yield gc
    gc.unfreeze()
    gc.set_threshold(*before)


def test_workers_tune_the_garbage_collector(monkeypatch, gc_state):
    _gunicorn_settings(monkeypatch)["post_worker_init"](SimpleNamespace())
    assert gc_state.get_threshold() == (50_000, 20, 10) and gc_state.get_freeze_count() > 0
    gc_state.unfreeze()
    gc_state.set_threshold(700, 10, 10)
    _gunicorn_settings(monkeypatch, DRAFTER_GC_THRESHOLD="0")["post_worker_init"](SimpleNamespace())
    assert gc_state.get_threshold() == (700, 10, 10) and gc_state.get_freeze_count() == 0


def test_health_check_answers_from_any_server(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_init_db_gives_sqlite_its_planner_statistics(app, runner):
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 1


def test_every_setting_named_in_the_readme_comes_from_the_environment():
    """AUTH_RATE_LIMIT could not be set from the environment although the other settings could."""
    assert from_environment({"DRAFTER_AUTH_RATE_LIMIT": "3 per minute"})["AUTH_RATE_LIMIT"] == "3 per minute"
