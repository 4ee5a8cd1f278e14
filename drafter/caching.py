"""HTTP caching: validators on pages, long-lived versioned static files.

Pages: every successful GET of an HTML page gets a weak ETag computed from
its body (with the per-render CSRF token values masked, and the session's
CSRF secret and user identity mixed in), ``Cache-Control: private,
no-cache`` and ``Vary: Cookie``; a browser that reloads an unchanged page
gets ``304 Not Modified`` with no body (RFC 9110 §13.1.2 If-None-Match,
RFC 9111 §5.2.2.4 no-cache). Static files: URLs carry ``?v=<content hash>``
so they may be cached for a year (``SEND_FILE_MAX_AGE_DEFAULT``) and still
change the moment a file does.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, session
from flask_login import current_user

_CSRF_VALUE = re.compile(rb'(name="csrf_token"[^>]*?value=")[^"]*(")')


@lru_cache(maxsize=256)
def static_version(path: str, mtime_ns: int) -> str:
    """First 12 hex digits of the SHA-256 of a static file (cached per path and modification time)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def page_etag(body: bytes, identity: str, csrf_secret: str) -> str:
    """Validator of a rendered page for one visitor.

    :param body: the HTML as sent.
    :param identity: the user's session identity ("" for anonymous visitors).
    :param csrf_secret: the session's raw CSRF token ("" when none): a page
        cached under another session would carry tokens that fail here.
    :returns: a hex digest used as a weak ETag.
    """
    digest = hashlib.sha256(_CSRF_VALUE.sub(rb"\1\2", body))
    digest.update(b"\0" + identity.encode() + b"\0" + csrf_secret.encode())
    return digest.hexdigest()[:32]


def conditional_page(response: Response) -> Response:
    """``after_request`` hook: add an ETag to HTML pages and answer 304 when the browser has it."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.direct_passthrough
        or response.mimetype != "text/html"
        or "Content-Disposition" in response.headers
    ):
        return response
    identity = current_user.get_id() if current_user.is_authenticated else ""
    response.set_etag(page_etag(response.get_data(), identity or "", str(session.get("csrf_token", ""))), weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.make_conditional(request)  # changes the response in place (and returns Werkzeug's type)
    return response


def init_app(app: Flask) -> None:
    """Install the page validators and versioned static URLs on ``app``."""
    static = Path(app.static_folder or "")

    @app.url_defaults
    def version_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = static / values["filename"]
            with contextlib.suppress(OSError):  # a missing file is Flask's 404 to give
                values["v"] = static_version(str(path), path.stat().st_mtime_ns)

    app.after_request(conditional_page)
