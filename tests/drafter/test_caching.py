"""Conditional pages (ETag, 304), versioned static URLs, and the health check."""

from __future__ import annotations

import re

import pytest

from drafter.models import Role
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in


@pytest.fixture
def instrument(app):
    with committed(app):
        import_text(instrument_md(3), "t")


def test_reload_of_an_unchanged_draft_is_a_304(client, instrument):
    first = client.get("/i/t/drafts/1/")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"] and "Cookie" in first.headers["Vary"]
    again = client.get("/i/t/drafts/1/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_signed_in_pages_with_csrf_tokens_still_revalidate(client, app, instrument):
    with committed(app):
        user = add_user("d@example.org", organisation=add_org())
    signed_in(app, user, client)
    first = client.get("/i/t/drafts/1/")
    assert 'name="csrf_token"' in first.get_data(as_text=True)
    second = client.get("/i/t/drafts/1/", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304


def test_a_change_changes_the_etag(client, app, instrument):
    with committed(app):
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT)
    client = signed_in(app, secretariat, client)  # the working draft, which every change changes
    before = client.get("/i/t/").headers["ETag"]
    with committed(app):
        import_text(instrument_md(3, overrides={2: "Changed."}), "t")
    response = client.get("/i/t/", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["ETag"] != before


def test_other_visitors_do_not_share_validators(client, app, instrument):
    anonymous = client.get("/i/t/drafts/1/").headers["ETag"]
    with committed(app):
        user = add_user("e@example.org", organisation=add_org())
    signed_in(app, user, client)
    assert client.get("/i/t/drafts/1/", headers={"If-None-Match": anonymous}).status_code == 200


def test_downloads_and_errors_are_not_conditional(client, instrument):
    assert "ETag" not in client.get("/i/t/export.html").headers
    assert client.get("/i/nope/").status_code == 404
    assert "ETag" not in client.get("/i/nope/").headers


def test_static_urls_are_versioned_and_cached_long(client, instrument):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/drafter\.css\?v=([0-9a-f]{12}))"', page)
    assert match
    css = client.get(match.group(1))
    assert css.status_code == 200
    assert "max-age=31536000" in css.headers["Cache-Control"]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_a_broken_database(tmp_path):
    from drafter import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "database unreachable"
