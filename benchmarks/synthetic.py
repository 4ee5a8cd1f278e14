"""A large synthetic instrument shaped like a real negotiation, written with bulk inserts.

:func:`build` writes, into the database of the current app context, one
instrument with its whole record: chapters and articles whose texts change
from draft to draft (by the secretariat's edits and by accepted
amendments), numbered drafts, comments and replies on the versions
delegates read (each top-level comment anchored on every later version, as
:func:`drafter.services.comments.anchoring.anchor_new_version` would have done),
amendments in every state with co-sponsors, consultations with inputs
linked to clauses, amendments and edits, and the audit events of all of it.

Rows go in through SQLAlchemy Core ``insert()`` with lists of parameters
(executemany; SQLAlchemy batches them into multi-row statements where the
driver allows), with primary keys chosen here, so nothing is read back row
by row. On PostgreSQL the id sequences are moved past the new rows at the
end, so the application can insert after them.

Used by ``benchmarks/run.py`` (2,000 clauses, 50,000 comments ...) and by
``tests/drafter/test_query_counts.py`` (the same shapes at two small sizes).
Anchors are computed with the application's own rule
(:func:`drafter.services.comments.anchoring.anchoring_on`) so the pages see the rows
they would see in use.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, insert, or_, select, text, update
from werkzeug.security import generate_password_hash

from drafter.extensions import db
from drafter.models import (
    Amendment,
    AnchorState,
    Clause,
    ClauseVersion,
    Comment,
    CommentAnchor,
    CommentCategory,
    CommentStatus,
    Consultation,
    ConsultationKind,
    Disposition,
    Draft,
    DraftEntry,
    Event,
    Input,
    InputKind,
    Instrument,
    Organisation,
    OrganisationType,
    Role,
    User,
    UserState,
    VersionCause,
    amendment_sponsor,
    input_amendment,
    input_clause,
    input_organisation,
    input_version,
)
from drafter.services.accounts import new_session_token
from drafter.services.comments.anchoring import anchoring_on
from instrument.amendments import AmendmentKind, AmendmentState
from instrument.anchors import make_selector
from instrument.render import plain_text
from instrument.types import ClauseKind

#: Password of every synthetic account (the load test signs in with it).
PASSWORD = "synthetic benchmark passphrase"

#: Rows sent per executemany call.
CHUNK = 5_000

S = AmendmentState


@dataclass(frozen=True)
class Scale:
    """How big the synthetic record is.

    :ivar clauses: clauses in all (one preamble, a chapter every 20 clauses, articles).
    :ivar drafts: numbered drafts; the current text moves on a little after the last.
    :ivar comments: comments and replies (about 30 % replies).
    :ivar amendments: amendments in every state (accepted ones made versions).
    :ivar inputs: consultation inputs.
    :ivar organisations: organisations besides the secretariat.
    :ivar users: stakeholder accounts (spread over the organisations).
    :ivar consultations: consultations the inputs belong to.
    :ivar change_rate: share of articles that get a new version in each new draft.
    """

    clauses: int = 2_000
    drafts: int = 20
    comments: int = 50_000
    amendments: int = 5_000
    inputs: int = 500
    organisations: int = 30
    users: int = 150
    consultations: int = 10
    change_rate: float = 0.08


@dataclass
class World:
    """What :func:`build` made, for pages and writers to name.

    :ivar slug: the instrument's slug.
    :ivar instrument_id: its id.
    :ivar drafts: number of drafts.
    :ivar stakeholders: ``(id, email)`` of the stakeholder accounts.
    :ivar secretariat: ``(id, email)`` of the secretariat accounts (the first is an admin).
    :ivar busiest_clause: uid of the clause with most comments.
    :ivar typical_clause: uid of an article with about the median number of comments.
    :ivar most_versions_clause: uid of the article with most versions.
    :ivar showcase_clause: uid of Article 1, which has the same shape at every
        size: versions by import, by an accepted amendment and by an edit, open
        amendments, and an input behind both changes.
    :ivar accepted_amendment: id of an accepted amendment.
    :ivar open_amendment: id of an open (submitted) amendment.
    :ivar busiest_organisation: id of the organisation with most amendments.
    :ivar consultation: id of the consultation with most inputs.
    :ivar input: id of the input behind the showcase article's amendment and edit.
    :ivar counts: rows written per table.
    :ivar comment_pages: pages of the comments list as the stakeholder of :func:`identity` sees it.
    """

    slug: str
    instrument_id: int
    drafts: int
    stakeholders: list[tuple[int, str]] = field(default_factory=list)
    secretariat: list[tuple[int, str]] = field(default_factory=list)
    busiest_clause: str = ""
    typical_clause: str = ""
    most_versions_clause: str = ""
    showcase_clause: str = ""
    accepted_amendment: int = 0
    open_amendment: int = 0
    busiest_organisation: int = 0
    consultation: int = 0
    input: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    comment_pages: int = 1


# --- words ----------------------------------------------------------------------

_VERBS = ["protect", "promote", "respect", "guarantee", "safeguard", "ensure", "recognise", "uphold"]
_OBJECTS = [
    "the right to fair treatment at work",
    "access to justice and remedies",
    "the freedom of association",
    "equal remuneration for work of equal value",
    "safe and healthy working conditions",
    "access to social protection",
    "the right to keep their identity documents",
    "humane conditions of return",
    "access to information on their rights",
    "the right to transfer their earnings",
]
_QUALIFIERS = [
    "without discrimination of any kind",
    "in accordance with its national laws and regulations",
    "at every stage of migration",
    "regardless of their immigration status",
    "in cooperation with the other Member States",
    "with due regard to the principle of gender equality",
]
_SUBJECTS = [
    "The competent authorities of the receiving State",
    "Each sending State",
    "Recruitment agencies",
    "Employers of migrant workers",
    "The Member States acting together",
    "Labour inspectorates",
]
_ACTIONS = [
    "publish clear guidance on",
    "report every two years on",
    "set up accessible complaint mechanisms for",
    "train their officials in",
    "consult trade unions and civil society on",
    "collect disaggregated data on",
    "remove fees charged to workers for",
    "provide interpretation services for",
]
_TOPICS = [
    "recruitment and placement",
    "contracts of employment",
    "wages and deductions",
    "housing provided by employers",
    "termination of employment",
    "repatriation",
    "access to health care",
    "the return of documents",
]
_DEADLINES = ["six", "twelve", "eighteen", "twenty-four", "thirty-six"]
_COMMENT_OPENINGS = [
    "We support this wording",
    "This paragraph should go further",
    "Could the secretariat clarify",
    "The workshop recommended stronger language here",
    "Domestic workers must be covered explicitly",
    "This duplicates an obligation elsewhere",
    "Please align this with ILO Convention No. 189",
    "Our members report problems with",
    "The term used here is not defined",
]
_COMMENT_ENDINGS = [
    "in the next draft.",
    "before the regional meeting.",
    "so that national laws can follow.",
    "as several delegations said at the workshop.",
    "for undocumented workers too.",
    "with a clear time limit.",
]


def _article_text(rng: random.Random, article: int, seq: int) -> tuple[str, list[str]]:
    """The Markdown text of an article's version ``seq`` and phrases of its first paragraph to quote.

    The first paragraph never changes from version to version, so quoted
    words there stay put; the later paragraphs change with every version.
    """
    base = random.Random(article)  # the same first paragraph in every version
    obj, qual = base.choice(_OBJECTS), base.choice(_QUALIFIERS)
    first = f"1. Each Member State shall {base.choice(_VERBS)} {obj} of migrant workers and members of their families, {qual}."
    paragraphs = [first]
    for n in range(2, 2 + base.randint(1, 2)):
        paragraphs.append(
            f"{n}. {rng.choice(_SUBJECTS)} shall {rng.choice(_ACTIONS)} {rng.choice(_TOPICS)}, "
            f"no later than {rng.choice(_DEADLINES)} months after this Instrument takes effect"
            f"{' and after consulting the workers concerned' if (seq + n) % 3 == 0 else ''}."
        )
    return "\n\n".join(paragraphs), [obj, qual]


def _comment_body(rng: random.Random, n: int) -> str:
    return f"{rng.choice(_COMMENT_OPENINGS)} — {rng.choice(_TOPICS)} {rng.choice(_COMMENT_ENDINGS)} (note {n})"


# --- writing --------------------------------------------------------------------


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(table, rows: list[dict], progress: Callable[[int], None] | None) -> int:
    conn = db.session.connection()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        conn.execute(insert(table), chunk)
        if progress is not None:
            progress(len(chunk))
    return len(rows)


def _update_by_id(table, rows: list[dict], progress: Callable[[int], None] | None) -> None:
    # Core executemany of one UPDATE ... WHERE id = :b_id.
    from sqlalchemy import bindparam

    columns = [k for k in rows[0] if k != "b_id"] if rows else []
    stmt = update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(c) for c in columns})
    conn = db.session.connection()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        conn.execute(stmt, chunk)
        if progress is not None:
            progress(len(chunk))


def _fix_sequences() -> None:
    """Move PostgreSQL's id sequences past the rows written with explicit ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (
        Organisation,
        User,
        Instrument,
        Clause,
        ClauseVersion,
        Draft,
        Amendment,
        Comment,
        Consultation,
        Input,
        Event,
    ):
        table = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
        )


def estimate_rows(scale: Scale) -> int:
    """About how many rows :func:`build` writes (for a progress bar's length)."""
    articles = scale.clauses
    versions = int(articles * (1 + scale.change_rate * scale.drafts))
    top = int(scale.comments * 0.7)
    return (
        articles * 2
        + versions * 2
        + scale.clauses * scale.drafts
        + scale.amendments * 3
        + scale.comments
        + int(top * 1.3)
        + scale.inputs * 5
        + scale.comments
        + scale.amendments
        + versions
    )


def build(
    scale: Scale = Scale(),
    *,
    slug: str = "synthetic",
    seed: int = 2007,
    progress: Callable[[int], None] | None = None,
) -> World:
    """Write a synthetic instrument with its whole record and commit.

    :param scale: sizes (see :class:`Scale`).
    :param slug: slug of the new instrument (must not exist yet).
    :param seed: seed of the random choices; the same seed gives the same record.
    :param progress: called with the number of rows just written, after each batch.
    :returns: a :class:`World` naming the things worth requesting.
    :raises ValueError: when ``scale`` is too small to hold one of everything
        (at least 3 clauses, 2 drafts, 10 comments, 10 amendments, 2 inputs).
    """
    if scale.clauses < 3 or scale.drafts < 2 or scale.comments < 10 or scale.amendments < 10 or scale.inputs < 2:
        raise ValueError("scale too small: need 3 clauses, 2 drafts, 10 comments, 10 amendments and 2 inputs")
    rng = random.Random(seed)
    start = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    period = timedelta(days=30)

    def draft_time(d: int) -> datetime:  # publication of Draft d (1-based)
        return start + period * (d - 1)

    # --- people ---------------------------------------------------------------------
    password_hash = generate_password_hash(PASSWORD)
    org_id = _next_id(Organisation)
    kinds = [t for t in OrganisationType if t is not OrganisationType.SECRETARIAT]
    countries = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "XX"]
    organisations = [
        {
            "id": org_id,
            "name": f"Synthetic Secretariat ({slug})",
            "type": OrganisationType.SECRETARIAT,
            "country": "XX",
            "created_at": start,
        }
    ] + [
        {
            "id": org_id + i,
            "name": f"Synthetic organisation {i} ({slug})",
            "type": kinds[i % len(kinds)],
            "country": countries[i % len(countries)],
            "created_at": start,
        }
        for i in range(1, scale.organisations + 1)
    ]
    stakeholder_orgs = [o["id"] for o in organisations[1:]]
    counts: dict[str, int] = {}
    counts["organisation"] = _insert(Organisation.__table__, organisations, progress)

    user_id = _next_id(User)
    users = []
    secretariat: list[tuple[int, str]] = []
    for i in range(5):
        email = f"secretariat{i}@{slug}.example"
        users.append(
            {
                "id": user_id + i,
                "email": email,
                "name": f"Secretariat officer {i}",
                "organisation_id": org_id,
                "role": Role.ADMIN if i == 0 else Role.SECRETARIAT,
                "state": UserState.ACTIVE,
                "password_hash": password_hash,
                "session_token": new_session_token(),
                "created_at": start,
            }
        )
        secretariat.append((user_id + i, email))
    stakeholders: list[tuple[int, str]] = []
    member_of: dict[int, int] = {}
    for i in range(scale.users):
        uid = user_id + 5 + i
        email = f"delegate{i}@{slug}.example"
        organisation = stakeholder_orgs[i % len(stakeholder_orgs)]
        users.append(
            {
                "id": uid,
                "email": email,
                "name": f"Delegate {i}",
                "organisation_id": organisation,
                "role": Role.STAKEHOLDER,
                "state": UserState.ACTIVE,
                "password_hash": password_hash,
                "session_token": new_session_token(),
                "created_at": start,
            }
        )
        stakeholders.append((uid, email))
        member_of[uid] = organisation
    # A few registrations waiting for the secretariat, as on a real site.
    for i in range(max(2, scale.users // 20)):
        users.append(
            {
                "id": user_id + 5 + scale.users + i,
                "email": f"pending{i}@{slug}.example",
                "name": f"Pending delegate {i}",
                "organisation_id": stakeholder_orgs[i % len(stakeholder_orgs)],
                "role": Role.STAKEHOLDER,
                "state": UserState.PENDING,
                "password_hash": password_hash,
                "session_token": new_session_token(),
                "created_at": start,
            }
        )
    counts["user_account"] = _insert(User.__table__, users, progress)
    secretariat_ids = [s for s, _ in secretariat]
    stakeholder_ids = [s for s, _ in stakeholders]

    # --- the instrument and its clauses -----------------------------------------
    instrument_id = _next_id(Instrument)
    db.session.connection().execute(
        insert(Instrument.__table__),
        [
            {
                "id": instrument_id,
                "slug": slug,
                "title": f"Synthetic Framework Instrument ({scale.clauses:,} clauses)",
                "short_title": "Synthetic Instrument",
                "metadata": {"synthetic": True},
                "is_public": True,
                "created_at": start,
            }
        ],
    )
    clause_id = _next_id(Clause)
    clauses: list[dict] = []
    chapter = 0
    parent: int | None = None
    articles: list[int] = []  # clause ids of articles, in document order
    number_of: dict[int, int] = {}  # article clause id -> article number
    article_no = 0
    for position in range(scale.clauses):
        cid = clause_id + position
        if position == 0:
            row = {"uid": "preamble", "key": "Preamble", "kind": ClauseKind.PREAMBLE, "parent_id": None, "depth": 0}
        elif position % 20 == 1:
            chapter += 1
            parent = cid
            row = {
                "uid": f"chapter-{chapter}",
                "key": f"Chapter {chapter}",
                "kind": ClauseKind.PART,
                "parent_id": None,
                "depth": 0,
            }
        else:
            article_no += 1
            articles.append(cid)
            number_of[cid] = article_no
            row = {
                "uid": f"article-{article_no}",
                "key": f"Article {article_no}",
                "kind": ClauseKind.ARTICLE,
                "parent_id": parent,
                "depth": 1,
            }
        row.update(
            id=cid,
            instrument_id=instrument_id,
            position=position,
            deleted=False,
            current_version_id=None,
            created_at=start,
        )
        clauses.append(row)
    counts["clause"] = _insert(Clause.__table__, clauses, progress)

    # --- versions: Draft 1 imports everything; each later draft changes some articles ---
    version_id = _next_id(ClauseVersion)
    versions: list[dict] = []
    history: dict[int, list[dict]] = {}  # clause id -> its versions, oldest first
    quotes: dict[int, list[str]] = {}  # article clause id -> phrases of its unchanging first paragraph

    def add(
        cid: int, *, number: str, heading: str, body: str, cause: VersionCause, when: datetime, author: int | None
    ) -> dict:
        nonlocal version_id
        chain = history.setdefault(cid, [])
        row = {
            "id": version_id,
            "clause_id": cid,
            "seq": len(chain) + 1,
            "number": number,
            "heading": heading,
            "text": body,
            "deleted": False,
            "cause": cause,
            "note": "",
            "author_id": author,
            "parent_version_id": chain[-1]["id"] if chain else None,
            "created_at": when,
            "amendment_id": None,
        }
        version_id += 1
        chain.append(row)
        versions.append(row)
        return row

    for row in clauses:
        cid = row["id"]
        if row["kind"] is ClauseKind.PREAMBLE:
            add(
                cid,
                number="",
                heading="Preamble",
                body="The Member States of ASEAN,\n\nHave agreed as follows:",
                cause=VersionCause.IMPORT,
                when=start,
                author=None,
            )
        elif row["kind"] is ClauseKind.PART:
            add(
                cid,
                number=row["key"],
                heading=f"{rng.choice(_TOPICS).capitalize()}",
                body="",
                cause=VersionCause.IMPORT,
                when=start,
                author=None,
            )
        else:
            body, phrases = _article_text(rng, number_of[cid], 1)
            quotes[cid] = phrases
            add(
                cid,
                number=row["key"],
                heading=rng.choice(_OBJECTS).capitalize(),
                body=body,
                cause=VersionCause.IMPORT,
                when=start,
                author=None,
            )

    by_amendment: list[dict] = []  # versions made by accepting an amendment (amendments are written below)
    draft_versions: list[dict[int, int]] = []  # per draft: clause id -> version id
    edit_versions: list[dict] = []

    def snapshot() -> dict[int, int]:
        return {cid: chain[-1]["id"] for cid, chain in history.items()}

    def change(cid: int, when: datetime, by_amend: bool | None = None) -> None:
        chain = history[cid]
        body, _ = _article_text(rng, number_of[cid], len(chain) + 1)
        if by_amend is None:
            by_amend = rng.random() < 0.4
        row = add(
            cid,
            number=chain[-1]["number"],
            heading=chain[-1]["heading"],
            body=body,
            cause=VersionCause.AMENDMENT if by_amend else VersionCause.EDIT,
            when=when,
            author=rng.choice(secretariat_ids),
        )
        (by_amendment if by_amend else edit_versions).append(row)

    # The first article has the same shape at every size: an accepted amendment
    # made its second version and a secretariat edit its third (see World.showcase_clause).
    showcase = articles[0]
    others = articles[1:] or articles
    draft_versions.append(snapshot())
    for d in range(2, scale.drafts + 1):
        when = draft_time(d) - timedelta(days=3)
        if d == 2:
            change(showcase, when, by_amend=True)
        for cid in rng.sample(others, max(1, int(len(others) * scale.change_rate))):
            change(cid, when)
        draft_versions.append(snapshot())
    # The current text has moved on a little since the last draft.
    after = draft_time(scale.drafts) + timedelta(days=10)
    change(showcase, after, by_amend=False)
    showcase_amendment_version = history[showcase][1]
    showcase_edit = history[showcase][-1]
    for cid in rng.sample(others, max(1, len(others) // 50)):
        change(cid, after)
    counts["clause_version"] = _insert(ClauseVersion.__table__, versions, progress)
    _update_by_id(
        Clause.__table__,
        [{"b_id": cid, "current_version_id": chain[-1]["id"]} for cid, chain in history.items()],
        progress,
    )

    # --- drafts ---------------------------------------------------------------------
    draft_id = _next_id(Draft)
    now = datetime.now(UTC)
    drafts = [
        {
            "id": draft_id + d,
            "instrument_id": instrument_id,
            "number": d + 1,
            "title": f"Draft {d + 1}",
            "note": f"Revised after the consultations of round {d + 1}.",
            "published_at": draft_time(d + 1),
            "published_by_id": secretariat_ids[0],
            # Every draft but the last had a comment period that has ended.
            "comments_close_at": draft_time(d + 2) - timedelta(days=5)
            if d + 1 < scale.drafts
            else now + timedelta(days=60),
        }
        for d in range(scale.drafts)
    ]
    counts["draft"] = _insert(Draft.__table__, drafts, progress)
    entries = [
        {
            "draft_id": draft_id + d,
            "clause_id": row["id"],
            "version_id": snap[row["id"]],
            "position": row["position"],
            "depth": row["depth"],
            "key": row["key"],
            "kind": row["kind"],
            "parent_clause_id": row["parent_id"],
        }
        for d, snap in enumerate(draft_versions)
        for row in clauses
    ]
    counts["draft_entry"] = _insert(DraftEntry.__table__, entries, progress)
    del entries

    def draft_of(when: datetime) -> int:
        """The id of the latest draft published at ``when``."""
        d = min(scale.drafts, max(1, (when - start) // period + 1))
        return draft_id + d - 1

    # --- amendments -----------------------------------------------------------------
    amendment_id = _next_id(Amendment)
    amendments: list[dict] = []
    sponsors: list[dict] = []
    version_links: list[dict] = []
    events: list[dict] = []

    def amendment_row(
        cid: int,
        base: dict,
        *,
        state: AmendmentState,
        body: str,
        when: datetime,
        kind: AmendmentKind = AmendmentKind.MODIFY,
        result: dict | None = None,
    ) -> dict:
        proposer = rng.choice(stakeholder_ids)
        decided = state in (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS, S.REJECTED)
        row = {
            "id": amendment_id + len(amendments),
            "seq": len(amendments) + 1,  # numbered within the new instrument
            "instrument_id": instrument_id,
            "clause_id": cid,
            "kind": kind,
            "base_version_id": base["id"],
            "draft_id": draft_of(when),
            "number": base["number"],
            "heading": base["heading"],
            "text": body if kind is not AmendmentKind.DELETE else "",
            "rationale": f"Proposed after the consultation: {rng.choice(_COMMENT_OPENINGS).lower()}.",
            "proposer_id": proposer,
            "organisation_id": member_of[proposer],
            "state": state,
            "decided_by_id": rng.choice(secretariat_ids) if decided else None,
            "decided_at": when + timedelta(days=7) if decided else None,
            "reason": (
                "The proposal departs from the agreed scope."
                if state is S.REJECTED
                else "Accepted with a shorter wording."
                if state is S.ACCEPTED_WITH_MODIFICATIONS
                else ""
            ),
            "result_version_id": result["id"] if result else None,
            "created_at": when,
            "submitted_at": None if state is S.DRAFT else when + timedelta(hours=2),
        }
        amendments.append(row)
        for org in rng.sample(stakeholder_orgs, rng.choice([0, 0, 1, 1, 2])):
            if org != row["organisation_id"]:
                sponsors.append({"amendment_id": row["id"], "organisation_id": org})
        events.append(
            _event("amendment.propose", "amendment", row["id"], proposer, instrument_id, when, {"kind": kind.value})
        )
        if decided:
            events.append(
                _event(
                    f"amendment.{state.value}",
                    "amendment",
                    row["id"],
                    row["decided_by_id"],
                    instrument_id,
                    row["decided_at"],
                    {"reason": row["reason"]},
                )
            )
        return row

    # Accepted amendments made the versions with cause "amendment".
    for made in by_amendment:
        chain = history[made["clause_id"]]
        base = chain[made["seq"] - 2]
        state = S.ACCEPTED_WITH_MODIFICATIONS if rng.random() < 0.2 else S.ACCEPTED
        row = amendment_row(
            made["clause_id"],
            base,
            state=state,
            body=made["text"],
            result=made,
            when=made["created_at"] - timedelta(days=10),
        )
        version_links.append({"b_id": made["id"], "amendment_id": row["id"]})
    # The rest: rejected, withdrawn, superseded and drafts on past versions; open ones on the last draft's text.
    remaining = max(0, scale.amendments - len(amendments))
    # Open amendments sit on a third of the articles, the showcase article first (it gets several).
    open_clauses = [showcase, *rng.sample(others, min(len(others), max(1, remaining // 3)))]
    for i in range(remaining):
        roll = rng.random()
        if roll < 0.45:
            # Open: submitted or under review, on the text of the last draft, which stakeholders read
            # (most apply cleanly to the working text too).
            cid = open_clauses[i % len(open_clauses)]
            published = draft_versions[-1].get(cid)
            base = next((v for v in history[cid] if v["id"] == published), history[cid][-1])
            extra = f" The Member States shall review this Article every {rng.choice(_DEADLINES)} months ({i})."
            amendment_row(
                cid,
                base,
                state=S.SUBMITTED if rng.random() < 0.8 else S.UNDER_REVIEW,
                body=base["text"] + extra,
                when=draft_time(scale.drafts) + timedelta(days=rng.randint(1, 25)),
            )
            continue
        cid = rng.choice(articles)
        chain = history[cid]
        base = rng.choice(chain)
        when = base["created_at"] + timedelta(days=rng.randint(1, 20))
        kind = AmendmentKind.DELETE if roll > 0.97 else AmendmentKind.INSERT if roll > 0.94 else AmendmentKind.MODIFY
        state = S.REJECTED if roll < 0.8 else S.WITHDRAWN if roll < 0.88 else S.DRAFT if roll < 0.94 else S.SUPERSEDED
        if kind is not AmendmentKind.MODIFY:
            state = S.REJECTED
        amendment_row(
            cid, base, state=state, kind=kind, when=when, body=base["text"].replace("shall", "should", 1) + f" ({i})"
        )
    counts["amendment"] = _insert(Amendment.__table__, amendments, progress)
    counts["amendment_sponsor"] = _insert(amendment_sponsor, sponsors, progress)
    _update_by_id(ClauseVersion.__table__, version_links, progress)
    for made in by_amendment + edit_versions:
        events.append(
            _event(
                "clause.version",
                "clauseversion",
                made["id"],
                made["author_id"],
                instrument_id,
                made["created_at"],
                {"seq": made["seq"], "cause": made["cause"].value},
            )
        )
    for d in drafts:
        events.append(
            _event(
                "draft.publish",
                "draft",
                d["id"],
                d["published_by_id"],
                instrument_id,
                d["published_at"],
                {"number": d["number"]},
            )
        )

    # --- comments: skewed towards a few debated articles ------------------------------
    comment_id = _next_id(Comment)
    weights = [1.0 / (rank + 8) for rank in range(len(articles))]
    hot = articles[:]
    rng.shuffle(hot)
    top_level = int(scale.comments * 0.7)
    targets = rng.choices(hot, weights=weights, k=top_level)
    plain_cache: dict[int, str] = {}
    selector_cache: dict[tuple[int, int], list] = {}
    outcome_cache: dict[tuple, object] = {}
    comments: list[dict] = []
    anchors: list[dict] = []
    threads: dict[int, list[dict]] = {}
    categories = list(CommentCategory)

    def plain_of(row: dict) -> str:
        value = plain_cache.get(row["id"])
        if value is None:
            value = plain_cache[row["id"]] = plain_text(row["text"])
        return value

    per_clause: dict[int, int] = {}
    for n, cid in enumerate(targets):
        chain = history[cid]
        # Written from the page of a draft (or, after the last draft, on the current text).
        d = rng.choices(range(scale.drafts + 1), weights=[1 + i for i in range(scale.drafts + 1)])[0]
        if d < scale.drafts:
            written_id = draft_versions[d][cid]
            written = next(v for v in chain if v["id"] == written_id)
            when = draft_time(d + 1) + timedelta(hours=rng.randint(1, 24 * 20))
            on_draft = draft_id + d
        else:
            written = chain[-1]
            when = draft_time(scale.drafts) + timedelta(days=10, hours=rng.randint(1, 24 * 15))
            on_draft = None
        selector = None
        if rng.random() < 0.3:
            which = rng.randrange(2)
            key = (written["id"], which)
            selector = selector_cache.get(key)
            if selector is None:
                plain = plain_of(written)
                phrase = quotes[cid][which]
                at = plain.find(phrase)
                selector = make_selector(plain, at, at + len(phrase)).to_json() if at >= 0 else None
                selector_cache[key] = selector
        author = rng.choice(stakeholder_ids)
        roll = rng.random()
        status = CommentStatus.HIDDEN if roll < 0.01 else CommentStatus.RESOLVED if roll < 0.12 else CommentStatus.OPEN
        row = {
            "id": comment_id + n,
            "instrument_id": instrument_id,
            "clause_id": cid,
            "version_id": written["id"],
            "draft_id": on_draft,
            "selector": selector,
            "body": _comment_body(rng, n),
            "category": categories[n % len(categories)],
            "author_id": author,
            "organisation_id": member_of[author],
            "in_reply_to_id": None,
            "status": status,
            "resolved_by_id": rng.choice(secretariat_ids) if status is CommentStatus.RESOLVED else None,
            "resolved_at": when + timedelta(days=2) if status is CommentStatus.RESOLVED else None,
            "hidden_by_id": secretariat_ids[1] if status is CommentStatus.HIDDEN else None,
            "hidden_at": when + timedelta(days=1) if status is CommentStatus.HIDDEN else None,
            "hidden_reason": "Off topic." if status is CommentStatus.HIDDEN else "",
            "created_at": when,
            "edited_at": None,
        }
        comments.append(row)
        threads.setdefault(cid, []).append(row)
        per_clause[cid] = per_clause.get(cid, 0) + 1
        if status is CommentStatus.HIDDEN:
            continue  # hidden comments are not re-anchored on later versions
        probe = SimpleNamespace(selector=selector, version_id=written["id"])
        for target in chain[written["seq"] - 1 :]:
            key = (written["id"], repr(selector), target["id"])
            outcome = outcome_cache.get(key)
            if outcome is None:
                outcome = outcome_cache[key] = anchoring_on(
                    probe, plain_of(written), SimpleNamespace(id=target["id"], text=target["text"], deleted=False)
                )
            anchors.append(
                {
                    "comment_id": row["id"],
                    "version_id": target["id"],
                    "status": AnchorState(outcome.status),
                    "start": outcome.start,
                    "end": outcome.end,
                    "score": outcome.score,
                    "created_at": max(when, target["created_at"]),
                }
            )
    replies = scale.comments - top_level
    for n in range(replies):
        parent = rng.choice(comments[:top_level])
        while parent["status"] is CommentStatus.HIDDEN:
            parent = rng.choice(comments[:top_level])
        author = rng.choice(stakeholder_ids + secretariat_ids[:2])
        when = parent["created_at"] + timedelta(hours=rng.randint(1, 96))
        comments.append(
            {
                "id": comment_id + top_level + n,
                "instrument_id": instrument_id,
                "clause_id": parent["clause_id"],
                "version_id": parent["version_id"],
                "draft_id": None,
                "selector": None,
                "body": _comment_body(rng, top_level + n),
                "category": CommentCategory.OTHER,
                "author_id": author,
                "organisation_id": member_of.get(author, org_id),
                "in_reply_to_id": parent["id"],
                "status": CommentStatus.OPEN,
                "resolved_by_id": None,
                "resolved_at": None,
                "hidden_by_id": None,
                "hidden_at": None,
                "hidden_reason": "",
                "created_at": when,
                "edited_at": None,
            }
        )
        per_clause[parent["clause_id"]] += 1
    counts["comment"] = _insert(Comment.__table__, comments, progress)
    counts["comment_anchor"] = _insert(CommentAnchor.__table__, anchors, progress)
    del anchors
    for row in comments:
        events.append(
            _event(
                "comment.post",
                "comment",
                row["id"],
                row["author_id"],
                instrument_id,
                row["created_at"],
                {"reply_to": row["in_reply_to_id"]},
            )
        )

    # --- consultations and inputs -----------------------------------------------------
    consultation_id = _next_id(Consultation)
    consultation_kinds = list(ConsultationKind)
    consultations = [
        {
            "id": consultation_id + i,
            "instrument_id": instrument_id,
            "title": f"Consultation {i + 1} on the synthetic instrument",
            "kind": consultation_kinds[i % len(consultation_kinds)],
            "starts_on": (draft_time(1 + i % scale.drafts)).date(),
            "ends_on": None,
            "place": rng.choice(["Jakarta", "Manila", "Bangkok", "Kuala Lumpur", "Hanoi"]),
            "organiser_id": stakeholder_orgs[i % len(stakeholder_orgs)],
            "summary": "Delegates discussed the draft article by article.",
            "open_until": None,
            "created_by_id": secretariat_ids[0],
            "created_at": draft_time(1 + i % scale.drafts),
        }
        for i in range(scale.consultations)
    ]
    counts["consultation"] = _insert(Consultation.__table__, consultations, progress)
    input_id = _next_id(Input)
    inputs, in_orgs, in_clauses, in_amendments, in_versions = [], [], [], [], []
    accepted = [a for a in amendments if a["state"] in (S.ACCEPTED, S.ACCEPTED_WITH_MODIFICATIONS)]
    input_kinds = list(InputKind)
    showcase_amendment = next(a for a in amendments if a["result_version_id"] == showcase_amendment_version["id"])
    for i in range(scale.inputs):
        iid = input_id + i
        consultation = consultations[i % len(consultations)]
        disposition, reason = Disposition.PENDING, ""
        cited = False
        if i == 0:
            # The first input is behind both changes of the showcase article.
            in_amendments.append(
                {"input_id": iid, "amendment_id": showcase_amendment["id"], "created_at": consultation["created_at"]}
            )
            in_versions.append(
                {"input_id": iid, "version_id": showcase_edit["id"], "created_at": consultation["created_at"]}
            )
            in_clauses.append({"input_id": iid, "clause_id": showcase, "created_at": consultation["created_at"]})
            cited = True
        elif accepted and i % 3 == 0:
            a = accepted[(i // 3) % len(accepted)]
            in_amendments.append({"input_id": iid, "amendment_id": a["id"], "created_at": consultation["created_at"]})
            cited = True
        if edit_versions and i % 7 == 1:
            v = edit_versions[(i // 7) % len(edit_versions)]
            in_versions.append({"input_id": iid, "version_id": v["id"], "created_at": consultation["created_at"]})
            cited = True
        if cited:
            disposition = Disposition.REFLECTED if i % 2 == 0 else Disposition.REFLECTED_IN_PART
        elif i % 5 == 2:
            disposition, reason = Disposition.NOT_REFLECTED, "The Member States did not agree to this change."
        elif i % 5 == 4:
            disposition, reason = Disposition.NOTED, "Outside the scope of the Instrument."
        inputs.append(
            {
                "id": iid,
                "consultation_id": consultation["id"],
                "kind": input_kinds[i % len(input_kinds)],
                "title": f"Input {i + 1}: {rng.choice(_COMMENT_OPENINGS).lower()}",
                "summary": _comment_body(rng, i),
                "reference_document": "",
                "reference_page": "",
                "attachment_key": None,
                "attachment_name": "",
                "attachment_type": "",
                "attachment_size": 0,
                "attachment_sha256": "",
                "disposition": disposition,
                "disposition_reason": reason,
                "decided_by_id": secretariat_ids[0] if disposition is not Disposition.PENDING else None,
                "decided_at": consultation["created_at"] + timedelta(days=20)
                if disposition is not Disposition.PENDING
                else None,
                "via_call": False,
                "recorded_by_id": secretariat_ids[0],
                "created_at": consultation["created_at"],
            }
        )
        for org in rng.sample(stakeholder_orgs, rng.randint(1, min(3, len(stakeholder_orgs)))):
            in_orgs.append({"input_id": iid, "organisation_id": org})
        for cid in rng.sample(others, rng.randint(1, min(3, len(others)))):
            in_clauses.append({"input_id": iid, "clause_id": cid, "created_at": consultation["created_at"]})
        events.append(
            _event(
                "input.record",
                "input",
                iid,
                secretariat_ids[0],
                instrument_id,
                consultation["created_at"],
                {"consultation": consultation["id"]},
            )
        )
    counts["consultation_input"] = _insert(Input.__table__, inputs, progress)
    counts["input_organisation"] = _insert(input_organisation, in_orgs, progress)
    counts["input_clause"] = _insert(input_clause, in_clauses, progress)
    counts["input_amendment"] = _insert(input_amendment, in_amendments, progress)
    counts["input_version"] = _insert(input_version, in_versions, progress)

    event_id = _next_id(Event)
    events.sort(key=lambda e: e["created_at"])
    for i, e in enumerate(events):
        e["id"] = event_id + i
    counts["event"] = _insert(Event.__table__, events, progress)
    _fix_sequences()
    db.session.commit()
    # Fresh planner statistics, as a maintained database has them after a bulk load
    # (PostgreSQL's autovacuum; `drafter init-db` on SQLite; PostgreSQL documentation,
    # "Populating a Database": run ANALYZE afterwards).
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

    # --- what pages should name --------------------------------------------------------
    ranked = sorted(per_clause.items(), key=lambda kv: (-kv[1], kv[0]))
    uid_of = {row["id"]: row["uid"] for row in clauses}
    most_versions = max(articles, key=lambda cid: (len(history[cid]), -cid))
    by_org: dict[int, int] = {}
    for a in amendments:
        by_org[a["organisation_id"]] = by_org.get(a["organisation_id"], 0) + 1
    world = World(
        slug=slug,
        instrument_id=instrument_id,
        drafts=scale.drafts,
        stakeholders=stakeholders,
        secretariat=secretariat,
        busiest_clause=uid_of[ranked[0][0]],
        typical_clause=uid_of[ranked[len(ranked) // 2][0]],
        most_versions_clause=uid_of[most_versions],
        showcase_clause=uid_of[showcase],
        accepted_amendment=accepted[0]["id"] if accepted else amendments[0]["id"],
        open_amendment=next(a["id"] for a in amendments if a["state"] is S.SUBMITTED),
        busiest_organisation=max(by_org, key=lambda k: (by_org[k], -k)),
        consultation=consultations[0]["id"],
        input=input_id,
        counts=counts,
    )
    from drafter.services.comments.queries import readable_by
    from drafter.services.paging import page_count
    from drafter.views.comments import PER_PAGE

    viewer = _stakeholder(world)
    visible = db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.instrument_id == instrument_id,
            or_(Comment.status != CommentStatus.HIDDEN, Comment.author_id == viewer.id),
            readable_by(viewer, db.session.get(Instrument, instrument_id)),
        )
    )
    world.comment_pages = page_count(visible, PER_PAGE)
    return world


def _event(
    verb: str, object_type: str, object_id: int, actor: int | None, instrument_id: int, when: datetime, details: dict
) -> dict:
    return {
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "actor_id": actor,
        "instrument_id": instrument_id,
        "created_at": when,
        "details": details,
    }


def table_counts(
    tables: Iterable[str] = (
        "clause",
        "clause_version",
        "draft",
        "comment",
        "amendment",
        "consultation_input",
        "event",
    ),
) -> dict[str, int]:
    """Rows per table in the whole database (for the benchmark's header)."""
    return {name: db.session.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one() for name in tables}


@dataclass(frozen=True)
class Page:
    """A page worth measuring.

    :ivar name: what it is, for a report.
    :ivar path: the URL path with its query.
    :ivar who: who asks: ``"anonymous"``, ``"stakeholder"`` (a delegate of the
        organisation with most amendments), ``"secretariat"`` or ``"admin"``.
    """

    name: str
    path: str
    who: str = "anonymous"


def main_pages(world: World) -> list[Page]:
    """The main pages of ``world``'s instrument, each naming the busiest object of its kind.

    :returns: reading pages, comment and amendment lists and pages, the audit
        log, administration lists, and the consultation and traceability pages.
    """
    i = f"/i/{world.slug}"
    last = world.drafts
    return [
        Page("working draft (full text)", f"{i}/", "secretariat"),
        Page("last draft (full text)", f"{i}/drafts/{last}/"),
        Page("drafts list", f"{i}/drafts/"),
        Page("clause page (typical)", f"{i}/c/{world.typical_clause}/"),
        Page("clause page (most versions)", f"{i}/c/{world.most_versions_clause}/"),
        Page("clause page (amended, edited, open amendments)", f"{i}/c/{world.showcase_clause}/", "stakeholder"),
        Page("clause page (most comments)", f"{i}/c/{world.busiest_clause}/", "stakeholder"),
        Page("compare the last two drafts", f"{i}/compare/?from={last - 1}&to={last}"),
        Page("compare clause versions", f"{i}/c/{world.most_versions_clause}/compare/?from=1&to=2"),
        Page("clause comments (most comments)", f"{i}/c/{world.busiest_clause}/comments/", "stakeholder"),
        Page("comments list", f"{i}/comments/", "stakeholder"),
        Page("comments list, last page", f"{i}/comments/?page={world.comment_pages}", "stakeholder"),
        Page("amendments review queue", f"{i}/amendments/", "secretariat"),
        Page("amendments review overview", "/amendments/review", "secretariat"),
        Page("amendment page (open)", f"{i}/amendments/{world.open_amendment}/", "secretariat"),
        Page("amendment page (accepted)", f"{i}/amendments/{world.accepted_amendment}/", "stakeholder"),
        Page("our organisation's amendments", f"{i}/amendments/mine", "stakeholder"),
        Page("open amendments on a clause", f"{i}/c/{world.showcase_clause}/amendments", "stakeholder"),
        Page("events (audit log)", "/admin/events/", "admin"),
        Page("accounts", "/admin/accounts/", "admin"),
        Page("registrations", "/secretariat/registrations/", "secretariat"),
        Page("consultations", f"{i}/consultations/"),
        Page("consultation page", f"{i}/consultations/{world.consultation}/", "stakeholder"),
        Page("input page", f"{i}/inputs/{world.input}/", "stakeholder"),
        Page("disposition register", f"{i}/register", "stakeholder"),
        Page("disposition register, inputs", f"{i}/register?what=inputs", "stakeholder"),
        Page("disposition register, amendments", f"{i}/register?what=amendments", "stakeholder"),
        Page("traceability matrix", f"{i}/matrix", "stakeholder"),
        Page("provenance", f"{i}/c/{world.showcase_clause}/provenance", "stakeholder"),
        Page("organisations", f"{i}/organisations/", "stakeholder"),
        Page("organisation report", f"{i}/organisations/{world.busiest_organisation}/report", "stakeholder"),
        Page("sources of the last draft", f"{i}/drafts/{last}/sources", "stakeholder"),
    ]


def _stakeholder(world: World) -> User:
    # A delegate of the organisation with most amendments: its own lists are the longest.
    return db.session.scalar(
        select(User)
        .where(User.organisation_id == world.busiest_organisation, User.state == UserState.ACTIVE)
        .order_by(User.id)
        .limit(1)
    )


def identity(world: World, who: str) -> str | None:
    """The session identity (``"<id>:<session token>"``) of ``who`` in ``world``, or ``None`` for anonymous.

    The stakeholder is a delegate of the organisation with most amendments.
    """
    if who == "anonymous":
        return None
    if who == "stakeholder":
        user = _stakeholder(world)
    else:
        user_id = world.secretariat[0][0] if who == "admin" else world.secretariat[1][0]
        user = db.session.get(User, user_id)
    return user.get_id()
