"""The amendment state machine: every pair of states for every role."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from instrument.amendments import (
    TRANSITIONS,
    Actor,
    AmendmentKind,
    AmendmentState,
    Decision,
    allowed,
    allowed_roles,
    available_transitions,
    check_transition,
    decide,
    is_decided,
    is_open,
    reason_required,
)
from instrument.errors import InvalidTransition, ReasonRequired, TransitionNotPermitted

D = AmendmentState.DRAFT
SUB = AmendmentState.SUBMITTED
REV = AmendmentState.UNDER_REVIEW
ACC = AmendmentState.ACCEPTED
MOD = AmendmentState.ACCEPTED_WITH_MODIFICATIONS
REJ = AmendmentState.REJECTED
WD = AmendmentState.WITHDRAWN
SUP = AmendmentState.SUPERSEDED
P, SEC, SYS = Actor.PROPOSER, Actor.SECRETARIAT, Actor.SYSTEM

# The expected table, written out by hand from the process description
# rather than derived from the module's own table.
EXPECTED: dict[tuple[AmendmentState, AmendmentState], set[Actor]] = {
    (D, SUB): {P},
    (D, WD): {P},
    (D, SUP): {SEC, SYS},
    (SUB, REV): {SEC},
    (SUB, ACC): {SEC},
    (SUB, MOD): {SEC},
    (SUB, REJ): {SEC},
    (SUB, WD): {P},
    (SUB, SUP): {SEC, SYS},
    (REV, ACC): {SEC},
    (REV, MOD): {SEC},
    (REV, REJ): {SEC},
    (REV, WD): {P},
    (REV, SUP): {SEC, SYS},
}

ALL = list(itertools.product(AmendmentState, AmendmentState, Actor))


def reason_for(target: AmendmentState) -> str | None:
    return "Duplicates Article 4." if target in (REJ, MOD) else None


@pytest.mark.parametrize(("state", "target", "role"), ALL, ids=lambda v: v.value)
def test_every_pair_of_states_for_every_role(state, target, role):
    expected = role in EXPECTED.get((state, target), set())
    assert allowed(state, target, role) is expected
    if expected:
        check_transition(state, target, role, reason=reason_for(target))
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(state, target, role, reason=reason_for(target))
        message = str(info.value)
        assert message.endswith(".") and message[0].isupper()
        # A pair that exists for some other role is refused as "not permitted".
        assert isinstance(info.value, TransitionNotPermitted) is ((state, target) in EXPECTED)


def test_table_has_exactly_the_expected_transitions():
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED


def test_values_are_accepted_as_plain_strings():
    assert allowed("submitted", "rejected", "secretariat")
    assert not allowed("submitted", "rejected", "proposer")
    with pytest.raises(ValueError):
        allowed("pending", "rejected", "secretariat")
    with pytest.raises(ValueError):
        allowed("submitted", "rejected", "stakeholder")


@pytest.mark.parametrize(
    ("state", "target", "role", "message"),
    [
        (REJ, ACC, SEC, "A rejected amendment cannot be accepted."),
        (ACC, REJ, SEC, "An accepted amendment cannot be rejected."),
        (D, ACC, SEC, "A draft amendment cannot be accepted."),
        (WD, SUB, P, "A withdrawn amendment cannot be submitted."),
        (SUB, D, P, "A submitted amendment cannot be returned to draft."),
        (REV, SUB, SEC, "An amendment under review cannot be submitted."),
        (MOD, WD, P, "An amendment accepted with modifications cannot be withdrawn."),
        (SUP, REV, SEC, "A superseded amendment cannot be put under review."),
        (REJ, REJ, SEC, "The amendment is already rejected."),
        (REV, REV, SEC, "The amendment is already under review."),
    ],
)
def test_impossible_transitions_say_why(state, target, role, message):
    with pytest.raises(InvalidTransition) as info:
        check_transition(state, target, role, reason="some reason")
    assert str(info.value) == message
    assert not isinstance(info.value, TransitionNotPermitted)


@pytest.mark.parametrize(
    ("state", "target", "role", "message"),
    [
        (SUB, ACC, P, "Only the secretariat may accept an amendment."),
        (REV, REJ, SYS, "Only the secretariat may reject an amendment."),
        (SUB, REV, P, "Only the secretariat may put an amendment under review."),
        (SUB, WD, SEC, "Only the proposing organisation may withdraw an amendment."),
        (D, SUB, SEC, "Only the proposing organisation may submit an amendment."),
        (REV, SUP, P, "Only the secretariat or the system may mark an amendment as superseded."),
    ],
)
def test_wrong_role_is_not_permitted(state, target, role, message):
    with pytest.raises(TransitionNotPermitted) as info:
        check_transition(state, target, role, reason="some reason")
    assert str(info.value) == message


@pytest.mark.parametrize("reason", [None, "", "   \n"])
@pytest.mark.parametrize(
    ("target", "message"),
    [
        (REJ, "A reason is required to reject an amendment."),
        (MOD, "A reason is required to accept an amendment with modifications."),
    ],
)
def test_reason_is_required_to_reject_or_modify(reason, target, message):
    for state in (SUB, REV):
        with pytest.raises(ReasonRequired) as info:
            check_transition(state, target, SEC, reason=reason)
        assert str(info.value) == message
        check_transition(state, target, SEC, reason="Covered by Article 7.")


def test_role_is_checked_before_the_reason():
    with pytest.raises(TransitionNotPermitted):
        check_transition(SUB, REJ, P)


@pytest.mark.parametrize("target", [SUB, REV, ACC, WD, SUP])
def test_other_transitions_need_no_reason(target):
    assert not reason_required(target)


def test_open_and_decided_states():
    assert {s for s in AmendmentState if is_open(s)} == {D, SUB, REV}
    assert {s for s in AmendmentState if is_decided(s)} == {ACC, MOD, REJ}
    assert is_open("draft") and is_decided("rejected")
    assert {s for s in AmendmentState if reason_required(s)} == {REJ, MOD}


def test_final_states_have_no_way_out():
    for state in AmendmentState:
        if not is_open(state):
            for role in Actor:
                assert available_transitions(state, role) == ()


def test_available_transitions_for_buttons():
    assert available_transitions(SUB, SEC) == (REV, ACC, MOD, REJ, SUP)
    assert available_transitions(SUB, P) == (WD,)
    assert available_transitions(D, P) == (SUB, WD)
    assert available_transitions(REV, SYS) == (SUP,)
    assert allowed_roles(REV, SUP) == frozenset({SEC, SYS})
    assert allowed_roles(ACC, REJ) == frozenset()


def test_decision_records_state_reason_decider_and_time():
    at = datetime(2007, 8, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    decision = decide(REV, MOD, SEC, decider_id=12, reason="  Merged with the ILO wording.  ", at=at)
    assert decision == Decision(MOD, "Merged with the ILO wording.", 12, at)
    with pytest.raises(AttributeError):
        decision.reason = "changed"  # frozen


def test_decision_defaults_to_now_in_utc_and_empty_reason_to_none():
    before = datetime.now(UTC)
    decision = decide("submitted", "accepted", "secretariat", decider_id="u1", reason="  ")
    assert decision.state is ACC and decision.reason is None
    assert before <= decision.decided_at <= datetime.now(UTC)


def test_decision_refuses_naive_time_and_invalid_transitions():
    with pytest.raises(ValueError):
        decide(SUB, ACC, SEC, decider_id=1, at=datetime(2007, 8, 1, 9, 30))
    with pytest.raises(ReasonRequired):
        decide(SUB, REJ, SEC, decider_id=1)
    with pytest.raises(InvalidTransition, match="A rejected amendment cannot be accepted"):
        decide(REJ, ACC, SEC, decider_id=1)


def test_kinds_and_labels():
    assert [k.value for k in AmendmentKind] == ["modify", "insert", "delete"]
    assert REV.label == "Under review"
    assert MOD.label == "Accepted with modifications"
