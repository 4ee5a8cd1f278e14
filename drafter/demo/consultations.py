"""Demo consultation record: the regional Expert Group Workshop of 1 August 2007.

The Task Force on ASEAN Migrant Workers organised it; UN agencies, trade
unions, migrant-support and human-rights organisations and academic
centres presented their experience and proposals, and the participating
agencies pledged technical support as an informal Migrant Technical
Assistance Group (M-TAG). The facts come from the project's domain
briefing; every summary below is written for this project and names
organisations only.

What the record shows, so that every traceability page has content from
the first start:

* one input per presenting organisation (or pair of organisations that
  presented together), plus the M-TAG pledge, each linked to the clauses
  of the demo instrument it concerns;
* the inputs of Migrant Forum in Asia and the Mekong Migrant Network cited
  by the demo amendment on Article 10 that was accepted
  (:mod:`drafter.demo.amendments`), and three small edits by the
  secretariat (Articles 8, 12 and 21) citing the inputs they answer;
* dispositions: reflected, reflected in part, not reflected and noted (with
  reasons), and several still pending.

Everything goes through :mod:`drafter.services.consultations` and
:mod:`drafter.services.editing`, as in the browser. The whole record is
skipped when the workshop is already there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from drafter.demo.accounts import SECRETARIAT_ORG
from drafter.extensions import db
from drafter.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Consultation,
    Disposition,
    Instrument,
    OrganisationType,
    User,
)
from drafter.services import accounts
from drafter.services.consultations import operations as consultation_operations
from drafter.services.editing import edit_clause
from instrument.amendments import AmendmentState

WORKSHOP = "Expert Group Workshop on the ASEAN Framework Instrument"
SECRETARIAT_EMAIL = "secretariat@drafter.example"

T = OrganisationType
#: Organisations that presented, beyond those of :mod:`drafter.demo.accounts`: (name, type, country code).
ORGANISATIONS = [
    ("OHCHR Regional Office for South-East Asia", T.INTERGOVERNMENTAL, "XX"),
    ("Ateneo Human Rights Center", T.ACADEMIC, "PH"),
    ("National Human Rights Commission of Thailand", T.OTHER, "TH"),
    ("Mahidol University", T.ACADEMIC, "TH"),
    ("CARAM Asia", T.NGO, "XX"),
    ("UNI Asia-Pacific", T.TRADE_UNION, "XX"),
    ("Asia Pacific Forum on Women, Law and Development (APWLD)", T.NGO, "XX"),
    ("International Labour Organization (ILO)", T.INTERGOVERNMENTAL, "XX"),
    ("International Organization for Migration (IOM)", T.INTERGOVERNMENTAL, "XX"),
    ("Office of the UN High Commissioner for Refugees (UNHCR)", T.INTERGOVERNMENTAL, "XX"),
    ("UN Development Fund for Women (UNIFEM)", T.INTERGOVERNMENTAL, "XX"),
    ("UN Inter-Agency Project on Human Trafficking (UNIAP)", T.INTERGOVERNMENTAL, "XX"),
    ("UN Children's Fund (UNICEF)", T.INTERGOVERNMENTAL, "XX"),
    ("SEARCH", T.OTHER, "XX"),
    ("Canadian International Development Agency (CIDA)", T.GOVERNMENT, "XX"),
]


@dataclass(frozen=True)
class DemoInput:
    """One input of the workshop: who, what, which clauses (uids), and the answer.

    ``amendment_clause``: cite it on the accepted demo amendment of that clause.
    ``edit``: index in :data:`EDITS` of the secretariat edit that cites it.
    """

    organisations: tuple[str, ...]
    kind: str
    title: str
    summary: str
    clauses: tuple[str, ...]
    disposition: Disposition = Disposition.PENDING
    reason: str = ""
    amendment_clause: str | None = None
    edit: int | None = None
    reference: str = ""


#: Edits by the secretariat after the workshop: (clause uid, words replaced, new words, note).
EDITS = [
    (
        "article-8",
        "take account of the particular risks faced by women.",
        "take account of the particular risks faced by women;\n\n{indent}(f) consult women migrant workers and "
        "their organisations when designing, carrying out and evaluating these measures.",
        "after the Expert Group Workshop: women's organisations consulted",
    ),
    (
        "article-12",
        "on safe travel and on the places where they can seek help",
        "on safe travel, on how to recognise deceptive or abusive recruitment, and on the places where they "
        "can seek help",
        "after the Expert Group Workshop: recognising abusive recruitment",
    ),
    (
        "article-20",
        "to identify persons who may need international protection.",
        "to identify persons who may need international protection and to refer them to fair and efficient "
        "asylum procedures.",
        "after the Expert Group Workshop: referral to asylum procedures",
    ),
]

MFA = "Migrant Forum in Asia"
MMN = "Mekong Migrant Network"

INPUTS = [
    DemoInput(
        ("OHCHR Regional Office for South-East Asia",),
        "recommendation",
        "Ground the instrument in a human-rights approach",
        "Build the instrument on the rights every person holds, whatever the migration status, and take the "
        "1990 UN Convention on the rights of all migrant workers and members of their families as its "
        "reference point, so that regional standards do not fall below the universal ones.",
        ("preamble", "article-6", "article-13"),
    ),
    DemoInput(
        ("Ateneo Human Rights Center",),
        "good_practice",
        "Protecting migrant workers: the experience of the Philippines",
        "How a country of origin regulates recruitment, prepares workers before departure and assists them "
        "abroad, and where these measures still leave gaps, especially for workers in households.",
        ("article-12", "article-14-2"),
    ),
    DemoInput(
        ("National Human Rights Commission of Thailand", "Mahidol University"),
        "good_practice",
        "The Thai experience with migrant workers in a country of employment",
        "Findings on complaints received from migrant workers and on their access to courts and labour "
        "tribunals, with suggestions on remedies that do not depend on migration status.",
        ("article-6", "article-14-2"),
    ),
    DemoInput(
        ("CARAM Asia",),
        "good_practice",
        "A tool-kit on the health of migrant workers",
        "Practical tools for health services and organisations working with migrants: voluntary and "
        "confidential testing, access to care regardless of status, and health information in workers' languages.",
        ("article-9",),
        reference="Tool-kit presented at the workshop",
    ),
    DemoInput(
        ("ASETUC", "UNI Asia-Pacific"),
        "proposal",
        "Going beyond treaty bodies: a regional complaints mechanism",
        "Reporting to a committee is not enough. Trade unions propose a regional body that receives complaints "
        "from workers and their unions and can investigate them.",
        ("article-23", "article-10"),
        disposition=Disposition.NOT_REFLECTED,
        reason="The Member States consulted so far are not ready to accept individual complaints at regional "
        "level. The draft instead lets the Committee receive information from trade unions and other civil-"
        "society organisations (Article 24(3)); the proposal stays on the list for the review of the Instrument.",
    ),
    DemoInput(
        (MFA,),
        "recommendation",
        "Migrant workers must be able to form and lead unions",
        "Migrant workers may join unions in several States of employment but may not found them or be elected "
        "to their committees. The instrument should secure all three.",
        ("article-10",),
        disposition=Disposition.REFLECTED,
        reason="Article 10 now covers forming and joining trade unions and holding office in them.",
        amendment_clause="article-10",
    ),
    DemoInput(
        (MMN,),
        "recommendation",
        "Recognise migrant workers' own organisations",
        "Self-organised groups of migrant workers in the Mekong region should be able to represent their "
        "members, including in unions, and be consulted on migration policy.",
        ("article-10", "article-21"),
        disposition=Disposition.REFLECTED_IN_PART,
        reason="The right to hold office in unions is in Article 10. Representation by migrant workers' "
        "associations other than unions in collective bargaining is left to national law.",
        amendment_clause="article-10",
    ),
    DemoInput(
        ("Asia Pacific Forum on Women, Law and Development (APWLD)",),
        "recommendation",
        "Women migrant workers: consultation and a separate chapter",
        "Involve women migrant workers' organisations in every measure that concerns them, and give women "
        "migrant workers a chapter of their own.",
        ("article-8",),
        disposition=Disposition.REFLECTED_IN_PART,
        reason="Consultation of women migrant workers and their organisations is now Article 8(2)(f). The "
        "protections stay in one article, with women's situation taken into account throughout (Article 8(3)).",
        edit=0,
    ),
    DemoInput(
        ("International Labour Organization (ILO)",),
        "proposal",
        "Safe and fair recruitment: smart travel, smart workers",
        "Fair hiring starts before departure: workers should learn how to recognise deceptive offers and "
        "abusive recruiters, and recruitment costs should not fall on them.",
        ("article-12",),
        disposition=Disposition.REFLECTED,
        reason="Pre-departure orientation now covers recognising deceptive or abusive recruitment (Article 12(4)).",
        edit=1,
    ),
    DemoInput(
        ("International Organization for Migration (IOM)",),
        "good_practice",
        "IOM tool-kit on labour migration management",
        "Examples of bilateral arrangements, information centres for migrants and return and reintegration "
        "programmes that States of the region have used.",
        ("article-14", "article-12"),
    ),
    DemoInput(
        ("Office of the UN High Commissioner for Refugees (UNHCR)",),
        "recommendation",
        "Refugees in mixed flows of migrant workers",
        "Refugees often travel with migrant workers. Identifying them at the border is only useful if they "
        "are then referred to a fair asylum procedure and protected from return.",
        ("article-20",),
        disposition=Disposition.REFLECTED,
        edit=2,
    ),
    DemoInput(
        ("UN Development Fund for Women (UNIFEM)",),
        "submission",
        "Empowering women migrant workers in Asia: a briefing kit",
        "Preventing discrimination and abuse of women migrant workers is a matter of gender equality, human "
        "rights, development and governance at once; the kit shows how each can be built into policy.",
        ("article-8", "preamble"),
        disposition=Disposition.REFLECTED,
        edit=0,
        reference="Empowering Women Migrant Workers in Asia: a briefing kit",
    ),
    DemoInput(
        ("SEARCH", "Canadian International Development Agency (CIDA)"),
        "recommendation",
        "Results-based planning for the Task Force",
        "Plan the drafting and the advocacy around it with clear results and indicators, and secure strong "
        "technical support for the drafting itself.",
        ("article-22",),
        disposition=Disposition.NOTED,
        reason="This concerns how the Task Force plans its own work, not the text of the Instrument. It is "
        "taken up in the Task Force's work plan.",
    ),
    DemoInput(
        (SECRETARIAT_ORG,),
        "submission",
        "A draft model instrument with examples of good practice",
        "The Task Force's first draft of the model instrument, with examples of good practice from the region "
        "for each theme.",
        ("preamble",),
        disposition=Disposition.NOTED,
        reason="This is the text under discussion: Draft 1 of this Instrument.",
    ),
    DemoInput(
        (
            "International Labour Organization (ILO)",
            "International Organization for Migration (IOM)",
            "Office of the UN High Commissioner for Refugees (UNHCR)",
            "OHCHR Regional Office for South-East Asia",
            "UN Development Fund for Women (UNIFEM)",
            "UN Inter-Agency Project on Human Trafficking (UNIAP)",
            "UN Children's Fund (UNICEF)",
        ),
        "pledge",
        "Technical support through an informal Migrant Technical Assistance Group (M-TAG)",
        "Senior staff of the participating agencies pledged to advise the Task Force on the framework and on "
        "implementing the Cebu Declaration, in particular its paragraph 22 and what it means for national law.",
        ("article-24",),
        disposition=Disposition.NOTED,
        reason="A pledge of support for the drafting, not a proposal for the text. The Task Force will call on "
        "the group for each revision.",
    ),
]


def _accepted_amendment(instrument: Instrument, uid: str) -> Amendment | None:
    return db.session.scalar(
        select(Amendment)
        .join(Clause, Clause.id == Amendment.clause_id)
        .where(
            Amendment.instrument_id == instrument.id,
            Clause.uid == uid,
            Amendment.state.in_([AmendmentState.ACCEPTED, AmendmentState.ACCEPTED_WITH_MODIFICATIONS]),
        )
        .order_by(Amendment.id)
        .limit(1)
    )


def _apply_edit(instrument: Instrument, actor: User, index: int) -> ClauseVersion | None:
    """Make the secretariat edit ``EDITS[index]`` on the current text; returns the new version."""
    uid, old, new, note = EDITS[index]
    clause = db.session.scalar(select(Clause).where(Clause.instrument_id == instrument.id, Clause.uid == uid))
    current = clause.current_version if clause is not None else None
    if clause is None or current is None:
        raise RuntimeError(f"the demo edit of {uid} expects the clause in the demo instrument")
    if old not in current.text:
        raise RuntimeError(f"the demo edit of {uid} expects the words {old!r} in its text")
    indent = re.search(r"^([ \t]*)\([a-z]\)", current.text, re.M)
    text = current.text.replace(old, new.format(indent=indent.group(1) if indent else "   "))
    return edit_clause(clause, actor=actor, base_version_id=current.id, heading=current.heading, text=text, note=note)


def load_demo_consultations(slug: str) -> Iterator[str]:
    """Record the Expert Group Workshop on the instrument ``slug`` unless it is there; commit once.

    :param slug: the demo instrument's slug (its clauses, the demo accounts
        and, when present, the demo amendments must be loaded first).
    :returns: an iterator of lines for the command line, each starting with "Demo ".
    :raises RuntimeError: when the demo text no longer holds the words an edit changes.
    """
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    if instrument is None:
        return
    if db.session.scalar(
        select(Consultation.id).where(Consultation.instrument_id == instrument.id, Consultation.title == WORKSHOP)
    ):
        yield "Demo consultation: the Expert Group Workshop is already recorded."
        return
    secretariat = accounts.get_user_by_email(SECRETARIAT_EMAIL)
    if secretariat is None or not secretariat.is_active:
        yield "Demo consultation: skipped, there is no active demo secretariat account."
        return
    for name, kind, country in ORGANISATIONS:
        if accounts.find_organisation(name) is None:
            accounts.create_organisation(accounts.NewOrganisation(name, kind, country), actor=None)
    task_force = accounts.find_organisation(SECRETARIAT_ORG)
    workshop = consultation_operations.record_consultation(
        instrument,
        consultation_operations.ConsultationData(
            title=WORKSHOP,
            kind="regional_workshop",
            starts_on=date(2007, 8, 1),
            organiser_id=task_force.id if task_force else None,
            summary=(
                "A regional workshop of experts from UN and other international agencies, trade unions, "
                "migrant-support and human-rights organisations and academic centres, held to:\n\n"
                "1. enrich the framework with concrete experience of improving the conditions of all migrant "
                "workers; and\n"
                "2. give technical advice on implementing the Cebu Declaration, in particular its paragraph 22 "
                "and its implications for national law.\n\n"
                "The participating agencies formed an informal Migrant Technical Assistance Group (M-TAG) and "
                "pledged technical support to the Task Force."
            ),
        ),
        actor=secretariat,
    )
    clauses = {c.uid: c for c in db.session.scalars(select(Clause).where(Clause.instrument_id == instrument.id))}
    edits: dict[int, ClauseVersion | None] = {}
    linked_amendments = 0
    for demo in INPUTS:
        found = [accounts.find_organisation(name) for name in demo.organisations]
        ids = [organisation.id for organisation in found if organisation is not None]
        item = consultation_operations.add_input(
            workshop,
            consultation_operations.InputData(
                kind=demo.kind,
                title=demo.title,
                summary=demo.summary,
                organisation_ids=ids,
                reference_document=demo.reference,
            ),
            actor=secretariat,
        )
        for uid in demo.clauses:
            if uid in clauses:
                consultation_operations.link_clause(item, clauses[uid], actor=secretariat)
        disposition = demo.disposition
        if demo.amendment_clause:
            amendment = _accepted_amendment(instrument, demo.amendment_clause)
            if amendment is not None:
                consultation_operations.link_amendment(item, amendment, actor=secretariat)
                linked_amendments += 1
            elif disposition.needs_evidence:
                disposition = Disposition.PENDING  # the demo amendments are not there to show it
        if demo.edit is not None:
            if demo.edit not in edits:
                edits[demo.edit] = _apply_edit(instrument, secretariat, demo.edit)
            edited = edits[demo.edit]
            if edited is not None:
                consultation_operations.cite_in_version(item, edited, actor=secretariat)
        if disposition is not Disposition.PENDING:
            consultation_operations.set_disposition(item, disposition, actor=secretariat, reason=demo.reason)
    db.session.commit()
    yield (
        f"Demo consultation: the Expert Group Workshop of 1 August 2007 with {len(INPUTS)} inputs, "
        f"{len(edits)} edits citing them and {linked_amendments} links to accepted amendments."
    )
