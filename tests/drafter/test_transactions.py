"""A rollback takes back everything a transaction wrote, savepoints included, on every database."""

from __future__ import annotations

from sqlalchemy import func, select

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Event, VersionCause
from drafter.services import versions
from tests.drafter.helpers import import_text, instrument_md


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(ClauseVersion)),
        db.session.scalar(select(func.count()).select_from(Event)),
    )


def test_a_rollback_takes_back_a_version_written_as_the_first_change(app):
    # A savepoint as the first write of a transaction: on SQLite the driver used to open a
    # transaction of its own for it, whose RELEASE committed the version for good.
    with app.app_context():
        import_text(instrument_md(2), "t")
        db.session.commit()
        before = counts()
        clause_id = db.session.scalar(select(Clause.id).where(Clause.key == "Article 1"))
        db.session.commit()
        clause = db.session.get(Clause, clause_id)
        made = versions.add_version(
            clause,
            number="Article 1",
            heading="",
            text="Words that are never kept.",
            cause=VersionCause.EDIT,
            actor=None,
        )
        assert made is not None
        db.session.rollback()
        db.session.remove()
        assert counts() == before
        assert "never kept" not in db.session.get(Clause, clause_id).current_version.text


def test_a_savepoint_rolled_back_leaves_the_rest_of_its_transaction(app):
    with app.app_context():
        import_text(instrument_md(2), "t")
        db.session.commit()
        versions_before, _ = counts()
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        versions.add_version(clause, number="Article 2", heading="", text="Kept.", cause=VersionCause.EDIT, actor=None)
        nested = db.session.begin_nested()
        db.session.add(ClauseVersion(clause_id=clause.id, seq=99, text="Dropped.", cause=VersionCause.EDIT))
        db.session.flush()
        nested.rollback()
        db.session.commit()
        db.session.remove()
        texts = db.session.scalars(select(ClauseVersion.text)).all()
        assert counts()[0] == versions_before + 1
        assert "Kept." in texts and "Dropped." not in texts
