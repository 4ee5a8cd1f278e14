"""Demo accounts: one per role, for organisations named in the domain briefing.

No private person is named: display names are roles of organisations
("MFA delegate"). Passwords are generated at random on the first run and
printed once; the addresses use the reserved ``.example`` domain, so no
e-mail can ever reach anybody.
"""

from __future__ import annotations

from collections.abc import Iterator

from drafter.extensions import db
from drafter.models import OrganisationType, Role, UserState

SECRETARIAT_ORG = "Task Force on ASEAN Migrant Workers"

#: (name, type, country code) of the demo organisations.
ORGANISATIONS = [
    (SECRETARIAT_ORG, OrganisationType.SECRETARIAT, "XX"),
    ("Migrant Forum in Asia", OrganisationType.NGO, "XX"),
    ("ASETUC", OrganisationType.TRADE_UNION, "XX"),
    ("Mekong Migrant Network", OrganisationType.MIGRANT_WORKERS, "XX"),
]

#: (email, display name, organisation, role, state) of the demo accounts.
ACCOUNTS = [
    ("secretariat@drafter.example", "Task Force secretariat", SECRETARIAT_ORG, Role.SECRETARIAT, UserState.ACTIVE),
    ("admin@drafter.example", "Drafter administrator", SECRETARIAT_ORG, Role.ADMIN, UserState.ACTIVE),
    ("mfa@drafter.example", "MFA delegate", "Migrant Forum in Asia", Role.STAKEHOLDER, UserState.ACTIVE),
    ("asetuc@drafter.example", "ASETUC delegate", "ASETUC", Role.STAKEHOLDER, UserState.ACTIVE),
    # A registration for the secretariat to review.
    ("mmn@drafter.example", "MMN delegate", "Mekong Migrant Network", Role.STAKEHOLDER, UserState.PENDING),
]


def load_demo_accounts() -> Iterator[str]:
    """Add the demo organisations and accounts that are missing; commit once.

    :returns: an iterator of lines for the command line; each new account's
        line carries its generated password, shown only this once:
        ``Demo <role> account: <email> / password <password>`` (``<role>``
        is "pending" for the registration waiting for review).
    """
    from drafter.services import accounts

    organisations = {}
    for name, kind, country in ORGANISATIONS:
        organisation = accounts.find_organisation(name)
        if organisation is None:
            organisation = accounts.create_organisation(accounts.NewOrganisation(name, kind, country), actor=None)
        organisations[name] = organisation
    lines = []
    for email, name, organisation_name, role, state in ACCOUNTS:
        label = "pending" if state is UserState.PENDING else role.value
        if accounts.get_user_by_email(email) is not None:
            lines.append(f"Demo {label} account: {email} already exists (password unchanged).")
            continue
        password = accounts.generate_password()
        accounts.create_user(
            email=email,
            name=name,
            password=password,
            organisation=organisations[organisation_name],
            role=role,
            actor=None,
            state=state,
        )
        lines.append(f"Demo {label} account: {email} / password {password}")
    db.session.commit()
    if any("/ password " in line for line in lines):
        lines.append("Demo passwords are shown only now; they are for trying the demo, not for real use.")
    yield from lines
