"""``drafter create-user``: make an approved account from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from drafter.extensions import db
from drafter.models import OrganisationType, Role
from drafter.models.user import COUNTRIES
from instrument.text import nfc


def read_password(stream) -> str | None:
    """Return the first line of ``stream`` when it is piped (not a terminal), else ``None``.

    :param stream: usually :data:`sys.stdin`.
    :returns: the line without its line ending, or ``None`` for a terminal or empty input.
    """
    if stream is None or stream.isatty():
        return None
    line = stream.readline().rstrip("\r\n")
    return line or None


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="The account's role.")
@click.option("--organisation", "organisation_name", required=True, help="Organisation name; added when new.")
@click.option("--name", help="Display name (default: the email address).")
@click.option(
    "--organisation-type",
    type=click.Choice([t.value for t in OrganisationType]),
    default=OrganisationType.OTHER.value,
    show_default=True,
    help="Kind of organisation, used only when it is new.",
)
@click.option(
    "--country",
    type=click.Choice(sorted(COUNTRIES)),
    default="XX",
    show_default=True,
    help="ISO country code of a new organisation (XX: regional / other).",
)
@with_appcontext
def create_user_command(
    email: str, role: str, organisation_name: str, name: str | None, organisation_type: str, country: str
) -> None:
    """Create an approved account. The password is read from standard input when it
    is piped (first line); otherwise a random one is generated and printed once."""
    from drafter.services import accounts
    from drafter.services.errors import Refused

    # Text entering from the command line is normalised as form text is (drafter.forms.Form): a
    # decomposed "Việt Nam" would otherwise not find the organisation stored composed. Not the password.
    email, organisation_name = nfc(email), nfc(organisation_name)
    name = nfc(name) if name is not None else None
    password = read_password(sys.stdin)
    generated = password is None
    if password is None:
        password = accounts.generate_password()
    try:
        organisation = accounts.find_organisation(organisation_name)
        if organisation is None:
            organisation = accounts.create_organisation(
                accounts.NewOrganisation(organisation_name, OrganisationType(organisation_type), country), actor=None
            )
        user = accounts.create_user(
            email=email, name=name or "", password=password, organisation=organisation, role=Role(role), actor=None
        )
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created the {user.role.value} account {user.email} ({organisation.name}).")
    if generated:
        click.echo(f"Password (shown only now): {password}")
