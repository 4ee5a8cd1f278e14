"""Demo comments: a few remarks by the demo stakeholders on Drafts 1 and 2 of the demo instrument.

Two of them quote Draft 1 words that Draft 2 rewrote, so the page shows
"the quoted words have changed since" with the original quote; one quotes a
paragraph that moved when the paragraph before it was deleted; the rest are
on Draft 2, the draft stakeholders read. The secretariat's answer joins its
thread on Draft 1. They go through :mod:`drafter.services.comments.operations`,
like comments typed in the browser, so anchoring onto later versions and the
drafts' comment periods apply as they would for real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Comment, CommentCategory, Draft, DraftEntry, Instrument
from drafter.services import accounts
from drafter.services.comments import operations as service
from drafter.services.phases import PeriodClosed

MFA = "mfa@drafter.example"
ASETUC = "asetuc@drafter.example"
SECRETARIAT = "secretariat@drafter.example"


@dataclass(frozen=True)
class DemoComment:
    """One demo comment: who, on which clause (uid) of which draft (a reply: its thread's), quoting what."""

    author: str
    clause_uid: str
    draft: int | None
    category: CommentCategory
    body: str
    quote: str = ""
    #: Index in :data:`COMMENTS` of the comment this one answers.
    reply_to: int | None = None
    resolved_by: str | None = None


COMMENTS = [
    DemoComment(
        ASETUC,
        "article-12",
        1,
        CommentCategory.CONCERN,
        'Fees that are merely "reasonable" still leave workers in debt before they start work. '
        "The trade unions ask for the employer-pays principle: **no recruitment fees or related costs "
        "charged to workers**, as in the ILO general principles for fair recruitment.",
        quote="Recruitment fees charged to migrant workers shall be reasonable",
    ),
    DemoComment(
        SECRETARIAT,
        "article-12",
        None,
        CommentCategory.OTHER,
        "Thank you. Draft 2 replaces the paragraph with a ban on charging fees and related costs to workers, "
        'and defines "recruitment fees and related costs" in Article 2.',
        reply_to=0,
    ),
    DemoComment(
        MFA,
        "article-5",
        1,
        CommentCategory.DRAFTING,
        '"Shall endeavour to" makes the duty optional. Suggest: "The Member States shall take measures to '
        'eliminate discriminatory practices ...".',
        quote="shall endeavour to take measures",
        resolved_by=SECRETARIAT,
    ),
    DemoComment(
        MFA,
        "article-15",
        1,
        CommentCategory.SUPPORT,
        "Migrant workers' organisations strongly support this paragraph: losing one's job must not mean "
        "losing one's lawful stay at once.",
        quote="The residence permit of a migrant worker shall not expire solely because the employment has ended",
    ),
    DemoComment(
        MFA,
        "article-6",
        2,
        CommentCategory.SUPPORT,
        "The revised paragraph 3 reflects what undocumented workers told the national consultations: "
        "wages already earned must be paid whatever their status, and asking for wages must not lead to "
        "a report to immigration authorities.",
    ),
    DemoComment(
        ASETUC,
        "article-20",
        2,
        CommentCategory.QUESTION,
        "Does this paragraph also cover persons returned at the border before they can apply for asylum? "
        "The experience of the mixed-flows workshop suggests it should say so.",
        quote="No Member State shall expel, return or extradite any person",
    ),
]


def _version_in(
    instrument: Instrument, clause: Clause, number: int | None
) -> tuple[ClauseVersion | None, Draft | None]:
    if number is None:
        return clause.current_version, None
    draft = db.session.scalar(select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == number))
    if draft is None:
        return None, None
    version_id = db.session.scalar(
        select(DraftEntry.version_id).where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
    )
    return db.session.get(ClauseVersion, version_id), draft


def load_demo_comments(slug: str) -> Iterator[str]:
    """Add the demo comments to the instrument ``slug`` unless it has comments already; commit once.

    Needs the demo instrument (both drafts) and the demo accounts.

    :param slug: the demo instrument's slug.
    :returns: an iterator of lines for the command line.
    """
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    if instrument is None:
        return
    have = db.session.scalar(select(func.count(Comment.id)).where(Comment.instrument_id == instrument.id))
    if have:
        yield f"The demo instrument has {have} comments already."
        return
    made: dict[int, Comment] = {}
    for index, item in enumerate(COMMENTS):
        author = accounts.get_user_by_email(item.author)
        clause = db.session.scalar(
            select(Clause).where(Clause.instrument_id == instrument.id, Clause.uid == item.clause_uid)
        )
        if author is None or clause is None:
            yield f"Demo comment skipped: {item.author} or clause {item.clause_uid} is missing."
            continue
        version, draft = _version_in(instrument, clause, item.draft)
        if version is None:
            yield f"Demo comment skipped: clause {item.clause_uid} is not in draft {item.draft}."
            continue
        try:
            if item.reply_to is not None:
                if item.reply_to not in made:
                    continue
                comment = service.reply(made[item.reply_to], author=author, body=item.body)
            else:
                comment = service.post(
                    author=author,
                    clause=clause,
                    version=version,
                    body=item.body,
                    category=item.category,
                    quote=item.quote,
                    draft=draft,
                )
        except PeriodClosed as closed:
            yield f"Demo comment skipped: {closed.message}"
            continue
        resolver = accounts.get_user_by_email(item.resolved_by) if item.resolved_by else None
        if resolver is not None:
            service.resolve(comment, actor=resolver)
        made[index] = comment
    db.session.commit()
    yield f"Demo comments: {len(made)} added on {instrument.slug}."
