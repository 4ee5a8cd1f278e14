"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def corpus_path() -> Path:
    """Where the real legal texts live: ``$DRAFTER_CORPUS`` or ``../shared/corpus``."""
    return Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Path to ``shared/corpus``; the corpus tests are skipped only if it is absent."""
    path = corpus_path()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"corpus not found at {path}; CI must have it")
        pytest.skip(f"corpus not found at {path}")
    return path


# --- application fixtures -------------------------------------------------

import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from sqlalchemy import event  # noqa: E402


def database_url(tmp_path: Path) -> str:
    """The test database: ``$DATABASE_URL`` (PostgreSQL) or a fresh SQLite file in ``tmp_path``."""
    url = os.environ.get("DATABASE_URL")
    if url:
        from drafter.config import database_url as normalise

        return normalise(url)
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def empty_database(db) -> None:
    """Remove every table, whatever a previous test left (from migrations or models)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def reset_schema(db) -> None:
    """Drop and create every table from the models, and mark the schema as migrated to head.

    Stamping lets ``drafter init-db``/``drafter demo`` run on it as on a migrated
    database; ``tests/drafter/test_migrations.py`` checks that the migrations
    build the very same schema.
    """
    from flask_migrate import stamp

    from drafter.cli import migrations_dir

    empty_database(db)
    db.create_all()
    stamp(directory=migrations_dir())


@pytest.fixture
def app(tmp_path: Path):
    """A Drafter app with a fresh, empty database (tables made from the models)."""
    from drafter import create_app
    from drafter.extensions import db

    instance = tmp_path / "instance"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "INSTANCE_UPLOADS": str(instance / "uploads"),
            "PUBLIC_URL": "http://localhost",  # as in production: e-mailed links come from it
        }
    )
    with app.app_context():
        reset_schema(db)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of :func:`app`."""
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    """Run the test inside an application context."""
    with app.app_context():
        yield app


class QueryCounter:
    """Counts SQL statements sent while active (see :func:`count_queries`)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        with self._lock:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app) -> Iterator:
    """Return a context-manager factory counting the SQL statements run inside it."""
    from contextlib import contextmanager

    from drafter.extensions import db

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
