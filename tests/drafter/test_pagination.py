"""Long lists of people come in pages: the accounts list (with a search) and the registrations to review."""
from __future__ import annotations

import re

import pytest

from drafter.models import Role, UserState
from drafter.views.accounts import PER_PAGE as REGISTRATIONS_PER_PAGE
from drafter.views.admin import USERS_PER_PAGE
from tests.drafter.accounts_helpers import add_user, put_in_session


@pytest.fixture
def crowd(app):
    """An admin, 60 delegates and 30 pending registrations."""
    with app.app_context():
        admin = add_user("admin@example.org", role=Role.ADMIN, name="Admin")
        for n in range(60):
            add_user(f"delegate{n:02d}@example.org", name=f"Delegate {n:02d}")
        for n in range(30):
            add_user(f"pending{n:02d}@example.org", state=UserState.PENDING, name=f"Pending {n:02d}")
    return admin


def _emails(html: str) -> list[str]:
    return re.findall(r"(\w+@example\.org)</span>", html)


def test_accounts_come_in_pages(client, crowd):
    put_in_session(client, crowd)
    first = client.get("/admin/accounts/").get_data(as_text=True)
    second = client.get("/admin/accounts/?page=2").get_data(as_text=True)
    assert len(_emails(first)) == USERS_PER_PAGE
    assert len(_emails(second)) == 91 - USERS_PER_PAGE
    assert not set(_emails(first)) & set(_emails(second))
    assert "91 accounts" in first and "Page 1 of 2" in first and 'href="/admin/accounts/?page=2"' in first
    assert client.get("/admin/accounts/?page=99").status_code == 200  # past the end: an empty page, no error


def test_accounts_can_be_searched_by_name_or_email(client, crowd):
    put_in_session(client, crowd)
    html = client.get("/admin/accounts/?q=DELEGATE 1").get_data(as_text=True)
    assert sorted(_emails(html)) == [f"delegate1{n}@example.org" for n in range(10)]
    assert "10 accounts match" in html
    # Wildcards typed by the admin are taken literally.
    assert _emails(client.get("/admin/accounts/?q=%25").get_data(as_text=True)) == []


def test_registrations_come_in_pages_oldest_first(client, crowd):
    put_in_session(client, crowd)
    first = client.get("/secretariat/registrations/").get_data(as_text=True)
    second = client.get("/secretariat/registrations/?page=2").get_data(as_text=True)
    names = re.findall(r"<h2>(Pending \d+)</h2>", first)
    assert names == [f"Pending {n:02d}" for n in range(REGISTRATIONS_PER_PAGE)]
    assert re.findall(r"<h2>(Pending \d+)</h2>", second) == [f"Pending {n:02d}" for n in range(REGISTRATIONS_PER_PAGE, 30)]
    assert "30 registrations are waiting" in first and "Page 1 of 2" in first
    past = client.get("/secretariat/registrations/?page=5").get_data(as_text=True)
    assert "see the first page" in past
