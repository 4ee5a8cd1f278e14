"""Demo amendments: what the demo organisations proposed on the demo instrument, and what became of it.

Four amendments, written for this project, by the demo stakeholder
organisations of :mod:`drafter.demo.accounts`:

* Migrant Forum in Asia, co-sponsored by the Mekong Migrant Network, on
  Article 10: the right to form trade unions and hold office in them,
  not only to join them; accepted, so the clause has a version made by an
  amendment;
* ASETUC on Article 11: a ban on all deductions from wages; rejected with
  a reason;
* Migrant Forum in Asia on Article 14: legal aid and interpretation free of
  charge without a means test; submitted and open;
* ASETUC on Article 14: a right to assistance by a trade union, written
  into the very words the previous amendment deletes; under review. The two
  overlap, and whichever is accepted first makes the other a conflict.

Every step goes through :mod:`drafter.services.amendments`, as in the browser.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from drafter.demo.accounts import SECRETARIAT_ORG
from drafter.extensions import db
from drafter.models import Amendment, Clause, Instrument, Organisation
from drafter.services import accounts
from drafter.services.amendments import decisions, operations
from instrument.amendments import AmendmentState

#: (proposer email, clause uid, old words, new words, rationale, co-sponsors, what happens)
AMENDMENTS = [
    (
        "mfa@drafter.example",
        "article-10",
        "the right to join and take part in the activities of trade unions and other associations of their choice",
        "the right to form and to join trade unions and other associations of their choice, to take part in "
        "their activities and to hold office in them",
        "Freedom of association covers forming a union and being elected to run it, not only joining one. In "
        "several States of employment migrant workers may join a union but may not found one or serve on its "
        "committee, which leaves them without a voice in the organisations that bargain for them.",
        ["Mekong Migrant Network"],
        AmendmentState.ACCEPTED,
    ),
    (
        "asetuc@drafter.example",
        "article-11",
        "and deductions shall be permitted only as authorised by law",
        "and no deductions shall be made from them",
        'Deductions for recruitment debts, accommodation and "savings" are the most common way migrant workers '
        "lose their wages. A clear ban is easier to enforce than a reference to national law.",
        [],
        AmendmentState.REJECTED,
    ),
    (
        "mfa@drafter.example",
        "article-14-2",
        "free of charge where they cannot afford them or do not understand the language of the proceedings",
        "free of charge",
        "A means test delays legal aid until after the worker has been deported. Workers in detention or without "
        "pay cannot prove their income in time; interpretation is needed whatever a worker earns.",
        ["Mekong Migrant Network"],
        AmendmentState.SUBMITTED,
    ),
    (
        "asetuc@drafter.example",
        "article-14-2",
        "where they cannot afford them",
        "where they cannot afford them, and shall be entitled to be assisted by a trade union or another "
        "organisation of their choice",
        "Trade unions and migrant workers' organisations already accompany workers before labour tribunals; the "
        "Instrument should recognise their standing so that tribunals cannot turn them away.",
        [],
        AmendmentState.UNDER_REVIEW,
    ),
]

REJECTION = (
    "A ban on every deduction would also forbid income tax and social security contributions, which protect "
    "the worker. The secretariat will list the deductions that may be made, and forbid all others, in the "
    "next draft of Article 11."
)


def load_demo_amendments(slug: str) -> Iterator[str]:
    """Add the demo amendments to the instrument ``slug`` unless it already has amendments; commit once.

    :param slug: the demo instrument's slug (its clauses and the demo accounts must be loaded).
    :returns: an iterator of lines for the command line, each starting with "Demo ".
    :raises RuntimeError: when the demo text no longer holds the words an amendment changes.
    """
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    if instrument is None:
        return
    have = db.session.scalar(
        select(func.count()).select_from(Amendment).where(Amendment.instrument_id == instrument.id)
    )
    if have:
        yield f"Demo amendments: {have} already on {slug}."
        return
    secretariat = next(
        (
            u
            for u in db.session.scalars(select(Organisation).where(Organisation.name == SECRETARIAT_ORG)).one().members
            if u.is_secretariat and u.is_active
        ),
        None,
    )
    if secretariat is None:
        yield "Demo amendments: skipped, there is no active demo secretariat account."
        return
    made = []
    for email, uid, old, new, rationale, sponsors, fate in AMENDMENTS:
        proposer = accounts.get_user_by_email(email)
        clause = db.session.scalar(select(Clause).where(Clause.instrument_id == instrument.id, Clause.uid == uid))
        current = clause.current_version if clause is not None else None
        if proposer is None or clause is None or current is None:
            continue
        if old not in current.text:
            raise RuntimeError(f"the demo amendment on {uid} expects the words {old!r} in its text")
        sponsor_ids = db.session.scalars(select(Organisation.id).where(Organisation.name.in_(sponsors))).all()
        amendment = operations.propose(
            clause,
            actor=proposer,
            kind="modify",
            base_version_id=current.id,
            rationale=rationale,
            text=current.text.replace(old, new),
            heading=current.heading,
            sponsor_ids=sponsor_ids,
            submit=True,
        )
        if fate is AmendmentState.UNDER_REVIEW:
            operations.transition(amendment, fate, actor=secretariat)
        elif fate is AmendmentState.ACCEPTED:
            decisions.decide(amendment, actor=secretariat, outcome=fate)
        elif fate is AmendmentState.REJECTED:
            decisions.decide(amendment, actor=secretariat, outcome=fate, reason=REJECTION)
        made.append(fate)
    db.session.commit()
    summary = ", ".join(f"{made.count(s)} {s.label.lower()}" for s in AmendmentState if made.count(s))
    yield f"Demo amendments: {len(made)} added on {slug} ({summary})."
