"""Configuration defaults and the rules that fill in the rest at start-up.

Order (later wins): these defaults, ``instance/config.py`` when present,
environment variables (``DATABASE_URL``, ``SECRET_KEY``, ``DRAFTER_*``), then
the mapping a test passes to :func:`drafter.create_app`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

#: Default options of SQLAlchemy's ``create_engine``; the pool settings of :data:`POOL_KEYS` add to them.
ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}

#: Defaults; nothing here is a secret.
DEFAULTS: dict[str, object] = {
    "SQLALCHEMY_ENGINE_OPTIONS": ENGINE_OPTIONS,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "RATELIMIT_STORAGE_URI": "memory://",
    # Explicit, because Flask-Limiter keeps the last app's setting on its shared instance.
    "RATELIMIT_ENABLED": True,
    # Sign-in, registration and password reset, per client address (Flask-Limiter syntax).
    "AUTH_RATE_LIMIT": "10 per minute; 50 per hour",
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    # Lifetime of a password-reset link, in seconds.
    "PASSWORD_RESET_MAX_AGE": 3600,
    "RATELIMIT_HEADERS_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_COMMENT_LENGTH": 20_000,
    "SEND_FILE_MAX_AGE_DEFAULT": 31_536_000,
}

#: Environment variables read at start-up, and the config key each sets.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "DRAFTER_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "DRAFTER_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "DRAFTER_PUBLIC_URL": "PUBLIC_URL",
    "DRAFTER_TRUSTED_HOSTS": "TRUSTED_HOSTS",
    "DRAFTER_MAIL_SERVER": "MAIL_SERVER",
    "DRAFTER_UPLOADS": "INSTANCE_UPLOADS",
    "DRAFTER_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "DRAFTER_AUTH_RATE_LIMIT": "AUTH_RATE_LIMIT",
}

#: Connection-pool settings from the environment: variable -> (SQLAlchemy
#: ``create_engine`` argument, what the value means). Unset ones keep
#: SQLAlchemy's defaults (pool of 5, 10 more on demand, 30 s wait, no recycling).
POOL_KEYS = {
    "DRAFTER_DB_POOL_SIZE": ("pool_size", "connections each app process keeps open"),
    "DRAFTER_DB_MAX_OVERFLOW": ("max_overflow", "extra connections a process may open at peaks"),
    "DRAFTER_DB_POOL_RECYCLE": ("pool_recycle", "seconds after which a connection is replaced"),
    "DRAFTER_DB_POOL_TIMEOUT": ("pool_timeout", "seconds a request waits for a free connection"),
}


def database_url(value: str) -> str:
    """Return a SQLAlchemy URL, mapping ``postgres://`` and ``postgresql://`` to psycopg 3.

    :param value: a database URL as found in ``DATABASE_URL``.
    :returns: the URL SQLAlchemy should use.
    """
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the settings that come from the environment.

    :param environ: usually :data:`os.environ`.
    :returns: a dict of config keys to values (booleans parsed from "1"/"true";
        ``DRAFTER_TRUSTED_HOSTS`` split at commas into a list;
        the pool settings of :data:`POOL_KEYS` merged into ``SQLALCHEMY_ENGINE_OPTIONS``
        on top of the defaults).
    :raises ValueError: when a pool setting or ``DRAFTER_TRUSTED_PROXIES`` is
        not a whole number (a typo must stop the start, not be ignored).
    """
    out: dict[str, Any] = {}
    for env, key in ENV_KEYS.items():
        value = environ.get(env)
        if not value:
            continue
        if key == "SESSION_COOKIE_SECURE":
            out[key] = value.strip().lower() in {"1", "true", "yes", "on"}
            out["REMEMBER_COOKIE_SECURE"] = out[key]
        elif key == "SQLALCHEMY_DATABASE_URI":
            out[key] = database_url(value)
        elif key == "TRUSTED_HOSTS":
            # Comma-separated host names (Flask's TRUSTED_HOSTS: ".example.org" also takes its subdomains).
            hosts = [host.strip() for host in value.split(",") if host.strip()]
            if hosts:
                out[key] = hosts
        elif key == "TRUSTED_PROXIES":
            if value.strip():
                out[key] = _whole_number(env, value)
        else:
            out[key] = value
    pool = {
        arg: _whole_number(env, environ[env]) for env, (arg, _) in POOL_KEYS.items() if (environ.get(env) or "").strip()
    }
    if pool:
        out["SQLALCHEMY_ENGINE_OPTIONS"] = {**ENGINE_OPTIONS, **pool}
    return out


def _whole_number(name: str, value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in ``instance/secret_key``, creating it once.

    The file is created with mode 0600 and never committed (``instance/`` is
    git-ignored).

    :param instance_path: Flask's instance folder.
    :returns: a 64-character hex string.
    :raises OSError: when the instance folder cannot be written.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
