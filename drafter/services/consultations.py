"""Consultations and their inputs: recording them, linking them to the text, answering each one.

Who does what (the web layer checks the audience, these functions check
the person again):

* the secretariat records consultations and inputs, links inputs to
  clauses, amendments and edit versions, and gives each input its
  disposition;
* a stakeholder may submit a written input to a written call that is open
  (:meth:`~drafter.models.Consultation.is_open`), on behalf of their own
  organisation, and may withdraw their organisation's input while it is
  pending; members of an amendment's proposing organisation may cite inputs
  on it while it is open.

The register's rules (see :class:`~drafter.models.Disposition`):

* ``not_reflected`` and ``noted`` need a written reason;
* *reflection is computed, the disposition is decided*: an input is
  reflected in a version of the text when that version cites it through
  its cause (an accepted amendment that cites the input, or a secretariat
  edit that cites it); :func:`evidence` lists those versions. The secretariat's
  ``reflected`` or ``reflected_in_part`` is only accepted while there is
  such a version, and the last link that makes one cannot be removed while
  the disposition says so. Links alone never change a disposition: an input
  whose text went in stays ``pending`` until the secretariat answers it (the
  register shows it as "in the text, not yet answered"), because the
  answer, "in full" or "in part", is a judgement that no link can make;
* an input that decisions or versions refer to is never deleted: deleting
  is refused unless the input is still pending and no amendment or edit
  cites it (the database's ``ON DELETE RESTRICT`` is the last guard);
  withdrawing keeps the row.

Every change writes an audit event. Services flush and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Consultation,
    ConsultationKind,
    Disposition,
    Input,
    InputKind,
    Instrument,
    Organisation,
    User,
    VersionCause,
    input_amendment,
    input_clause,
    input_organisation,
    input_version,
)
from drafter.permissions import is_active_user, is_secretariat
from drafter.services import audit
from drafter.services.attachments import StoredAttachment
from instrument.amendments import OPEN_STATES, AmendmentState

MAX_SUMMARY = 20_000
MAX_REASON = 5_000
MAX_TITLE = 300

#: Amendment states in which its proposers may still cite inputs on it.
_OPEN_AMENDMENT = OPEN_STATES


class ConsultationRefused(ValueError):
    """A change that cannot be made as given; shown as a form error (400). Nothing was written.

    :ivar field: the form field the message belongs to, or ``None``.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotPermitted(ConsultationRefused):
    """The acting user may not make this change (403)."""


class InputInUse(ConsultationRefused):
    """An input that decisions or versions refer to cannot be deleted (409); withdraw it instead."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _text(value: str | None, *, limit: int, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ConsultationRefused(f"{what} is too long ({len(value)} characters; at most {limit}).", field)
    return value


# --- who may do what -----------------------------------------------------------------


def can_submit(user: User | None, consultation: Consultation, now: datetime | None = None) -> bool:
    """May ``user`` send a written input to ``consultation`` now?

    The secretariat may always record inputs; any other active account
    with an organisation may submit to a written call while it is open.
    """
    if is_secretariat(user):
        return True
    return is_active_user(user) and user.organisation_id is not None and consultation.is_open(_now(now))


def can_withdraw(user: User | None, item: Input) -> bool:
    """May ``user`` withdraw ``item``?

    The secretariat always; members of its organisations while it is
    pending (or already withdrawn, which changes nothing).
    """
    if is_secretariat(user):
        return True
    return (
        is_active_user(user)
        and item.disposition in (Disposition.PENDING, Disposition.WITHDRAWN)
        and user.organisation_id in {o.id for o in item.organisations}
    )


def can_cite_on_amendment(user: User | None, amendment: Amendment) -> bool:
    """May ``user`` change the inputs ``amendment`` cites?

    The secretariat, for any amendment but a private draft; members of the
    proposing organisation while the amendment is open.
    """
    if not is_active_user(user):
        return False
    own = user.organisation_id is not None and user.organisation_id == amendment.organisation_id
    if own and amendment.state in _OPEN_AMENDMENT:
        return True
    return is_secretariat(user) and amendment.state is not AmendmentState.DRAFT


def _require_secretariat(actor: User | None, what: str) -> None:
    if not is_secretariat(actor):
        raise NotPermitted(f"Only the secretariat {what}.")


def _deleted_rows(stmt: Delete) -> int:
    """Run a DELETE and return how many rows it removed."""
    # A DELETE gives a CursorResult; Session.execute is typed for SELECTs only.
    return cast(CursorResult[Any], db.session.execute(stmt)).rowcount


# --- consultations -------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationData:
    """What describes a consultation (the fields of its form).

    :ivar open_until: for a written call, the last moment inputs are taken (aware, UTC).
    """

    title: str
    kind: ConsultationKind | str
    starts_on: date
    ends_on: date | None = None
    place: str = ""
    organiser_id: int | None = None
    summary: str = ""
    open_until: datetime | None = None


def _checked(data: ConsultationData) -> dict:
    """Validate ``data`` into column values.

    :raises ConsultationRefused: for a missing title, an end before the start,
        a closing time on anything but a written call, or an unknown organiser.
    """
    title = _text(data.title, limit=MAX_TITLE, field="title", what="The title")
    if not title:
        raise ConsultationRefused("Give the consultation a title.", "title")
    kind = ConsultationKind(data.kind)
    if data.starts_on is None:
        raise ConsultationRefused("Give the date it took place or opened.", "starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ConsultationRefused("The last day is before the first day.", "ends_on")
    if data.open_until is not None and kind is not ConsultationKind.WRITTEN_CALL:
        raise ConsultationRefused("Only a written call takes inputs until a closing date.", "open_until")
    if data.organiser_id is not None and db.session.get(Organisation, data.organiser_id) is None:
        raise ConsultationRefused("That organisation does not exist.", "organiser_id")
    return {
        "title": title,
        "kind": kind,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "place": _text(data.place, limit=200, field="place", what="The place"),
        "organiser_id": data.organiser_id,
        "summary": _text(data.summary, limit=MAX_SUMMARY, field="summary", what="The summary"),
        "open_until": data.open_until,
    }


def record_consultation(instrument: Instrument, data: ConsultationData, *, actor: User) -> Consultation:
    """The secretariat records a consultation (an event held, or a call for written inputs).

    :param instrument: the instrument consulted on.
    :param data: its description.
    :param actor: a secretariat account.
    :returns: the new, flushed :class:`Consultation`.
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: for unusable data (see :func:`_checked`).
    """
    _require_secretariat(actor, "records consultations")
    consultation = Consultation(instrument_id=instrument.id, created_by_id=actor.id, **_checked(data))
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        "consultation.record",
        consultation,
        actor=actor,
        instrument_id=instrument.id,
        title=consultation.title,
        kind=consultation.kind.value,
    )
    return consultation


def update_consultation(consultation: Consultation, data: ConsultationData, *, actor: User) -> Consultation:
    """The secretariat corrects a consultation's description (or extends a call).

    :returns: the consultation, flushed; the event lists the fields changed with their old values.
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: for unusable data.
    """
    _require_secretariat(actor, "changes consultations")
    values = _checked(data)
    before = {}
    for name, value in values.items():
        old = getattr(consultation, name)
        if old != value:
            before[name] = old.isoformat() if isinstance(old, (date, datetime)) else getattr(old, "value", old)
            setattr(consultation, name, value)
    db.session.flush()
    if before:
        audit.record(
            "consultation.update", consultation, actor=actor, instrument_id=consultation.instrument_id, before=before
        )
    return consultation


# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InputData:
    """What describes an input (the fields of its form)."""

    kind: InputKind | str
    title: str
    summary: str = ""
    organisation_ids: Sequence[int] = ()
    reference_document: str = ""
    reference_page: str = ""


def add_input(
    consultation: Consultation,
    data: InputData,
    *,
    actor: User,
    attachment: StoredAttachment | None = None,
    now: datetime | None = None,
) -> Input:
    """Record an input made at ``consultation``, or take a stakeholder's written submission.

    The secretariat names the organisations that made it (one or more). A
    stakeholder submits for their own organisation only (``organisation_ids``
    is ignored), and only to a written call that is open at ``now``.

    :param consultation: where the input was made.
    :param data: kind, title, summary (Markdown), organisations, reference.
    :param actor: who records or submits it.
    :param attachment: a file already checked and stored by
        :func:`drafter.services.attachments.store`, or ``None``.
    :param now: the time (default: now, UTC), for the call's closing time.
    :returns: the new, flushed :class:`Input`, disposition ``pending``.
    :raises NotPermitted: for a stakeholder when the call is not open (or
        the consultation is not a call), or an account without an organisation.
    :raises ConsultationRefused: for a missing title or organisation, or an
        unknown organisation.
    """
    if not can_submit(actor, consultation, now):
        if consultation.kind is ConsultationKind.WRITTEN_CALL:
            raise NotPermitted("This call for written inputs is closed.")
        raise NotPermitted("Inputs made at this consultation are recorded by the secretariat.")
    title = _text(data.title, limit=MAX_TITLE, field="title", what="The title")
    if not title:
        raise ConsultationRefused("Give the input a short title.", "title")
    summary = _text(data.summary, limit=MAX_SUMMARY, field="summary", what="The summary")
    via_call = not is_secretariat(actor)
    wanted = {actor.organisation_id} if via_call else {int(i) for i in data.organisation_ids}
    if not wanted:
        raise ConsultationRefused("Name the organisation or organisations that made this input.", "organisations")
    organisations = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    if len(organisations) != len(wanted):
        raise ConsultationRefused("One of the organisations does not exist.", "organisations")
    item = Input(
        consultation_id=consultation.id,
        kind=InputKind(data.kind),
        title=title,
        summary=summary,
        reference_document=_text(
            data.reference_document, limit=500, field="reference_document", what="The document title"
        ),
        reference_page=_text(data.reference_page, limit=40, field="reference_page", what="The page"),
        disposition=Disposition.PENDING,
        via_call=via_call,
        recorded_by_id=actor.id,
        organisations=organisations,
    )
    if attachment is not None:
        item.attachment_key = attachment.key
        item.attachment_name = attachment.name
        item.attachment_type = attachment.mimetype
        item.attachment_size = attachment.size
        item.attachment_sha256 = attachment.sha256
    db.session.add(item)
    db.session.flush()
    audit.record(
        "input.submit" if via_call else "input.record",
        item,
        actor=actor,
        instrument_id=consultation.instrument_id,
        consultation=consultation.id,
        kind=item.kind.value,
        organisations=sorted(wanted),
        attachment=attachment.sha256 if attachment is not None else None,
    )
    return item


def _instrument_id(item: Input) -> int:
    return item.consultation.instrument_id


def _linked(table, item: Input, column, value: int) -> bool:
    return bool(db.session.scalar(select(exists().where(table.c.input_id == item.id, column == value))))


def _record_link(verb: str, item: Input, actor: User, **details) -> None:
    audit.record(verb, item, actor=actor, instrument_id=_instrument_id(item), **details)


def link_clause(item: Input, clause: Clause, *, actor: User) -> bool:
    """Record that ``item`` concerns ``clause``.

    :returns: ``True`` when the link is new, ``False`` when it was there already.
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: when ``clause`` belongs to another instrument (field ``clause``).
    """
    _require_secretariat(actor, "links inputs to clauses")
    if clause.instrument_id != _instrument_id(item):
        raise ConsultationRefused("That clause belongs to another instrument.", "clause")
    if _linked(input_clause, item, input_clause.c.clause_id, clause.id):
        return False
    db.session.execute(insert(input_clause).values(input_id=item.id, clause_id=clause.id, created_at=_now(None)))
    db.session.expire(item, ["clauses"])
    _record_link("input.link_clause", item, actor, clause=clause.uid)
    return True


def unlink_clause(item: Input, clause: Clause, *, actor: User) -> bool:
    """Remove the link between ``item`` and ``clause``.

    :returns: ``True`` when a link was removed.
    :raises NotPermitted: for anyone but the secretariat.
    """
    _require_secretariat(actor, "links inputs to clauses")
    if not _deleted_rows(
        delete(input_clause).where(input_clause.c.input_id == item.id, input_clause.c.clause_id == clause.id)
    ):
        return False
    db.session.expire(item, ["clauses"])
    _record_link("input.unlink_clause", item, actor, clause=clause.uid)
    return True


def link_amendment(item: Input, amendment: Amendment, *, actor: User) -> bool:
    """Record that ``amendment`` cites ``item`` (the input motivated it).

    :returns: ``True`` when the link is new.
    :raises NotPermitted: when :func:`can_cite_on_amendment` says no.
    :raises ConsultationRefused: when the amendment is on another instrument (field ``amendment``).
    """
    if not can_cite_on_amendment(actor, amendment):
        raise NotPermitted(f"You may not change the inputs {amendment.title} cites.")
    if amendment.instrument_id != _instrument_id(item):
        raise ConsultationRefused(f"{amendment.title} is an amendment of another instrument.", "amendment")
    if _linked(input_amendment, item, input_amendment.c.amendment_id, amendment.id):
        return False
    db.session.execute(
        insert(input_amendment).values(input_id=item.id, amendment_id=amendment.id, created_at=_now(None))
    )
    db.session.expire(item, ["amendments"])
    _record_link("input.link_amendment", item, actor, amendment=amendment.id)
    return True


def unlink_amendment(item: Input, amendment: Amendment, *, actor: User) -> bool:
    """Remove ``item`` from the inputs ``amendment`` cites.

    :returns: ``True`` when a link was removed.
    :raises NotPermitted: when :func:`can_cite_on_amendment` says no.
    :raises ConsultationRefused: when the link is the last evidence of a
        ``reflected``/``reflected_in_part`` disposition.
    """
    if not can_cite_on_amendment(actor, amendment):
        raise NotPermitted(f"You may not change the inputs {amendment.title} cites.")
    _keep_evidence(item, amendment_id=amendment.id)
    if not _deleted_rows(
        delete(input_amendment).where(
            input_amendment.c.input_id == item.id, input_amendment.c.amendment_id == amendment.id
        )
    ):
        return False
    db.session.expire(item, ["amendments"])
    _record_link("input.unlink_amendment", item, actor, amendment=amendment.id)
    return True


def set_amendment_inputs(amendment: Amendment, input_ids: Iterable[int], *, actor: User) -> tuple[int, int]:
    """Make ``amendment`` cite exactly the inputs ``input_ids`` (links added and removed one by one).

    :returns: ``(number added, number removed)``.
    :raises NotPermitted: when :func:`can_cite_on_amendment` says no.
    :raises ConsultationRefused: for an input of another instrument or an
        unknown one (field ``inputs``), or a removal that would leave a
        reflected input without evidence.
    """
    if not can_cite_on_amendment(actor, amendment):
        raise NotPermitted(f"You may not change the inputs {amendment.title} cites.")
    wanted = {int(i) for i in input_ids}
    current = {i.id: i for i in inputs_cited_by(amendment)}
    new = {
        i.id: i
        for i in db.session.scalars(
            select(Input).where(Input.id.in_(wanted - set(current))).options(joinedload(Input.consultation))
        )
    }
    if len(new) != len(wanted - set(current)):
        raise ConsultationRefused("One of the inputs does not exist.", "inputs")
    added = sum(link_amendment(item, amendment, actor=actor) for item in new.values())
    removed = sum(unlink_amendment(item, amendment, actor=actor) for i, item in current.items() if i not in wanted)
    return added, removed


def cite_in_version(item: Input, version: ClauseVersion, *, actor: User) -> bool:
    """Record that a secretariat edit (a version with cause ``edit``) answers ``item``.

    Versions made by amendments get their sources from the amendment
    (:func:`link_amendment`); imported versions have none.

    :returns: ``True`` when the link is new.
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: for a version that is not an edit, or of another instrument (field ``version``).
    """
    _require_secretariat(actor, "cites inputs on edits")
    if version.clause.instrument_id != _instrument_id(item):
        raise ConsultationRefused("That version belongs to another instrument.", "version")
    if version.cause is not VersionCause.EDIT:
        raise ConsultationRefused(
            f"Version {version.seq} of {version.clause.key} was made by {version.cause.value}, not by an edit: "
            + (
                "cite the input on its amendment instead."
                if version.cause is VersionCause.AMENDMENT
                else "it has no sources."
            ),
            "version",
        )
    if _linked(input_version, item, input_version.c.version_id, version.id):
        return False
    db.session.execute(insert(input_version).values(input_id=item.id, version_id=version.id, created_at=_now(None)))
    db.session.expire(item, ["versions"])
    _record_link("input.cite_version", item, actor, clause=version.clause.uid, version=version.id, seq=version.seq)
    return True


def uncite_version(item: Input, version: ClauseVersion, *, actor: User) -> bool:
    """Remove the citation of ``item`` from an edit version.

    :returns: ``True`` when a link was removed.
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: when the link is the last evidence of a reflected disposition.
    """
    _require_secretariat(actor, "cites inputs on edits")
    _keep_evidence(item, version_id=version.id)
    if not _deleted_rows(
        delete(input_version).where(input_version.c.input_id == item.id, input_version.c.version_id == version.id)
    ):
        return False
    db.session.expire(item, ["versions"])
    _record_link("input.uncite_version", item, actor, clause=version.clause.uid, version=version.id)
    return True


def _keep_evidence(item: Input, *, amendment_id: int | None = None, version_id: int | None = None) -> None:
    """Refuse removing a link when the disposition claims reflection and no other evidence would remain."""
    if not item.disposition.needs_evidence:
        return
    left = [
        e
        for e in evidence([item.id]).get(item.id, [])
        if not (amendment_id is not None and e.amendment_id == amendment_id)
        and not (version_id is not None and e.version.id == version_id and e.amendment_id is None)
    ]
    if not left:
        raise ConsultationRefused(
            f"This is the last version that reflects the input, whose disposition is "
            f"“{item.disposition.label.lower()}”. Change the disposition first.",
            "link",
        )


def set_disposition(
    item: Input,
    disposition: Disposition | str,
    *,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Input:
    """The secretariat answers an input.

    :param item: the input.
    :param disposition: the answer; ``pending`` reopens it.
    :param actor: a secretariat account.
    :param reason: required for ``not_reflected`` and ``noted``; kept for the others when given.
    :param now: the time of the decision (default: now, UTC).
    :returns: the input, flushed; decider and time are set (cleared for ``pending``).
    :raises NotPermitted: for anyone but the secretariat.
    :raises ConsultationRefused: for a missing reason (field ``reason``), or
        ``reflected``/``reflected_in_part`` while no version of the text cites
        the input (field ``disposition``).
    """
    _require_secretariat(actor, "answers inputs")
    target = Disposition(disposition)
    reason = _text(reason, limit=MAX_REASON, field="reason", what="The reason")
    if target.needs_reason and not reason:
        what = "is outside the instrument's scope" if target is Disposition.NOTED else "is not reflected in the text"
        raise ConsultationRefused(f"Explain why the input {what}; the organisation will read this.", "reason")
    if target.needs_evidence and not evidence([item.id]).get(item.id):
        raise ConsultationRefused(
            "No version of the text cites this input yet. Link it to the accepted amendment or the edit "
            "that reflects it, then mark it reflected.",
            "disposition",
        )
    before = item.disposition
    item.disposition = target
    item.disposition_reason = reason
    if target is Disposition.PENDING:
        item.decided_by_id, item.decided_at = None, None
    else:
        item.decided_by_id, item.decided_at = actor.id, _now(now)
    db.session.flush()
    audit.record(
        "input.disposition",
        item,
        actor=actor,
        instrument_id=_instrument_id(item),
        before=before.value,
        after=target.value,
        reason=reason,
    )
    return item


def withdraw_input(item: Input, *, actor: User, reason: str = "", now: datetime | None = None) -> Input:
    """Withdraw an input: it stays in the register as ``withdrawn`` with its links.

    Withdrawing an input that is already withdrawn changes nothing.

    :returns: the input, flushed.
    :raises NotPermitted: when :func:`can_withdraw` says no.
    """
    if not can_withdraw(actor, item):
        raise NotPermitted(
            "Only the organisations that made this input, while it is pending, or the secretariat may withdraw it."
        )
    if item.disposition is Disposition.WITHDRAWN:
        return item
    before = item.disposition
    item.disposition = Disposition.WITHDRAWN
    item.disposition_reason = _text(reason, limit=MAX_REASON, field="reason", what="The reason")
    item.decided_by_id, item.decided_at = actor.id, _now(now)
    db.session.flush()
    audit.record(
        "input.withdraw",
        item,
        actor=actor,
        instrument_id=_instrument_id(item),
        before=before.value,
        reason=item.disposition_reason,
    )
    return item


def delete_input(item: Input, *, actor: User) -> str | None:
    """Delete an input recorded by mistake.

    Only a pending input that no amendment and no version cites may go; its
    organisation and clause links go with it. Anything else is kept: the
    caller offers withdrawing instead.

    :returns: the key of its stored attachment (remove the file after the
        commit), or ``None``.
    :raises NotPermitted: for anyone but the secretariat.
    :raises InputInUse: when decisions or versions refer to it (the
        database refuses too, ``ON DELETE RESTRICT``); nothing is written.
    """
    _require_secretariat(actor, "deletes inputs")
    cited = db.session.scalar(
        select(
            select(func.count())
            .select_from(input_amendment)
            .where(input_amendment.c.input_id == item.id)
            .scalar_subquery()
            + select(func.count())
            .select_from(input_version)
            .where(input_version.c.input_id == item.id)
            .scalar_subquery()
        )
    )
    if cited or item.disposition is not Disposition.PENDING:
        raise InputInUse(
            f"“{item.title}” cannot be deleted: "
            + (
                "amendments or edits of the text cite it"
                if cited
                else f"it has been answered ({item.disposition.label.lower()})"
            )
            + ". Withdraw it instead; it then stays in the register with its history."
        )
    key, consultation_id, instrument_id = item.attachment_key, item.consultation_id, _instrument_id(item)
    details = {
        "title": item.title,
        "organisations": [o.id for o in item.organisations],
        "consultation": consultation_id,
    }
    try:
        with db.session.begin_nested():
            db.session.execute(delete(Input).where(Input.id == item.id))
    except IntegrityError as exc:  # a citation made meanwhile
        raise InputInUse(f"“{item.title}” is cited by an amendment or an edit; withdraw it instead.") from exc
    db.session.expunge(item)
    audit.record("input.delete", None, actor=actor, instrument_id=instrument_id, input=item.id, **details)
    return key


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


def search_organisations(ids: Iterable[int] | None = None) -> list[Organisation]:
    """Organisations by name (all, or those with ``ids``), for choice lists (one query)."""
    stmt = select(Organisation).order_by(Organisation.name)
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(list(ids)))
    return list(db.session.scalars(stmt))
