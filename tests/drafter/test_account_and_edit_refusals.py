"""The account and editing services refuse with the shared kinds, naming the form field, and write nothing."""

from __future__ import annotations

import pytest

from drafter.extensions import db
from drafter.models import Role, UserState
from drafter.services import accounts, editing
from drafter.services.errors import Conflict, InvalidInput, NotPermitted
from tests.drafter.accounts_helpers import PASSWORD, add_user
from tests.drafter.amendments_helpers import add_instrument, add_people, clause, user, versions_of


@pytest.fixture
def people(app_ctx):
    add_instrument()
    made = add_people()
    db.session.commit()  # the tests roll back after each refusal; the set-up must outlive that
    return made


def test_an_edit_with_conflict_markers_or_a_foreign_base_is_invalid_input_on_its_field(people):
    target = clause()
    with pytest.raises(InvalidInput) as markers:
        editing.edit_clause(
            target,
            actor=user(people.secretariat),
            base_version_id=target.current_version_id,
            heading="H",
            text="<<<<<<< amendment\nA\n=======\nB\n>>>>>>> current",
        )
    assert markers.value.field == "text"
    with pytest.raises(InvalidInput) as foreign:
        editing.edit_clause(
            target,
            actor=user(people.secretariat),
            base_version_id=clause("Article 2").current_version_id,
            heading="H",
            text="Another text.",
        )
    assert foreign.value.field == "base_version_id"
    db.session.rollback()
    assert len(versions_of()) == 1


def test_editing_a_clause_deleted_meanwhile_is_a_conflict(people):
    target = clause()
    base = target.current_version_id
    target.deleted = True
    db.session.flush()
    with pytest.raises(Conflict, match="has been deleted"):
        editing.edit_clause(target, actor=user(people.secretariat), base_version_id=base, heading="H", text="New.")
    db.session.rollback()
    assert len(versions_of()) == 1


def test_account_refusals_are_conflicts_or_invalid_input_with_the_field(people):
    secretariat = user(people.secretariat)
    admin = user(add_user("admin@example.org", role=Role.ADMIN).id)
    with pytest.raises(Conflict, match="not waiting for approval"):
        accounts.approve(user(people.mfa), actor=secretariat)
    with pytest.raises(Conflict, match="your own role"):
        accounts.change_role(admin, Role.STAKEHOLDER, actor=admin)
    with pytest.raises(Conflict, match="your own account"):
        accounts.change_state(admin, UserState.DISABLED, actor=admin)
    with pytest.raises(InvalidInput) as state:
        accounts.change_state(user(people.mfa), UserState.PENDING, actor=admin)
    assert state.value.field == "state"
    with pytest.raises(InvalidInput) as wrong:
        accounts.change_password(user(people.mfa), "not the password", "a long new password", actor=user(people.mfa))
    assert wrong.value.field == "current"
    with pytest.raises(InvalidInput) as short:
        accounts.change_password(user(people.mfa), PASSWORD, "short", actor=user(people.mfa))
    assert short.value.field == "password"


@pytest.mark.parametrize("state", [UserState.PENDING, UserState.REFUSED, UserState.DISABLED])
def test_signing_in_to_an_account_that_may_not_is_not_permitted(people, state):
    add_user("someone@example.org", state=state)
    with pytest.raises(NotPermitted) as refused:
        accounts.authenticate("someone@example.org", PASSWORD)
    assert refused.value.reason == state.value
    with pytest.raises(NotPermitted) as invalid:
        accounts.authenticate("someone@example.org", "not the password")
    assert invalid.value.reason == "invalid"
