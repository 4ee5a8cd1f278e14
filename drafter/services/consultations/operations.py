"""Consultation use cases that change things: record, submit, link, answer, withdraw, delete.

The rules they keep are in the package documentation (:mod:`drafter.services.consultations`).
Each function checks the person again (the web layer checks the audience),
refuses with a :class:`~drafter.services.errors.Refused` before writing
anything, flushes, writes an audit event and never commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

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
    input_version,
)
from drafter.permissions import is_secretariat
from drafter.policies import can_cite_on_amendment, can_submit, can_withdraw
from drafter.services import attachments, audit
from drafter.services.consultations.queries import (
    _now,
    evidence,
    inputs_cited_by,
)
from drafter.services.errors import Conflict, InvalidInput, NotPermitted

MAX_SUMMARY = 20_000
MAX_REASON = 5_000
MAX_TITLE = 300


def _text(value: str | None, *, limit: int, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{what} is too long ({len(value)} characters; at most {limit}).", field=field)
    return value


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

    :raises InvalidInput: for a missing title, an end before the start,
        a closing time on anything but a written call, or an unknown organiser.
    """
    title = _text(data.title, limit=MAX_TITLE, field="title", what="The title")
    if not title:
        raise InvalidInput("Give the consultation a title.", field="title")
    kind = ConsultationKind(data.kind)
    if data.starts_on is None:
        raise InvalidInput("Give the date it took place or opened.", field="starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise InvalidInput("The last day is before the first day.", field="ends_on")
    if data.open_until is not None and kind is not ConsultationKind.WRITTEN_CALL:
        raise InvalidInput("Only a written call takes inputs until a closing date.", field="open_until")
    if data.organiser_id is not None and db.session.get(Organisation, data.organiser_id) is None:
        raise InvalidInput("That organisation does not exist.", field="organiser_id")
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
    :raises InvalidInput: for unusable data (see :func:`_checked`).
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
    :raises InvalidInput: for unusable data.
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
    upload: attachments.Upload | None = None,
    now: datetime | None = None,
) -> Input:
    """Record an input made at ``consultation``, or take a stakeholder's written submission.

    The secretariat names the organisations that made it (one or more). A
    stakeholder submits for their own organisation only (``organisation_ids``
    is ignored), and only to a written call that is open at ``now``.

    :param consultation: where the input was made.
    :param data: kind, title, summary (Markdown), organisations, reference.
    :param actor: who records or submits it.
    :param upload: a file sent with it, or ``None``. It is checked and stored
        after everything else is accepted, and removed again when the
        transaction ends without a commit
        (:func:`drafter.services.attachments.store_with`).
    :param now: the time (default: now, UTC), for the call's closing time.
    :returns: the new, flushed :class:`Input`, disposition ``pending``.
    :raises NotPermitted: for a stakeholder when the call is not open (or
        the consultation is not a call), or an account without an organisation.
    :raises InvalidInput: for a missing title or organisation, or an
        unknown organisation; for a file that is not accepted (field ``attachment``).
    """
    if not can_submit(actor, consultation, now):
        if consultation.kind is ConsultationKind.WRITTEN_CALL:
            raise NotPermitted("This call for written inputs is closed.")
        raise NotPermitted("Inputs made at this consultation are recorded by the secretariat.")
    title = _text(data.title, limit=MAX_TITLE, field="title", what="The title")
    if not title:
        raise InvalidInput("Give the input a short title.", field="title")
    summary = _text(data.summary, limit=MAX_SUMMARY, field="summary", what="The summary")
    via_call = not is_secretariat(actor)
    wanted = {actor.organisation_id} if via_call else {int(i) for i in data.organisation_ids}
    if not wanted:
        raise InvalidInput("Name the organisation or organisations that made this input.", field="organisations")
    organisations = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    if len(organisations) != len(wanted):
        raise InvalidInput("One of the organisations does not exist.", field="organisations")
    reference_document = _text(
        data.reference_document, limit=500, field="reference_document", what="The document title"
    )
    reference_page = _text(data.reference_page, limit=40, field="reference_page", what="The page")
    # Stored last, once nothing else can be refused; removed again if the transaction is not committed.
    attachment = attachments.store_with(db.session(), upload) if upload is not None else None
    item = Input(
        consultation_id=consultation.id,
        kind=InputKind(data.kind),
        title=title,
        summary=summary,
        reference_document=reference_document,
        reference_page=reference_page,
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
    :raises InvalidInput: when ``clause`` belongs to another instrument (field ``clause``).
    """
    _require_secretariat(actor, "links inputs to clauses")
    if clause.instrument_id != _instrument_id(item):
        raise InvalidInput("That clause belongs to another instrument.", field="clause")
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
    :raises InvalidInput: when the amendment is on another instrument (field ``amendment``).
    """
    if not can_cite_on_amendment(actor, amendment):
        raise NotPermitted(f"You may not change the inputs {amendment.title} cites.")
    if amendment.instrument_id != _instrument_id(item):
        raise InvalidInput(f"{amendment.title} is an amendment of another instrument.", field="amendment")
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
    :raises InvalidInput: when the link is the last evidence of a
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
    :raises InvalidInput: for an input of another instrument or an
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
        raise InvalidInput("One of the inputs does not exist.", field="inputs")
    added = sum(link_amendment(item, amendment, actor=actor) for item in new.values())
    removed = sum(unlink_amendment(item, amendment, actor=actor) for i, item in current.items() if i not in wanted)
    return added, removed


def cite_in_version(item: Input, version: ClauseVersion, *, actor: User) -> bool:
    """Record that a secretariat edit (a version with cause ``edit``) answers ``item``.

    Versions made by amendments get their sources from the amendment
    (:func:`link_amendment`); imported versions have none.

    :returns: ``True`` when the link is new.
    :raises NotPermitted: for anyone but the secretariat.
    :raises InvalidInput: for a version that is not an edit, or of another instrument (field ``version``).
    """
    _require_secretariat(actor, "cites inputs on edits")
    if version.clause.instrument_id != _instrument_id(item):
        raise InvalidInput("That version belongs to another instrument.", field="version")
    if version.cause is not VersionCause.EDIT:
        raise InvalidInput(
            f"Version {version.seq} of {version.clause.key} was made by {version.cause.value}, not by an edit: "
            + (
                "cite the input on its amendment instead."
                if version.cause is VersionCause.AMENDMENT
                else "it has no sources."
            ),
            field="version",
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
    :raises InvalidInput: when the link is the last evidence of a reflected disposition.
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
        raise InvalidInput(
            f"This is the last version that reflects the input, whose disposition is "
            f"“{item.disposition.label.lower()}”. Change the disposition first.",
            field="link",
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
    :raises InvalidInput: for a missing reason (field ``reason``), or
        ``reflected``/``reflected_in_part`` while no version of the text cites
        the input (field ``disposition``).
    """
    _require_secretariat(actor, "answers inputs")
    target = Disposition(disposition)
    reason = _text(reason, limit=MAX_REASON, field="reason", what="The reason")
    if target.needs_reason and not reason:
        what = "is outside the instrument's scope" if target is Disposition.NOTED else "is not reflected in the text"
        raise InvalidInput(f"Explain why the input {what}; the organisation will read this.", field="reason")
    if target.needs_evidence and not evidence([item.id]).get(item.id):
        raise InvalidInput(
            "No version of the text cites this input yet. Link it to the accepted amendment or the edit "
            "that reflects it, then mark it reflected.",
            field="disposition",
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


def delete_input(item: Input, *, actor: User, folder: str | os.PathLike | None = None) -> str | None:
    """Delete an input recorded by mistake.

    Only a pending input that no amendment and no version cites may go; its
    organisation and clause links go with it. Anything else is kept: the
    caller offers withdrawing instead.

    :param item: the input.
    :param actor: a secretariat account.
    :param folder: the uploads folder; its attached file is removed from it
        once the deletion is committed (kept if it is not). ``None`` leaves
        the file to the caller.
    :returns: the key of its stored attachment, or ``None``.
    :raises NotPermitted: for anyone but the secretariat.
    :raises Conflict: when decisions or versions refer to it (the
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
        raise Conflict(
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
        raise Conflict(f"“{item.title}” is cited by an amendment or an edit; withdraw it instead.") from exc
    db.session.expunge(item)
    if folder is not None:
        attachments.remove_after_commit(db.session(), folder, key)
    audit.record("input.delete", None, actor=actor, instrument_id=instrument_id, input=item.id, **details)
    return key
