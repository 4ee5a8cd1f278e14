"""The object-level rules in drafter.policies, judged on objects as loaded (no database needed)."""

from __future__ import annotations

import pytest

from drafter import policies
from drafter.models import Amendment, Comment, Role, User, UserState
from instrument.amendments import Actor, AmendmentState, is_open

OWN_ORG, OTHER_ORG = 1, 2


def person(role: Role = Role.STAKEHOLDER, organisation_id: int | None = OWN_ORG, state=UserState.ACTIVE, uid=10):
    return User(id=uid, email=f"u{uid}@example.org", name="U", role=role, state=state, organisation_id=organisation_id)


def amendment(state: AmendmentState) -> Amendment:
    return Amendment(id=1, organisation_id=OWN_ORG, state=state)


@pytest.mark.parametrize("state", list(AmendmentState))
def test_proposers_cite_inputs_while_the_amendment_is_open_and_the_secretariat_after_the_draft(state):
    a = amendment(state)
    assert policies.can_cite_on_amendment(person(), a) is is_open(state)
    assert policies.can_cite_on_amendment(person(organisation_id=OTHER_ORG), a) is False
    secretariat = person(Role.SECRETARIAT, organisation_id=None, uid=20)
    assert policies.can_cite_on_amendment(secretariat, a) is (state is not AmendmentState.DRAFT)


@pytest.mark.parametrize("state", list(AmendmentState))
def test_a_draft_amendment_is_seen_by_its_organisation_only_and_no_one_inactive_sees_any(state):
    a = amendment(state)
    assert policies.can_view(a, person()) is True
    assert policies.can_view(a, person(organisation_id=OTHER_ORG)) is (state is not AmendmentState.DRAFT)
    assert policies.can_view(a, person(state=UserState.DISABLED)) is False
    assert policies.can_view(a, None) is False


def test_roles_come_from_the_organisation_and_the_role_of_an_active_account():
    a = amendment(AmendmentState.SUBMITTED)
    assert policies.roles_for(a, person()) == {Actor.PROPOSER}
    assert policies.roles_for(a, person(Role.SECRETARIAT, organisation_id=OWN_ORG)) == {
        Actor.PROPOSER,
        Actor.SECRETARIAT,
    }
    assert policies.roles_for(a, person(organisation_id=OTHER_ORG)) == frozenset()
    assert policies.roles_for(a, person(state=UserState.PENDING)) == frozenset()


def test_a_comment_is_changed_by_its_author_and_moderated_by_the_secretariat():
    author, other = person(uid=10), person(uid=11)
    secretariat = person(Role.SECRETARIAT, organisation_id=None, uid=20)
    comment = Comment(id=1, author_id=author.id)
    assert [policies.can_edit_comment(u, comment) for u in (author, other, secretariat, None)] == [
        True,
        False,
        False,
        False,
    ]
    assert [policies.can_resolve_comment(u, comment) for u in (author, other, secretariat)] == [True, False, True]
    assert [policies.can_hide_comment(u, comment) for u in (author, other, secretariat)] == [False, False, True]
    assert [policies.can_see_hidden_comment(u, comment) for u in (author, other, secretariat)] == [True, False, True]
    disabled_author = person(uid=10, state=UserState.DISABLED)
    assert not policies.can_edit_comment(disabled_author, comment)
    assert not policies.can_see_hidden_comment(disabled_author, comment)


def test_amendments_are_proposed_by_active_accounts_of_an_organisation():
    assert policies.can_propose(person()) is True
    assert policies.can_propose(person(organisation_id=None)) is False
    assert policies.can_propose(person(Role.SECRETARIAT, organisation_id=None, uid=20)) is False
    assert policies.can_propose(person(state=UserState.PENDING)) is False
    assert policies.can_propose(None) is False


def test_any_active_account_may_comment():
    assert policies.can_post_comment(person()) is True
    assert policies.can_post_comment(person(organisation_id=None)) is True
    assert policies.can_post_comment(person(state=UserState.DISABLED)) is False
    assert policies.can_post_comment(None) is False
