"""Errors raised by the :mod:`instrument` domain package.

The web layer (:mod:`drafter`) turns these into HTTP answers; the core never
knows about HTTP.
"""

from __future__ import annotations


class InstrumentError(Exception):
    """Base class of every error the domain package raises on purpose."""


class ParseError(InstrumentError):
    """A legal text could not be read as an instrument.

    :param message: what is wrong, in words a secretariat officer understands.
    :param line: 1-based line number in the source text, when known.
    :param source: name of the file or input, when known.
    """

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None):
        self.message = message
        self.line = line
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source and self.line:
            where = f"{self.source}, line {self.line}: "
        elif self.source:
            where = f"{self.source}: "
        elif self.line:
            where = f"line {self.line}: "
        return f"{where}{self.message}"


class StaleBase(InstrumentError):
    """An edit was made on a version that is no longer the current one."""


class MergeConflict(InstrumentError):
    """A three-way merge could not combine both sides without losing a change."""


class InvalidTransition(InstrumentError):
    """A state change that the state machine does not allow."""


class TransitionNotPermitted(InvalidTransition):
    """The state machine has the transition, but not for the role that asked for it.

    The web layer may answer this one with 403 rather than 409.
    """


class ReasonRequired(InvalidTransition):
    """The transition needs a written reason and none was given.

    The web layer may show this one next to the reason field of the form.
    """


class AnchorError(InstrumentError, ValueError):
    """A comment's quoted span cannot be made or found in a clause text.

    Raised for an empty or out-of-range selection, a malformed selector, or a
    quote that does not occur in the text it is said to come from. It is also
    a :class:`ValueError`, since every case is a bad argument value; the web
    layer answers it with 400 Bad Request.
    """
