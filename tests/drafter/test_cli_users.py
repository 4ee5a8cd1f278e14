"""``drafter create-user``: approved accounts from the command line."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from drafter.cli_users import read_password
from drafter.extensions import db
from drafter.models import Organisation, OrganisationType, Role, User, UserState
from tests.drafter.accounts_helpers import add_org, events, row_counts, sign_in
from tests.drafter.helpers import committed


def account(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            _ = user.organisation  # load it before the context ends
        return user


def test_piped_password_is_used_and_not_printed(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "Sec@Example.org",
            "--role",
            "secretariat",
            "--organisation",
            "Task Force",
            "--name",
            "Task Force secretariat",
        ],
        input="a long piped passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long piped passphrase" not in result.output
    assert "Created the secretariat account sec@example.org (Task Force)." in result.output
    user = account(app, "sec@example.org")
    assert user.state == UserState.ACTIVE and user.role == Role.SECRETARIAT and user.name == "Task Force secretariat"
    assert user.check_password("a long piped passphrase")
    assert sign_in(app.test_client(), "sec@example.org", "a long piped passphrase").status_code == 302
    with app.app_context():
        assert [e.verb for e in events()] == ["organisation.create", "user.create", "user.sign_in"]


def test_without_piped_input_a_password_is_generated_and_printed_once(app, runner):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin", "--organisation", "Task Force"], input=""
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"Password \(shown only now\): (\S+)", result.output).group(1)
    assert len(password) >= 20
    assert account(app, "admin@example.org").check_password(password)


def test_an_existing_organisation_is_reused_ignoring_case(app, runner):
    with committed(app):
        asetuc = add_org("ASETUC", OrganisationType.TRADE_UNION)
    result = runner.invoke(
        args=["create-user", "d@asetuc.example", "--role", "stakeholder", "--organisation", "asetuc"],
        input="another long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert account(app, "d@asetuc.example").organisation_id == asetuc.id
    with app.app_context():
        assert len(db.session.scalars(select(Organisation)).all()) == 1


def test_a_new_organisation_gets_the_given_type_and_country(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "d@mfa.example",
            "--role",
            "stakeholder",
            "--organisation",
            "Migrant Forum in Asia",
            "--organisation-type",
            "ngo",
            "--country",
            "PH",
        ],
        input="another long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    organisation = account(app, "d@mfa.example").organisation
    assert (organisation.type, organisation.country) == (OrganisationType.NGO, "PH")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["create-user", "x@example.org", "--role", "emperor", "--organisation", "O"],
            "long enough pass\n",
            "Invalid value for '--role'",
        ),
        (["create-user", "x@example.org", "--organisation", "O"], "long enough pass\n", "Missing option '--role'"),
        (["create-user", "x@example.org", "--role", "admin"], "long enough pass\n", "Missing option '--organisation'"),
        (
            ["create-user", "x@example.org", "--role", "admin", "--organisation", "O"],
            "short\n",
            "at least 10 characters",
        ),
        (
            ["create-user", "not-an-address", "--role", "admin", "--organisation", "O"],
            "long enough pass\n",
            "does not look like an email address",
        ),
        (
            ["create-user", "x@example.org", "--role", "admin", "--organisation", "O", "--country", "FR"],
            "long enough pass\n",
            "Invalid value for '--country'",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(app, runner, args, stdin, message):
    with app.app_context():
        before = row_counts()
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert row_counts() == before


def test_an_existing_address_is_refused(app, runner):
    args = ["create-user", "x@example.org", "--role", "stakeholder", "--organisation", "O"]
    assert runner.invoke(args=args, input="long enough pass\n").exit_code == 0
    with app.app_context():
        before = row_counts()
    again = runner.invoke(args=[*args[:1], "X@EXAMPLE.ORG", *args[2:]], input="another long pass\n")
    assert again.exit_code == 1
    assert "There is already an account for x@example.org" in again.output
    with app.app_context():
        assert row_counts() == before
    assert account(app, "x@example.org").check_password("long enough pass")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_read_password_only_from_a_pipe():
    assert read_password(io.StringIO("secret words here\r\nsecond line\n")) == "secret words here"
    assert read_password(io.StringIO("")) is None
    assert read_password(Terminal("typed\n")) is None
    assert read_password(None) is None


def test_names_given_on_the_command_line_are_nfc_and_find_the_stored_organisation(app, runner):
    composed, decomposed = "Vi\u1ec7t Nam Workers", "Vie\u0302\u0323t Nam Workers"
    with committed(app):
        add_org(composed)
    result = runner.invoke(
        args=[
            "create-user",
            "vn@example.org",
            "--role",
            "stakeholder",
            "--organisation",
            decomposed,
            "--name",
            "Nguye\u0302\u0303n",
        ],
        input="a long piped passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = account(app, "vn@example.org")
    assert user.organisation.name == composed and user.name == "Nguy\u1ec5n"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
