"""Direct editing of a clause by the secretariat, serialised per clause.

Every change of a clause's text (an edit here, an accepted amendment in
:mod:`drafter.services.amendments`) first takes the clause's row lock with
:func:`lock_clause`, then re-reads the current version, then writes through
:func:`drafter.services.versions.add_version`, whose compare-and-set UPDATE
remains the last guard. An edit carries the version it was made on; if the
clause moved on since, nothing is written and :class:`EditConflict` carries
the three-way merge of the edit onto the newer text (the house rule "a stale
edit is answered with a conflict, not an overwrite", see
``shared/ARCHITECTURE.md``).
"""

from __future__ import annotations

from sqlalchemy import update

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, User, VersionCause
from drafter.services import drafts, versions
from drafter.services.errors import Conflict, InvalidInput
from instrument.errors import StaleBase
from instrument.merge import MergeResult, has_conflict_markers, merge


class EditConflict(StaleBase):
    """The clause changed after the edit form was opened; nothing was saved.

    :ivar base: the version the edit was made on.
    :ivar current: the clause's current version now.
    :ivar heading: the heading as edited.
    :ivar text: the text as edited.
    :ivar merge: :func:`instrument.merge.merge` of ``base -> text`` onto
        ``base -> current.text``; its ``marked_text`` prefills the form.
    """

    def __init__(self, base: ClauseVersion, current: ClauseVersion, heading: str, text: str, result: MergeResult):
        super().__init__(
            f"{current.label or 'The clause'} changed while you were editing it "
            f"(version {base.seq} is now version {current.seq}). Review the merge below and save again."
        )
        self.base = base
        self.current = current
        self.heading = heading
        self.text = text
        self.merge = result


def lock_clause(clause: Clause) -> None:
    """Take the clause's row lock for the rest of the transaction, then reload its current version.

    A no-op UPDATE of the clause row: on PostgreSQL it holds the row lock
    (like ``SELECT ... FOR UPDATE``) so a second writer of the same clause
    waits for the first to commit; on SQLite it takes the database write
    lock, which makes the transaction a real one before any savepoint (the
    ``sqlite3`` module begins a transaction only before a data-changing
    statement). Deciders and editors of one clause are thus serialised, and
    what they read after this call is what they write on.

    Every change of the working draft takes this lock first, so it is also where an adopted
    instrument refuses changes: its text is final for good.

    :param clause: a clause loaded in the current session.
    :returns: ``None``; ``clause`` is refreshed in place.
    :raises Conflict: (409) once the instrument has a final draft
        (:func:`drafter.services.drafts.ensure_not_adopted`).
    """
    db.session.execute(
        update(Clause)
        .where(Clause.id == clause.id)
        .values(current_version_id=Clause.current_version_id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(clause)
    # Checked under the lock, so a final draft declared meanwhile is seen.
    drafts.ensure_not_adopted(clause.instrument)


def edit_clause(
    clause: Clause,
    *,
    actor: User,
    base_version_id: int,
    heading: str,
    text: str,
    note: str = "",
) -> ClauseVersion | None:
    """Save the secretariat's new wording of ``clause``, made on version ``base_version_id``.

    :param clause: the clause (loaded in this session).
    :param actor: the secretariat member editing.
    :param base_version_id: id of the version the edit form showed.
    :param heading: the heading as edited (the number is kept).
    :param text: the text as edited (Markdown).
    :param note: a short note shown in the clause's history.
    :returns: the new flushed version with ``cause=EDIT``, or ``None`` when
        nothing changed (whitespace and Unicode normalisation are no change).
    :raises InvalidInput: (on ``text``) when the text still holds conflict
        markers; (on ``base_version_id``) when that is not a version of the clause.
    :raises Conflict: when the clause has been deleted.
    :raises EditConflict: when the clause moved on since ``base_version_id``;
        nothing is written.
    :raises StaleBase: from :func:`~drafter.services.versions.add_version`,
        should the clause still change underneath (it cannot while the lock is held).
    """
    if has_conflict_markers(text):
        raise InvalidInput(
            "The text still has conflict markers (lines such as “<<<<<<< amendment”). "
            "Keep the words you want and remove the marker lines.",
            field="text",
        )
    lock_clause(clause)
    current = clause.current_version
    if clause.deleted or current is None or current.deleted:
        raise Conflict("This clause has been deleted; it can no longer be edited.")
    if current.id != base_version_id:
        base = db.session.get(ClauseVersion, base_version_id)
        if base is None or base.clause_id != clause.id:
            raise InvalidInput("The version you started from is not a version of this clause.", field="base_version_id")
        raise EditConflict(base, current, heading, text, merge(base.text, text, current.text))
    return versions.add_version(
        clause,
        number=current.number,
        heading=heading,
        text=text,
        cause=VersionCause.EDIT,
        actor=actor,
        base_version_id=current.id,
        note=note,
    )
