"""Traceability: where each span of a clause came from, the disposition register, the matrix and reports.

Reading only; nothing here writes. Every function runs a fixed number of
queries, whatever the number of versions, inputs or amendments.

Provenance (:func:`provenance`) works on the Markdown source of a version,
the text :mod:`instrument.trace` attributes: offsets into rendered HTML
would need a mapping through the Markdown parser for every span, while the
source text, shown pre-wrapped, is exactly what was changed and reads
plainly for the numbered paragraphs and points of an instrument. It covers
the body text; headings have their own history on the clause page.

The register (:func:`register`) puts inputs and amendments in one list. An
amendment's decision is mapped to the register's states
(:data:`AMENDMENT_DISPOSITION`): accepted -> reflected, accepted with
modifications -> reflected in part, rejected and superseded -> not
reflected (the decision's reason says why), withdrawn -> withdrawn,
submitted or under review -> pending. Drafts are private and never listed.

It stays one module (about 750 lines) because it holds no use case to split
from its queries: provenance, the register, the matrix and the reports are
four readings of one register query and one disposition table, which
splitting would scatter.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import String, case, exists, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Consultation,
    Disposition,
    Draft,
    Input,
    Instrument,
    Organisation,
    amendment_sponsor,
    input_amendment,
    input_clause,
    input_organisation,
    input_version,
)
from drafter.services.consultations.queries import Evidence, evidence, sources_of_versions
from drafter.services.drafts import StateRow, draft_state
from drafter.services.errors import NotFound
from drafter.services.paging import Page
from instrument.amendments import AmendmentState
from instrument.export.cleaning import spreadsheet_cell
from instrument.trace import Attribution, VersionInfo, attribute

S = AmendmentState
D = Disposition

#: An amendment's state as a register disposition (see the module documentation).
AMENDMENT_DISPOSITION: dict[AmendmentState, Disposition] = {
    S.SUBMITTED: D.PENDING,
    S.UNDER_REVIEW: D.PENDING,
    S.ACCEPTED: D.REFLECTED,
    S.ACCEPTED_WITH_MODIFICATIONS: D.REFLECTED_IN_PART,
    S.REJECTED: D.NOT_REFLECTED,
    S.SUPERSEDED: D.NOT_REFLECTED,
    S.WITHDRAWN: D.WITHDRAWN,
}


# --- provenance ---------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """One version of the chain as the provenance legend shows it.

    :ivar version: the version.
    :ivar style: 1-based style number for shading (repeats after six).
    :ivar amendment: the amendment that made it (cause ``amendment``), organisation and sponsors loaded.
    :ivar inputs: the consultation inputs behind it, through its cause.
    """

    version: ClauseVersion
    style: int
    amendment: Amendment | None
    inputs: tuple[Input, ...]


@dataclass(frozen=True)
class Segment:
    """A stretch of the shown text introduced by one version (a span of the attribution).

    :ivar text: the characters.
    :ivar origin: id of the version that introduced them.
    :ivar story: number of its :class:`Story` (1-based), the footnote marker.
    :ivar first: whether this is the story's first segment (carries the anchor id).
    """

    text: str
    origin: int
    story: int
    first: bool

    @property
    def body(self) -> str:
        """The text without its trailing whitespace (the marker goes after it)."""
        return self.text.rstrip()

    @property
    def tail(self) -> str:
        """The trailing whitespace (line breaks between paragraphs)."""
        return self.text[len(self.text.rstrip()) :]


@dataclass(frozen=True)
class Story:
    """One origin together with one history: what a marker's footnote explains.

    :ivar number: the marker number.
    :ivar origin: the version that introduced the words.
    :ivar history: the versions that shaped them, oldest first (the origin included).
    :ivar excerpt: the first words of its first segment, to recognise it in the list.
    """

    number: int
    origin: int
    history: tuple[int, ...]
    excerpt: str


@dataclass(frozen=True)
class Provenance:
    """Where each span of one version of a clause came from.

    :ivar clause: the clause.
    :ivar version: the version shown.
    :ivar chain: every version up to the shown one, oldest first.
    :ivar text: the shown version's Markdown text (NFC); segments cover it.
    :ivar segments: the text cut where the origin changes.
    :ivar stories: the distinct (origin, history) pairs, numbered in reading order.
    :ivar origins: version id -> :class:`Origin`, for every version of the chain.
    """

    clause: Clause
    version: ClauseVersion
    chain: tuple[ClauseVersion, ...]
    text: str
    segments: tuple[Segment, ...]
    stories: tuple[Story, ...]
    origins: dict[int, Origin]

    @property
    def legend(self) -> list[Origin]:
        """The origins that introduced some of the shown text, oldest first."""
        used = {s.origin for s in self.segments}
        return [self.origins[v.id] for v in self.chain if v.id in used]


@functools.lru_cache(maxsize=256)
def _attribution(chain: tuple[VersionInfo, ...]) -> Attribution:
    # Versions are immutable and the key holds their texts, so a hit is always right.
    return attribute(chain)


def _segments(att: Attribution) -> tuple[list[Segment], list[Story]]:
    """One segment per span of the attribution, its history the union over the span's characters.

    Stories are numbered in reading order; spans with the same origin and
    the same history share a story (and its marker number).
    """
    stories: dict[tuple[int, tuple[int, ...]], Story] = {}
    segments: list[Segment] = []
    for span in att.spans:
        # The attribution was made from VersionInfo(version.id, ...): its ids are database ids.
        version_id = cast(int, span.version_id)
        history = cast(tuple[int, ...], tuple(att.history(span.start, span.end)))
        key = (version_id, history)
        first = key not in stories
        if first:
            excerpt = " ".join(att.text[span.start : span.end].split()[:8])
            stories[key] = Story(len(stories) + 1, version_id, history, excerpt)
        segments.append(Segment(att.text[span.start : span.end], version_id, stories[key].number, first))
    return segments, list(stories.values())


def provenance(clause: Clause, seq: int | None = None) -> Provenance:
    """Attribute every span of a version of ``clause`` to the version that introduced it.

    Follows the chain of versions with :func:`instrument.trace.attribute`, then
    names each version's cause: its amendment (proposer organisation,
    sponsors, decision) and the consultation inputs behind it. Queries: one
    for the versions, two for the amendments (sponsors included), at most
    three for the inputs.

    :param clause: the clause.
    :param seq: the version to show (default: the latest one).
    :returns: a :class:`Provenance`.
    :raises NotFound: when the clause has no version ``seq``.
    """
    stmt = select(ClauseVersion).where(ClauseVersion.clause_id == clause.id).order_by(ClauseVersion.seq)
    if seq is not None:
        stmt = stmt.where(ClauseVersion.seq <= seq)
    chain = list(db.session.scalars(stmt.options(joinedload(ClauseVersion.author))))
    if not chain or (seq is not None and chain[-1].seq != seq):
        raise NotFound(f"{clause.key} has no version {seq}.")
    amendment_ids = {v.amendment_id for v in chain if v.amendment_id is not None}
    amendments = (
        {
            a.id: a
            for a in db.session.scalars(
                select(Amendment)
                .where(Amendment.id.in_(amendment_ids))
                .options(joinedload(Amendment.organisation), selectinload(Amendment.sponsors))
            )
        }
        if amendment_ids
        else {}
    )
    sources = sources_of_versions(chain)
    att = _attribution(tuple(VersionInfo(v.id, v.text) for v in chain))
    segments, stories = _segments(att) if att.text else ([], [])
    origins = {
        v.id: Origin(
            v,
            (n % 6) + 1,
            amendments.get(v.amendment_id) if v.amendment_id is not None else None,
            tuple(sources.get(v.id, ())),
        )
        for n, v in enumerate(chain)
    }
    return Provenance(clause, chain[-1], tuple(chain), att.text, tuple(segments), tuple(stories), origins)


# --- the register -------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the disposition register: an input or an amendment.

    :ivar input: the input, or ``None``.
    :ivar amendment: the amendment, or ``None``.
    :ivar disposition: the register state (an amendment's decision mapped by :data:`AMENDMENT_DISPOSITION`).
    :ivar evidence: for an input, the versions that reflect it.
    """

    disposition: Disposition
    input: Input | None = None
    amendment: Amendment | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def reason(self) -> str:
        """The reason given with the disposition or decision, or ""."""
        if self.input is not None:
            return self.input.disposition_reason
        return self.amendment.reason if self.amendment is not None else ""


@dataclass(frozen=True)
class RegisterFilters:
    """What the register shows.

    :ivar what: ``"inputs"``, ``"amendments"`` or ``None`` for both.
    :ivar disposition: only this register state.
    :ivar consultation_id: only inputs of this consultation (amendments are then left out).
    :ivar organisation_id: only inputs this organisation made and amendments it proposed or co-sponsored.
    :ivar amendments_visible: whether the viewer may see amendments at all (signed-in accounts).
    """

    what: str | None = None
    disposition: Disposition | None = None
    consultation_id: int | None = None
    organisation_id: int | None = None
    amendments_visible: bool = True


def _amendment_disposition_sql():
    return case(
        {state.value: disp.value for state, disp in AMENDMENT_DISPOSITION.items()},
        value=type_coerce(Amendment.state, String),
        else_=D.PENDING.value,
    )


def _register_query(instrument: Instrument, filters: RegisterFilters):
    """The union of input and amendment rows ``(kind, id, disposition, ord)`` matching ``filters``."""
    parts = []
    if filters.what in (None, "inputs"):
        inputs = (
            select(
                literal("input").label("kind"),
                Input.id.label("id"),
                type_coerce(Input.disposition, String).label("disposition"),
                literal(0).label("ord"),
            )
            .join(Consultation, Consultation.id == Input.consultation_id)
            .where(Consultation.instrument_id == instrument.id)
        )
        if filters.consultation_id is not None:
            inputs = inputs.where(Input.consultation_id == filters.consultation_id)
        if filters.organisation_id is not None:
            inputs = inputs.where(
                exists().where(
                    input_organisation.c.input_id == Input.id,
                    input_organisation.c.organisation_id == filters.organisation_id,
                )
            )
        if filters.disposition is not None:
            inputs = inputs.where(Input.disposition == filters.disposition)
        parts.append(inputs)
    if filters.what in (None, "amendments") and filters.amendments_visible and filters.consultation_id is None:
        disposition = _amendment_disposition_sql()
        amendments = select(
            literal("amendment").label("kind"),
            Amendment.id.label("id"),
            disposition.label("disposition"),
            literal(1).label("ord"),
        ).where(Amendment.instrument_id == instrument.id, Amendment.state != S.DRAFT)
        if filters.organisation_id is not None:
            amendments = amendments.where(
                or_(
                    Amendment.organisation_id == filters.organisation_id,
                    exists().where(
                        amendment_sponsor.c.amendment_id == Amendment.id,
                        amendment_sponsor.c.organisation_id == filters.organisation_id,
                    ),
                )
            )
        if filters.disposition is not None:
            amendments = amendments.where(disposition == filters.disposition.value)
        parts.append(amendments)
    if not parts:
        return None
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


def register_counts(instrument: Instrument, filters: RegisterFilters) -> dict[Disposition, int]:
    """How many register entries are in each state for ``filters`` (its ``disposition`` ignored), one query."""
    counts = dict.fromkeys(Disposition, 0)
    union = _register_query(instrument, RegisterFilters(**{**filters.__dict__, "disposition": None}))
    if union is None:
        return counts
    for value, n in db.session.execute(select(union.c.disposition, func.count()).group_by(union.c.disposition)):
        counts[Disposition(value)] = n
    return counts


def _load_inputs(ids: Collection[int]) -> dict[int, Input]:
    if not ids:
        return {}
    return {
        i.id: i
        for i in db.session.scalars(
            select(Input)
            .where(Input.id.in_(list(ids)))
            .options(
                joinedload(Input.consultation),
                selectinload(Input.organisations),
                selectinload(Input.clauses),
            )
        )
    }


def _load_amendments(ids: Sequence[int]) -> dict[int, Amendment]:
    if not ids:
        return {}
    return {
        a.id: a
        for a in db.session.scalars(
            select(Amendment)
            .where(Amendment.id.in_(list(ids)))
            .options(
                joinedload(Amendment.organisation),
                joinedload(Amendment.clause),
                joinedload(Amendment.result_version).joinedload(ClauseVersion.clause),
                selectinload(Amendment.sponsors),
            )
        )
    }


def register(instrument: Instrument, filters: RegisterFilters, *, page: int = 1, per_page: int = 25) -> Page:
    """One page of the disposition register: inputs first (in the order recorded), then amendments.

    :returns: a :class:`Page` of :class:`RegisterEntry` (at most eight queries).
    """
    union = _register_query(instrument, filters)
    if union is None:
        return Page([], 0, 1, per_page)
    page = max(1, page)
    total = db.session.execute(select(func.count()).select_from(union)).scalar_one()
    rows = db.session.execute(
        select(union.c.kind, union.c.id, union.c.disposition)
        .order_by(union.c.ord, union.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    inputs = _load_inputs([i for k, i, _ in rows if k == "input"])
    amendments = _load_amendments([i for k, i, _ in rows if k == "amendment"])
    found = evidence(inputs)
    items = [
        RegisterEntry(Disposition(d), input=inputs[i], evidence=tuple(found.get(i, ())))
        if k == "input"
        else RegisterEntry(Disposition(d), amendment=amendments[i])
        for k, i, d in rows
    ]
    return Page(items, total, page, per_page)


# --- the traceability matrix ---------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """What links one input to one clause.

    :ivar concerns: the input was linked to the clause.
    :ivar versions: the clause's versions that reflect the input.
    """

    concerns: bool = False
    versions: tuple[ClauseVersion, ...] = ()


@dataclass(frozen=True)
class Matrix:
    """Inputs (rows, one page) x the clauses linked to them (columns, in document order).

    :ivar page: the :class:`Page` of inputs.
    :ivar clauses: the columns.
    :ivar cells: ``(input id, clause id)`` -> :class:`Cell` (absent: no link).
    """

    page: Page
    clauses: list[Clause]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)


def _filtered_inputs(instrument: Instrument, consultation_id, organisation_id, disposition):
    stmt = (
        select(Input)
        .join(Consultation, Consultation.id == Input.consultation_id)
        .where(Consultation.instrument_id == instrument.id)
    )
    if consultation_id is not None:
        stmt = stmt.where(Input.consultation_id == consultation_id)
    if organisation_id is not None:
        stmt = stmt.where(
            exists().where(
                input_organisation.c.input_id == Input.id, input_organisation.c.organisation_id == organisation_id
            )
        )
    if disposition is not None:
        stmt = stmt.where(Input.disposition == Disposition(disposition))
    return stmt


def matrix(
    instrument: Instrument,
    *,
    consultation_id: int | None = None,
    organisation_id: int | None = None,
    disposition: Disposition | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Matrix:
    """The traceability matrix for one page of inputs (at most nine queries).

    :param consultation_id: only inputs of this consultation.
    :param organisation_id: only inputs this organisation made or co-made.
    :param disposition: only inputs with this disposition.
    :param page: page number from 1 (a page past the end is empty).
    :param per_page: rows per page.
    :returns: a :class:`Matrix`; columns are the clauses the page's inputs concern or are reflected in.
    """
    stmt = _filtered_inputs(instrument, consultation_id, organisation_id, disposition)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(1, page)
    inputs = list(
        db.session.scalars(
            stmt.options(joinedload(Input.consultation), selectinload(Input.organisations))
            .order_by(Consultation.starts_on, Input.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    ids = [i.id for i in inputs]
    concerns: dict[tuple[int, int], bool] = {}
    if ids:
        for input_id, clause_id in db.session.execute(
            select(input_clause.c.input_id, input_clause.c.clause_id).where(input_clause.c.input_id.in_(ids))
        ):
            concerns[(input_id, clause_id)] = True
    reflected: dict[tuple[int, int], list[ClauseVersion]] = {}
    for input_id, items in evidence(ids).items():
        for e in items:
            reflected.setdefault((input_id, e.version.clause_id), []).append(e.version)
    clause_ids = {c for _, c in concerns} | {c for _, c in reflected}
    clauses = (
        list(
            db.session.scalars(
                select(Clause)
                .where(Clause.id.in_(clause_ids))
                .options(joinedload(Clause.current_version))
                .order_by(Clause.position)
            )
        )
        if clause_ids
        else []
    )
    cells = {
        key: Cell(concerns=key in concerns, versions=tuple(reflected.get(key, ())))
        for key in set(concerns) | set(reflected)
    }
    return Matrix(Page(inputs, total, page, per_page), clauses, cells)


# --- reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One line of an organisation's response report.

    :ivar input: the input, or ``None``.
    :ivar amendment: the amendment, or ``None``.
    :ivar disposition: the register state.
    :ivar evidence: for an input, the versions that reflect it.
    :ivar role: for an amendment, "proposed" or "co-sponsored".
    """

    disposition: Disposition
    input: Input | None = None
    amendment: Amendment | None = None
    evidence: tuple[Evidence, ...] = ()
    role: str = ""

    @property
    def reason(self) -> str:
        """The reason given with the disposition or decision, or ""."""
        if self.input is not None:
            return self.input.disposition_reason
        return self.amendment.reason if self.amendment is not None else ""

    @property
    def decided_at(self) -> datetime | None:
        """When the disposition or decision was made."""
        if self.input is not None:
            return self.input.decided_at
        return self.amendment.decided_at if self.amendment is not None else None


def organisation_report(
    instrument: Instrument, organisation: Organisation, *, amendments_visible: bool
) -> list[ReportRow]:
    """Everything ``organisation`` contributed to ``instrument`` and what became of it (at most nine queries).

    :param amendments_visible: include its amendments (not its drafts): only for signed-in viewers.
    :returns: its inputs (by consultation date), then the amendments it
        proposed or co-sponsored (by number).
    """
    inputs = list(
        db.session.scalars(
            _filtered_inputs(instrument, None, organisation.id, None)
            .options(joinedload(Input.consultation), selectinload(Input.organisations), selectinload(Input.clauses))
            .order_by(Consultation.starts_on, Input.id)
        )
    )
    found = evidence(i.id for i in inputs)
    rows = [ReportRow(i.disposition, input=i, evidence=tuple(found.get(i.id, ()))) for i in inputs]
    if amendments_visible:
        sponsored = select(amendment_sponsor.c.amendment_id).where(
            amendment_sponsor.c.organisation_id == organisation.id
        )
        for a in db.session.scalars(
            select(Amendment)
            .where(
                Amendment.instrument_id == instrument.id,
                Amendment.state != S.DRAFT,
                or_(Amendment.organisation_id == organisation.id, Amendment.id.in_(sponsored)),
            )
            .options(
                joinedload(Amendment.clause),
                joinedload(Amendment.result_version).joinedload(ClauseVersion.clause),
                joinedload(Amendment.organisation),
            )
            .order_by(Amendment.id)
        ):
            role = "proposed" if a.organisation_id == organisation.id else "co-sponsored"
            rows.append(ReportRow(AMENDMENT_DISPOSITION.get(a.state, D.PENDING), amendment=a, role=role))
    return rows


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
#: A CSV cell that spreadsheets never run as a formula (one rule for every CSV export).
csv_cell = spreadsheet_cell


REPORT_HEADER = [
    "Type",
    "Number",
    "Title or clause",
    "Consultation",
    "Date",
    "Made by",
    "Role",
    "Disposition",
    "Decision",
    "Reason",
    "Decided on",
    "Reflected in",
]


def report_csv_rows(
    rows: Sequence[ReportRow], *, for_spreadsheet: bool = True, visible: Collection[int] | None = None
) -> list[list[str]]:
    """The rows of :func:`organisation_report` as table cells (header first).

    :param for_spreadsheet: pass each cell through :func:`csv_cell` (for CSV);
        ``False`` keeps the text as it is (for a Word table).
    :param visible: ids of the versions the reader may see
        (:func:`drafter.services.visibility.visible_version_ids`): an amendment's
        resulting version outside it is not named. ``None``: every version.
    """
    out = [REPORT_HEADER]
    for r in rows:
        decided = r.decided_at.strftime("%Y-%m-%d") if r.decided_at else ""
        if r.input is not None:
            i = r.input
            reflected = "; ".join(f"{e.clause.key} version {e.version.seq}" for e in r.evidence)
            cells = [
                "Input",
                i.id,
                i.title,
                i.consultation.title,
                i.consultation.starts_on.isoformat(),
                i.by,
                "",
                i.disposition.label,
                i.kind.label,
                i.disposition_reason,
                decided,
                reflected,
            ]
        elif r.amendment is not None:
            a = r.amendment
            made = a.result_version
            shown = made is not None and (visible is None or made.id in visible)
            result = f"{a.clause.key} version {made.seq}" if made is not None and shown else ""
            cells = [
                "Amendment",
                a.seq,
                f"{a.kind.value.capitalize()} {a.clause.key}",
                "",
                (a.submitted_at or a.created_at).strftime("%Y-%m-%d"),
                a.organisation.name,
                r.role,
                r.disposition.label,
                a.state.label,
                a.reason,
                decided,
                result,
            ]
        else:  # every row is about an input or an amendment
            continue
        out.append([csv_cell(c) if for_spreadsheet else ("" if c is None else str(c)) for c in cells])
    return out


# --- sources of a draft --------------------------------------------------------------


@dataclass(frozen=True)
class ClauseSources:
    """The inputs behind one clause of a draft.

    :ivar row: the clause as it stands in the draft.
    :ivar reflected: ``(input, version)`` for every version up to the draft's
        one that reflects an input.
    :ivar concerns: inputs linked to the clause but not reflected in it by this draft.
    """

    row: StateRow
    reflected: list[tuple[Input, ClauseVersion]]
    concerns: list[Input]


def draft_sources(draft: Draft) -> list[ClauseSources]:
    """For each clause of ``draft`` that has inputs, which ones (at most eight queries).

    :returns: clauses in document order; clauses without any input are left out.
    """
    rows = draft_state(draft)
    by_clause = {r.clause.id: r for r in rows}
    if not by_clause:
        return []
    clause_ids = list(by_clause)
    via_amendment = db.session.execute(
        select(input_amendment.c.input_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.amendment_id == input_amendment.c.amendment_id)
        .where(ClauseVersion.clause_id.in_(clause_ids))
    ).all()
    via_edit = db.session.execute(
        select(input_version.c.input_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == input_version.c.version_id)
        .where(ClauseVersion.clause_id.in_(clause_ids))
    ).all()
    concerned = db.session.execute(
        select(input_clause.c.input_id, input_clause.c.clause_id).where(input_clause.c.clause_id.in_(clause_ids))
    ).all()
    # A version counts for the draft when the draft holds it or a later version of the clause.
    reflected = [(i, v) for i, v in [*via_amendment, *via_edit] if v.seq <= by_clause[v.clause_id].version.seq]
    inputs = _load_inputs({i for i, _ in reflected} | {i for i, _ in concerned})
    # Grouped by clause first: one pass over the links, not one per clause of the draft.
    reflected_by_clause: dict[int, list] = {}
    for i, v in reflected:
        reflected_by_clause.setdefault(v.clause_id, []).append((inputs[i], v))
    concerned_by_clause: dict[int, set[int]] = {}
    for i, c in concerned:
        concerned_by_clause.setdefault(c, set()).add(i)
    out = []
    for r in rows:
        mine = sorted(reflected_by_clause.get(r.clause.id, []), key=lambda p: (p[1].seq, p[0].id))
        shown = {i.id for i, _ in mine}
        concerns = sorted(
            (inputs[i] for i in concerned_by_clause.get(r.clause.id, ()) if i not in shown), key=lambda i: i.id
        )
        if mine or concerns:
            out.append(ClauseSources(r, mine, concerns))
    return out


def organisations_with_records(
    instrument: Instrument, *, amendments_visible: bool
) -> list[tuple[Organisation, int, int]]:
    """Organisations that made inputs (or amendments) on ``instrument``, with counts (one query).

    :returns: ``(organisation, number of inputs, number of amendments)`` by name;
        amendment counts are 0 when ``amendments_visible`` is false.
    """
    n_inputs = (
        select(func.count())
        .select_from(input_organisation)
        .join(Input, Input.id == input_organisation.c.input_id)
        .join(Consultation, Consultation.id == Input.consultation_id)
        .where(input_organisation.c.organisation_id == Organisation.id, Consultation.instrument_id == instrument.id)
        .scalar_subquery()
    )
    n_amendments = (
        select(func.count())
        .select_from(Amendment)
        .where(
            Amendment.instrument_id == instrument.id,
            Amendment.state != S.DRAFT,
            Amendment.organisation_id == Organisation.id,
        )
        .scalar_subquery()
        if amendments_visible
        else literal(0)
    )
    rows = db.session.execute(select(Organisation, n_inputs, n_amendments).order_by(Organisation.name)).all()
    return [(o, a, b) for o, a, b in rows if a or b]
