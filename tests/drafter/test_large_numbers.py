"""A number larger than any database integer, in a path, a query or a form, is a 4xx, never a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Role, User
from tests.drafter.accounts_helpers import put_in_session, row_counts

S = "/i/asean-migrant-workers"
BIG = str(10**23)  # beyond 2**63: SQLite's driver could not bind it
MID = str(3 * 10**9)  # beyond 2**31: PostgreSQL's INTEGER refused it

URLS = [
    f"{S}/drafts/{BIG}/",
    f"{S}/drafts/{BIG}/sources",
    f"{S}/amendments/{BIG}/",
    f"{S}/consultations/{BIG}/",
    f"{S}/organisations/{BIG}/report",
    f"/admin/accounts/{BIG}/",
    f"{S}/register?consultation={BIG}",
    f"{S}/register?organisation={BIG}",
    f"{S}/matrix?consultation={BIG}",
    f"{S}/c/article-10/comments/?version={BIG}",
    f"{S}/c/article-10/comments/?draft={BIG}",
    f"{S}/c/article-10/provenance?version={BIG}",
    f"{S}/export.md?draft={BIG}",
    f"{S}/compare/?from={BIG}&to=2",
]
URLS += [url.replace(BIG, MID) for url in URLS]


@pytest.fixture
def admin_client(demo):
    client = demo.test_client()
    with demo.app_context():
        put_in_session(client, db.session.scalar(select(User).where(User.role == Role.ADMIN)))
    return client


@pytest.mark.parametrize("url", URLS)
def test_a_huge_number_in_the_address_is_never_a_server_error(admin_client, url):
    response = admin_client.get(url)
    # Not found, or (a filter on SQLite, whose integers go further) an empty list.
    assert response.status_code in (200, 400, 404), response.status_code
    if "?" not in url or BIG in url:
        assert response.status_code in (400, 404), response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_huge_version_id_in_a_comment_form_writes_nothing(demo):
    client = demo.test_client()
    with demo.app_context():
        put_in_session(client, db.session.scalar(select(User).where(User.role == Role.STAKEHOLDER)))
        before = row_counts()
        uid = db.session.scalar(select(Clause.uid).where(Clause.key == "Article 10"))
    for number in (BIG, MID):
        response = client.post(
            f"{S}/c/{uid}/comments/", data={"version_id": number, "body": "A comment.", "category": "concern"}
        )
        assert 400 <= response.status_code < 500
    with demo.app_context():
        assert row_counts() == before
