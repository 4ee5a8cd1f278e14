"""Column helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (a callable default, never evaluated at import)."""
    return datetime.now(UTC)


def enum_column(cls: type[enum.Enum], length: int = 20) -> Enum:
    """Column type storing an enum by its *value* as a plain string (no native enum type).

    Values rather than names, so the stored text reads like the domain's
    words ("accepted_with_modifications"); VARCHAR rather than a native enum,
    so adding a member needs no ALTER TYPE on PostgreSQL.

    :param cls: the Python enum.
    :param length: the column's length in characters.
    :returns: a SQLAlchemy :class:`~sqlalchemy.Enum` type.
    """
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
