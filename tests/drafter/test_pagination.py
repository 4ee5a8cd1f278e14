"""A page number past the end of any list leads to its last page, with the same filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Consultation, Role, User
from tests.drafter.accounts_helpers import put_in_session

SLUG = "asean-migrant-workers"


def _as(app, role: Role):
    client = app.test_client()
    with app.app_context():
        put_in_session(client, db.session.scalar(select(User).where(User.role == role).order_by(User.id)))
    return client


def _lists(app) -> list[tuple[Role, str]]:
    with app.app_context():
        consultation = db.session.scalar(select(Consultation.id).order_by(Consultation.id))
    return [
        (Role.SECRETARIAT, f"/i/{SLUG}/comments/"),
        (Role.SECRETARIAT, f"/i/{SLUG}/amendments/"),
        (Role.STAKEHOLDER, f"/i/{SLUG}/amendments/mine"),
        (Role.SECRETARIAT, f"/i/{SLUG}/consultations/{consultation}/"),
        (Role.SECRETARIAT, f"/i/{SLUG}/register"),
        (Role.SECRETARIAT, f"/i/{SLUG}/matrix"),
        (Role.SECRETARIAT, "/secretariat/registrations/"),
        (Role.ADMIN, "/admin/accounts/"),
        (Role.ADMIN, "/admin/events/"),
    ]


def test_every_list_sends_a_page_past_its_end_to_the_last_page(demo):
    for role, url in _lists(demo):
        client = _as(demo, role)
        assert client.get(url).status_code == 200, url
        response = client.get(f"{url}?page=99")
        assert response.status_code == 302, url
        target = urlsplit(response.headers["Location"])
        assert target.path == url, url
        last = int(parse_qs(target.query).get("page", ["1"])[0])  # page 1 goes without a number
        assert last < 99 and client.get(response.headers["Location"]).status_code == 200, url
        assert client.get(f"{url}?page={last}").status_code == 200, url
        assert client.get(f"{url}?page={last + 1}").status_code == 302, url


def test_a_page_number_too_large_for_the_database_leads_to_the_last_page(demo):
    """10**23 does not fit a database integer as an OFFSET: it was a server error on four lists."""
    for role, url in _lists(demo):
        response = _as(demo, role).get(f"{url}?page={10**23}")
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == url, url


def test_a_query_argument_named_like_a_path_argument_keeps_the_path(demo):
    """``?slug=...`` beside a page past the end was passed to url_for twice: a server error."""
    for role, url in _lists(demo):
        response = _as(demo, role).get(f"{url}?page=99&slug=other&consultation_id=1&input_id=1")
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == url, url
