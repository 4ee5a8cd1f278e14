"""Drafter: collaborative drafting of a regional legal instrument.

:func:`create_app` only wires things together: configuration, extensions,
blueprints, error handlers, CLI and template filters. It creates no tables
and opens no network connection.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from drafter import config

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent

#: Folders the app reads at run time: at the repository root in a checkout, inside the package once installed.
RESOURCES = ("templates", "static", "migrations")


def resource_dir(name: str) -> Path:
    """Return the folder holding the app's ``templates``, ``static`` files or ``migrations``.

    An installed wheel carries them inside the package (``drafter/templates``,
    copied there by ``setup.py`` at build time); a checkout or an editable
    install has them at the repository root. The package's copy wins.

    :param name: one of :data:`RESOURCES`.
    :returns: the absolute path of the folder.
    :raises ValueError: for another name.
    :raises FileNotFoundError: when neither place has it (a broken installation).
    """
    if name not in RESOURCES:
        raise ValueError(f"{name!r} is not one of {', '.join(RESOURCES)}")
    for base in (PACKAGE, ROOT):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"the {name} folder is neither in {PACKAGE} nor in {ROOT}; reinstall Drafter")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a configured Drafter application.

    :param test_config: settings that override everything else (tests pass a
        database URL, ``TESTING`` and so on).
    :returns: the Flask app; the database schema is made by ``drafter init-db``.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config.from_environment(os.environ))
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", "sqlite:///" + str(Path(app.instance_path) / "drafter.sqlite3"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A busy writer makes others wait instead of failing at once.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a load balancer or reverse proxy: the client's address (which the
        # rate limits count by) and scheme come from the X-Forwarded-* headers
        # that the last ``proxies`` hops set; anything a client sends before them is ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from drafter.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from drafter import (
        auth,
        caching,
        errors,
        models,  # noqa: F401  (registers the tables)
        permissions,
        security,
        templating,
    )
    from drafter.cli import register_cli
    from drafter.views import register_blueprints

    auth.init_app(app)
    errors.init_app(app)
    permissions.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    templating.init_app(app)
    register_blueprints(app)
    register_cli(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on WAL, a busy timeout and foreign keys for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_transaction(connection: Any, name: str) -> None:
    """Open the SQLite transaction before a savepoint that would otherwise be its first write.

    Python's sqlite3 driver begins a transaction only before INSERT, UPDATE or DELETE. A
    SAVEPOINT sent first opens a transaction of its own, and its RELEASE commits it: a
    later rollback (a refused merge, a stale edit) could no longer take the rows back.
    Reads stay outside transactions as before, so no write starts from a stale snapshot.
    """
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN")
