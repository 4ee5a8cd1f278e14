"""The one way a service refuses: a :class:`Refused` of one of four kinds.

Services raise these and never choose an HTTP status; the edge
(:mod:`drafter.errors`) answers each kind and rolls the session back, and a
view that shows a form turns :class:`InvalidInput` into errors on that form
with :func:`drafter.views.refusals.refusals_on`. The shape
follows FlaskBB's ``core/exceptions.py`` (domain errors without statuses) and
Indico's ``web/rh.py`` (one place that turns them into responses).

Kinds, and how the edge answers them:

- :class:`NotFound`: the thing named does not exist, or is not there for this
  user (404).
- :class:`NotPermitted`: the user may not do this (403).
- :class:`Conflict`: the record moved on or the period closed since the page was
  read: stale base, closed period, a state that no longer allows it (409, with
  ``next_step`` saying what to do).
- :class:`InvalidInput`: what was sent cannot be used as given (400, or the form
  again with the message under ``field``).
"""

from __future__ import annotations


class Refused(Exception):
    """A request a service will not carry out; nothing was written.

    :param message: what went wrong, in words the person who asked understands.
    :param field: the form field the message belongs to, or ``None``.
    :param next_step: what to do now (shown under the message), or ``None``.
    :ivar message: as given.
    :ivar field: as given.
    :ivar next_step: as given.
    """

    def __init__(self, message: str, *, field: str | None = None, next_step: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.next_step = next_step


class NotFound(Refused):
    """The thing named does not exist, or this user may not know that it does (404)."""


class NotPermitted(Refused):
    """The acting user may not do this (403)."""


class Conflict(Refused):
    """The record changed or a period closed since the request was made (409)."""


class InvalidInput(Refused):
    """The input cannot be used as given (400, or the form again with the message on ``field``)."""
