"""The baseline of the load test: a bare Flask app that answers at once with pages of a given size.

``benchmarks/run.py`` serves it with the same ``gunicorn.conf.py`` as Drafter
(``gunicorn -c gunicorn.conf.py benchmarks.bare_app:app``) and sends it the
same requests: ``GET /bare/<size>`` returns a fixed HTML page of exactly
``size`` bytes (the size Drafter's answer to the same request had), ``POST
/bare/post`` a redirect, as Drafter answers a form. Whatever separates the
two figures is Drafter's own work: database, templates, sessions, checks.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, redirect

app = Flask(__name__)

#: Largest page served (a bound, so a stray request cannot take the memory).
MAX_SIZE = 16 * 1024 * 1024


@lru_cache(maxsize=256)
def page(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (a few hundred bytes at least)."""
    head = b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head><body><p>'
    tail = b"</p></body></html>\n"
    filler = b"The Parties shall give effect to this obligation in good faith. "
    room = max(0, size - len(head) - len(tail))
    body = (filler * (room // len(filler) + 1))[:room]
    return head + body + tail


@app.get("/bare/<int:size>")
def fixed(size: int) -> Response:
    """A fixed page of ``size`` bytes."""
    return Response(page(min(size, MAX_SIZE)), mimetype="text/html")


@app.post("/bare/post")
def post() -> Response:
    """What a successful form post gets: a redirect."""
    return redirect("/bare/1024")


@app.get("/healthz")
def healthz() -> Response:
    """Ready."""
    return Response('{"status": "ok"}', mimetype="application/json")
