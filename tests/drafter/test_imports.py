"""Importing texts as instruments and as their next drafts."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Draft, Instrument, VersionCause
from drafter.services import drafts
from drafter.services.versions import add_version
from instrument.errors import StaleBase
from instrument.parse import parse_markdown
from instrument.types import ClauseKind
from tests.drafter.helpers import import_text, instrument_md


def version_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ClauseVersion))


def test_first_import_creates_clauses_versions_and_draft_1(app_ctx):
    report = import_text(instrument_md(5), "test")
    assert report.created and report.draft.number == 1
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "test"))
    rows = drafts.current_state(instrument)
    assert [r.key for r in rows] == ["preamble", "Part I"] + [f"Article {i}" for i in range(1, 6)]
    assert all(r.version.seq == 1 and r.version.cause == VersionCause.IMPORT for r in rows)
    assert [r.key for r in drafts.draft_state(report.draft)] == [r.key for r in rows]


@pytest.mark.parametrize(
    "same",
    [
        lambda text: text,
        lambda text: text.replace("obligation number 2 in", "obligation\nnumber 2   in"),
        lambda text: text.replace("\n", "\r\n"),
    ],
    ids=["identical", "rewrapped", "crlf"],
)
def test_reimport_of_the_same_text_makes_no_version_and_publishes_no_draft(app_ctx, same):
    import_text(instrument_md(3), "test")
    before = version_count()
    report = import_text(same(instrument_md(3)), "test")
    assert version_count() == before
    assert report.changed == [] and report.added == [] and report.deleted == []
    assert report.draft is None and report.unchanged == 5
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
    assert "nothing changed" in report.summary() and "no draft" in report.summary()


def test_reimport_that_only_moves_a_clause_publishes_a_draft(app_ctx):
    import_text(instrument_md(3), "test")
    text = instrument_md(3)
    art3 = text[text.index("### Article 3") :]
    moved = text.replace(art3, "").replace("### Article 1", art3 + "\n### Article 1")
    report = import_text(moved, "test")
    assert report.changed == [] and report.added == [] and report.deleted == []
    assert report.draft is not None and report.draft.number == 2


def test_reimport_changes_adds_and_deletes(app_ctx):
    import_text(instrument_md(4), "test")
    text = instrument_md(3, overrides={2: "1. The Parties shall cooperate closely."})
    text += "\n### Article 9 — New\n\nA new obligation.\n"
    report = import_text(text, "test")
    assert report.changed == ["Article 2"]
    assert report.added == ["Article 9"]
    assert report.deleted == ["Article 4"]
    clause = db.session.scalar(select(Clause).where(Clause.key == "Article 4"))
    assert clause.deleted and clause.current_version.deleted and clause.current_version.seq == 2
    # The old text is kept: version 1 is still there, unchanged.
    assert clause.versions[0].text.startswith("1. The Parties shall give effect to obligation number 4")


def test_reimport_over_clauses_without_any_version_gives_them_one(app_ctx):
    import_text(instrument_md(3), "test")
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "test"))
    # Rows left without a version (current_version_id is nullable): one the file has, one it has not.
    for position, key in ((4, "Article 4"), (5, "Article 8")):
        db.session.add(
            Clause(
                instrument_id=instrument.id,
                uid=key.lower().replace(" ", "-"),
                key=key,
                kind=ClauseKind.ARTICLE,
                position=position,
            )
        )
    db.session.commit()
    report = import_text(instrument_md(4), "test")
    assert report.changed == ["Article 4"] and report.added == [] and report.deleted == ["Article 8"]
    article_4, article_8 = (
        db.session.scalar(select(Clause).where(Clause.key == key)) for key in ("Article 4", "Article 8")
    )
    assert article_4.current_version.text.startswith("1. The Parties shall give effect to obligation number 4")
    assert article_8.deleted and article_8.current_version.deleted and article_8.current_version.text == ""


def test_renumbered_articles_keep_their_identity(app_ctx):
    original = instrument_md(4)
    import_text(original, "test")
    uid_of_3 = db.session.scalar(select(Clause.uid).where(Clause.key == "Article 3"))
    # A new Article 2 is inserted; old 2..4 become 3..5 with the same text.
    lines = [
        "### Article 1 — Heading 1\n\n1. The Parties shall give effect to obligation number 1 in good faith and without delay.\n",
        "### Article 2 — Inserted\n\n1. An entirely new obligation on access to justice for every migrant worker.\n",
    ]
    for old in range(2, 5):
        lines.append(
            f"### Article {old + 1} — Heading {old}\n\n1. The Parties shall give effect to obligation number {old} in good faith and without delay.\n"
        )
    text = (
        "---\ntitle: Test Instrument\n---\n\n# Test Instrument\n\n## Preamble\n\nThe Parties agree.\n\n## Part I — General\n\n"
        + "\n".join(lines)
    )
    report = import_text(text, "test")
    assert report.added == ["Article 2"]
    assert report.changed == []  # number labels changed, so versions were made, but see below
    assert sorted(report.renumbered) == [
        ("Article 2", "Article 3"),
        ("Article 3", "Article 4"),
        ("Article 4", "Article 5"),
    ]
    moved = db.session.scalar(select(Clause).where(Clause.uid == uid_of_3))
    assert moved.key == "Article 4" and moved.current_version.number == "Article 4"


def test_versions_are_never_updated_or_deleted(app_ctx):
    statements: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.upper())

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        import_text(instrument_md(4), "test")
        import_text(instrument_md(3, overrides={1: "Changed text of the first article."}), "test")
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    bad = [s for s in statements if ("UPDATE CLAUSE_VERSION" in s or "DELETE FROM CLAUSE_VERSION" in s)]
    assert bad == []
    assert any("INSERT INTO CLAUSE_VERSION" in s for s in statements)


def test_stale_base_is_refused_and_changes_nothing(app_ctx):
    import_text(instrument_md(2), "test")
    clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
    base = clause.current_version_id
    add_version(
        clause,
        number="Article 1",
        heading="H",
        text="First edit.",
        cause=VersionCause.EDIT,
        actor=None,
        base_version_id=base,
    )
    db.session.commit()
    count = version_count()
    with pytest.raises(StaleBase):
        add_version(
            clause,
            number="Article 1",
            heading="H",
            text="Second edit on the old base.",
            cause=VersionCause.EDIT,
            actor=None,
            base_version_id=base,
        )
    db.session.rollback()
    assert version_count() == count
    assert clause.current_version.text == "First edit."


def test_identical_edit_is_a_no_op(app_ctx):
    import_text(instrument_md(1), "test")
    clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
    cur = clause.current_version
    assert (
        add_version(
            clause, number=cur.number, heading=cur.heading, text=cur.text + "\n\n", cause=VersionCause.EDIT, actor=None
        )
        is None
    )


def test_demo_draft_2_follows_renumbering(app_ctx):
    from drafter.demo import DEMO_SLUG, load_demo

    lines = [line for line in load_demo() if not line.startswith("Demo ")]  # account lines: test_accounts.py
    assert len(lines) == 2
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == DEMO_SLUG))
    numbers = db.session.scalars(select(Draft.number).where(Draft.instrument_id == instrument.id)).all()
    assert sorted(numbers) == [1, 2]
    # Article 14 of Draft 1 is Article 15 of Draft 2: same clause, a renumbered version.
    old14 = db.session.scalar(select(Clause).where(Clause.instrument_id == instrument.id, Clause.uid == "article-14"))
    assert old14.key == "Article 15"
    new14 = db.session.scalar(select(Clause).where(Clause.instrument_id == instrument.id, Clause.key == "Article 14"))
    assert new14.current_version.heading == "Access to justice and remedies"
    assert len(new14.versions) == 1
    # A second run changes nothing.
    again = list(load_demo())
    assert sum(line.startswith("Draft ") and "already loaded" in line for line in again) == 2
    assert not any(line.startswith(DEMO_SLUG) for line in again)
    assert len(db.session.scalars(select(Draft.id).where(Draft.instrument_id == instrument.id)).all()) == 2


def test_export_markdown_round_trip(app_ctx):
    from drafter.demo import load_demo
    from drafter.services.exports import export_clean

    list(load_demo())
    instrument = db.session.scalar(select(Instrument))
    original = drafts.current_state(instrument)
    text = export_clean(instrument, None, "md").content
    import_text(text, "copy")
    copy = db.session.scalar(select(Instrument).where(Instrument.slug == "copy"))
    again = drafts.current_state(copy)
    assert [(r.key, r.version.number, r.version.heading, r.version.text) for r in again] == [
        (r.key, r.version.number, r.version.heading, r.version.text) for r in original
    ]


def test_parse_errors_write_nothing(app_ctx):
    from instrument.errors import ParseError

    with pytest.raises(ParseError):
        parse_markdown("", source_name="empty.md")
    assert db.session.scalar(select(func.count()).select_from(Instrument)) == 0
