"""Traceability pages: provenance of a clause's text, the disposition register, the matrix and reports.

Reading only. Anyone who may read the instrument may read these pages;
amendments (and their decisions) are listed only for signed-in accounts,
as on the amendment pages, except where the clause's own history already
names them (the amendment that made a version).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from drafter import permissions
from drafter.extensions import db
from drafter.models import Disposition, Organisation
from drafter.services import traceability as service
from drafter.services import visibility
from drafter.services.consultations import queries as consultation_queries
from drafter.views.loaders import (
    get_clause_or_404,
    get_draft_or_404,
    get_instrument_or_404,
    past_the_last_page,
    requested_page,
)
from instrument.export.docx import to_table_docx

bp = Blueprint("traceability", __name__)

PER_PAGE = 25


def _signed_in() -> bool:
    return permissions.is_active_user(current_user)


def _int_arg(name: str) -> int | None:
    """A whole-number query argument, ``None`` when absent or empty.

    :raises BadRequest: (400) for anything else.
    """
    value = request.args.get(name, "")
    if value == "":
        return None
    if not value.isdigit():
        abort(400, f"“{name}” must be a whole number.")
    return int(value)


def _disposition_arg() -> Disposition | None:
    value = request.args.get("disposition", "")
    if value == "":
        return None
    try:
        return Disposition(value)
    except ValueError:
        abort(400, "Unknown disposition; choose one from the list.")


def _for_reader(instrument, rows: list) -> tuple[list, set[int]]:
    """Register entries or report rows as the visitor may read them.

    Evidence in versions the visitor may not see (the working draft's) is left
    out, and the ids of the versions the visitor may see among the rows'
    evidence and amendment results are returned, for the templates to link
    only those (:mod:`drafter.services.visibility`).

    :returns: ``(rows, ids of visible versions)``.
    """
    versions = [e.version.id for r in rows for e in r.evidence]
    versions += [r.amendment.result_version_id for r in rows if r.amendment is not None]
    seen = visibility.visible_version_ids(current_user, instrument, [v for v in versions if v is not None])
    return [dataclasses.replace(r, evidence=tuple(e for e in r.evidence if e.version.id in seen)) for r in rows], seen


@bp.get("/i/<slug>/c/<uid>/provenance")
def provenance(slug: str, uid: str):
    """Where did this sentence come from? The text of a version with each span attributed to its origin.

    Only versions the visitor may see are offered and shown (:mod:`drafter.services.visibility`);
    the default version is the one the visitor reads now.

    :raises NotFound: (404) for a version the visitor may not see, or a clause never published.
    """
    instrument = get_instrument_or_404(slug)
    clause = get_clause_or_404(instrument, uid)
    reading = visibility.reader_version(current_user, clause)
    seqs = [v.seq for v in visibility.visible_versions(current_user, clause)]
    seq = _int_arg("version")
    if seq is None and reading.version is not None:
        seq = reading.version.seq
    if seq is not None and seq not in seqs:
        abort(404, f"{clause.key} has no version {seq} that you may read.")
    # The words of the version shown are traced through every version before it: a stretch an
    # amendment wrote between two drafts stays that amendment's, though only published versions are listed.
    prov = service.provenance(clause, seq)
    return render_template(
        "traceability/provenance.html",
        instrument=instrument,
        clause=clause,
        prov=prov,
        signed_in=_signed_in(),
        seqs=seqs[::-1],
        # The redline of each version the visitor may see leads from the one before it.
        previous={b: a for a, b in itertools.pairwise(seqs)},
        reader_seq=reading.version.seq if reading.version is not None else None,
        reader_label=reading.version.label if reading.version is not None else clause.key,
        working=reading.draft is None,
    )


def _filters_from_args() -> service.RegisterFilters:
    what = request.args.get("what", "")
    if what not in ("", "inputs", "amendments"):
        abort(400, "“what” must be inputs or amendments.")
    return service.RegisterFilters(
        what=what or None,
        disposition=_disposition_arg(),
        consultation_id=_int_arg("consultation"),
        organisation_id=_int_arg("organisation"),
        amendments_visible=_signed_in(),
    )


def _choices(instrument):
    consultations = [c for c, _ in consultation_queries.list_consultations(instrument)]
    organisations = [o for o, _, _ in service.organisations_with_records(instrument, amendments_visible=_signed_in())]
    return consultations, organisations


@bp.get("/i/<slug>/register")
def register(slug: str):
    """The disposition register: every input and every amendment with what was done with it."""
    instrument = get_instrument_or_404(slug)
    consultations, organisations = _choices(instrument)
    filters = _filters_from_args()
    page = service.register(instrument, filters, page=requested_page(strict=True), per_page=PER_PAGE)
    if beyond := past_the_last_page(page.page, page.pages):
        return beyond
    items, seen = _for_reader(instrument, page.items)
    page = dataclasses.replace(page, items=items)
    return render_template(
        "traceability/register.html",
        instrument=instrument,
        page=page,
        visible_version_ids=seen,
        counts=service.register_counts(instrument, filters),
        filters=filters,
        consultations=consultations,
        organisations=organisations,
        dispositions=list(Disposition),
        signed_in=_signed_in(),
    )


@bp.get("/i/<slug>/matrix")
def matrix(slug: str):
    """The traceability matrix: inputs (rows) x the clauses they concern or shaped (columns)."""
    instrument = get_instrument_or_404(slug)
    consultations, organisations = _choices(instrument)
    m = service.matrix(
        instrument,
        consultation_id=_int_arg("consultation"),
        organisation_id=_int_arg("organisation"),
        disposition=_disposition_arg(),
        page=requested_page(strict=True),
        per_page=20,
    )
    if beyond := past_the_last_page(m.page.page, m.page.pages):
        return beyond
    # Columns and links name only text the visitor may read (drafter/services/visibility.py).
    read = visibility.reader_versions(current_user, instrument, [c.id for c in m.clauses])
    seen = visibility.visible_version_ids(
        current_user, instrument, [v.id for c in m.cells.values() for v in c.versions]
    )
    m = service.Matrix(
        m.page,
        [c for c in m.clauses if c.id in read],
        {k: dataclasses.replace(c, versions=tuple(v for v in c.versions if v.id in seen)) for k, c in m.cells.items()},
    )
    return render_template(
        "traceability/matrix.html",
        instrument=instrument,
        labels={clause_id: v.label for clause_id, v in read.items()},
        m=m,
        consultations=consultations,
        organisations=organisations,
        dispositions=list(Disposition),
        args=request.args,
    )


@bp.get("/i/<slug>/organisations/")
def organisations(slug: str):
    """The organisations that took part, each with its response report."""
    instrument = get_instrument_or_404(slug)
    return render_template(
        "traceability/organisations.html",
        instrument=instrument,
        rows=service.organisations_with_records(instrument, amendments_visible=_signed_in()),
        signed_in=_signed_in(),
    )


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404, f"There is no organisation {organisation_id}.")
    return organisation


@bp.get("/i/<slug>/organisations/<int:organisation_id>/report")
def organisation_report(slug: str, organisation_id: int):
    """An organisation's response report: its inputs and amendments, each with its disposition and reason."""
    instrument = get_instrument_or_404(slug)
    organisation = _organisation_or_404(organisation_id)
    rows, seen = _for_reader(
        instrument, service.organisation_report(instrument, organisation, amendments_visible=_signed_in())
    )
    return render_template(
        "traceability/organisation_report.html",
        instrument=instrument,
        organisation=organisation,
        rows=rows,
        visible_version_ids=seen,
        signed_in=_signed_in(),
    )


@bp.get("/i/<slug>/organisations/<int:organisation_id>/report.csv")
def organisation_report_csv(slug: str, organisation_id: int):
    """The response report as CSV (UTF-8 with a byte-order mark for spreadsheets; formula-safe cells)."""
    instrument = get_instrument_or_404(slug)
    organisation = _organisation_or_404(organisation_id)
    rows, seen = _for_reader(
        instrument, service.organisation_report(instrument, organisation, amendments_visible=_signed_in())
    )
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(service.report_csv_rows(rows, visible=seen))
    name = f"{instrument.slug}-responses-{organisation.id}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/i/<slug>/organisations/<int:organisation_id>/report.docx")
def organisation_report_docx(slug: str, organisation_id: int):
    """The response report as a Word table (landscape, header row repeated on each page)."""
    instrument = get_instrument_or_404(slug)
    organisation = _organisation_or_404(organisation_id)
    rows, seen = _for_reader(
        instrument, service.organisation_report(instrument, organisation, amendments_visible=_signed_in())
    )
    header, *cells = service.report_csv_rows(rows, for_spreadsheet=False, visible=seen)
    today = datetime.now(UTC)
    content = to_table_docx(
        f"{instrument.short_title or instrument.title}: responses to {organisation.name}",
        f"Inputs and amendments of {organisation.name}, each with its disposition and reason",
        header,
        cells,
        date_line=f"Compiled on {today:%d %B %Y}",
        author="Secretariat",
        created=today,
    )
    name = f"{instrument.slug}-responses-{organisation.id}.docx"
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/i/<slug>/drafts/<int:number>/sources")
def draft_sources(slug: str, number: int):
    """Appendix to Draft ``number``: for each clause, the consultation inputs behind it."""
    instrument = get_instrument_or_404(slug)
    draft = get_draft_or_404(instrument, number)
    sections = service.draft_sources(draft)
    return render_template(
        "traceability/draft_sources.html",
        instrument=instrument,
        draft=draft,
        sections=sections,
        # A version made between two drafts is linked only for those who may see it.
        visible_version_ids=visibility.visible_version_ids(
            current_user, instrument, [v.id for s in sections for _, v in s.reflected]
        ),
    )
