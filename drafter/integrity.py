"""Checks of the stored record, for ``drafter check``.

Each rule is one function that reads the database (in the current app
context) and returns a list of :class:`Finding`; an empty list means the
rule holds. The rules are those the services keep on every write, checked
after the fact, so that a database changed by hand, by a faulty migration or
by an older release shows what went wrong:

* :func:`conflict_markers`: no clause version holds a merge conflict marker
  line (:func:`instrument.merge.has_conflict_markers`).
* :func:`unstorable_text`: every version's number, heading and text is as
  :func:`instrument.text.storable` stores it: LF line endings, no control
  character but TAB and LF, NFC (:func:`instrument.text.storage_problems`).
* :func:`draft_entries`: every draft has one entry per clause that was live
  (not deleted) when it was published, pointing at a live version of that
  clause of the same instrument.
* :func:`amendment_results`: every accepted amendment that made a version
  points to it (``result_version_id``) and that version points back
  (``amendment_id``), was made by an amendment and belongs to the right clause.
* :func:`version_parents`: every version's parent version belongs to the same clause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import aliased

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Draft, DraftEntry, Instrument, VersionCause
from instrument.amendments import AmendmentKind, AmendmentState
from instrument.merge import has_conflict_markers
from instrument.text import storage_problems

#: States in which an amendment's text (or the secretariat's wording of it) was taken into the clause.
ACCEPTED_STATES = (AmendmentState.ACCEPTED, AmendmentState.ACCEPTED_WITH_MODIFICATIONS)

# Rows read at a time from the large tables, so that a long record is never held in memory at once.
_BATCH = 1000


@dataclass(frozen=True)
class Finding:
    """One thing wrong in the stored record.

    :ivar rule: the rule broken (the name of the function that found it, e.g. ``"version_parents"``).
    :ivar message: what is wrong, in words, naming the instrument, clause, version, draft or amendment.
    :ivar instrument: slug of the instrument concerned, when known.
    :ivar clause_id: id of the clause concerned, if any.
    :ivar version_id: id of the clause version concerned, if any.
    :ivar draft_id: id of the draft concerned, if any.
    :ivar amendment_id: id of the amendment concerned, if any.
    """

    rule: str
    message: str
    instrument: str | None = None
    clause_id: int | None = None
    version_id: int | None = None
    draft_id: int | None = None
    amendment_id: int | None = None

    def __str__(self) -> str:
        where = f"{self.instrument}: " if self.instrument else ""
        return f"[{self.rule}] {where}{self.message}"


def _versions_with_clause(*columns):
    """Stream ``(slug, clause uid, version id, clause id, seq, *columns)`` over every clause version."""
    stmt = (
        select(Instrument.slug, Clause.uid, ClauseVersion.id, ClauseVersion.clause_id, ClauseVersion.seq, *columns)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .join(Instrument, Instrument.id == Clause.instrument_id)
        .order_by(ClauseVersion.id)
        .execution_options(yield_per=_BATCH)
    )
    return db.session.execute(stmt)


def conflict_markers() -> list[Finding]:
    """Find clause versions whose text still holds a conflict marker line.

    :returns: one finding per such version (rule ``conflict_markers``).
    """
    return [
        Finding(
            "conflict_markers",
            f"clause {uid} (id {clause_id}) version {seq} (id {version_id}) holds conflict marker lines",
            slug,
            clause_id=clause_id,
            version_id=version_id,
        )
        for slug, uid, version_id, clause_id, seq, text in _versions_with_clause(ClauseVersion.text)
        if has_conflict_markers(text or "")
    ]


def unstorable_text() -> list[Finding]:
    """Find clause versions whose number, heading or text is not in the stored form.

    The rule is :func:`instrument.text.storage_problems`, the same that
    :func:`instrument.text.storable` applies on every write.

    :returns: one finding per field at fault (rule ``unstorable_text``).
    """
    found = []
    rows = _versions_with_clause(ClauseVersion.number, ClauseVersion.heading, ClauseVersion.text)
    for slug, uid, version_id, clause_id, seq, *fields in rows:
        for name, value in zip(("number", "heading", "text"), fields, strict=True):
            problems = storage_problems(value or "")
            if problems:
                found.append(
                    Finding(
                        "unstorable_text",
                        f"clause {uid} (id {clause_id}) version {seq} (id {version_id}): the {name} has "
                        + "; ".join(problems),
                        slug,
                        clause_id=clause_id,
                        version_id=version_id,
                    )
                )
    return found


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; everything is stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _draft_finding(
    slug: str, number: int, draft_id: int, message: str, *, clause_id: int | None = None, version_id: int | None = None
) -> Finding:
    """A finding of rule ``draft_entries`` about draft ``number`` (id ``draft_id``) of instrument ``slug``."""
    return Finding("draft_entries", f"Draft {number} (id {draft_id}): {message}", slug,
                   clause_id=clause_id, version_id=version_id, draft_id=draft_id)  # fmt: skip


def draft_entries() -> list[Finding]:
    """Check that every draft has one entry per clause live at its publication, and nothing else.

    A clause is live in a draft when its newest version made at or before
    the draft's ``published_at`` exists and is not a deletion. Each entry
    must name a clause of the draft's instrument and a version of that
    clause which is not a deletion. (The primary key already keeps a
    clause from having two entries in one draft.)

    :returns: findings (rule ``draft_entries``): a live clause without an
        entry, an entry for a clause of another instrument, an entry whose
        version belongs to another clause, an entry on a deleted version.
    """
    found: list[Finding] = []
    for instrument in db.session.scalars(select(Instrument).order_by(Instrument.id)):
        drafts = db.session.execute(
            select(Draft.id, Draft.number, Draft.published_at)
            .where(Draft.instrument_id == instrument.id)
            .order_by(Draft.number)
        ).all()
        if not drafts:
            continue
        uids: dict[int, str] = dict(
            db.session.execute(select(Clause.id, Clause.uid).where(Clause.instrument_id == instrument.id)).all()
        )
        # clause id -> its versions as (created_at, seq, deleted), oldest first
        history: dict[int, list[tuple[datetime, int, bool]]] = {}
        for clause_id, created_at, seq, deleted in db.session.execute(
            select(ClauseVersion.clause_id, ClauseVersion.created_at, ClauseVersion.seq, ClauseVersion.deleted)
            .join(Clause, Clause.id == ClauseVersion.clause_id)
            .where(Clause.instrument_id == instrument.id)
            .order_by(ClauseVersion.clause_id, ClauseVersion.seq)
            .execution_options(yield_per=_BATCH)
        ):
            history.setdefault(clause_id, []).append((_aware(created_at), seq, deleted))
        for draft_id, number, published_at in drafts:
            published = _aware(published_at)
            finding = partial(_draft_finding, instrument.slug, number, draft_id)

            entry_clause = aliased(Clause)
            entries = db.session.execute(
                select(
                    DraftEntry.clause_id,
                    entry_clause.uid,
                    entry_clause.instrument_id,
                    DraftEntry.version_id,
                    ClauseVersion.clause_id,
                    ClauseVersion.seq,
                    ClauseVersion.deleted,
                )
                .join(entry_clause, entry_clause.id == DraftEntry.clause_id)
                .join(ClauseVersion, ClauseVersion.id == DraftEntry.version_id)
                .where(DraftEntry.draft_id == draft_id)
                .execution_options(yield_per=_BATCH)
            )
            present = set()
            for clause_id, uid, instrument_id, version_id, version_clause, seq, deleted in entries:
                present.add(clause_id)
                if instrument_id != instrument.id:
                    found.append(finding(f"has an entry for clause {uid} (id {clause_id}) of another instrument",
                                         clause_id=clause_id, version_id=version_id))  # fmt: skip
                if version_clause != clause_id:
                    found.append(finding(
                        f"the entry for clause {uid} (id {clause_id}) names version {version_id}, "
                        f"a version of clause id {version_clause}",
                        clause_id=clause_id, version_id=version_id,
                    ))  # fmt: skip
                elif deleted:
                    found.append(finding(
                        f"the entry for clause {uid} (id {clause_id}) names version {seq} (id {version_id}), "
                        "which deletes the clause",
                        clause_id=clause_id, version_id=version_id,
                    ))  # fmt: skip
            for clause_id, versions in history.items():
                if clause_id in present:
                    continue
                made = [v for v in versions if v[0] <= published]
                if made and not made[-1][2]:
                    found.append(finding(
                        f"clause {uids.get(clause_id, '?')} (id {clause_id}) was live when the draft was "
                        f"published (version {made[-1][1]}) but has no entry",
                        clause_id=clause_id,
                    ))  # fmt: skip
    return found


def _amendment_finding(amendment: Amendment, slug: str, message: str) -> Finding:
    """A finding of rule ``amendment_results`` about ``amendment`` and the version it names as its result."""
    return Finding("amendment_results", f"Amendment {amendment.id} ({amendment.state.value}): {message}", slug,
                   clause_id=amendment.clause_id, version_id=amendment.result_version_id,
                   amendment_id=amendment.id)  # fmt: skip


def amendment_results() -> list[Finding]:
    """Check the links between amendments and the versions their acceptance made.

    A version made by an amendment has ``cause = amendment`` and
    ``amendment_id``; the amendment has ``result_version_id`` pointing to it.
    An accepted amendment may have made no version (the clause already said
    what it proposed); any other amendment made none.

    :returns: findings (rule ``amendment_results``): an accepted amendment
        whose result version is missing, points elsewhere, was not made by an
        amendment or belongs to the wrong clause; an amendment not accepted
        with a result version; a version naming an amendment that does not name it.
    """
    found: list[Finding] = []
    result = aliased(ClauseVersion)
    result_clause = aliased(Clause)
    rows = db.session.execute(
        select(Amendment, Instrument.slug, result, result_clause)
        .join(Instrument, Instrument.id == Amendment.instrument_id)
        .outerjoin(result, result.id == Amendment.result_version_id)
        .outerjoin(result_clause, result_clause.id == result.clause_id)
        .order_by(Amendment.id)
        .execution_options(yield_per=_BATCH)
    )
    for amendment, slug, version, clause in rows:
        accepted = amendment.state in ACCEPTED_STATES
        finding = partial(_amendment_finding, amendment, slug)

        if amendment.result_version_id is None:
            continue
        if not accepted:
            found.append(finding(f"is not accepted but names version id {amendment.result_version_id} as its result"))
            continue
        if version is None:
            found.append(finding(f"names version id {amendment.result_version_id} as its result, which does not exist"))
            continue
        if version.amendment_id != amendment.id:
            found.append(finding(
                f"its result, version {version.seq} (id {version.id}) of clause {clause.uid}, names "
                + ("no amendment" if version.amendment_id is None else f"Amendment {version.amendment_id}")
            ))  # fmt: skip
        if version.cause is not VersionCause.AMENDMENT:
            found.append(finding(f"its result, version id {version.id}, was made by {version.cause.value}, "
                                 "not by an amendment"))  # fmt: skip
        if amendment.kind is AmendmentKind.INSERT:
            if clause.instrument_id != amendment.instrument_id or clause.id == amendment.clause_id:
                found.append(finding(f"inserts a clause, but its result, version id {version.id}, belongs to "
                                     f"clause {clause.uid} (id {clause.id})"))  # fmt: skip
        elif clause.id != amendment.clause_id:
            found.append(finding(f"changes clause id {amendment.clause_id}, but its result, version id {version.id}, "
                                 f"belongs to clause {clause.uid} (id {clause.id})"))  # fmt: skip

    # The other direction: versions that name an amendment which does not name them back.
    named = aliased(Amendment)
    backlinks = db.session.execute(
        select(Instrument.slug, Clause.uid, ClauseVersion.id, ClauseVersion.clause_id, ClauseVersion.seq, named)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .join(Instrument, Instrument.id == Clause.instrument_id)
        .join(named, named.id == ClauseVersion.amendment_id)
        .where(named.result_version_id.is_(None) | (named.result_version_id != ClauseVersion.id))
        .order_by(ClauseVersion.id)
    )
    for slug, uid, version_id, clause_id, seq, amendment in backlinks:
        points = "no version" if amendment.result_version_id is None else f"version id {amendment.result_version_id}"
        found.append(
            Finding(
                "amendment_results",
                f"clause {uid} (id {clause_id}) version {seq} (id {version_id}) says Amendment {amendment.id} "
                f"({amendment.state.value}) made it, but the amendment names {points} as its result",
                slug,
                clause_id=clause_id,
                version_id=version_id,
                amendment_id=amendment.id,
            )
        )
    return found


def version_parents() -> list[Finding]:
    """Find clause versions whose parent version belongs to another clause.

    :returns: one finding per such version (rule ``version_parents``).
    """
    parent = aliased(ClauseVersion)
    rows = db.session.execute(
        select(Instrument.slug, Clause.uid, ClauseVersion.id, ClauseVersion.clause_id, ClauseVersion.seq,
               parent.id, parent.clause_id)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .join(Instrument, Instrument.id == Clause.instrument_id)
        .join(parent, parent.id == ClauseVersion.parent_version_id)
        .where(parent.clause_id != ClauseVersion.clause_id)
        .order_by(ClauseVersion.id)
    )  # fmt: skip
    return [
        Finding(
            "version_parents",
            f"clause {uid} (id {clause_id}) version {seq} (id {version_id}) has as parent version id {parent_id}, "
            f"a version of clause id {parent_clause}",
            slug,
            clause_id=clause_id,
            version_id=version_id,
        )
        for slug, uid, version_id, clause_id, seq, parent_id, parent_clause in rows
    ]


#: Every rule, in the order ``drafter check`` runs them.
RULES: list[Callable[[], list[Finding]]] = [
    conflict_markers,
    unstorable_text,
    draft_entries,
    amendment_results,
    version_parents,
]


def check_all() -> list[Finding]:
    """Run every rule of :data:`RULES` on the database of the current app context.

    :returns: all findings, rule by rule (empty when the record is sound).
    """
    return [finding for rule in RULES for finding in rule()]
