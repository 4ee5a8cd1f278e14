"""The amendment state machine: which state changes exist and who may make them.

An amendment is a proposed change to one clause (modify it, insert a new
clause after it, delete it). Its life, as the drafting process runs it
(the drafting process's vocabulary is in ``shared/DOMAIN.md``):

* ``draft``: private to its author's organisation; the proposer may submit
  it, or withdraw it (discard it: the row is kept as ``withdrawn`` rather
  than deleted, so the history of the clause never has holes);
* ``submitted``: visible to every signed-in user of the instrument; the
  secretariat may put it ``under_review`` or decide at once;
* ``under_review``: the secretariat is considering it;
* decisions, made by the secretariat from ``submitted`` or ``under_review``:
  ``accepted``, ``accepted_with_modifications`` (the text that went in is
  not the proposed text, for instance a resolved merge conflict) and
  ``rejected``; the last two need a written reason;
* ``withdrawn``: by its proposer, from any state before a decision;
* ``superseded``: an open amendment that became moot, because its clause
  was deleted or a decision replaced the text it was about; marked by the
  system (after a merge or a deletion) or by the secretariat.

``accepted``, ``accepted_with_modifications``, ``rejected``, ``withdrawn``
and ``superseded`` are final: nothing leaves them.

Roles (:class:`Actor`) are what the caller is *for this amendment*: a member
of the proposing organisation is :attr:`Actor.PROPOSER`, a secretariat
member is :attr:`Actor.SECRETARIAT`, and changes made by the application
itself are :attr:`Actor.SYSTEM`. Working out the role (and refusing anyone
who has none, such as a member of another organisation) is the web layer's
job; a person holding two roles may try each.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from instrument.errors import InvalidTransition, ReasonRequired, TransitionNotPermitted


class AmendmentKind(str, enum.Enum):
    """What an amendment does to the text.

    ``MODIFY`` replaces a clause's text, ``INSERT`` adds a new clause after a
    given one, ``DELETE`` removes a clause.
    """

    MODIFY = "modify"
    INSERT = "insert"
    DELETE = "delete"


class AmendmentState(str, enum.Enum):
    """Where an amendment stands; see the module docstring for the life cycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_MODIFICATIONS = "accepted_with_modifications"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        """The state as shown to people ("Under review")."""
        return _LABEL[self].capitalize()


class Actor(str, enum.Enum):
    """The role in which someone acts on one amendment."""

    PROPOSER = "proposer"  # a member of the proposing organisation
    SECRETARIAT = "secretariat"
    SYSTEM = "system"  # the application itself (after a merge or a deletion)


_S = AmendmentState
#: States in which an amendment can still change (drafts included), in life-cycle order.
OPEN_STATES: tuple[AmendmentState, ...] = (_S.DRAFT, _S.SUBMITTED, _S.UNDER_REVIEW)
_OPEN = frozenset(OPEN_STATES)
_DECIDED = frozenset({_S.ACCEPTED, _S.ACCEPTED_WITH_MODIFICATIONS, _S.REJECTED})
_PROPOSER = frozenset({Actor.PROPOSER})
_SECRETARIAT = frozenset({Actor.SECRETARIAT})

#: Every allowed transition ``(from, to)`` and the roles that may make it.
#: A pair that is not a key here is not a transition at all.
TRANSITIONS: Mapping[tuple[AmendmentState, AmendmentState], frozenset[Actor]] = {
    (_S.DRAFT, _S.SUBMITTED): _PROPOSER,
    (_S.DRAFT, _S.WITHDRAWN): _PROPOSER,
    (_S.SUBMITTED, _S.UNDER_REVIEW): _SECRETARIAT,
    **{(src, dst): _SECRETARIAT for src in (_S.SUBMITTED, _S.UNDER_REVIEW) for dst in _DECIDED},
    (_S.SUBMITTED, _S.WITHDRAWN): _PROPOSER,
    (_S.UNDER_REVIEW, _S.WITHDRAWN): _PROPOSER,
    **{(src, _S.SUPERSEDED): frozenset({Actor.SYSTEM, Actor.SECRETARIAT}) for src in _OPEN},
}

#: Target states that need a written reason.
REASON_REQUIRED: frozenset[AmendmentState] = frozenset({_S.REJECTED, _S.ACCEPTED_WITH_MODIFICATIONS})

# Wording of the messages. "{a}" stands for "an amendment".
_LABEL = {
    _S.DRAFT: "draft",
    _S.SUBMITTED: "submitted",
    _S.UNDER_REVIEW: "under review",
    _S.ACCEPTED: "accepted",
    _S.ACCEPTED_WITH_MODIFICATIONS: "accepted with modifications",
    _S.REJECTED: "rejected",
    _S.WITHDRAWN: "withdrawn",
    _S.SUPERSEDED: "superseded",
}
_SUBJECT = {
    _S.DRAFT: "A draft amendment",
    _S.SUBMITTED: "A submitted amendment",
    _S.UNDER_REVIEW: "An amendment under review",
    _S.ACCEPTED: "An accepted amendment",
    _S.ACCEPTED_WITH_MODIFICATIONS: "An amendment accepted with modifications",
    _S.REJECTED: "A rejected amendment",
    _S.WITHDRAWN: "A withdrawn amendment",
    _S.SUPERSEDED: "A superseded amendment",
}
_PARTICIPLE = {
    _S.DRAFT: "returned to draft",
    _S.SUBMITTED: "submitted",
    _S.UNDER_REVIEW: "put under review",
    _S.ACCEPTED: "accepted",
    _S.ACCEPTED_WITH_MODIFICATIONS: "accepted with modifications",
    _S.REJECTED: "rejected",
    _S.WITHDRAWN: "withdrawn",
    _S.SUPERSEDED: "marked as superseded",
}
_ACTION = {
    _S.DRAFT: "return {a} to draft",
    _S.SUBMITTED: "submit {a}",
    _S.UNDER_REVIEW: "put {a} under review",
    _S.ACCEPTED: "accept {a}",
    _S.ACCEPTED_WITH_MODIFICATIONS: "accept {a} with modifications",
    _S.REJECTED: "reject {a}",
    _S.WITHDRAWN: "withdraw {a}",
    _S.SUPERSEDED: "mark {a} as superseded",
}
_WHO = {
    Actor.PROPOSER: "the proposing organisation",
    Actor.SECRETARIAT: "the secretariat",
    Actor.SYSTEM: "the system",
}


def is_open(state: AmendmentState | str) -> bool:
    """Tell whether an amendment in ``state`` can still change state.

    :param state: an :class:`AmendmentState` or its value.
    :returns: ``True`` for draft, submitted and under review.
    :raises ValueError: for an unknown state value.
    """
    return AmendmentState(state) in _OPEN


def is_decided(state: AmendmentState | str) -> bool:
    """Tell whether ``state`` is a secretariat decision.

    :param state: an :class:`AmendmentState` or its value.
    :returns: ``True`` for accepted, accepted with modifications and rejected
        (withdrawn and superseded are final but are not decisions).
    :raises ValueError: for an unknown state value.
    """
    return AmendmentState(state) in _DECIDED


def reason_required(target: AmendmentState | str) -> bool:
    """Tell whether moving to ``target`` needs a written reason.

    :param target: an :class:`AmendmentState` or its value.
    :returns: ``True`` for rejected and accepted with modifications.
    :raises ValueError: for an unknown state value.
    """
    return AmendmentState(target) in REASON_REQUIRED


def allowed_roles(state: AmendmentState | str, target: AmendmentState | str) -> frozenset[Actor]:
    """The roles that may move an amendment from ``state`` to ``target``.

    :param state: the current state (enum or value).
    :param target: the wanted state (enum or value).
    :returns: a frozenset of :class:`Actor`, empty when the transition does
        not exist (from :data:`TRANSITIONS`).
    :raises ValueError: for an unknown state value.
    """
    return TRANSITIONS.get((AmendmentState(state), AmendmentState(target)), frozenset())


def allowed(state: AmendmentState | str, target: AmendmentState | str, role: Actor | str) -> bool:
    """Tell whether ``role`` may move an amendment from ``state`` to ``target``.

    The reason is not looked at here; :func:`check_transition` checks it.

    :param state: the current state (enum or value).
    :param target: the wanted state (enum or value).
    :param role: the caller's :class:`Actor` role for this amendment (enum or value).
    :returns: whether :data:`TRANSITIONS` lists the pair with that role.
    :raises ValueError: for an unknown state or role value.
    """
    return Actor(role) in allowed_roles(state, target)


def available_transitions(state: AmendmentState | str, role: Actor | str) -> tuple[AmendmentState, ...]:
    """The states ``role`` may move an amendment in ``state`` to, for buttons and forms.

    :param state: the current state (enum or value).
    :param role: the caller's role (enum or value).
    :returns: target states in the order of :class:`AmendmentState`.
    :raises ValueError: for an unknown state or role value.
    """
    return tuple(target for target in AmendmentState if allowed(state, target, role))


def check_transition(
    state: AmendmentState | str,
    target: AmendmentState | str,
    role: Actor | str,
    *,
    reason: str | None = None,
) -> None:
    """Refuse a state change that the state machine does not allow.

    Checks, in this order: that the amendment is not already in ``target``;
    that the pair is a transition of :data:`TRANSITIONS`; that ``role`` may
    make it; that a reason is given when ``target`` is in
    :data:`REASON_REQUIRED` (a reason made only of whitespace counts as
    none).

    :param state: the current state (enum or value).
    :param target: the wanted state (enum or value).
    :param role: the caller's role for this amendment (enum or value).
    :param reason: the written reason, if any.
    :returns: ``None`` when the change is allowed.
    :raises InvalidTransition: when there is no such transition, with a
        message such as "A rejected amendment cannot be accepted.".
    :raises TransitionNotPermitted: (a subclass) when the transition exists
        but not for ``role``: "Only the secretariat may reject an amendment.".
    :raises ReasonRequired: (a subclass) when the reason is missing:
        "A reason is required to reject an amendment.".
    :raises ValueError: for an unknown state or role value.
    """
    state, target, role = AmendmentState(state), AmendmentState(target), Actor(role)
    if state == target:
        raise InvalidTransition(f"The amendment is already {_LABEL[state]}.")
    roles = TRANSITIONS.get((state, target))
    if roles is None:
        raise InvalidTransition(f"{_SUBJECT[state]} cannot be {_PARTICIPLE[target]}.")
    action = _ACTION[target].format(a="an amendment")
    if role not in roles:
        who = " or ".join(_WHO[r] for r in Actor if r in roles)
        raise TransitionNotPermitted(f"Only {who} may {action}.")
    if target in REASON_REQUIRED and not (reason or "").strip():
        raise ReasonRequired(f"A reason is required to {action}.")


@dataclass(frozen=True)
class Decision:
    """The record of one change of state: what, why, by whom and when.

    :ivar state: the state the amendment moved to.
    :ivar reason: the written reason, stripped; ``None`` when none was given.
    :ivar decider_id: identity of the person (or ``None`` for the system).
    :ivar decided_at: when, timezone-aware.
    """

    state: AmendmentState
    reason: str | None
    decider_id: int | str | None
    decided_at: datetime


def decide(
    state: AmendmentState | str,
    target: AmendmentState | str,
    role: Actor | str,
    *,
    decider_id: int | str | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> Decision:
    """Check a state change and return its record.

    :param state: the current state.
    :param target: the wanted state.
    :param role: the caller's role for this amendment.
    :param decider_id: who makes the change (a user id; ``None`` for the system).
    :param reason: the written reason; required for rejected and accepted
        with modifications, kept (stripped) for any other change.
    :param at: when; defaults to now in UTC.
    :returns: a :class:`Decision`.
    :raises InvalidTransition: as :func:`check_transition` (including its
        subclasses :class:`~instrument.errors.TransitionNotPermitted` and
        :class:`~instrument.errors.ReasonRequired`).
    :raises ValueError: when ``at`` has no time zone, or for an unknown
        state or role value.
    """
    check_transition(state, target, role, reason=reason)
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time of a decision must carry a time zone")
    return Decision(AmendmentState(target), (reason or "").strip() or None, decider_id, at)
