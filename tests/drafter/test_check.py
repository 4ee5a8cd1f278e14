"""``drafter check``: each kind of damaged record is reported, a sound one is not.

The damage is written straight into the database (as a hand edit, a faulty
migration or an older release would), bypassing the services that keep the
rules on every write.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from drafter.extensions import db
from drafter.integrity import check_all
from drafter.models import Amendment, Clause, ClauseVersion, Draft, DraftEntry, Instrument, VersionCause
from drafter.services.drafts import publish_draft
from instrument.amendments import AmendmentState
from instrument.merge import AMENDMENT_MARKER, CURRENT_MARKER, SEPARATOR_MARKER
from tests.drafter import amendments_helpers as h
from tests.drafter.helpers import import_text, instrument_md

DEMO = "asean-migrant-workers"


def demo_clause(uid: str) -> Clause:
    demo = select(Instrument.id).where(Instrument.slug == DEMO).scalar_subquery()
    return db.session.scalar(select(Clause).where(Clause.instrument_id == demo, Clause.uid == uid))


def demo_draft(number: int) -> Draft:
    demo = select(Instrument.id).where(Instrument.slug == DEMO).scalar_subquery()
    return db.session.scalar(select(Draft).where(Draft.instrument_id == demo, Draft.number == number))


def accepted_demo_amendment() -> Amendment:
    return db.session.scalar(
        select(Amendment).where(Amendment.state == AmendmentState.ACCEPTED, Amendment.result_version_id.is_not(None))
    )


def run_check(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_the_demo_is_sound(demo):
    code, output = run_check(demo)
    assert code == 0, output
    assert "The record is sound: 5 rules checked on 1 instrument, 2 drafts" in output


def test_a_record_after_insertions_deletions_and_new_drafts_is_sound(app_ctx, app):
    """Every way the services make versions and drafts keeps every rule."""
    people = h.add_people()
    h.add_instrument(articles=4)
    h.accept(h.propose(people.mfa, "A new article on recruitment fees.", kind="insert", number="Article 1A"),
             people.secretariat)  # fmt: skip
    h.accept(h.propose(people.mfa, kind="delete", key="Article 2"), people.secretariat)
    h.accept(h.propose(people.asetuc, "Article 3 as amended.", key="Article 3"), people.secretariat,
             outcome="accepted_with_modifications", text="Article 3 as the secretariat wrote it.",
             reason="Shorter.")  # fmt: skip
    publish_draft(db.session.scalar(select(Instrument)), actor=h.user(people.secretariat))
    db.session.commit()
    import_text(instrument_md(2), "t")  # Articles 3 and 4 deleted by a new import, as Draft 3
    assert check_all() == []
    code, output = run_check(app)
    assert code == 0, output
    assert "3 drafts" in output


@pytest.mark.parametrize(
    "lines",
    [
        [AMENDMENT_MARKER, "shall protect", SEPARATOR_MARKER, "may protect", CURRENT_MARKER],
        [SEPARATOR_MARKER + "   "],  # one marker line is enough, trailing spaces or not
    ],
)
def test_conflict_markers_in_a_version_are_reported(demo, lines):
    with demo.app_context():
        clause = demo_clause("article-5")
        version_id, seq = clause.current_version.id, clause.current_version.seq
        text = clause.current_version.text + "\n\n" + "\n".join(lines)
        db.session.execute(update(ClauseVersion).where(ClauseVersion.id == version_id).values(text=text))
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.version_id) for f in findings] == [("conflict_markers", version_id)]
    code, output = run_check(demo)
    assert code == 1
    assert f"[conflict_markers] {DEMO}: clause article-5" in output
    assert f"version {seq} (id {version_id}) holds conflict marker lines" in output
    assert "1 problem found" in output


@pytest.mark.parametrize(
    ("field", "bad", "problem"),
    [
        ("text", "Wages\x0bshall be paid.", "control characters U+000B"),
        ("text", "Wages\x00 shall\x1b be\x0c paid.", "control characters U+0000, U+000C, U+001B"),
        ("text", "Wages shall\x1b be\x0c paid.", "control characters U+000C, U+001B"),
        ("text", "Wages shall be paid.\r\nMonthly.", "control characters U+000D"),
        ("text", "Wages\x85shall\x7f be paid.", "control characters U+007F, U+0085"),
        ("heading", "Wages\u2028and hours", "line separators U+2028"),
        ("text", "Vie\u0302\u0323t Nam", "not in NFC"),
        ("number", "Article\x1f 5", "control characters U+001F"),
    ],
)
def test_text_with_control_characters_or_not_in_nfc_is_reported(demo, field, bad, problem):
    with demo.app_context():
        if "\x00" in bad and db.engine.dialect.name == "postgresql":
            pytest.skip("PostgreSQL text columns cannot hold NUL")
        version_id = demo_clause("article-5").current_version_id
        db.session.execute(update(ClauseVersion).where(ClauseVersion.id == version_id).values({field: bad}))
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.version_id) for f in findings] == [("unstorable_text", version_id)]
    assert findings[0].message.endswith(f"the {field} has {problem}")
    code, output = run_check(demo)
    assert code == 1 and problem in output


def test_a_live_clause_missing_from_a_draft_is_reported(demo):
    with demo.app_context():
        draft, clause = demo_draft(1), demo_clause("article-3")
        db.session.execute(delete(DraftEntry).where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id))
        db.session.commit()
        findings = check_all()
        expected = [("draft_entries", draft.id, clause.id)]
    assert [(f.rule, f.draft_id, f.clause_id) for f in findings] == expected
    assert "Draft 1" in findings[0].message and "article-3" in findings[0].message
    assert "was live when the draft was published" in findings[0].message
    code, output = run_check(demo)
    assert code == 1 and "has no entry" in output


def test_a_clause_added_after_a_draft_is_not_missing_from_it(app_ctx):
    """Draft 1 was published before Article 4 existed; Draft 2 has it."""
    import_text(instrument_md(3), "t")
    import_text(instrument_md(4), "t")
    assert check_all() == []


def test_a_draft_entry_naming_another_clauses_version_is_reported(demo):
    with demo.app_context():
        draft, clause, other = demo_draft(2), demo_clause("article-3"), demo_clause("article-4")
        db.session.execute(
            update(DraftEntry)
            .where(DraftEntry.draft_id == draft.id, DraftEntry.clause_id == clause.id)
            .values(version_id=other.current_version_id)
        )
        db.session.commit()
        findings = check_all()
        expected = [("draft_entries", draft.id, clause.id, other.current_version_id)]
    assert [(f.rule, f.draft_id, f.clause_id, f.version_id) for f in findings] == expected
    assert f"a version of clause id {other.id}" in findings[0].message


def test_a_draft_entry_on_a_deleted_version_is_reported(demo):
    with demo.app_context():
        draft_id, clause_id = demo_draft(2).id, demo_clause("article-3").id
        version_id = db.session.scalar(
            select(DraftEntry.version_id).where(DraftEntry.draft_id == draft_id, DraftEntry.clause_id == clause_id)
        )
        db.session.execute(update(ClauseVersion).where(ClauseVersion.id == version_id).values(deleted=True))
        db.session.commit()
        findings = check_all()
    assert ("draft_entries", draft_id, version_id) in [(f.rule, f.draft_id, f.version_id) for f in findings]
    assert any("which deletes the clause" in f.message for f in findings)


def test_an_accepted_amendment_that_lost_its_result_is_reported(demo):
    with demo.app_context():
        amendment = accepted_demo_amendment()
        amendment_id, version_id = amendment.id, amendment.result_version_id
        db.session.execute(update(Amendment).where(Amendment.id == amendment_id).values(result_version_id=None))
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.amendment_id, f.version_id) for f in findings] == [
        ("amendment_results", amendment_id, version_id)
    ]
    assert f"says Amendment {amendment_id} (accepted) made it, but the amendment names no version" in (
        findings[0].message
    )


def test_an_accepted_amendment_pointing_at_a_version_it_did_not_make_is_reported(demo):
    with demo.app_context():
        amendment = accepted_demo_amendment()
        amendment_id, made = amendment.id, amendment.result_version_id
        other = demo_clause("article-4").current_version
        db.session.execute(update(Amendment).where(Amendment.id == amendment_id).values(result_version_id=other.id))
        db.session.commit()
        findings = check_all()
    messages = [f.message for f in findings if f.rule == "amendment_results" and f.amendment_id == amendment_id]
    assert any("names no amendment" in m for m in messages)
    assert any(f"belongs to clause article-4 (id {other.clause_id})" in m for m in messages)
    # The version it did make still names it.
    assert any(f"(id {made}) says Amendment {amendment_id} (accepted) made it, but the amendment names version id "
               f"{other.id}" in m for m in messages)  # fmt: skip
    code, _output = run_check(demo)
    assert code == 1


def test_a_version_made_by_an_amendment_not_accepted_is_reported(demo):
    with demo.app_context():
        amendment = accepted_demo_amendment()
        amendment_id = amendment.id
        db.session.execute(update(Amendment).where(Amendment.id == amendment_id).values(state=AmendmentState.REJECTED))
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.amendment_id) for f in findings] == [("amendment_results", amendment_id)]
    assert "(rejected): is not accepted but names version id" in findings[0].message


def test_an_amendment_result_made_by_an_edit_is_reported(demo):
    with demo.app_context():
        amendment = accepted_demo_amendment()
        amendment_id, version_id = amendment.id, amendment.result_version_id
        db.session.execute(update(ClauseVersion).where(ClauseVersion.id == version_id).values(cause=VersionCause.EDIT))
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.amendment_id) for f in findings] == [("amendment_results", amendment_id)]
    assert "was made by edit, not by an amendment" in findings[0].message


def test_a_version_whose_parent_belongs_to_another_clause_is_reported(demo):
    with demo.app_context():
        version_id = demo_clause("article-5").current_version_id
        other = demo_clause("article-6")
        other_id, other_version = other.id, other.current_version_id
        db.session.execute(
            update(ClauseVersion).where(ClauseVersion.id == version_id).values(parent_version_id=other_version)
        )
        db.session.commit()
        findings = check_all()
    assert [(f.rule, f.version_id) for f in findings] == [("version_parents", version_id)]
    assert f"has as parent version id {other_version}, a version of clause id {other_id}" in findings[0].message
    code, output = run_check(demo)
    assert code == 1 and "[version_parents]" in output


def test_the_write_path_stores_what_the_check_accepts(app_ctx):
    """A clause saved with control characters is stored without them (the rule of instrument.text.storable)."""
    from drafter.services.versions import add_version

    import_text(instrument_md(2), "t")
    clause = db.session.scalar(select(Clause).where(Clause.uid == "article-1"))
    text = "Vie\x07\u0302\u0323t\x1b[0m\r\nNam\x0bor\x0cVN"
    version = add_version(clause, number="Article\x1f 1", heading="Wages\x0c", text=text, cause=VersionCause.EDIT,
                          actor=None)  # fmt: skip
    db.session.commit()
    assert (version.number, version.heading, version.text) == ("Article 1", "Wages", "Vi\u1ec7t[0m\nNam\nor\nVN")
    assert check_all() == []


def test_a_database_without_the_schema_is_refused_with_a_message(app):
    with app.app_context():
        db.drop_all()
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "holds no Drafter record; run drafter init-db first" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
