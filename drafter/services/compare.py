"""Comparing two states of an instrument (drafts or the current text) and two versions of a clause."""

from __future__ import annotations

from dataclasses import dataclass

from drafter.models import ClauseVersion, Draft, Instrument
from drafter.services import drafts
from instrument.compare import Comparison, compare_clauses
from instrument.diff import Redline, cached_redline

__all__ = ["CURRENT", "State", "cached_redline", "compare_states", "load_state", "version_redline"]

CURRENT = "current"


@dataclass(frozen=True)
class State:
    """A named state of an instrument.

    :ivar ref: ``"current"`` or the draft number as a string.
    :ivar label: "Draft 2", "Draft 3 (final text)" or "Working draft" (unpublished changes included).
    :ivar draft: the draft, or ``None`` for the working draft.
    :ivar rows: its clauses in document order.
    """

    ref: str
    label: str
    draft: Draft | None
    rows: list[drafts.StateRow]


def load_state(instrument: Instrument, draft: Draft | None) -> State:
    """Load the clauses of ``draft`` (or of the current text when ``None``) in one query."""
    if draft is None:
        return State(CURRENT, "Working draft", None, drafts.current_state(instrument))
    # The adopted text is named so in every redline and comparison that shows it.
    label = f"Draft {draft.number} (final text)" if draft.is_final else f"Draft {draft.number}"
    return State(str(draft.number), label, draft, drafts.draft_state(draft))


def compare_states(old: State, new: State) -> Comparison:
    """Compare two states clause by clause, matching clauses by their stable identity.

    :returns: an :class:`instrument.compare.Comparison` whose keys are clause uids.
    """
    return compare_clauses(drafts.to_clause_states(old.rows), drafts.to_clause_states(new.rows))


def version_redline(old: ClauseVersion, new: ClauseVersion) -> Redline:
    """Redline of the text of two versions; cached by version ids (versions never change)."""
    return cached_redline(old.id, new.id, old.text, new.text)
