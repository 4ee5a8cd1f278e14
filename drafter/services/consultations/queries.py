"""What feeds the consultation pages: who may do what, the register's counts, inputs and their evidence.

Nothing here writes. The ``can_*`` predicates decide per object what the
pages offer and what :mod:`~drafter.services.consultations.operations`
allows; the rest are reads in a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Consultation,
    Disposition,
    Input,
    Instrument,
    Organisation,
    VersionCause,
    input_amendment,
    input_organisation,
    input_version,
)
from drafter.services.drafts import StateRow, current_state
from instrument.amendments import AmendmentState


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --- reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A version of the text that reflects an input.

    :ivar version: the version (its clause loaded).
    :ivar amendment_id: the amendment that made it and cites the input, or
        ``None`` for a secretariat edit citing it directly.
    """

    version: ClauseVersion
    amendment_id: int | None

    @property
    def clause(self) -> Clause:
        """The clause the version belongs to."""
        return self.version.clause


def evidence(input_ids: Iterable[int]) -> dict[int, list[Evidence]]:
    """The versions that reflect each input (computed reflection), in two queries.

    A version reflects an input when it was made by an accepted amendment
    that cites the input, or is a secretariat edit that cites it.

    :param input_ids: ids of inputs.
    :returns: input id -> list of :class:`Evidence` in version order (inputs
        without any are absent).
    """
    ids = list(set(input_ids))
    out: dict[int, list[Evidence]] = {}
    if not ids:
        return out
    by_amendment = db.session.execute(
        select(input_amendment.c.input_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.amendment_id == input_amendment.c.amendment_id)
        .where(input_amendment.c.input_id.in_(ids), ClauseVersion.cause == VersionCause.AMENDMENT)
        .options(joinedload(ClauseVersion.clause))
    ).all()
    direct = db.session.execute(
        select(input_version.c.input_id, ClauseVersion)
        .join(ClauseVersion, ClauseVersion.id == input_version.c.version_id)
        .where(input_version.c.input_id.in_(ids))
        .options(joinedload(ClauseVersion.clause))
    ).all()
    for input_id, version in by_amendment:
        out.setdefault(input_id, []).append(Evidence(version, version.amendment_id))
    for input_id, version in direct:
        out.setdefault(input_id, []).append(Evidence(version, None))
    for items in out.values():
        items.sort(key=lambda e: (e.version.clause.position, e.version.seq))
    return out


def sources_of_versions(versions: Sequence[ClauseVersion]) -> dict[int, list[Input]]:
    """The inputs behind each version, through its cause, in at most three queries.

    ``amendment`` -> the inputs its amendment cites; ``edit`` -> the inputs
    cited on the version; ``import``/``restore`` -> none.

    :param versions: versions (of any clauses).
    :returns: version id -> inputs (organisations and consultation loaded), by input id.
    """
    by_amendment: dict[int, list[int]] = {}
    edits: list[int] = []
    for v in versions:
        if v.cause is VersionCause.AMENDMENT and v.amendment_id is not None:
            by_amendment.setdefault(v.amendment_id, []).append(v.id)
        elif v.cause is VersionCause.EDIT:
            edits.append(v.id)
    out: dict[int, list[Input]] = {}
    if not by_amendment and not edits:
        return out
    options = (selectinload(Input.organisations), joinedload(Input.consultation))
    rows = []
    if by_amendment:
        rows += [
            (version_id, item)
            for amendment_id, item in db.session.execute(
                select(input_amendment.c.amendment_id, Input)
                .join(Input, Input.id == input_amendment.c.input_id)
                .where(input_amendment.c.amendment_id.in_(list(by_amendment)))
                .options(*options)
            ).all()
            for version_id in by_amendment[amendment_id]
        ]
    if edits:
        rows += db.session.execute(
            select(input_version.c.version_id, Input)
            .join(Input, Input.id == input_version.c.input_id)
            .where(input_version.c.version_id.in_(edits))
            .options(*options)
        ).all()
    for version_id, item in rows:
        out.setdefault(version_id, []).append(item)
    for items in out.values():
        items.sort(key=lambda i: i.id)
    return out


def disposition_counts(
    consultation: Consultation | None = None, *, instrument: Instrument | None = None
) -> dict[Disposition, int]:
    """How many inputs are in each state, in one query.

    :param consultation: count this consultation's inputs; or
    :param instrument: count every input on this instrument.
    :returns: every :class:`Disposition` mapped to its count (zero when none).
    """
    stmt = select(Input.disposition, func.count()).group_by(Input.disposition)
    if consultation is not None:
        stmt = stmt.where(Input.consultation_id == consultation.id)
    elif instrument is not None:
        stmt = stmt.join(Consultation, Consultation.id == Input.consultation_id).where(
            Consultation.instrument_id == instrument.id
        )
    counts = dict.fromkeys(Disposition, 0)
    for value, n in db.session.execute(stmt):
        counts[Disposition(value)] = n
    return counts


def list_consultations(instrument: Instrument) -> list[tuple[Consultation, int]]:
    """The instrument's consultations, latest first, each with its number of inputs (one query)."""
    n_inputs = select(func.count()).select_from(Input).where(Input.consultation_id == Consultation.id).scalar_subquery()
    rows = db.session.execute(
        select(Consultation, n_inputs)
        .where(Consultation.instrument_id == instrument.id)
        .options(joinedload(Consultation.organiser))
        .order_by(Consultation.starts_on.desc(), Consultation.id.desc())
    ).all()
    return [(c, n) for c, n in rows]


def inputs_of(consultation: Consultation, *, page: int = 1, per_page: int = 50) -> tuple[list[Input], int]:
    """One page of a consultation's inputs in the order recorded, organisations and clauses loaded (four queries).

    :returns: ``(inputs, total number of inputs)``.
    """
    total = db.session.execute(
        select(func.count()).select_from(Input).where(Input.consultation_id == consultation.id)
    ).scalar_one()
    items = db.session.scalars(
        select(Input)
        .where(Input.consultation_id == consultation.id)
        .options(selectinload(Input.organisations), selectinload(Input.clauses))
        .order_by(Input.id)
        .limit(per_page)
        .offset((max(1, page) - 1) * per_page)
    )
    return list(items), total


def get_input(instrument: Instrument, input_id: int) -> Input | None:
    """The input ``input_id`` if it was made on ``instrument``, with everything its page shows loaded.

    Consultation, organisations, clauses (with their current versions),
    amendments (with organisation and result version) and cited versions
    (with their clauses) are loaded in a bounded number of queries.
    """
    return db.session.scalar(
        select(Input)
        .join(Consultation, Consultation.id == Input.consultation_id)
        .where(Input.id == input_id, Consultation.instrument_id == instrument.id)
        .options(
            joinedload(Input.consultation).joinedload(Consultation.organiser),
            selectinload(Input.organisations),
            selectinload(Input.clauses).joinedload(Clause.current_version),
            selectinload(Input.amendments).joinedload(Amendment.organisation),
            selectinload(Input.amendments).joinedload(Amendment.result_version).joinedload(ClauseVersion.clause),
            selectinload(Input.amendments).joinedload(Amendment.clause),
            selectinload(Input.versions).joinedload(ClauseVersion.clause),
            joinedload(Input.decided_by),
        )
    )


def inputs_cited_by(amendment: Amendment) -> list[Input]:
    """The inputs ``amendment`` cites, organisations and consultation loaded (two queries)."""
    return list(
        db.session.scalars(
            select(Input)
            .join(input_amendment, input_amendment.c.input_id == Input.id)
            .where(input_amendment.c.amendment_id == amendment.id)
            .options(selectinload(Input.organisations), joinedload(Input.consultation))
            .order_by(Input.id)
        )
    )


def inputs_by_amendment(amendment_ids: Iterable[int]) -> dict[int, list[Input]]:
    """The inputs each amendment cites, organisations and consultation loaded (two queries).

    :param amendment_ids: ids of amendments.
    :returns: amendment id -> its inputs by id (amendments citing none are absent).
    """
    ids = list(set(amendment_ids))
    out: dict[int, list[Input]] = {}
    if not ids:
        return out
    for amendment_id, item in db.session.execute(
        select(input_amendment.c.amendment_id, Input)
        .join(Input, Input.id == input_amendment.c.input_id)
        .where(input_amendment.c.amendment_id.in_(ids))
        .options(selectinload(Input.organisations), joinedload(Input.consultation))
        .order_by(Input.id)
    ):
        out.setdefault(amendment_id, []).append(item)
    return out


def citable_inputs(instrument: Instrument, *, organisation_id: int | None = None) -> list[Input]:
    """Inputs on ``instrument`` that may still be cited (not withdrawn), for choice lists (two queries).

    :param organisation_id: only inputs this organisation made (or co-made).
    """
    stmt = (
        select(Input)
        .join(Consultation, Consultation.id == Input.consultation_id)
        .where(Consultation.instrument_id == instrument.id, Input.disposition != Disposition.WITHDRAWN)
        .options(selectinload(Input.organisations), joinedload(Input.consultation))
        .order_by(Consultation.starts_on, Input.id)
    )
    if organisation_id is not None:
        stmt = stmt.where(
            Input.id.in_(
                select(input_organisation.c.input_id).where(input_organisation.c.organisation_id == organisation_id)
            )
        )
    return list(db.session.scalars(stmt))


def edit_versions_of(clauses: Sequence[Clause]) -> list[ClauseVersion]:
    """The secretariat edits (cause ``edit``) of ``clauses``, newest first, for the cite form (one query)."""
    ids = [c.id for c in clauses]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(ClauseVersion)
            .where(ClauseVersion.clause_id.in_(ids), ClauseVersion.cause == VersionCause.EDIT)
            .options(joinedload(ClauseVersion.clause))
            .order_by(ClauseVersion.created_at.desc(), ClauseVersion.id.desc())
        )
    )


def link_choices(
    instrument: Instrument, item: Input
) -> dict[str, list[StateRow] | list[Amendment] | list[ClauseVersion]]:
    """What the secretariat may still link ``item`` to, for the link forms of its page.

    :param instrument: the instrument the input was made on.
    :param item: the input, its clauses, amendments and versions loaded (:func:`get_input`).
    :returns: ``{"clauses": [StateRow of clauses it does not concern yet],
        "amendments": [amendments (not private drafts) of the clauses it concerns, not citing it yet, by id],
        "versions": [edit versions of those clauses it is not cited on yet, newest first]}``.
    """
    return {
        "clauses": [r for r in current_state(instrument) if r.clause.id not in {c.id for c in item.clauses}],
        "amendments": list(
            db.session.scalars(
                select(Amendment)
                .where(
                    Amendment.clause_id.in_([c.id for c in item.clauses]),
                    Amendment.state != AmendmentState.DRAFT,
                    Amendment.id.not_in([a.id for a in item.amendments]),
                )
                .options(joinedload(Amendment.organisation), joinedload(Amendment.clause))
                .order_by(Amendment.id)
            )
        )
        if item.clauses
        else [],
        "versions": [v for v in edit_versions_of(item.clauses) if v.id not in {x.id for x in item.versions}],
    }


def search_organisations(ids: Iterable[int] | None = None) -> list[Organisation]:
    """Organisations by name (all, or those with ``ids``), for choice lists (one query)."""
    stmt = select(Organisation).order_by(Organisation.name)
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(list(ids)))
    return list(db.session.scalars(stmt))
