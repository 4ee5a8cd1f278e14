"""Versioning of clauses: every change is a new immutable version."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, User, VersionCause
from drafter.services import audit
from drafter.services.comments import anchoring
from instrument.errors import StaleBase
from instrument.text import comparison_form, storable


def same_content(version: ClauseVersion | None, *, number: str, heading: str, text: str, deleted: bool) -> bool:
    """Tell whether a proposed state equals ``version``.

    Whitespace reflow and Unicode normalisation are not changes (see
    :func:`instrument.text.comparison_form`).

    :returns: ``True`` when saving would add nothing.
    """
    if version is None:
        return False
    return (
        version.deleted == deleted
        and comparison_form(version.number) == comparison_form(storable(number))
        and comparison_form(version.heading) == comparison_form(storable(heading))
        and comparison_form(version.text) == comparison_form(storable(text))
    )


def add_version(
    clause: Clause,
    *,
    number: str,
    heading: str,
    text: str,
    cause: VersionCause,
    actor: User | None,
    base_version_id: int | None = None,
    deleted: bool = False,
    note: str = "",
    log: bool = True,
    amendment_id: int | None = None,
) -> ClauseVersion | None:
    """Make a new version of ``clause`` the current one, unless nothing changed.

    The current-version pointer is moved by a compare-and-set UPDATE
    (``WHERE current_version_id = <the version this change started from>``),
    so two writers can never both succeed from the same base: the second gets
    :class:`StaleBase` and nothing of its change is kept.

    :param clause: the clause to change (loaded in this session).
    :param number: number label of the new state ("Article 5").
    :param heading: heading of the new state.
    :param text: Markdown text of the new state (stored in NFC).
    :param cause: why the version is made.
    :param actor: who makes it (``None`` for the system).
    :param base_version_id: the version the change was made on; when given
        and no longer current, :class:`StaleBase` is raised.
    :param deleted: whether the new state marks the clause deleted.
    :param note: a short free-text note shown in the history.
    :param log: write a ``clause.version`` event (bulk imports write one event instead).
    :param amendment_id: the amendment whose acceptance makes this version
        (with ``cause=VersionCause.AMENDMENT``); stored on the version.
    :returns: the new flushed version, or ``None`` when the content is the same.
    :raises StaleBase: when the clause moved on since ``base_version_id`` or
        since it was loaded.
    """
    current = clause.current_version
    current_id = clause.current_version_id
    if base_version_id is not None and base_version_id != current_id:
        raise StaleBase(f"{clause.key} changed since version {base_version_id} was read")
    if same_content(current, number=number, heading=heading, text=text, deleted=deleted):
        return None
    version = ClauseVersion(
        clause_id=clause.id,
        seq=(current.seq + 1) if current is not None else 1,
        number=storable(number),
        heading=storable(heading),
        text=storable(text),
        deleted=deleted,
        cause=cause,
        note=note,
        parent_version_id=current_id,
        author_id=actor.id if actor is not None else None,
        amendment_id=amendment_id,
    )
    try:
        # A savepoint, so a concurrent writer's equal seq fails only this insert.
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError as exc:
        raise StaleBase(f"{clause.key} was changed by someone else at the same time") from exc
    guard = Clause.current_version_id.is_(None) if current_id is None else Clause.current_version_id == current_id
    stmt = (
        update(Clause)
        .where(Clause.id == clause.id, guard)
        .values(current_version_id=version.id, deleted=deleted)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE gives a CursorResult; Session.execute is typed for SELECTs only.
    result = cast(CursorResult[Any], db.session.execute(stmt))
    if result.rowcount != 1:
        raise StaleBase(f"{clause.key} was changed by someone else at the same time")
    db.session.expire(clause, ["current_version_id", "current_version", "deleted"])
    # Comments follow the text into the new version, in this same transaction.
    anchoring.anchor_new_version(clause, version, current)
    if log:
        audit.record(
            "clause.version",
            version,
            actor=actor,
            instrument_id=clause.instrument_id,
            clause=clause.uid,
            seq=version.seq,
            cause=cause.value,
        )
    return version
