"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (a callable default, never evaluated at import)."""
    return datetime.now(timezone.utc)
