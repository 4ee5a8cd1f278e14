"""A small HTTP load generator: reader and writer threads on keep-alive connections.

Each simulated person is a thread with its own HTTP/1.1 connection
(:mod:`http.client`, kept alive between requests) and cookie jar. Readers
loop over pages chosen by a weighted mix; writers sign in with the real
form (CSRF token included), then post comments or decide on amendments,
each time loading the page with the form first and sending its CSRF token
back, as a browser does. Nothing waits between requests: the figures are
what the server sustains.

A request that fails on a reused connection before any byte of the answer
arrived is sent again once on a new connection (browsers do the same: the
server had closed the idle connection, for instance when gunicorn recycles
a worker after ``max_requests``); such retries are counted and reported.
"""

from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_VERSION_ID = re.compile(r'name="version_id"[^>]*?value="(\d+)"')


class Http:
    """HTTP/1.1 to ``127.0.0.1:port`` with a cookie jar, on one kept-alive connection or one per request.

    :param keep_alive: keep the connection open between requests (as a
        browser talking to the server directly does); when false, every
        request goes on a new connection that the server closes after the
        answer (``Connection: close``), as a reverse proxy that opens a
        connection to its upstream per request sends them.
    :ivar cookies: name -> value of the cookies the server set.
    :ivar retries: requests sent again after the server closed a reused connection.
    """

    def __init__(
        self, port: int, cookies: dict[str, str] | None = None, timeout: float = 120.0, keep_alive: bool = True
    ) -> None:
        self.port = port
        self.timeout = timeout
        self.keep_alive = keep_alive
        self.cookies = dict(cookies or {})
        self.retries = 0
        self._conn: http.client.HTTPConnection | None = None
        self._used = False

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._used = False
        return self._conn

    def close(self) -> None:
        """Close the connection (a new one is opened on the next request)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """Send one request and read the whole answer.

        :param method: ``"GET"`` or ``"POST"``.
        :param path: path and query.
        :param form: fields of a form post (sent URL-encoded).
        :returns: ``(status, Location header or "", body)``.
        :raises OSError, http.client.HTTPException: when the request fails
            (after the one retry described in the module documentation).
        """
        body = urlencode(form).encode() if form is not None else None
        headers = {"User-Agent": "drafter-benchmark", "Accept": "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not self.keep_alive:
            headers["Connection"] = "close"
        for attempt in (1, 2):
            conn = self._connection()
            reused = self._used
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if attempt == 1 and reused:
                    self.retries += 1
                    continue
                raise exc
            except Exception:
                self.close()
                raise
            try:
                data = response.read()
            except Exception:
                self.close()
                raise
            self._used = True
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._remember(value)
            if not self.keep_alive or response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, response.getheader("Location", ""), data
        raise AssertionError("unreachable")

    def _remember(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        attrs = attributes.lower()
        if "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs or "expires=thu, 01-jan-1970" in attrs:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


@dataclass
class WriterPlan:
    """What one writer does.

    :ivar kind: ``"comment"`` (a stakeholder posts comments on clauses) or
        ``"decide"`` (the secretariat accepts or rejects amendments, alternately).
    :ivar email: the account it signs in with.
    :ivar password: its password.
    :ivar slug: the instrument.
    :ivar targets: clause uids to comment on, or amendment ids to decide (used in order).
    :ivar label: text put in each comment, so the rows can be counted afterwards.
    """

    kind: str
    email: str
    password: str
    slug: str
    targets: list
    label: str = ""


@dataclass
class Stats:
    """What one kind of request did inside the measured window."""

    latencies: list[float] = field(default_factory=list)
    bytes: int = 0
    failures: Counter = field(default_factory=Counter)

    def summary(self, seconds: float) -> dict:
        """Count, rate, failures and latency percentiles in ms."""
        lat = sorted(self.latencies)
        pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0.0)
        return {
            "count": len(lat),
            "per_second": len(lat) / seconds if seconds else 0.0,
            "failed": sum(self.failures.values()),
            "p50": statistics.median(lat) * 1000 if lat else 0.0,
            "p90": pct(0.90),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": lat[-1] * 1000 if lat else 0.0,
            "mb": self.bytes / 1e6,
        }


@dataclass
class LoadResult:
    """Everything a load run measured.

    :ivar seconds: length of the measured window.
    :ivar reads: readers' page loads.
    :ivar write_pages: writers' loads of the page holding the form.
    :ivar writes: writers' posts.
    :ivar comments_posted: labels (bodies) of the comments whose post was answered with a redirect.
    :ivar decided: ``{amendment id: outcome}`` answered with a redirect.
    :ivar sizes: path -> size of the last answer (readers and writers' form pages).
    :ivar retries: requests sent again on a new connection.
    :ivar cpu_seconds: CPU time this process used during the window (all threads).
    :ivar sign_in_failures: writers that could not sign in.
    """

    seconds: float
    reads: Stats
    write_pages: Stats
    writes: Stats
    comments_posted: list[str]
    decided: dict[int, str]
    sizes: dict[str, int]
    retries: int
    cpu_seconds: float
    sign_in_failures: int


def _csrf(html: bytes) -> str:
    found = _CSRF.search(html.decode("utf-8", "replace"))
    return found.group(1) if found else ""


def sign_in(client: Http, email: str, password: str) -> bool:
    """Sign in through the form, CSRF token included; ``True`` when the answer is the redirect."""
    status, _, page = client.request("GET", "/sign-in")
    if status != 200:
        return False
    status, _, _ = client.request(
        "POST", "/sign-in", {"csrf_token": _csrf(page), "email": email, "password": password, "next": ""}
    )
    return status == 302


def run(
    port: int,
    *,
    readers: int,
    reader_cookies: list[dict[str, str]],
    mix: Callable[[random.Random], str],
    writers: list[WriterPlan],
    seconds: float,
    warmup: float,
    bare_sizes: dict[str, int] | None = None,
    seed: int = 7,
    keep_alive: bool = False,
) -> LoadResult:
    """Run readers and writers against the server on ``port`` and measure a window of ``seconds``.

    :param port: the server's port on 127.0.0.1.
    :param readers: number of reader threads.
    :param reader_cookies: cookies per reader (cycled; ``{}`` for anonymous readers).
    :param mix: draws the path of the next page a reader loads.
    :param writers: one thread per plan.
    :param seconds: length of the measured window.
    :param warmup: seconds of load before the window (caches fill, workers start).
    :param bare_sizes: when given, the server is the bare baseline: each path
        is sent as ``/bare/<size>`` with the size Drafter answered it with
        (paths not in the map get the median size), writers post to ``/bare/post``.
    :param seed: seed of the readers' choices (the same seed draws the same pages).
    :param keep_alive: each person keeps one connection open (see :class:`Http`).
        Off by default: in production a reverse proxy sits in front of gunicorn,
        and 50 long-lived connections straight to gunicorn are shared out among its
        workers by whichever accepts first (two of five workers served nothing in a
        measured run, so the figure was the luck of the accepts, not the app's).
    :returns: a :class:`LoadResult`.
    """
    stop = threading.Event()
    t0 = time.perf_counter() + warmup
    t1 = t0 + seconds
    lock = threading.Lock()
    reads, write_pages, writes = Stats(), Stats(), Stats()
    posted: list[str] = []
    decided: dict[int, str] = {}
    sizes: dict[str, int] = {}
    sign_in_failures = [0]
    clients: list[Http] = []
    fallback = int(statistics.median(bare_sizes.values())) if bare_sizes else 0

    def bare(path: str) -> str:
        return f"/bare/{bare_sizes.get(path, fallback)}" if bare_sizes is not None else path

    def record(stats: Stats, start: float, end: float, ok: bool, size: int, failure: str = "") -> None:
        if start < t0 or end > t1:
            return
        with lock:
            if ok:
                stats.latencies.append(end - start)
                stats.bytes += size
            else:
                stats.failures[failure] += 1

    def timed(client: Http, stats: Stats, method: str, path: str, form=None, expect=(200,)):
        start = time.perf_counter()
        try:
            status, _location, body = client.request(method, path, form)
        except Exception as exc:  # a failed request is counted, the person goes on
            record(stats, start, time.perf_counter(), False, 0, type(exc).__name__)
            return None, b""
        ok = status in expect
        record(stats, start, time.perf_counter(), ok, len(body), "" if ok else f"HTTP {status}")
        return status, body

    def reader(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        client = Http(port, reader_cookies[n % len(reader_cookies)] if reader_cookies else None, keep_alive=keep_alive)
        with lock:
            clients.append(client)
        while not stop.is_set():
            path = mix(rng)
            status, body = timed(client, reads, "GET", bare(path))
            if status == 200 and bare_sizes is None:
                sizes[path] = len(body)

    def writer(n: int, plan: WriterPlan) -> None:
        client = Http(port, keep_alive=keep_alive)
        with lock:
            clients.append(client)
        if bare_sizes is None and not sign_in(client, plan.email, plan.password):
            with lock:
                sign_in_failures[0] += 1
            return
        for i, target in enumerate(plan.targets):
            if stop.is_set():
                break
            if plan.kind == "comment":
                page = f"/i/{plan.slug}/c/{target}/"
                status, body = timed(client, write_pages, "GET", bare(page))
                if status != 200:
                    continue
                if bare_sizes is not None:
                    timed(client, writes, "POST", "/bare/post", {"body": "x"}, expect=(302,))
                    continue
                sizes[page] = len(body)
                html = body.decode("utf-8", "replace")
                version = _VERSION_ID.search(html)
                label = f"{plan.label} {n}-{i}"
                form = {
                    "csrf_token": _csrf(body),
                    "version_id": version.group(1) if version else "",
                    "back": "clause",
                    "category": "question",
                    "body": f"{label}: is this obligation clear enough?",
                }
                status, _ = timed(client, writes, "POST", f"/i/{plan.slug}/c/{target}/comments/", form, expect=(302,))
                if status == 302:
                    with lock:
                        posted.append(label)
            else:
                page = f"/i/{plan.slug}/amendments/{target}/"
                status, body = timed(client, write_pages, "GET", bare(page))
                if status != 200:
                    continue
                if bare_sizes is not None:
                    timed(client, writes, "POST", "/bare/post", {"outcome": "x"}, expect=(302,))
                    continue
                sizes[page] = len(body)
                outcome = "accepted" if i % 2 == 0 else "rejected"
                form = {"csrf_token": _csrf(body), "outcome": outcome, "reason": "Decided during the load test."}
                status, _ = timed(
                    client, writes, "POST", f"/i/{plan.slug}/amendments/{target}/decide", form, expect=(302,)
                )
                if status == 302:
                    with lock:
                        decided[int(target)] = outcome

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(readers)]
    threads += [threading.Thread(target=writer, args=(n, plan), daemon=True) for n, plan in enumerate(writers)]
    for thread in threads:
        thread.start()
    while time.perf_counter() < t0:
        time.sleep(0.05)
    cpu0 = time.process_time()
    while time.perf_counter() < t1:
        time.sleep(0.05)
    cpu = time.process_time() - cpu0
    stop.set()
    for thread in threads:
        thread.join(timeout=180)
    for client in clients:
        client.close()
    return LoadResult(
        seconds=seconds,
        reads=reads,
        write_pages=write_pages,
        writes=writes,
        comments_posted=posted,
        decided=decided,
        sizes=sizes,
        retries=sum(c.retries for c in clients),
        cpu_seconds=cpu,
        sign_in_failures=sign_in_failures[0],
    )
