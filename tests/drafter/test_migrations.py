"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from drafter.cli import migrations_dir
from drafter.extensions import db
from drafter.services.amendments import operations
from tests.conftest import empty_database
from tests.drafter.amendments_helpers import BASE, add_instrument, add_people, clause, user
from tests.drafter.helpers import committed


def test_migrations_match_the_models(app):
    with app.app_context():
        empty_database(db)
        upgrade(directory=migrations_dir())
        upgrade(directory=migrations_dir())  # idempotent
        downgrade(directory=migrations_dir(), revision="base")  # the way down works too
        upgrade(directory=migrations_dir())
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []


def test_init_db_command_is_idempotent(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "Database ready" in second.output


def test_existing_amendments_are_numbered_per_instrument_in_the_order_they_were_made(app):
    """The migration adding ``amendment.seq`` numbers the rows already there, 1, 2, ... in each instrument."""
    with committed(app):
        empty_database(db)
        upgrade(directory=migrations_dir())
        add_instrument("a", texts={1: BASE})
        add_instrument("b", texts={1: BASE})
        people = add_people()
        made = []
        for n, slug in enumerate(["a", "b", "a", "a", "b"]):  # interleaved, so ids and numbers differ
            target = clause("Article 1", slug)
            made.append(
                operations.propose(
                    target,
                    actor=user(people.mfa),
                    kind="modify",
                    base_version_id=target.current_version_id,
                    rationale="The workshop asked for it.",
                    text=f"States shall cooperate {n}.",
                ).id
            )
        db.session.commit()
        db.session.remove()
        downgrade(directory=migrations_dir(), revision="9e4d5a7c2b61")  # before amendments had numbers
        with db.engine.connect() as conn:
            columns = [c["name"] for c in sa_inspect(conn).get_columns("amendment")]
        assert "seq" not in columns
        upgrade(directory=migrations_dir())
        with db.engine.connect() as conn:
            numbers = dict(conn.execute(text("SELECT id, seq FROM amendment")).all())
        assert [numbers[i] for i in made] == [1, 1, 2, 3, 2]
