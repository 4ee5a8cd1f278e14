"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from drafter.cli import migrations_dir
from drafter.extensions import db
from tests.conftest import empty_database


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
