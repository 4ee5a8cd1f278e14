"""Security headers sent with every response, and the check of redirect targets."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter

#: No inline script or style anywhere: everything comes from /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def refuse_nul_characters() -> None:
    """``before_request`` hook: refuse form fields and query values holding NUL (U+0000).

    NUL is no character of any text; it arrives when text is pasted from
    some word processors, and PostgreSQL refuses it in text columns. Refusing
    it at the door, for every form, gives one clear 400 instead of a database
    error deep inside a change (uploaded files are not looked at).

    :raises BadRequest: (400) naming the problem; nothing is written.
    """
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                abort(
                    400,
                    "The text contains a NUL character (often pasted from a word processor). "
                    "Remove it, or paste the text as plain text, and try again.",
                )


#: The largest value of the schema's integer columns on every backend (SQL INTEGER:
#: 32-bit signed on PostgreSQL; SQLite's go to 2**63 - 1).
MAX_DATABASE_INTEGER = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """The ``<int:...>`` URL converter, bounded to what a database integer holds.

    A larger number in a path matches no route (a 404); unbounded, it reached
    the database as a parameter out of its range (PostgreSQL: "integer out of
    range"; SQLite's driver: "too large to convert"), and the page was a server error.
    """

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_DATABASE_INTEGER)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Add the security headers to every response of ``app``, refuse NUL characters in forms
    and bound the integers of URL paths (call before the blueprints are registered)."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_nul_characters)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


#: How many rounds of percent-decoding :func:`is_safe_next` undoes (``%252F`` is ``/`` after two).
_DECODE_ROUNDS = 4


def is_safe_next(target: object) -> bool:
    """Tell whether ``target`` is a same-site relative path that is safe to redirect to.

    A browser ignores tabs and newlines in a URL, reads ``\\`` as ``/`` and
    ``//host`` as another host, and some servers decode ``%2F`` / ``%5C``
    before redirecting again; so only a plain path survives:

    - printable ASCII only (no spaces, tabs, newlines or other control characters);
    - it starts with exactly one ``/`` and contains no backslash;
    - no scheme and no host (so no ``http://a@evil``, no ``javascript:``);
    - the same holds after undoing percent-encoding, repeatedly.

    Source: the OWASP Unvalidated Redirects and Forwards Cheat Sheet and the
    WHATWG URL standard's handling of backslashes and stripped characters.

    :param target: the untrusted value (usually the ``next`` parameter).
    :returns: ``True`` only for a safe relative path.
    """
    if not isinstance(target, str) or not target or len(target) > 2048:
        return False
    value = target
    for _ in range(_DECODE_ROUNDS):
        if not _plain_path(value):
            return False
        decoded = unquote(value)
        if decoded == value:
            return True
        value = decoded
    return False  # still encoded after several rounds: not a path anyone needs


def _plain_path(value: str) -> bool:
    if any(not ("!" <= ch <= "~") for ch in value):
        return False
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def safe_next(target: object, default: str) -> str:
    """Return ``target`` when :func:`is_safe_next` accepts it, else ``default``.

    :param target: the untrusted ``next`` value.
    :param default: where to go instead (the home page).
    :returns: a URL to redirect to.
    """
    return target if is_safe_next(target) else default  # type: ignore[return-value]
