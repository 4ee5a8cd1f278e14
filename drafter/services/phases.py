"""Whether a published draft takes comments, replies and amendments now: the one rule.

Every entry point asks :func:`ensure_open` (services) or :func:`phase`
(pages, to replace a form by a notice): the draft's page, the clause page,
replies, the amendment forms, submitting a draft amendment, and any later
API. The phases are stored on the draft (:class:`drafter.models.Draft`):

- comments and replies: from ``comments_open_from`` (publication when
  unset) until ``comments_close_at`` inclusive (no end when unset);
- amendments (proposing and submitting): from the same opening until
  ``amendments_close_at`` inclusive (no end when unset);
- a draft declared final (``final_at``) takes nothing, from anyone.

The secretariat's working draft is not a published draft and has no phases.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from drafter.models import Draft
from drafter.services.errors import Conflict
from drafter.services.timezones import aware, format_moment, zone_of


class Activity(str, enum.Enum):
    """What a participant does on a draft."""

    COMMENT = "comment"  # comments and replies
    AMENDMENT = "amendment"  # proposing and submitting amendments

    @property
    def plural(self) -> str:
        """ "comments" or "amendments", for sentences."""
        return f"{self.value}s"


class PhaseState(str, enum.Enum):
    """Where a draft stands for one activity at one moment."""

    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    FINAL = "final"


@dataclass(frozen=True)
class Phase:
    """A draft's period for one activity, judged at one moment.

    :ivar draft: the draft.
    :ivar activity: comments or amendments.
    :ivar state: not yet open, open, closed, or final.
    :ivar opens_at: start of the period (aware UTC; the publication when no start was set).
    :ivar closes_at: inclusive end of the period (aware UTC), or ``None`` for no end.
    """

    draft: Draft
    activity: Activity
    state: PhaseState
    opens_at: datetime
    closes_at: datetime | None

    @property
    def is_open(self) -> bool:
        """Whether the activity is allowed now."""
        return self.state is PhaseState.OPEN

    def describe(self) -> str:
        """One sentence for a reader, in the instrument's zone, e.g.
        "Comments are open until 15 January 2027, 23:59 WIB." """
        zone = zone_of(self.draft.instrument)
        noun = self.activity.plural.capitalize()
        if self.state is PhaseState.FINAL:
            when = format_moment(self.draft.final_at, zone) if self.draft.final_at else ""
            return f"Draft {self.draft.number} is the final, adopted text (since {when}); it takes no {self.activity.plural}."
        if self.state is PhaseState.NOT_YET:
            return f"{noun} open on {format_moment(self.opens_at, zone)}."
        if self.state is PhaseState.CLOSED and self.closes_at is not None:
            return f"{noun} closed on {format_moment(self.closes_at, zone)}."
        if self.closes_at is not None:
            return f"{noun} are open until {format_moment(self.closes_at, zone)}."
        return f"{noun} are open; no closing date is set."


def _end(draft: Draft, activity: Activity) -> datetime | None:
    end = draft.comments_close_at if activity is Activity.COMMENT else draft.amendments_close_at
    return aware(end) if end is not None else None


def phase(draft: Draft, activity: Activity | str, now: datetime | None = None) -> Phase:
    """Judge ``draft``'s period for ``activity`` at ``now``.

    :param draft: a published draft.
    :param activity: :class:`Activity` or its value.
    :param now: the moment (aware; default: now, UTC).
    :returns: the :class:`Phase`.
    """
    activity = Activity(activity)
    moment = now or datetime.now(UTC)
    opens = aware(draft.comments_open_from or draft.published_at or moment)
    closes = _end(draft, activity)
    if draft.final_at is not None:
        state = PhaseState.FINAL
    elif moment < opens:
        state = PhaseState.NOT_YET
    elif closes is not None and moment > closes:
        state = PhaseState.CLOSED
    else:
        state = PhaseState.OPEN
    return Phase(draft, activity, state, opens, closes)


def is_open(draft: Draft, activity: Activity | str, now: datetime | None = None) -> bool:
    """Whether ``draft`` takes ``activity`` at ``now`` (see :func:`phase`)."""
    return phase(draft, activity, now).is_open


class PeriodClosed(Conflict):
    """A comment, reply or amendment was sent to a draft that does not take it now (409).

    :ivar draft: the draft concerned.
    :ivar phase: the period as judged when refusing.
    """

    def __init__(self, judged: Phase):
        self.draft = judged.draft
        self.phase = judged
        if judged.state is PhaseState.FINAL:
            next_step = "The final text can still be read, compared and downloaded."
        elif judged.state is PhaseState.NOT_YET:
            next_step = "Come back when the period opens; the draft can be read meanwhile."
        else:
            next_step = (
                "You can still read the draft, its comments and amendments, and download it; "
                "the secretariat announces the next draft and its periods."
            )
        super().__init__(judged.describe(), next_step=next_step)

    def __str__(self) -> str:
        # One sentence with its next step, where a view still shows the refusal as text.
        return f"{self.message} {self.next_step}"


def ensure_open(draft: Draft, activity: Activity | str, now: datetime | None = None) -> None:
    """Refuse unless ``draft`` takes ``activity`` now.

    :raises PeriodClosed: (409) when the period has not opened, has closed, or the draft is final.
    """
    judged = phase(draft, activity, now)
    if not judged.is_open:
        raise PeriodClosed(judged)
