"""The secretariat's working draft: what changed since the last published draft, and undoing it.

The working draft is the current text (:mod:`drafter.services.visibility`
keeps it from everybody but the secretariat). This module answers the
working-draft page and its actions:

- :func:`working_draft`: the clauses whose current state differs from the
  latest published draft, each with its redline and the versions made since
  (with their causes), loaded in bulk and compared only where they changed;
- :func:`restore`: a new version (cause ``restore``) copying an earlier one;
  undoing the last change is restoring the previous version;
- :func:`discard`: restore what the latest published draft holds (a clause
  added since becomes a deleted version, one deleted since comes back).

Versions are append-only: nothing here updates or deletes a version
(Indico's notes follow the same rule: a restore is a new revision). Services
flush and never commit; the view commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, joinedload

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Draft,
    DraftEntry,
    Event,
    Instrument,
    Organisation,
    User,
    VersionCause,
)
from drafter.services import audit, versions, visibility
from drafter.services.amendments import decisions
from drafter.services.amendments.decisions import Outcome
from drafter.services.amendments.queries import (
    PUBLIC_OPEN_STATES,
    Column,
    competing_columns,
    merge_heading,
    merge_onto_current,
)
from drafter.services.editing import lock_clause
from drafter.services.errors import Conflict, InvalidInput, NotFound, Refused
from instrument.amendments import AmendmentKind, AmendmentState
from instrument.compare import ClauseChange, Comparison, compare_clauses, summarise
from instrument.diff import cached_redline, redline, render_redline_html
from instrument.errors import StaleBase
from instrument.export.redline import shown
from instrument.merge import MergeResult, merge
from instrument.overlap import changed_spans, overlaps
from instrument.text import comparison_form
from instrument.types import ClauseState

#: Audit verbs of the actions here; the page reads them back to say what a restore restored.
RESTORE_VERB = "clause.restore"
DISCARD_VERB = "clause.discard"


@dataclass(frozen=True)
class Step:
    """One version made since the published one, with its cause in words.

    :ivar version: the version.
    :ivar label: "edit by <name>", "Amendment 3 (Migrant Forum in Asia)", "restore of version 2",
        "discard of unpublished changes", or "import".
    :ivar amendment_id: the amendment whose acceptance made it (to link to), else ``None``.
    """

    version: ClauseVersion
    label: str
    amendment_id: int | None = None


@dataclass(frozen=True)
class ClauseWork:
    """One clause of the working draft that differs from the latest published draft.

    :ivar clause: the clause.
    :ivar current: its current (working) version.
    :ivar published: the version the latest published draft holds, or ``None`` (added since,
        or nothing published yet).
    :ivar change: the comparison of ``published`` with ``current`` (status, redlines, words).
    :ivar steps: the versions made since ``published``, oldest first (every version when
        ``published`` is ``None``).
    :ivar earlier: every version but the current one with its cause, newest first (the choices of a restore).
    :ivar undo: what "Undo last change" restores (:func:`undo_target`), or ``None``.
    """

    clause: Clause
    current: ClauseVersion
    published: ClauseVersion | None
    change: ClauseChange
    steps: tuple[Step, ...]
    earlier: tuple[Step, ...]
    undo: ClauseVersion | None = None


def undo_target(versions_of_clause: Sequence[ClauseVersion], restored: Mapping[int, int]) -> ClauseVersion | None:
    """The version "Undo last change" brings back: the one before the last change still in effect.

    A restore (or discard) undoes changes rather than making one: undoing it again must step
    further back, not bring back what it undid. So from the current version, each restore is
    followed to the version it restored, and the undo target is that version's parent.

    :param versions_of_clause: every version of one clause (any order); the newest is current.
    :param restored: ``{version id: seq restored}`` for the clause's restore and discard versions.
    :returns: the version to restore, or ``None`` when there is nothing before.
    """
    if not versions_of_clause:
        return None
    by_seq = {v.seq: v for v in versions_of_clause}
    by_id = {v.id: v for v in versions_of_clause}
    here = max(versions_of_clause, key=lambda v: v.seq)
    followed: set[int] = set()
    while here.id in restored and restored[here.id] in by_seq and here.id not in followed:
        followed.add(here.id)
        here = by_seq[restored[here.id]]
    return by_id.get(here.parent_version_id) if here.parent_version_id is not None else None


@dataclass(frozen=True)
class WorkingDraft:
    """The working draft against the latest published draft.

    :ivar instrument: the instrument.
    :ivar latest: the latest published draft, or ``None`` before the first (everything is new).
    :ivar clauses: the changed clauses in document order.
    :ivar comparison: the comparison of the changed clauses (counts of added, deleted, changed, words).
    """

    instrument: Instrument
    latest: Draft | None
    clauses: list[ClauseWork]
    comparison: Comparison


def _state(clause: Clause, version: ClauseVersion) -> ClauseState:
    # No parents: only changed clauses are compared, so a parent may be absent from both sides;
    # document positions keep their order.
    return ClauseState(
        key=clause.uid,
        kind=clause.kind,
        number=version.number,
        heading=version.heading,
        text=version.text,
        position=clause.position,
        version_id=version.id,
        deleted=version.deleted,
    )


def working_draft(instrument: Instrument) -> WorkingDraft:
    """The clauses of ``instrument`` whose working text differs from the latest published draft.

    A clause differs when its current version is another one than the draft
    holds, when it was added since (and is not deleted), or when it was
    deleted since. Clauses whose text came back to the published wording (a
    discard makes a new version with the same words) are left out. Five
    queries whatever the size of the instrument; only the changed clauses are
    compared (:func:`instrument.compare.compare_clauses`).

    :param instrument: the instrument.
    :returns: a :class:`WorkingDraft`.
    """
    latest = visibility.latest_draft(instrument)
    entry = aliased(DraftEntry)
    current = aliased(ClauseVersion)
    published = aliased(ClauseVersion)
    stmt = (
        select(Clause, current, published)
        .join(current, current.id == Clause.current_version_id)
        .outerjoin(entry, and_(entry.clause_id == Clause.id, entry.draft_id == (latest.id if latest else -1)))
        .outerjoin(published, published.id == entry.version_id)
        .where(
            Clause.instrument_id == instrument.id,
            or_(
                and_(entry.version_id.is_(None), current.deleted.is_(False)),
                and_(entry.version_id.is_not(None), entry.version_id != Clause.current_version_id),
            ),
        )
        .order_by(Clause.position)
    )
    rows = db.session.execute(stmt).all()
    # Clause by clause: the uid is the identity, so an added clause is never taken for a deleted
    # one with the same words, as a comparison of whole states may.
    compared = [compare_clauses([_state(c, p)] if p is not None else [], [_state(c, v)]).changes for c, v, p in rows]
    listed = [change for changes in compared for change in changes if shown(change)]
    comparison = summarise(listed)
    changes = {change.key: change for change in listed}
    rows = [row for row in rows if row[0].uid in changes]
    history = _versions_of([c.id for c, _, _ in rows])
    labels, restored = _step_labels([v for vs in history.values() for v in vs])
    clauses = []
    for clause, version, before in rows:
        all_versions = history.get(clause.id, [])
        since = [v for v in all_versions if before is None or v.seq > before.seq]
        clauses.append(
            ClauseWork(
                clause=clause,
                current=version,
                published=before,
                change=changes[clause.uid],
                steps=tuple(Step(v, *labels[v.id]) for v in since),
                earlier=tuple(Step(v, *labels[v.id]) for v in reversed(all_versions) if v.id != version.id),
                undo=undo_target(all_versions, restored),
            )
        )
    return WorkingDraft(instrument, latest, clauses, comparison)


def _versions_of(clause_ids: list[int]) -> dict[int, list[ClauseVersion]]:
    """Every version of the given clauses, oldest first, with their authors (one query)."""
    out: dict[int, list[ClauseVersion]] = {}
    if not clause_ids:
        return out
    found = db.session.scalars(
        select(ClauseVersion)
        .where(ClauseVersion.clause_id.in_(clause_ids))
        .options(joinedload(ClauseVersion.author))
        .order_by(ClauseVersion.clause_id, ClauseVersion.seq)
    )
    for version in found:
        out.setdefault(version.clause_id, []).append(version)
    return out


def _step_labels(all_versions: list[ClauseVersion]) -> tuple[dict[int, tuple[str, int | None]], dict[int, int]]:
    """``{version id: (cause in words, amendment id or None)}`` for ``all_versions``, and
    ``{version id: seq restored}`` for its restores and discards (two queries at most)."""
    amendment_ids = {v.amendment_id for v in all_versions if v.amendment_id is not None}
    amendments: dict[int, tuple[int, str]] = {}
    if amendment_ids:
        found = db.session.execute(
            select(Amendment.id, Amendment.seq, Organisation.name)
            .join(Organisation, Organisation.id == Amendment.organisation_id)
            .where(Amendment.id.in_(amendment_ids))
        )
        amendments = {i: (seq, name) for i, seq, name in found}
    restored_ids = [v.id for v in all_versions if v.cause is VersionCause.RESTORE]
    restores: dict[int, tuple[str, dict[str, Any]]] = {}
    if restored_ids:
        events = db.session.execute(
            select(Event.object_id, Event.verb, Event.details).where(
                Event.verb.in_((RESTORE_VERB, DISCARD_VERB)),
                Event.object_type == "clauseversion",
                Event.object_id.in_(restored_ids),
            )
        )
        restores = {object_id: (verb, details or {}) for object_id, verb, details in events if object_id is not None}
    out: dict[int, tuple[str, int | None]] = {}
    for v in all_versions:
        if v.cause is VersionCause.AMENDMENT and v.amendment_id in amendments:
            seq, name = amendments[v.amendment_id]
            out[v.id] = (f"Amendment {seq} ({name})", v.amendment_id)
        elif v.cause is VersionCause.AMENDMENT:
            out[v.id] = ("amendment", None)
        elif v.cause is VersionCause.EDIT:
            out[v.id] = (f"edit by {v.author.name}" if v.author is not None else "edit", None)
        elif v.cause is VersionCause.RESTORE:
            out[v.id] = (_restore_label(*restores.get(v.id, ("", {}))), None)
        else:
            out[v.id] = ("import", None)
    restored = {
        version_id: int(details["restored"])
        for version_id, (_, details) in restores.items()
        if isinstance(details.get("restored"), int)
    }
    return out, restored


def _restore_label(verb: str, details: dict[str, Any]) -> str:
    restored = details.get("restored")
    if verb == DISCARD_VERB:
        if details.get("draft") is None:
            return "discard of unpublished changes"
        if restored is None:
            return f"discard of unpublished changes (added after Draft {details.get('draft')})"
        return f"discard of unpublished changes: restore of version {restored} (Draft {details.get('draft')})"
    return f"restore of version {restored}" if restored is not None else "restore"


# --- restoring -------------------------------------------------------------------------------


def _locked_current(clause: Clause, base_version_id: int | None) -> ClauseVersion:
    """Lock ``clause`` and return its current version, refusing when it moved on since ``base_version_id``."""
    lock_clause(clause)
    current = clause.current_version
    if current is None:  # every clause gets a version when it is made
        raise Conflict(f"{clause.key} has no text yet; nothing was changed.")
    if base_version_id is not None and current.id != base_version_id:
        seen = db.session.get(ClauseVersion, base_version_id)
        was = f"version {seen.seq}" if seen is not None and seen.clause_id == clause.id else "the version you saw"
        raise Conflict(
            f"{current.label or clause.key} changed since the page was shown ({was} is now version {current.seq}); "
            "nothing was changed.",
            next_step="Reload the working draft and choose again.",
        )
    return current


def restore(clause: Clause, *, seq: int, actor: User, base_version_id: int | None = None) -> ClauseVersion | None:
    """Make a new version of ``clause`` that copies its version ``seq`` (cause ``restore``).

    Number, heading, text and the deleted mark are copied; the new version
    goes through :func:`drafter.services.versions.add_version` (compare-and-set,
    comments re-anchored) with the note "Restored version S", and an event
    ``clause.restore`` is written. No version is ever updated or deleted.

    :param clause: the clause (loaded in this session).
    :param seq: the number of the version to restore (1 for the first).
    :param actor: the secretariat member restoring.
    :param base_version_id: the current version when the page was shown; when the clause
        has moved on since, nothing is written.
    :returns: the new flushed version, or ``None`` when the current text already is version ``seq``'s.
    :raises NotFound: when the clause has no version ``seq``.
    :raises Conflict: when the clause moved on since ``base_version_id``.
    """
    current = _locked_current(clause, base_version_id)
    target = db.session.scalar(
        select(ClauseVersion).where(ClauseVersion.clause_id == clause.id, ClauseVersion.seq == seq)
    )
    if target is None:
        raise NotFound(f"{current.label or clause.key} has no version {seq}; it has versions 1 to {current.seq}.")
    version = versions.add_version(
        clause,
        number=target.number,
        heading=target.heading,
        text=target.text,
        deleted=target.deleted,
        cause=VersionCause.RESTORE,
        actor=actor,
        base_version_id=current.id,
        note=f"Restored version {seq}",
    )
    if version is not None:
        audit.record(
            RESTORE_VERB, version, actor=actor, instrument_id=clause.instrument_id, clause=clause.uid, restored=seq
        )
    return version


def published_version(clause: Clause, draft: Draft) -> ClauseVersion | None:
    """The version of ``clause`` that ``draft`` holds, or ``None`` when the clause is not in it (one query)."""
    return db.session.scalar(
        select(ClauseVersion)
        .join(DraftEntry, DraftEntry.version_id == ClauseVersion.id)
        .where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
    )


def discard(clause: Clause, *, actor: User, base_version_id: int | None = None) -> ClauseVersion | None:
    """Discard the unpublished changes of ``clause``: bring back what the latest published draft holds.

    A clause the draft holds gets a new version copying that one (it comes
    back if it was deleted since); a clause added since the draft (or before
    any draft) gets a deleted version. Both have cause ``restore`` and an
    event ``clause.discard``.

    :param clause: the clause (loaded in this session).
    :param actor: the secretariat member discarding.
    :param base_version_id: the current version when the page was shown; when the clause
        has moved on since, nothing is written.
    :returns: the new flushed version, or ``None`` when there was nothing to discard.
    :raises Conflict: when the clause moved on since ``base_version_id``.
    """
    current = _locked_current(clause, base_version_id)
    latest = visibility.latest_draft(clause.instrument)
    target = published_version(clause, latest) if latest is not None else None
    where = f"Draft {latest.number}" if latest is not None else "publication"
    if target is None:
        state = (current.number, current.heading, current.text, True)
        note = f"Discarded: added after {where}" if latest is not None else "Discarded: never published"
    else:
        state = (target.number, target.heading, target.text, target.deleted)
        note = f"Discarded unpublished changes: restored version {target.seq} of {where}"
    number, heading, text, deleted = state
    version = versions.add_version(
        clause,
        number=number,
        heading=heading,
        text=text,
        deleted=deleted,
        cause=VersionCause.RESTORE,
        actor=actor,
        base_version_id=current.id,
        note=note,
    )
    if version is not None:
        audit.record(
            DISCARD_VERB,
            version,
            actor=actor,
            instrument_id=clause.instrument_id,
            clause=clause.uid,
            restored=target.seq if target is not None else None,
            draft=latest.number if latest is not None else None,
        )
    return version


# --- applying several accepted amendments together ------------------------------------------

#: The most amendments one request may apply (a page lists the open ones; more is not a person's choice).
MAX_CHOSEN = 200


@dataclass(frozen=True)
class Collision:
    """Chosen amendments on one clause that cannot be applied together.

    :ivar clause: the clause.
    :ivar current: its working version.
    :ivar columns: every chosen amendment on the clause with its wording against the working
        text, the words another one changes too marked (see
        :func:`drafter.services.amendments.queries.competing_columns`).
    :ivar pairs: ``(amendment, other amendment, why)`` for each colliding pair; ``why`` is
        "change the same words", "change the heading differently" or "delete the clause".
    """

    clause: Clause
    current: ClauseVersion
    columns: list[Column]
    pairs: tuple[tuple[Amendment, Amendment, str], ...]


@dataclass(frozen=True)
class Combined:
    """What the chosen amendments on one clause make of its working text, applied in turn.

    :ivar clause: the clause (for an insertion: the clause after which the new one goes).
    :ivar current: its working version (``None`` when it has none).
    :ivar amendments: the chosen amendments on it, in the order they are applied.
    :ivar text: the combined text (the working text when ``deleted``).
    :ivar heading: the combined heading.
    :ivar deleted: whether a chosen deletion removes the clause.
    :ivar redline_html: the redline of working text -> combined text (HTML).
    :ivar heading_html: the redline of the heading when it changes (HTML), else ``""``.
    :ivar inserted: chosen insertions of new clauses after this one, in the order the new clauses will stand.
    :ivar problem: why they cannot be applied (the clause was deleted, or an amendment does
        not apply cleanly to the working text), else ``None``.
    """

    clause: Clause
    current: ClauseVersion | None
    amendments: tuple[Amendment, ...]
    text: str = ""
    heading: str = ""
    deleted: bool = False
    redline_html: str = ""
    heading_html: str = ""
    inserted: tuple[Amendment, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class Preview:
    """The preview of applying several amendments together. Making it writes nothing.

    :ivar amendments: the chosen amendments in the order they would be accepted
        (document order of their clauses, then number).
    :ivar collisions: clauses where chosen amendments collide.
    :ivar results: the combined result on each other clause.
    :ivar seen: ``{clause id: current version id}`` of every clause concerned, as read now;
        the confirmation sends it back so a working text changed since is detected.
    """

    amendments: list[Amendment]
    collisions: list[Collision]
    results: list[Combined]
    seen: dict[int, int | None]

    @property
    def ready(self) -> bool:
        """Whether the amendments can be applied as previewed (no collision, no problem)."""
        return not self.collisions and not any(r.problem for r in self.results)

    @property
    def tokens(self) -> list[str]:
        """``seen`` as the values of the form's hidden ``seen`` fields ("clause id:version id")."""
        return [f"{c}:{v if v is not None else ''}" for c, v in self.seen.items()]


class ApplyRefused(Conflict):
    """Applying several amendments together was refused; nothing was written.

    :ivar amendment: the amendment that could not be accepted, or ``None`` when the
        refusal concerns the choice as a whole (a collision, a stale preview).
    """

    def __init__(self, message: str, *, amendment: Amendment | None = None, next_step: str | None = None) -> None:
        super().__init__(message, next_step=next_step)
        self.amendment = amendment


def open_amendments(instrument: Instrument) -> list[Amendment]:
    """The submitted and under-review amendments of ``instrument``, in document order of their clauses (one query).

    Clause, its current version and organisation are loaded with them.
    """
    return list(
        db.session.scalars(
            select(Amendment)
            .join(Clause, Clause.id == Amendment.clause_id)
            .where(Amendment.instrument_id == instrument.id, Amendment.state.in_(PUBLIC_OPEN_STATES))
            .options(
                joinedload(Amendment.clause).joinedload(Clause.current_version),
                joinedload(Amendment.organisation),
            )
            .order_by(Clause.position, Amendment.seq)
        )
    )


def chosen_amendments(instrument: Instrument, raw_ids: Sequence[str | int]) -> list[Amendment]:
    """The amendments named by ``raw_ids`` (the form's ``amendment`` values), checked.

    :param instrument: the instrument they must belong to.
    :param raw_ids: amendment ids as sent (strings); blanks are skipped, repeats count once.
    :returns: the amendments in the order they would be accepted (see :func:`_acceptance_order`).
    :raises InvalidInput: (on ``amendment``) for an empty choice, a value that is not an id,
        or an id that is no amendment of ``instrument`` open to the secretariat (drafts are private).
    :raises Conflict: when one is no longer open (decided, withdrawn, superseded).
    """
    ids: list[int] = []
    for raw in raw_ids:
        value = str(raw).strip()
        if not value:
            continue
        if not value.isdigit() or len(value) > 18:
            raise InvalidInput(f"“{value[:40]}” is not an amendment.", field="amendment")
        ids.append(int(value))
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidInput("Tick at least one amendment to apply.", field="amendment")
    if len(ids) > MAX_CHOSEN:
        raise InvalidInput(f"Apply at most {MAX_CHOSEN} amendments at a time.", field="amendment")
    found = {
        a.id: a
        for a in db.session.scalars(
            select(Amendment)
            .where(Amendment.id.in_(ids))
            .options(
                joinedload(Amendment.clause).joinedload(Clause.current_version),
                joinedload(Amendment.base_version),
                joinedload(Amendment.organisation),
            )
        )
    }
    for amendment_id in ids:
        amendment = found.get(amendment_id)
        if amendment is None or amendment.instrument_id != instrument.id or amendment.state is AmendmentState.DRAFT:
            raise InvalidInput(f"There is no amendment {amendment_id} to apply in this instrument.", field="amendment")
        if amendment.state not in PUBLIC_OPEN_STATES:
            raise Conflict(
                f"{amendment.title} is already {amendment.state.label.lower()}: only submitted and "
                "under-review amendments can be applied.",
                next_step="Untick it and preview again.",
            )
    return sorted(found.values(), key=_acceptance_order)


def _acceptance_order(amendment: Amendment) -> tuple[int, int, int]:
    """Document order of the clauses, then changes of a clause by number, then insertions after it.

    Each accepted insertion goes right after its clause
    (:func:`drafter.services.amendments.decisions.decide`), before those
    inserted earlier, so insertions after one clause are accepted from the
    highest number down: the new clauses then stand in the order of their numbers.
    """
    if amendment.kind is AmendmentKind.INSERT:
        return (amendment.clause.position, 1, -amendment.seq)
    return (amendment.clause.position, 0, amendment.seq)


def _changes_heading(amendment: Amendment) -> bool:
    return comparison_form(amendment.heading) != comparison_form(amendment.base_version.heading)


def _collisions(group: list[Amendment], current: ClauseVersion) -> tuple[tuple[Amendment, Amendment, str], ...]:
    """The colliding pairs among the chosen amendments on one clause.

    Spans are found as :func:`~drafter.services.amendments.queries.competing_columns`
    finds them (each change against the working text, :func:`instrument.overlap.overlaps`);
    a deletion collides with every other amendment of its clause (accepting it
    supersedes them), and two modifications that change the heading to different
    words collide too (a heading is merged as a whole).
    """
    pairs: list[tuple[Amendment, Amendment, str]] = []
    modifications = [a for a in group if a.kind is AmendmentKind.MODIFY]
    for deletion in (a for a in group if a.kind is AmendmentKind.DELETE):
        pairs.extend((deletion, other, "delete the clause") for other in group if other is not deletion)
    spans: dict[int, tuple[tuple[int, int], ...]] = {}
    for a in modifications:
        result = (
            MergeResult(a.text, True, (), a.text) if a.base_version_id == current.id else merge_onto_current(a, current)
        )
        if result.clean:
            r = cached_redline(("v", current.id), ("m", a.id, current.id), current.text, result.text)
            spans[a.id] = changed_spans(r)
        else:
            spans[a.id] = tuple((c.current_start, c.current_end) for c in result.conflicts)
    hits = overlaps(spans)
    for i, a in enumerate(modifications):
        for b in modifications[i + 1 :]:
            if b.id in hits[a.id]:
                pairs.append((a, b, "change the same words"))
            elif (
                _changes_heading(a) and _changes_heading(b) and comparison_form(a.heading) != comparison_form(b.heading)
            ):
                pairs.append((a, b, "change the heading differently"))
    return tuple(pairs)


def _combine(clause: Clause, current: ClauseVersion, group: list[Amendment]) -> Combined:
    """Apply the chosen amendments on one clause in turn, as accepting them one by one would."""
    text, heading, deleted = current.text, current.heading, False
    applied: list[Amendment] = []
    for a in group:
        if a.kind is AmendmentKind.DELETE:
            deleted = True
            continue
        if a.kind is not AmendmentKind.MODIFY:
            continue
        base = a.base_version
        result = merge(base.text, a.text, text)
        merged_heading = merge_heading(base.heading, a.heading, heading)
        if not result.clean or merged_heading is None:
            label = current.label or clause.key
            if applied:
                why = (
                    f"{a.title} cannot be merged after {', '.join(x.title for x in applied)} "
                    f"on {label}: they change the same words."
                )
            else:
                why = (
                    f"{a.title} does not apply cleanly to the working text of {label} (version {current.seq}): "
                    "it changes words changed since it was written. Decide it on its own page, where the "
                    "conflict can be resolved, and apply the others without it."
                )
            return Combined(clause, current, tuple(group), text, heading, problem=why)
        text, heading = result.text, merged_heading
        applied.append(a)
    new_text = "" if deleted else text
    r = redline(current.text, new_text)
    heading_html = ""
    if not deleted and comparison_form(heading) != comparison_form(current.heading):
        heading_html = render_redline_html(redline(current.heading, heading))
    return Combined(
        clause,
        current,
        tuple(group),
        text=text,
        heading=heading,
        deleted=deleted,
        redline_html=render_redline_html(r),
        heading_html=heading_html,
        inserted=tuple(sorted((a for a in group if a.kind is AmendmentKind.INSERT), key=lambda a: a.seq)),
    )


def preview_apply(instrument: Instrument, raw_ids: Sequence[str | int]) -> Preview:
    """Preview accepting the chosen amendments together: first their collisions, then the combined result.

    Nothing is written. Amendments on one clause are merged onto its working
    text in turn (:func:`instrument.merge.merge`, three-way, as
    :func:`~drafter.services.amendments.decisions.decide` would when accepting
    them one after the other).

    :param instrument: the instrument.
    :param raw_ids: the ``amendment`` values of the form.
    :returns: a :class:`Preview`.
    :raises InvalidInput: / :raises Conflict: as :func:`chosen_amendments`.
    """
    chosen = chosen_amendments(instrument, raw_ids)
    groups: dict[int, list[Amendment]] = {}
    for a in chosen:
        groups.setdefault(a.clause_id, []).append(a)
    collisions: list[Collision] = []
    results: list[Combined] = []
    seen: dict[int, int | None] = {}
    for group in groups.values():
        clause = group[0].clause
        current = clause.current_version
        seen[clause.id] = clause.current_version_id
        if clause.deleted or current is None or current.deleted:
            why = f"{clause.key} has been deleted since; amendments to it can only be marked superseded."
            results.append(Combined(clause, current, tuple(group), problem=why))
            continue
        pairs = _collisions(group, current)
        if pairs:
            collisions.append(Collision(clause, current, competing_columns(group, current), pairs))
            continue
        results.append(_combine(clause, current, group))
    return Preview(chosen, collisions, results, seen)


def parse_seen(tokens: Sequence[str]) -> dict[int, int | None]:
    """Read the hidden ``seen`` values of a confirmation ("clause id:version id") back.

    :returns: ``{clause id: version id or None}``.
    :raises InvalidInput: (on ``amendment``) for a value not of that form.
    """
    seen: dict[int, int | None] = {}
    for token in tokens:
        clause_id, sep, version_id = str(token).partition(":")
        if not sep or not clause_id.isdigit() or not (version_id.isdigit() or version_id == ""):
            raise InvalidInput("The preview sent back is damaged: preview again.", field="amendment")
        seen[int(clause_id)] = int(version_id) if version_id else None
    return seen


def apply_together(
    instrument: Instrument,
    raw_ids: Sequence[str | int],
    *,
    actor: User,
    seen: Mapping[int, int | None],
    previewed: Sequence[str | int],
) -> list[Outcome]:
    """Accept the chosen amendments together, in one transaction, as previewed.

    Each is accepted through :func:`drafter.services.amendments.decisions.decide`
    (its own version with cause ``amendment`` and its own audit events), in
    the order of :func:`chosen_amendments`; an event ``amendments.apply``
    names them all. The caller commits once; on any refusal raised here it
    must roll back, and nothing of the batch is kept.

    :param instrument: the instrument.
    :param raw_ids: the ``amendment`` values of the form.
    :param actor: the secretariat member applying them.
    :param seen: the working versions shown by the preview (:attr:`Preview.seen`, see :func:`parse_seen`).
    :param previewed: the amendment ids the preview was made for.
    :returns: the :class:`~drafter.services.amendments.decisions.Outcome` of each, in order.
    :raises InvalidInput: as :func:`chosen_amendments`; (on ``amendment``) when no preview of
        exactly these amendments was made.
    :raises ApplyRefused: (a :class:`Conflict`) when the working text changed since the preview,
        when chosen amendments collide or one does not apply, or when accepting one of them
        is refused (it names that one); nothing is written.
    :raises Conflict: as :func:`chosen_amendments`.
    """
    preview = preview_apply(instrument, raw_ids)
    wanted = {a.id for a in preview.amendments}
    if not seen or {int(str(p)) for p in previewed if str(p).strip().isdigit()} != wanted:
        raise InvalidInput("Preview the combined result of exactly these amendments before applying them.",
                           field="amendment")  # fmt: skip
    for clause_id, version_id in preview.seen.items():
        if clause_id not in seen or seen[clause_id] != version_id:
            clause = db.session.get(Clause, clause_id)
            raise ApplyRefused(
                f"The working text of {clause.key if clause else 'a clause'} changed since the preview; "
                "nothing was written.",
                next_step="Look at the new preview and confirm again.",
            )
    if preview.collisions:
        names = "; ".join(f"{a.title} and {b.title} {why}" for c in preview.collisions for a, b, why in c.pairs)
        raise ApplyRefused(
            f"Some of the chosen amendments collide ({names}); nothing was written.",
            next_step="Untick one amendment of each colliding pair, preview again and confirm.",
        )
    for result in preview.results:
        if result.problem:
            raise ApplyRefused(result.problem + " Nothing was written.")
    outcomes: list[Outcome] = []
    for amendment in preview.amendments:
        title = amendment.title
        try:
            outcome = decisions.decide(amendment, actor=actor, outcome=AmendmentState.ACCEPTED)
        except (Refused, StaleBase) as exc:
            reason = exc.message if isinstance(exc, Refused) else str(exc)
            raise ApplyRefused(
                f"{title} could not be accepted, so none of the chosen amendments was applied: {reason}",
                amendment=amendment,
                next_step="Preview again; decide that amendment on its own page if it still cannot be applied.",
            ) from exc
        if outcome.state is not AmendmentState.ACCEPTED:
            raise ApplyRefused(
                f"{title} could not be accepted (its clause has been deleted), so none of the chosen amendments "
                "was applied.",
                amendment=amendment,
            )
        outcomes.append(outcome)
    audit.record(
        "amendments.apply",
        None,
        actor=actor,
        instrument_id=instrument.id,
        amendments=[a.seq for a in preview.amendments],
        versions=[o.version.id for o in outcomes if o.version is not None],
    )
    return outcomes
