"""Importing a legal text as a new instrument or as the next state of one."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Draft, Instrument, User, VersionCause
from drafter.services import audit, drafts, versions
from instrument.matching import Candidate, clause_uid, match_clauses
from instrument.types import ParsedInstrument

SLUG_MAX = 80
#: Key in ``Instrument.meta`` of the element identifiers an imported Akoma Ntoso file gave each clause:
#: clause uid -> :attr:`instrument.types.ParsedInstrument.element_ids` of that clause.
AKN_ELEMENT_IDS = "akn_element_ids"


@dataclass
class ImportReport:
    """What an import did.

    :ivar instrument: the instrument created or updated.
    :ivar draft: the draft published for the imported state, or ``None`` when
        the text was the same as the current one and no draft was published.
    :ivar created: True when a new instrument was made.
    :ivar added: keys of new clauses.
    :ivar changed: keys of clauses that got a new version.
    :ivar deleted: keys of clauses marked deleted.
    :ivar renumbered: (old key, new key) of clauses matched under another key.
    :ivar unchanged: number of clauses left as they were.
    :ivar warnings: what was changed in the file while reading it (see
        :attr:`instrument.types.ParsedInstrument.warnings`).
    """

    instrument: Instrument
    draft: Draft | None
    created: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    renumbered: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command line and the log."""
        if self.draft is None:
            return (
                f"{self.instrument.slug}: nothing changed — the text is the same as the current one "
                f"({self.unchanged} clauses); no draft published"
            )
        return (
            f"{self.instrument.slug}: Draft {self.draft.number} — {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.deleted)} deleted, "
            f"{len(self.renumbered)} renumbered, {self.unchanged} unchanged"
        )


def import_parsed(
    parsed: ParsedInstrument,
    *,
    slug: str,
    actor: User | None,
    title: str | None = None,
    source_name: str = "",
    is_public: bool | None = None,
) -> ImportReport:
    """Store a parsed text as a new instrument, or as the next state of an existing one.

    With an existing ``slug``, clauses are matched with
    :func:`instrument.matching.match_clauses` (by text, number, position
    and neighbours, so renumbered and short clauses keep their identity); a new version is made only
    where number, heading or text changed beyond whitespace and Unicode
    normalisation; new clauses are added, missing ones get a deleted
    version; the result is published as the next numbered draft. A text
    that is the same as the current one (no clause added, changed, deleted,
    renumbered or moved) publishes no draft: the report's ``draft`` is
    ``None`` and its summary says that nothing changed.

    Identifiers the file gave its elements (Akoma Ntoso ``eId``, ``wId``,
    ``GUID``, see :attr:`instrument.types.ParsedInstrument.element_ids`) are
    kept in ``Instrument.meta["akn_element_ids"]`` by clause uid, for the
    Akoma Ntoso export: they replace those of the same clauses, and those of
    clauses the file gives none for stay.

    :param parsed: the text, from :func:`instrument.parse.parse_markdown`.
    :param slug: the instrument's slug (``[a-z0-9-]``, at most 80 characters).
    :param actor: who imports (``None`` from the command line).
    :param title: overrides the parsed title.
    :param source_name: file name, kept in the audit log.
    :param is_public: sets the instrument's public flag when given.
    :returns: an :class:`ImportReport`; everything is flushed, nothing committed.
    :raises Conflict: (409) for an instrument that has a final text (adopted), before anything is written.
    """
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    created = instrument is None
    kept_ids = dict((instrument.meta or {}).get(AKN_ELEMENT_IDS) or {}) if instrument is not None else {}
    if instrument is None:
        instrument = Instrument(slug=slug, title=title or parsed.title, meta=dict(parsed.metadata))
        db.session.add(instrument)
    else:
        # Checked before anything is written: an adopted instrument's text no longer changes.
        drafts.ensure_not_adopted(instrument)
        if title:
            instrument.title = title
        instrument.meta = dict(parsed.metadata)
    short = parsed.metadata.get("short_title") or parsed.metadata.get("jurabk")
    if short:
        instrument.short_title = short
    if is_public is not None:
        instrument.is_public = is_public
    db.session.flush()

    existing = db.session.scalars(
        select(Clause).where(Clause.instrument_id == instrument.id).order_by(Clause.position)
    ).all()
    live = [c for c in existing if not c.deleted]
    pairs = match_clauses(
        [Candidate(c.id, c.key, v.text if (v := c.current_version) else "", c.kind.value) for c in live],
        [Candidate(i, pc.key, pc.text, pc.kind.value) for i, pc in enumerate(parsed.clauses)],
    )
    by_id: dict[Hashable, Clause] = {c.id: c for c in existing}  # keyed as match_clauses returns them
    taken = {c.uid for c in existing}
    report = ImportReport(instrument=instrument, draft=None, created=created, warnings=list(parsed.warnings))
    touched = created  # whether the clauses now differ from what they were
    clause_for_key: dict[str, Clause] = {}
    matched_old: set[Hashable] = set()

    for i, pc in enumerate(parsed.clauses):
        old_id = pairs.get(i)
        parent = clause_for_key.get(pc.parent_key) if pc.parent_key else None
        if old_id is not None:
            clause = by_id[old_id]
            matched_old.add(old_id)
            if clause.key != pc.key:
                report.renumbered.append((clause.key, pc.key))
        else:
            uid = clause_uid(pc.key, taken)
            taken.add(uid)
            clause = Clause(instrument_id=instrument.id, uid=uid, key=pc.key, kind=pc.kind)
            db.session.add(clause)
            report.added.append(pc.key)
        parent_id = parent.id if parent is not None else None
        if (clause.key, clause.kind, clause.position, clause.depth, clause.parent_id) != (
            pc.key,
            pc.kind,
            i,
            pc.depth,
            parent_id,
        ):
            touched = True
        clause.key = pc.key
        clause.kind = pc.kind
        clause.position = i
        clause.depth = pc.depth
        clause.parent_id = parent_id
        db.session.flush()
        clause_for_key[pc.key] = clause
        before = clause.current_version
        version = versions.add_version(
            clause,
            number=pc.number,
            heading=pc.heading,
            text=pc.text,
            cause=VersionCause.IMPORT,
            actor=actor,
            log=False,
        )
        touched = touched or version is not None
        if old_id is not None:
            if version is not None and not versions.same_content(
                before, number=before.number if before else pc.number, heading=pc.heading, text=pc.text, deleted=False
            ):
                report.changed.append(pc.key)
            else:
                report.unchanged += 1

    # The file's own element identifiers, by clause identity, so that an export keeps them.
    kept_ids = {uid: ids for uid, ids in kept_ids.items() if uid in {c.uid for c in clause_for_key.values()}}
    kept_ids.update({clause_for_key[key].uid: ids for key, ids in parsed.element_ids.items() if key in clause_for_key})
    if kept_ids:
        instrument.meta = {**instrument.meta, AKN_ELEMENT_IDS: kept_ids}

    for clause in live:
        if clause.id in matched_old:
            continue
        cur = clause.current_version
        versions.add_version(
            clause,
            number=cur.number if cur else "",
            heading=cur.heading if cur else "",
            text=cur.text if cur else "",
            cause=VersionCause.IMPORT,
            actor=actor,
            deleted=True,
            note="not in the imported text",
            log=False,
        )
        report.deleted.append(clause.key)
        touched = True

    if not touched and drafts.next_draft_number(instrument) > 1:
        audit.record(
            "instrument.import",
            instrument,
            actor=actor,
            instrument_id=instrument.id,
            source=source_name,
            draft=None,
            unchanged=report.unchanged,
        )
        return report
    report.draft = drafts.publish_draft(
        instrument,
        actor=actor,
        title=f"Imported from {source_name}" if source_name else "Imported text",
        note=(
            f"{len(report.added)} clauses added, {len(report.changed)} changed, "
            f"{len(report.deleted)} deleted, {len(report.renumbered)} renumbered"
        ),
    )
    audit.record(
        "instrument.import",
        instrument,
        actor=actor,
        instrument_id=instrument.id,
        source=source_name,
        draft=report.draft.number,
        added=len(report.added),
        changed=len(report.changed),
        deleted=len(report.deleted),
        renumbered=len(report.renumbered),
    )
    return report
