"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from drafter.extensions import db
from drafter.models import Event, User


def record(
    verb: str,
    obj: Any = None,
    *,
    actor: User | None,
    instrument_id: int | None = None,
    **details: Any,
) -> Event:
    """Append one event to the audit log (in the caller's transaction).

    :param verb: what happened, dotted ("clause.version", "user.sign_in").
    :param obj: the object acted on (any model with an ``id``), or ``None``.
    :param actor: who did it; ``None`` for the system or an anonymous visitor.
    :param instrument_id: the instrument concerned, for filtering.
    :param details: JSON-serialisable facts worth keeping.
    :returns: the new, flushed :class:`Event`.
    """
    event = Event(
        verb=verb,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        actor_id=actor.id if actor is not None else None,
        instrument_id=instrument_id,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event
