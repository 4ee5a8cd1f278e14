"""Drafts as files: clean Markdown, HTML, Word, PDF and Akoma Ntoso; redlines; the synoptic table.

Each function loads what it needs in a fixed number of queries, hands plain
values to an exporter of :mod:`instrument.export`, and returns an
:class:`ExportResult`. Exporters log a warning on the ``instrument.export``
logger for every clause whose text held characters XML forbids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Disposition,
    Draft,
    DraftEntry,
    Event,
    Input,
    Instrument,
    Organisation,
    User,
    VersionCause,
)
from drafter.services import compare, drafts, phases, visibility
from drafter.services.amendments import queries as amendment_queries
from drafter.services.consultations import queries as consultation_queries
from drafter.services.imports import AKN_ELEMENT_IDS
from drafter.services.timezones import format_day, zone_of
from instrument.akoma_ntoso import AKN_MIME
from instrument.amendments import AmendmentKind, AmendmentState
from instrument.compare import Comparison
from instrument.export import Progress
from instrument.export.akn import AknIdentity, to_akn
from instrument.export.docx import DOCX_MIME, to_docx
from instrument.export.html import to_html
from instrument.export.markdown import to_markdown
from instrument.export.redline import Revision, Step
from instrument.export.redline_docx import to_redline_docx
from instrument.export.synoptic import Proposal, Source, SynopticRow, to_synoptic_csv, to_synoptic_docx

#: Clean export format -> MIME type.
FORMATS = {
    "md": "text/markdown",
    "html": "text/html",
    "docx": DOCX_MIME,
    "pdf": "application/pdf",
    "akn": AKN_MIME,
}
#: Redline format -> MIME type.
REDLINE_FORMATS = {key: FORMATS[key] for key in ("md", "html", "docx", "pdf")}
#: Synoptic table format -> MIME type.
SYNOPTIC_FORMATS = {"docx": DOCX_MIME, "csv": "text/csv"}
#: File name endings that differ from the format's name.
EXTENSIONS = {"akn": "akn.xml"}
#: Binary formats, written as bytes.
BINARY = frozenset({"docx", "pdf"})
#: Amendments in the synoptic table: open (past the proposer's draft) or decided.
SYNOPTIC_STATES = (
    AmendmentState.SUBMITTED,
    AmendmentState.UNDER_REVIEW,
    AmendmentState.ACCEPTED,
    AmendmentState.ACCEPTED_WITH_MODIFICATIONS,
    AmendmentState.REJECTED,
)
_KIND_LABELS = {AmendmentKind.MODIFY: "Modify", AmendmentKind.INSERT: "Insert a clause after it",
                AmendmentKind.DELETE: "Delete"}  # fmt: skip
SECRETARIAT = "Secretariat"
#: How downloads of the secretariat's working draft are labelled (title page, header, metadata).
WORKING_DRAFT = "Working draft — not published"


@dataclass(frozen=True)
class ExportResult:
    """A file ready to be written or downloaded.

    :ivar content: text (Markdown, HTML, XML as text, CSV) or bytes (DOCX, PDF).
    :ivar filename: the suggested file name.
    :ivar mimetype: the MIME type.
    """

    content: str | bytes
    filename: str
    mimetype: str

    @property
    def data(self) -> bytes:
        """The content as bytes (text in UTF-8)."""
        return self.content if isinstance(self.content, bytes) else self.content.encode("utf-8")


def long_date(moment: datetime | date) -> str:
    """A date as negotiators write it: "1 August 2007"."""
    return f"{moment.day} {moment:%B %Y}"


@dataclass(frozen=True)
class _Labels:
    subtitle: str
    stamp: str
    date_line: str
    status: str
    header: str


def _labels(instrument: Instrument, draft: Draft | None) -> _Labels:
    short = instrument.short_title or instrument.title
    if draft is None:
        today = datetime.now(UTC)
        return _Labels(
            WORKING_DRAFT,
            "working-draft",
            f"As of {long_date(today)}",
            "Working draft of the secretariat: not published; not for circulation.",
            f"{short} — {WORKING_DRAFT}",
        )
    subtitle = f"Draft {draft.number}" + (f" — {draft.title}" if draft.title else "")
    if draft.final_at is not None:
        # The adopted text says so wherever it goes: title page, status line, running header.
        adopted = f"Final text, adopted on {format_day(draft.final_at, zone_of(instrument))}"
        return _Labels(f"{subtitle} — {adopted}", f"draft-{draft.number}", f"Published {long_date(draft.published_at)}",
                       f"{adopted}. It is read-only.", f"{short} — Final text (Draft {draft.number})")  # fmt: skip
    comments = phases.phase(draft, phases.Activity.COMMENT)
    status = f"{comments.describe()} {phases.phase(draft, phases.Activity.AMENDMENT).describe()}"
    return _Labels(subtitle, f"draft-{draft.number}", f"Published {long_date(draft.published_at)}", status,
                   f"{short} — Draft {draft.number}")  # fmt: skip


def _filename(instrument: Instrument, stamp: str, fmt: str) -> str:
    return f"{instrument.slug}-{stamp}.{EXTENSIONS.get(fmt, fmt)}"


def export_clean(
    instrument: Instrument,
    draft: Draft | None,
    fmt: str,
    *,
    line_numbers: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the current text or ``draft`` of ``instrument`` without markup of changes.

    :param instrument: the instrument.
    :param draft: a published draft, or ``None`` for the current text.
    :param fmt: a key of :data:`FORMATS`.
    :param line_numbers: number the lines (Word only).
    :param progress: called as ``progress(done, total)`` by the long exports.
    :returns: an :class:`ExportResult` (bytes for DOCX and PDF).
    :raises ValueError: for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = drafts.draft_state(draft) if draft is not None else drafts.current_state(instrument)
    clauses = drafts.to_parsed_clauses(rows)
    labels = _labels(instrument, draft)
    meta = {"instrument": instrument.slug, "state": labels.subtitle}
    if draft is not None:
        meta["published"] = draft.published_at.date().isoformat()
    if draft is not None and draft.final_at is not None:
        meta["status"] = labels.status
    content: str | bytes
    if fmt == "md":
        content = to_markdown(instrument.title, clauses, metadata=meta, subtitle=labels.subtitle)
    elif fmt == "html":
        content = to_html(instrument.title, clauses, subtitle=labels.subtitle)
    elif fmt == "docx":
        content = to_docx(
            instrument.title, clauses, subtitle=labels.subtitle, date_line=labels.date_line, status=labels.status,
            header=labels.header, line_numbers=line_numbers, author=SECRETARIAT,
            created=draft.published_at if draft is not None else None, progress=progress,
        )  # fmt: skip
    elif fmt == "pdf":
        subtitle = f"{labels.subtitle} · {labels.date_line}"
        from instrument.export.pdf import to_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

        content = to_pdf(instrument.title, clauses, subtitle=subtitle, header=labels.header, progress=progress)
    else:
        published = draft.published_at.date() if draft is not None else datetime.now(UTC).date()
        identity = AknIdentity(
            name=instrument.slug,
            work_date=instrument.created_at.date() if instrument.created_at else published,
            expression_date=published,
            version=labels.stamp,
            version_number=str(draft.number) if draft is not None else "",
        )
        kept = (instrument.meta or {}).get(AKN_ELEMENT_IDS) or {}  # an imported file's own eIds
        content = to_akn(
            instrument.title, clauses, identity=identity, uids={r.key: r.clause.uid for r in rows},
            element_ids={r.key: kept[r.clause.uid] for r in rows if r.clause.uid in kept},
            subtitle=labels.subtitle, date_line=long_date(published), status=labels.status, progress=progress,
        ).decode("utf-8")  # fmt: skip
    return ExportResult(content, _filename(instrument, labels.stamp, fmt), FORMATS[fmt])


def _import_sources(instrument: Instrument) -> list[tuple[datetime, str]]:
    """When each import of ``instrument`` finished and from which file, oldest first (one query)."""
    events = db.session.execute(
        select(Event.created_at, Event.details)
        .where(Event.instrument_id == instrument.id, Event.verb == "instrument.import")
        .order_by(Event.created_at, Event.id)
    ).all()
    return [(_utc(when), str((details or {}).get("source") or "Imported text")) for when, details in events]


def _revisions(instrument: Instrument, versions: Sequence[ClauseVersion]) -> dict[int, Revision]:
    """Who made each version, for redlines: version id -> :class:`Revision`, in at most three queries.

    A version made by accepting an amendment is the proposing organisation's;
    an import's is the imported file's (from the import's audit event, the
    first one logged after the version); the secretariat's own edits and
    restores are "Secretariat". The date is the version's.
    """
    amendment_ids = {v.amendment_id for v in versions if v.amendment_id is not None}
    by_amendment: dict[int, str] = {}
    if amendment_ids:
        by_amendment = dict(
            db.session.execute(
                select(Amendment.id, Organisation.name)
                .join(Organisation, Organisation.id == Amendment.organisation_id)
                .where(Amendment.id.in_(amendment_ids))
            ).all()
        )
    authors = {v.author_id for v in versions if v.cause is VersionCause.AMENDMENT and v.amendment_id is None}
    by_author: dict[int, str] = {}
    if authors - {None}:
        by_author = dict(
            db.session.execute(
                select(User.id, Organisation.name)
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.id.in_(authors - {None}))
            ).all()
        )
    imports = _import_sources(instrument) if any(v.cause is VersionCause.IMPORT for v in versions) else []
    out: dict[int, Revision] = {}
    for v in versions:
        if v.cause is VersionCause.AMENDMENT:
            name = by_amendment.get(v.amendment_id or -1) or by_author.get(v.author_id or -1) or SECRETARIAT
        elif v.cause is VersionCause.IMPORT:
            name = next((source for when, source in imports if when >= _utc(v.created_at)), "Imported text")
        else:
            name = SECRETARIAT
        out[v.id] = Revision(name, v.created_at)
    return out


def default_revision(new: Draft | None) -> Revision:
    """Author and date of redline changes no version explains: the secretariat, on the date of the
    newer draft (today for the current text)."""
    return Revision(SECRETARIAT, new.published_at if new is not None else datetime.now(UTC))


def history_for(
    instrument: Instrument,
    before: compare.State,
    after: compare.State,
    comparison: Comparison,
) -> dict[str, list[Step]]:
    """The versions each changed clause went through from ``before`` to ``after``, with their authors.

    For every clause the comparison shows (added, deleted, changed, moved or
    renumbered): the versions after the one it had in ``before`` up to the one
    it has in ``after``, oldest first; for a clause deleted in ``after``, up to
    the version that deleted it (made before ``after`` was published). Each
    step carries the :class:`Revision` of :func:`_revisions`. A fixed number of
    queries, whatever the number of clauses.

    :returns: clause uid (the comparison's keys) -> steps; see
        :class:`instrument.export.redline.Step`.
    """
    shown = {c.key for c in comparison.changes if c.status != "unchanged" or c.moved or c.renumbered}
    old_seq = {r.clause.uid: r.version.seq for r in before.rows if r.clause.uid in shown}
    new_seq = {r.clause.uid: r.version.seq for r in after.rows if r.clause.uid in shown}
    clause_ids = {r.clause.uid: r.clause.id for r in (*before.rows, *after.rows) if r.clause.uid in shown}
    if not clause_ids:
        return {}
    found = db.session.execute(
        select(Clause.uid, ClauseVersion)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(ClauseVersion.clause_id.in_(set(clause_ids.values())))
        .order_by(ClauseVersion.clause_id, ClauseVersion.seq)
    ).all()
    cut_off = after.draft.published_at if after.draft is not None else None
    chains: dict[str, list[ClauseVersion]] = defaultdict(list)
    for uid, v in found:
        if v.seq <= old_seq.get(uid, 0):
            continue
        if uid in new_seq:
            if v.seq <= new_seq[uid]:
                chains[uid].append(v)
        elif (cut_off is None or _utc(v.created_at) <= _utc(cut_off)) and not any(
            earlier.deleted for earlier in chains[uid]
        ):
            chains[uid].append(v)
    revisions = _revisions(instrument, [v for chain in chains.values() for v in chain])
    return {
        uid: [Step(v.id, v.number, v.heading, v.text, revisions[v.id], v.deleted) for v in chain]
        for uid, chain in chains.items()
    }


def _utc(moment: datetime) -> datetime:
    """A stored datetime as aware UTC (SQLite gives them back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def export_redline(
    instrument: Instrument,
    old: Draft | None,
    new: Draft | None,
    fmt: str,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the changes from ``old`` to ``new`` (``None``: the current text) as a redline.

    :param fmt: a key of :data:`REDLINE_FORMATS`: ``"html"`` (standalone,
        print-ready), ``"md"`` (CriticMarkup), ``"docx"`` (Word tracked
        changes) or ``"pdf"`` (the HTML laid out: insertions underlined,
        deletions struck through). In Word, HTML and PDF each change names
        the author and date of the version that made it (:func:`history_for`).
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    from instrument.export.redline import to_redline_html, to_redline_markdown

    if fmt not in REDLINE_FORMATS:
        raise ValueError(f"unknown redline format {fmt!r}")
    before, after = compare.load_state(instrument, old), compare.load_state(instrument, new)
    comparison = compare.compare_states(before, after)
    short = instrument.short_title or instrument.title
    header = f"{short} — {before.label} → {after.label}"
    content: str | bytes
    if fmt == "md":
        content = to_redline_markdown(instrument.title, before.label, after.label, comparison)
    else:
        default = default_revision(new)
        history = history_for(instrument, before, after, comparison)
        if fmt == "docx":
            content = to_redline_docx(
                instrument.title, before.label, after.label, comparison, default=default, history=history,
                header=header, progress=progress,
            )  # fmt: skip
        else:
            content = to_redline_html(instrument.title, before.label, after.label, comparison, history=history,
                                      default=default)  # fmt: skip
            if fmt == "pdf":
                from instrument.export.pdf import html_to_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

                content = html_to_pdf(content, header=header, where="the redline")
    filename = f"{instrument.slug}-redline-{before.ref}-to-{after.ref}.{fmt}"
    return ExportResult(content, filename, REDLINE_FORMATS[fmt])


def synoptic_amendments(instrument: Instrument, draft: Draft | None) -> dict[int, list[Amendment]]:
    """The amendments of the synoptic table, by clause id, oldest first (two queries).

    For a draft: those made while it was the latest draft. For the current
    text: those made on the latest draft (or, before any draft, on no draft).
    Only open amendments past the proposer's draft and decided ones
    (:data:`SYNOPTIC_STATES`); organisations and co-sponsors loaded with them.
    """
    if draft is None:
        draft = visibility.latest_draft(instrument)
    on_draft = Amendment.draft_id == draft.id if draft is not None else Amendment.draft_id.is_(None)
    found = db.session.scalars(
        select(Amendment)
        .where(Amendment.instrument_id == instrument.id, on_draft, Amendment.state.in_(SYNOPTIC_STATES))
        .options(joinedload(Amendment.organisation), selectinload(Amendment.sponsors))
        .order_by(Amendment.id)
    ).all()
    by_clause: dict[int, list[Amendment]] = defaultdict(list)
    for amendment in found:
        by_clause[amendment.clause_id].append(amendment)
    return by_clause


def proposal(amendment: Amendment, inputs: Sequence[Input] = (), *, unpublished: bool = False) -> Proposal:
    """An amendment as a row of the synoptic table, with the consultation inputs it cites as its sources.

    :param inputs: the inputs the amendment cites (see
        :func:`drafter.services.consultations.queries.inputs_by_amendment`), organisations and consultation loaded.
    :param unpublished: the amendment is accepted but the version it made is not published yet,
        for a reader of published drafts: its state says it comes in the next draft.
    """
    decided = amendment.state in (
        AmendmentState.ACCEPTED, AmendmentState.ACCEPTED_WITH_MODIFICATIONS, AmendmentState.REJECTED
    )  # fmt: skip
    organisations = (amendment.organisation.name, *(o.name for o in amendment.sponsors))
    return Proposal(
        title=amendment.title,
        kind=_KIND_LABELS.get(amendment.kind, amendment.kind.value),
        organisations=tuple(dict.fromkeys(organisations)),
        state=f"{amendment.state.label}; {amendment_queries.IN_NEXT_DRAFT}" if unpublished else amendment.state.label,
        decided=decided,
        text=amendment.text if amendment.kind is not AmendmentKind.DELETE else "",
        rationale=amendment.rationale,
        reason=amendment.reason,
        decided_on=long_date(amendment.decided_at) if decided and amendment.decided_at else "",
        sources=tuple(
            Source(
                organisations=tuple(o.name for o in item.organisations),
                consultation=f"{item.consultation.title}, {item.consultation.dates}",
                summary=item.title,
                disposition="" if item.disposition is Disposition.PENDING else item.disposition.label.lower(),
            )
            for item in inputs
        ),
    )


def _clauses_left_out(
    states: list[drafts.StateRow], amendments: dict[int, list[Amendment]], draft: Draft | None
) -> list[tuple[Clause, ClauseVersion | None]]:
    """Clauses with amendments in the table but no row in ``states`` (a clause an accepted amendment
    deleted, for one), by position, each with the version it is labelled by: its current one for the
    working draft; for a draft, the one the latest draft up to it held (published text only), if any
    (two queries, none when there are no such clauses)."""
    shown = {r.clause.id for r in states}
    wanted = [clause_id for clause_id in amendments if clause_id not in shown]
    if not wanted:
        return []
    clauses = list(
        db.session.scalars(
            select(Clause).where(Clause.id.in_(wanted)).options(joinedload(Clause.current_version))
            .order_by(Clause.position, Clause.id)
        ).all()
    )  # fmt: skip
    if draft is None:
        return [(clause, clause.current_version) for clause in clauses]
    published: dict[int, ClauseVersion] = {}
    for clause_id, version in db.session.execute(
        select(DraftEntry.clause_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == DraftEntry.version_id)
        .join(Draft, Draft.id == DraftEntry.draft_id)
        .where(DraftEntry.clause_id.in_(wanted), Draft.instrument_id == draft.instrument_id,
               Draft.number <= draft.number)
        .order_by(Draft.number.desc())
    ):  # fmt: skip
        published.setdefault(clause_id, version)
    return [(clause, published.get(clause.id)) for clause in clauses]


def _left_out_row(
    clause: Clause, version: ClauseVersion | None, state_label: str, proposals: Callable[[int], tuple[Proposal, ...]]
) -> SynopticRow:
    """The row of a clause absent from the state: its last label, "(deleted)" (or "(not in Draft 2)") as text."""
    deleted = version is not None and (version.deleted or (version.id == clause.current_version_id and clause.deleted))
    return SynopticRow(
        key=clause.key,
        label=(version.label if version is not None else "") or clause.key,
        text="(deleted)" if deleted else f"(not in {state_label})",
        proposals=proposals(clause.id),
    )


def export_synoptic(
    instrument: Instrument,
    draft: Draft | None,
    fmt: str,
    *,
    progress: Progress | None = None,
    published_only: bool = False,
) -> ExportResult:
    """Export the synoptic table of ``draft`` (``None``: the working draft) as Word or CSV.

    :param fmt: a key of :data:`SYNOPTIC_FORMATS`.
    :param published_only: for a reader of published drafts only
        (:func:`drafter.services.visibility.version_filter`): an accepted amendment whose
        version is not published yet is marked as coming in the next draft.
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    if fmt not in SYNOPTIC_FORMATS:
        raise ValueError(f"unknown synoptic table format {fmt!r}")
    states = drafts.draft_state(draft) if draft is not None else drafts.current_state(instrument)
    amendments = synoptic_amendments(instrument, draft)
    cited = consultation_queries.inputs_by_amendment(a.id for group in amendments.values() for a in group)
    label = f"Draft {draft.number}" if draft is not None else "the working draft (not published)"

    latest = visibility.latest_draft(instrument) if published_only else None

    def proposals(clause_id: int) -> tuple[Proposal, ...]:
        return tuple(
            proposal(
                a,
                cited.get(a.id, ()),
                unpublished=published_only and amendment_queries.accepted_since(a, latest),
            )
            for a in amendments.get(clause_id, ())
        )

    missing = _clauses_left_out(states, amendments, draft)
    rows: list[SynopticRow] = []
    for r in states:
        while missing and missing[0][0].position < r.clause.position:
            rows.append(_left_out_row(*missing.pop(0), label, proposals))
        rows.append(SynopticRow(key=r.key, label=r.version.label or r.key, text=r.version.text,
                                proposals=proposals(r.clause.id)))  # fmt: skip
    rows += [_left_out_row(clause, version, label, proposals) for clause, version in missing]
    stamp = f"draft-{draft.number}" if draft is not None else "working-draft"
    content: str | bytes
    if fmt == "csv":
        content = to_synoptic_csv(rows, draft_label=label)
    else:
        content = to_synoptic_docx(
            instrument.title, rows, draft_label=label, date_line=f"Compiled on {long_date(datetime.now(UTC))}",
            author=SECRETARIAT, progress=progress,
        )  # fmt: skip
    return ExportResult(content, f"{instrument.slug}-synoptic-{stamp}.{fmt}", SYNOPTIC_FORMATS[fmt])
