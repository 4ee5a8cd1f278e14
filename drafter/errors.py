"""Error pages: every error a user can cause is a clear 4xx page, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError

from drafter.extensions import db
from drafter.services.errors import Conflict, InvalidInput, NotFound, NotPermitted, Refused
from instrument.errors import InstrumentError, InvalidTransition, MergeConflict, ParseError, StaleBase

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}


#: The answer to each kind of service refusal (see drafter.services.errors).
REFUSAL_STATUS: tuple[tuple[type[Refused], int], ...] = (
    (NotFound, 404),
    (NotPermitted, 403),
    (Conflict, 409),
    (InvalidInput, 400),
)


def render_error(status: int, message: str, next_step: str | None = None):
    """Render the error page.

    :param status: HTTP status code.
    :param message: what happened, in plain words.
    :param next_step: what to do now, shown under the message, or ``None``.
    :returns: a ``(body, status)`` response tuple.
    """
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message, next_step=next_step), status


def refusal_status(exc: Refused) -> int:
    """The HTTP status that answers ``exc``: 404, 403, 409 or 400 by its kind (400 for a bare ``Refused``)."""
    return next((status for kind, status in REFUSAL_STATUS if isinstance(exc, kind)), 400)


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, "The form expired or was sent from elsewhere. Go back, reload the page and try again.")

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so the page has no links or template.
        return "400 Bad Request: this site does not answer to that host name.\n", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        message = exc.description if exc.description and exc.code != 404 else ""
        if exc.code == 429:  # Flask-Limiter's description is the limit itself ("10 per 1 minute")
            message = "Too many attempts from your address. Wait a few minutes, then try again."
        if exc.code == 404 and not message:
            message = f"There is nothing at {request.path}. Check the address, or start from the list of instruments."
        response = render_error(exc.code, message or TITLES.get(exc.code, "Error"))
        if isinstance(exc, MethodNotAllowed):
            return response[0], 405, {"Allow": ", ".join(exc.valid_methods or [])}
        return response

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        # The one answer to a service's refusal: nothing it began is kept.
        db.session.rollback()
        return render_error(refusal_status(exc), exc.message, exc.next_step)

    @app.errorhandler(ParseError)
    def parse_error(exc: ParseError):
        db.session.rollback()
        return render_error(400, str(exc))

    @app.errorhandler(StaleBase)
    @app.errorhandler(MergeConflict)
    @app.errorhandler(InvalidTransition)
    def conflict(exc: InstrumentError):
        db.session.rollback()
        return render_error(409, str(exc))

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def number_too_large(exc: Exception):
        # A number from a query string (?version=, ?draft=, ?consultation= ...) beyond the
        # database's integers matches no stored row: PostgreSQL refuses it ("integer out of
        # range", SQLSTATE 22003) and SQLite's driver cannot bind it past 64 bits. Paths are
        # bounded by drafter.security.DatabaseIntegerConverter; anything else is a real error.
        out_of_range = (
            getattr(getattr(exc, "orig", None), "sqlstate", None) == "22003"
            if isinstance(exc, DataError)
            else "SQLite INTEGER" in str(exc)
        )
        if not out_of_range:
            raise exc
        db.session.rollback()
        return render_error(
            404,
            "There is nothing with that number: a number in the address is larger than "
            "any the database holds. Check the address, or start from the list of instruments.",
        )

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return render_error(
            500, "The change was not saved. Please try again; if it happens again, tell the secretariat."
        )
