"""Drafts as files: clean Markdown, HTML, Word, PDF and Akoma Ntoso; redlines; the synoptic table.

Each function loads what it needs in a fixed number of queries, hands plain
values to an exporter of :mod:`instrument.export`, and returns an
:class:`ExportResult`. Exporters log a warning on the ``instrument.export``
logger for every clause whose text held characters XML forbids.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import Amendment, Disposition, Draft, Input, Instrument, Organisation, User
from drafter.services import consultations, drafts
from drafter.services.imports import AKN_ELEMENT_IDS
from instrument.amendments import AmendmentKind, AmendmentState
from instrument.export import Progress
from instrument.export.akn import AKN_MIME, AknIdentity, to_akn
from instrument.export.docx import DOCX_MIME, to_docx
from instrument.export.html import to_html
from instrument.export.markdown import to_markdown
from instrument.export.redline_docx import Revision, to_redline_docx
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
        today = datetime.now(timezone.utc)
        return _Labels(
            "Current text (unpublished changes included)",
            "current",
            f"As of {long_date(today)}",
            "Working text: not a published draft.",
            f"{short} — current text",
        )
    subtitle = f"Draft {draft.number}" + (f" — {draft.title}" if draft.title else "")
    if draft.comments_close_at is None:
        status = "Open for comments and amendments."
    elif drafts.open_for_comment(draft):
        status = f"Open for comments and amendments until {long_date(draft.comments_close_at)}."
    else:
        status = f"The comment period ended on {long_date(draft.comments_close_at)}."
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
        published = draft.published_at.date() if draft is not None else datetime.now(timezone.utc).date()
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


def revisions_for(rows: list[drafts.StateRow]) -> dict[str, Revision]:
    """Who is behind each clause's version, for tracked changes: clause uid -> :class:`Revision`.

    The organisation of the amendment that made the version, else the
    organisation of the version's author, else the secretariat; the date is
    the version's. Two queries, whatever the number of clauses.
    """
    author_ids = {r.version.author_id for r in rows if r.version.author_id is not None}
    amendment_ids = {r.version.amendment_id for r in rows if r.version.amendment_id is not None}
    by_author: dict[int, str] = {}
    if author_ids:
        by_author = dict(
            db.session.execute(
                select(User.id, Organisation.name)
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.id.in_(author_ids))
            ).all()
        )
    by_amendment: dict[int, str] = {}
    if amendment_ids:
        by_amendment = dict(
            db.session.execute(
                select(Amendment.id, Organisation.name)
                .join(Organisation, Organisation.id == Amendment.organisation_id)
                .where(Amendment.id.in_(amendment_ids))
            ).all()
        )
    out = {}
    for r in rows:
        v = r.version
        name = by_amendment.get(v.amendment_id or -1) or by_author.get(v.author_id or -1)
        out[r.clause.uid] = Revision(name or SECRETARIAT, v.created_at)
    return out


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
        changes, author and date per clause from :func:`revisions_for`) or
        ``"pdf"`` (the HTML laid out: insertions underlined, deletions struck through).
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    from drafter.services import compare
    from instrument.export.redline import to_redline_html, to_redline_markdown

    if fmt not in REDLINE_FORMATS:
        raise ValueError(f"unknown redline format {fmt!r}")
    before, after = compare.load_state(instrument, old), compare.load_state(instrument, new)
    comparison = compare.compare_states(before, after)
    short = instrument.short_title or instrument.title
    header = f"{short} — {before.label} → {after.label}"
    content: str | bytes
    if fmt == "docx":
        when = new.published_at if new is not None else datetime.now(timezone.utc)
        content = to_redline_docx(
            instrument.title, before.label, after.label, comparison, default=Revision(SECRETARIAT, when),
            revisions=revisions_for(after.rows), header=header, progress=progress,
        )  # fmt: skip
    elif fmt == "pdf":
        html = to_redline_html(instrument.title, before.label, after.label, comparison)
        from instrument.export.pdf import html_to_pdf  # see above: Pango only when needed

        content = html_to_pdf(html, header=header, where="the redline")
    elif fmt == "html":
        content = to_redline_html(instrument.title, before.label, after.label, comparison)
    else:
        content = to_redline_markdown(instrument.title, before.label, after.label, comparison)
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
        draft = db.session.scalar(
            select(Draft).where(Draft.instrument_id == instrument.id).order_by(Draft.number.desc()).limit(1)
        )
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


def proposal(amendment: Amendment, inputs: Sequence[Input] = ()) -> Proposal:
    """An amendment as a row of the synoptic table, with the consultation inputs it cites as its sources.

    :param inputs: the inputs the amendment cites (see
        :func:`drafter.services.consultations.inputs_by_amendment`), organisations and consultation loaded.
    """
    decided = amendment.state in (
        AmendmentState.ACCEPTED, AmendmentState.ACCEPTED_WITH_MODIFICATIONS, AmendmentState.REJECTED
    )  # fmt: skip
    organisations = (amendment.organisation.name, *(o.name for o in amendment.sponsors))
    return Proposal(
        title=amendment.title,
        kind=_KIND_LABELS.get(amendment.kind, amendment.kind.value),
        organisations=tuple(dict.fromkeys(organisations)),
        state=amendment.state.label,
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


def export_synoptic(
    instrument: Instrument, draft: Draft | None, fmt: str, *, progress: Progress | None = None
) -> ExportResult:
    """Export the synoptic table of ``draft`` (``None``: the current text) as Word or CSV.

    :param fmt: a key of :data:`SYNOPTIC_FORMATS`.
    :returns: an :class:`ExportResult`.
    :raises ValueError: for an unknown format.
    """
    if fmt not in SYNOPTIC_FORMATS:
        raise ValueError(f"unknown synoptic table format {fmt!r}")
    states = drafts.draft_state(draft) if draft is not None else drafts.current_state(instrument)
    amendments = synoptic_amendments(instrument, draft)
    cited = consultations.inputs_by_amendment(a.id for group in amendments.values() for a in group)
    rows = [
        SynopticRow(
            key=r.key,
            label=r.version.label or r.key,
            text=r.version.text,
            proposals=tuple(proposal(a, cited.get(a.id, ())) for a in amendments.get(r.clause.id, ())),
        )
        for r in states
    ]
    label = f"Draft {draft.number}" if draft is not None else "the current text"
    stamp = f"draft-{draft.number}" if draft is not None else "current"
    content: str | bytes
    if fmt == "csv":
        content = to_synoptic_csv(rows, draft_label=label)
    else:
        content = to_synoptic_docx(
            instrument.title, rows, draft_label=label, date_line=f"Compiled on {long_date(datetime.now(timezone.utc))}",
            author=SECRETARIAT, progress=progress,
        )  # fmt: skip
    return ExportResult(content, f"{instrument.slug}-synoptic-{stamp}.{fmt}", SYNOPTIC_FORMATS[fmt])
