"""Template filters and globals."""

from __future__ import annotations

import enum
from datetime import datetime
from functools import lru_cache

from flask import Flask
from markupsafe import Markup

from instrument.amendments import AmendmentKind, AmendmentState
from instrument.render import render_markdown


@lru_cache(maxsize=8192)
def render_version(version_id: int, text: str) -> Markup:
    """Rendered HTML of an immutable clause version, cached by its id.

    Versions are never updated, so the cache can never serve stale HTML;
    it is bounded and per process (a cache, never needed for correctness).

    :param version_id: the version's primary key (the cache key).
    :param text: the version's Markdown text.
    :returns: safe HTML (see :func:`instrument.render.render_markdown`).
    """
    return Markup(render_markdown(text))


@lru_cache(maxsize=4096)
def render_user_markdown(text: str) -> Markup:
    """Rendered HTML of a comment or rationale, cached by its text.

    The text is the whole key, so an edited comment is simply another
    entry; bounded and per process.

    :param text: Markdown written by a user.
    :returns: safe HTML (see :func:`instrument.render.render_markdown`).
    """
    return Markup(render_markdown(text))


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Format a datetime for display in UTC ("29 Nov 2026 10:42"); empty for ``None``."""
    if value is None:
        return ""
    return value.strftime(fmt)


def format_date(value: datetime | None) -> str:
    """Format a date for display ("29 Nov 2026"); empty for ``None``."""
    return format_datetime(value, "%d %b %Y")


def clause_label(state) -> str:
    """ "Article 5 — Recruitment", "Article 5" or "Preamble": number and heading of any clause-like object."""
    number, heading = (getattr(state, "number", "") or "").strip(), (getattr(state, "heading", "") or "").strip()
    if number and heading:
        return f"{number} — {heading}"
    return number or heading or getattr(state, "key", "")


def template_enums() -> dict[str, type[enum.Enum]]:
    """The enums templates compare against, by class name.

    Templates write ``amendment.state == AmendmentState.ACCEPTED`` rather than
    ``amendment.state.value == 'accepted'``, so that renaming a value or
    mistyping one fails loudly instead of silently never matching.

    :returns: ``{class name: enum class}`` for the model and core enums shown in pages.
    """
    from drafter.models import AnchorState, CommentStatus, ConsultationKind, Disposition, Role, UserState, VersionCause

    enums: list[type[enum.Enum]] = [
        AmendmentKind,
        AmendmentState,
        AnchorState,
        CommentStatus,
        ConsultationKind,
        Disposition,
        Role,
        UserState,
        VersionCause,
    ]
    return {e.__name__: e for e in enums}


def init_app(app: Flask) -> None:
    """Register filters on ``app``'s Jinja environment."""
    app.jinja_env.filters["markdown"] = lambda text: render_user_markdown(text or "")
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["clause_label"] = clause_label
    from drafter.services import phases, timezones

    app.jinja_env.globals["phase"] = phases.phase
    app.jinja_env.filters["moment"] = lambda moment, instrument: (
        timezones.format_moment(moment, timezones.zone_of(instrument)) if moment else ""
    )
    app.jinja_env.globals["render_version"] = render_version
    from drafter.policies import sees_working_draft

    # Pages name the working draft only to those who read it (drafter/services/visibility.py).
    app.jinja_env.globals["sees_working_draft"] = sees_working_draft
    app.jinja_env.globals.update(template_enums())
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
