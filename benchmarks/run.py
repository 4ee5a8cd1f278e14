"""Drafter at scale, in one command: ``python benchmarks/run.py [--postgres URL]``.

For each database (SQLite in a temporary folder; PostgreSQL too when
``--postgres URL`` or ``$DATABASE_URL`` names a throwaway database):

1. builds the record of a long negotiation with bulk inserts
   (:mod:`benchmarks.synthetic`: 2,000 clauses, 20 drafts, 50,000 comments,
   5,000 amendments, 500 inputs), loads the demo and imports the real 1.5 MB
   civil code;
2. requests every main page in-process (Flask's test client, so the figure is
   the server's own time) and prints median and 95th-percentile time, SQL
   statements and size (as sent and gzip-compressed);
3. serves the app with the repository's ``gunicorn.conf.py`` on a free
   loopback port and runs :mod:`benchmarks.load` against it: 50 readers (signed-in
   delegates loading a weighted mix of pages) and 5 writers (three delegates
   posting comments, two secretariat officers accepting or rejecting
   amendments, all signed in through the form with CSRF tokens), for a fixed
   window after a warm-up; then checks that every write answered with a
   redirect is in the database and nothing else was written;
4. serves :mod:`benchmarks.bare_app` with the same gunicorn settings and sends it
   the same load with answers of the same sizes, and prints the ratio of the
   two request rates.

Nothing here is a test: it prints figures. The PostgreSQL database is emptied
first (``DROP SCHEMA public CASCADE``); a database that already has tables is
refused unless ``--wipe`` is given.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from benchmarks import load, synthetic  # noqa: E402
from drafter import create_app  # noqa: E402
from drafter.extensions import db  # noqa: E402

SECRET_KEY = "benchmark-only-secret-key"
CIVIL_CODE = ROOT.parent / "shared" / "corpus" / "large" / "bgb_v1_2022-01-28_5710c0a6.md"
USER_AGENT = "drafter-benchmark"


# --- set-up -------------------------------------------------------------------------


def make_app(url: str):
    """A Drafter app on ``url`` for the in-process part (rate limits off, nothing else changed)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False})


def prepare(app, *, wipe: bool) -> None:
    """Empty the database and build the schema with the migrations, as ``drafter init-db`` does."""
    from sqlalchemy import inspect

    from drafter.cli import upgrade_schema

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            if inspect(db.engine).get_table_names() and not wipe:
                raise click.ClickException(
                    "the PostgreSQL database has tables already; give a throwaway database or --wipe to empty it"
                )
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade_schema()


def populate(app, scale: synthetic.Scale, civil_code: Path | None) -> tuple[synthetic.World, str | None]:
    """Load the demo, build the synthetic record (with a progress bar) and import the civil code.

    :returns: the synthetic world and the uid of the civil code's longest provision (``None`` without it).
    """
    from drafter.cli import import_file
    from drafter.demo import load_demo
    from drafter.models import Clause, ClauseVersion, Instrument

    with app.app_context():
        list(load_demo())
        started = time.perf_counter()
        with click.progressbar(length=synthetic.estimate_rows(scale), label="synthetic record", file=sys.stderr) as bar:
            world = synthetic.build(scale, progress=bar.update)
        built = time.perf_counter() - started
        print(
            f"synthetic record built in {built:.1f} s: "
            + ", ".join(f"{n:,} {table}" for table, n in world.counts.items())
        )
        longest = None
        if civil_code is not None and civil_code.is_file():
            started = time.perf_counter()
            report = import_file(civil_code, slug="civil-code", title=None, is_public=True)
            print(
                f"civil code imported in {time.perf_counter() - started:.1f} s: {civil_code.name} "
                f"({civil_code.stat().st_size / 1e6:.2f} MB, {len(report.added):,} clauses)"
            )
            longest = db.session.scalar(
                select(Clause.uid)
                .join(ClauseVersion, ClauseVersion.id == Clause.current_version_id)
                .join(Instrument, Instrument.id == Clause.instrument_id)
                .where(Instrument.slug == "civil-code")
                .order_by(func.length(ClauseVersion.text).desc())
                .limit(1)
            )
        else:
            print(f"civil code not found at {civil_code}; its pages are left out")
        # Planner statistics of everything just loaded, as autovacuum on PostgreSQL (within a minute)
        # and `drafter init-db` on SQLite would gather them: measured straight after the bulk import,
        # PostgreSQL planned the civil code's pages from empty statistics (365 ms instead of 48).
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return world, longest


# --- in-process pages -----------------------------------------------------------------


def all_pages(world: synthetic.World, civil_longest: str | None) -> list[synthetic.Page]:
    """The synthetic instrument's main pages, the demo's reading pages and the civil code's."""
    pages = synthetic.main_pages(world)
    demo = "/i/asean-migrant-workers"
    pages += [
        synthetic.Page("demo: working draft (full text)", f"{demo}/", "secretariat"),
        synthetic.Page("demo: Draft 2 (full text)", f"{demo}/drafts/2/"),
        synthetic.Page("demo: clause page (Article 10)", f"{demo}/c/article-10/"),
    ]
    if civil_longest:
        pages += [
            synthetic.Page("civil code: working draft (full text)", "/i/civil-code/", "secretariat"),
            synthetic.Page("civil code: longest provision", f"/i/civil-code/c/{civil_longest}/"),
        ]
    pages.append(synthetic.Page("health check", "/healthz"))
    return pages


def measure_pages(app, world: synthetic.World, pages: list[synthetic.Page], samples: int, budget: float) -> None:
    """Print time, statements and size of each page, requested in-process.

    Each page is requested once to warm the caches, then up to ``samples``
    times (at least 3, at most ``budget`` seconds per page).
    """
    with app.app_context():
        engine = db.engine
        identities = {who: synthetic.identity(world, who) for who in ("stakeholder", "secretariat", "admin")}
    gunicorn_settings()["tune_gc"]()  # the garbage collector as in a gunicorn worker
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    print(f"\n{'page':48} {'median':>9} {'p95':>9} {'SQL':>4} {'size':>10} {'gzip':>9}  samples")
    try:
        for page in pages:
            client = app.test_client()
            if page.who != "anonymous":
                with client.session_transaction() as session:
                    session["_user_id"] = identities[page.who]
                    session["_fresh"] = True
            first = client.get(page.path)
            times: list[float] = []
            spent = 0.0
            while len(times) < samples and (len(times) < 3 or spent < budget):
                statements[0] = 0
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = time.perf_counter() - started
                times.append(elapsed)
                spent += elapsed
            body = response.get_data()
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            flag = "" if response.status_code == 200 and first.status_code == 200 else f"  HTTP {response.status_code}"
            print(
                f"{page.name[:48]:48} {statistics.median(times) * 1000:7.1f}ms {p95 * 1000:7.1f}ms {statements[0]:4d} "
                f"{len(body) / 1024:8.1f}KB {len(gzip.compress(body, 6)) / 1024:7.1f}KB  {len(times):3d}{flag}"
            )
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- serving ----------------------------------------------------------------------------


def gunicorn_settings() -> dict:
    """The names ``gunicorn.conf.py`` defines (read as gunicorn reads it)."""
    settings: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    return settings


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the repository's ``gunicorn.conf.py``, on a free loopback port.

    :param url: ``DATABASE_URL`` for Drafter (ignored by the bare app).
    :param app_path: ``None`` for Drafter (the config's ``wsgi_app``) or a module:variable to serve instead.
    :param log_dir: where the access and error logs go.
    :param workers: overrides ``DRAFTER_WORKERS`` when given.
    :param threads: overrides ``DRAFTER_THREADS`` when given.
    """

    def __init__(self, url: str, app_path: str | None, log_dir: Path, workers: int | None, threads: int | None):
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url,
            SECRET_KEY=SECRET_KEY,
            DRAFTER_BIND=f"127.0.0.1:{self.port}",
            DRAFTER_ACCESS_LOG=str(log_dir / f"access-{self.port}.log"),
            DRAFTER_LOG_LEVEL="warning",
            PYTHONPATH=str(ROOT),
        )
        if workers:
            env["DRAFTER_WORKERS"] = str(workers)
        if threads:
            env["DRAFTER_THREADS"] = str(threads)
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        if app_path:
            command.append(app_path)
        self.errors = open(log_dir / f"error-{self.port}.log", "w")  # noqa: SIM115 (closed when the server stops)
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.errors, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise click.ClickException(f"gunicorn exited with {self.process.returncode}; see {self.errors.name}")
            try:
                status, _, _ = load.Http(self.port, timeout=5).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise click.ClickException(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """CPU time of the master, its live workers and the workers it has reaped (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")

        def stat(pid: int, with_children: bool) -> float:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0.0
            # utime, stime, cutime, cstime are fields 14-17 (1-based); fields[0] is field 3.
            values = [int(v) for v in fields[11:15]]
            return (sum(values) if with_children else values[0] + values[1]) / tick

        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return stat(pid, True) + sum(stat(int(c), False) for c in children)

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM) and wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


def database_cpu_seconds() -> float:
    """CPU time of the PostgreSQL server processes on this machine (0 when it runs elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            head, _, rest = (proc / "stat").read_text().rpartition(")")
        except OSError:
            continue
        if head.split("(", 1)[-1] != "postgres":
            continue
        fields = rest.split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_cpu_seconds() -> float:
    """CPU time spent by the whole machine, all cores (busy time from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- the load -------------------------------------------------------------------------


def reader_mix(app, world: synthetic.World, civil_longest: str | None):
    """The pages readers load, with weights: mostly clause pages, now and then a whole draft."""
    from drafter.models import Amendment, Clause, Instrument
    from instrument.amendments import AmendmentState

    with app.app_context():

        def uids(slug: str, kind: str | None = None) -> list[str]:
            stmt = (
                select(Clause.uid)
                .join(Instrument, Instrument.id == Clause.instrument_id)
                .where(Instrument.slug == slug)
            )
            if kind:
                stmt = stmt.where(Clause.kind == kind)
            return list(db.session.scalars(stmt.order_by(Clause.position)))

        articles = uids(world.slug, "article")
        demo_articles = uids("asean-migrant-workers", "article")
        civil = uids("civil-code", "article") if civil_longest else []
        amendments = list(
            db.session.scalars(
                select(Amendment.id).where(
                    Amendment.instrument_id == world.instrument_id, Amendment.state != AmendmentState.DRAFT
                )
            )
        )
    s, d, last = f"/i/{world.slug}", "/i/asean-migrant-workers", world.drafts
    choices = [
        (30, lambda r: f"{s}/c/{r.choice(articles)}/"),
        (4, lambda r: f"{s}/"),
        (3, lambda r: f"{s}/drafts/{last}/"),
        (2, lambda r: f"{s}/drafts/"),
        (8, lambda r: f"{s}/comments/?page={r.randint(1, 50)}"),
        (4, lambda r: f"{s}/c/{r.choice(articles)}/comments/"),
        (6, lambda r: f"{s}/amendments/{r.choice(amendments)}/"),
        (3, lambda r: f"{s}/amendments/mine"),
        (2, lambda r: f"{s}/register?page={r.randint(1, 20)}"),
        (2, lambda r: f"{s}/matrix"),
        (2, lambda r: f"{s}/consultations/{world.consultation}/"),
        (2, lambda r: f"{s}/c/{r.choice(articles)}/provenance"),
        (2, lambda r: f"{s}/c/{r.choice(articles)}/compare/"),
        (8, lambda r: f"{d}/"),
        (4, lambda r: f"{d}/drafts/2/"),
        (10, lambda r: f"{d}/c/{r.choice(demo_articles)}/"),
    ]
    if civil:
        choices.append((5, lambda r: f"/i/civil-code/c/{r.choice(civil)}/"))
    weights = [w for w, _ in choices]
    makers = [m for _, m in choices]
    description = "clause pages 40 %, comment lists and clause comments 12 %, whole texts 19 % (drafts of 2,000 clauses 7 %), amendments 9 %, traceability 8 %"

    def mix(rng: random.Random) -> str:
        return rng.choices(makers, weights)[0](rng)

    return mix, description, articles


def reader_sessions(app, world: synthetic.World, n: int) -> list[dict[str, str]]:
    """Session cookies of ``n`` signed-in delegates, made with the app's own signer.

    Readers skip the sign-in form (it is limited to 10 a minute per address, and
    the writers go through it); the cookie is the one the form would have set.
    """
    from drafter.extensions import login_manager
    from drafter.models import User

    cookies = []
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        ident = login_manager._session_identifier_generator()
        serializer = app.session_interface.get_signing_serializer(app)
        for user_id, _ in world.stakeholders[:n]:
            user = db.session.get(User, user_id)
            value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "_id": ident})
            cookies.append({app.config["SESSION_COOKIE_NAME"]: value})
    return cookies


def writer_plans(app, world: synthetic.World, articles: list[str], writers: int, label: str) -> list[load.WriterPlan]:
    """Three in five writers comment on random articles; the others decide open amendments that apply cleanly."""
    from drafter.models import Amendment, Clause
    from drafter.services.amendments.queries import PUBLIC_OPEN_STATES
    from instrument.amendments import AmendmentKind

    with app.app_context():
        rows = db.session.execute(
            select(Amendment.id, Amendment.clause_id)
            .join(Clause, Clause.id == Amendment.clause_id)
            .where(
                Amendment.instrument_id == world.instrument_id,
                Amendment.state.in_(PUBLIC_OPEN_STATES),
                Amendment.kind == AmendmentKind.MODIFY,
                Amendment.base_version_id == Clause.current_version_id,
            )
            .order_by(Amendment.id)
        ).all()
    one_per_clause: dict[int, int] = {}
    for amendment_id, clause_id in rows:
        one_per_clause.setdefault(clause_id, amendment_id)
    pool = list(one_per_clause.values())
    random.Random(11).shuffle(pool)
    rng = random.Random(13)
    commenters = sum(1 for w in range(writers) if w % 5 in (0, 2, 4))
    deciders = writers - commenters
    plans = []
    for n in range(commenters):
        _, email = world.stakeholders[-1 - n]
        plans.append(
            load.WriterPlan(
                "comment", email, synthetic.PASSWORD, world.slug, [rng.choice(articles) for _ in range(100_000)], label
            )
        )
    for n in range(deciders):
        _, email = world.secretariat[1 + n % (len(world.secretariat) - 1)]
        plans.append(load.WriterPlan("decide", email, synthetic.PASSWORD, world.slug, pool[n::deciders], label))
    return plans


def verify_writes(app, result: load.LoadResult, label: str, world: synthetic.World, started) -> list[str]:
    """Compare the successful write answers with the rows in the database.

    :returns: lines to print (lost writes, writes with no successful answer, wrong states).
    """
    from drafter.models import Amendment, Comment
    from instrument.amendments import AmendmentState

    with app.app_context():
        bodies = set(db.session.scalars(select(Comment.body).where(Comment.body.like(f"{label} %"))))
        stored = {b.split(":", 1)[0] for b in bodies}
        answered = set(result.comments_posted)
        decided = {
            a.id: a.state
            for a in db.session.scalars(
                select(Amendment).where(Amendment.instrument_id == world.instrument_id, Amendment.decided_at >= started)
            )
        }
    lost_comments = answered - stored
    extra_comments = stored - answered
    wrong = [i for i, outcome in result.decided.items() if decided.get(i) != AmendmentState(outcome)]
    extra_decisions = set(decided) - set(result.decided)
    return [
        f"comments: {len(answered):,} posts answered with a redirect, {len(stored):,} rows found: "
        f"{len(lost_comments)} lost, {len(extra_comments)} stored without a successful answer",
        f"amendment decisions: {len(result.decided):,} answered with a redirect "
        f"({sum(1 for o in result.decided.values() if o == 'accepted'):,} accepted, "
        f"{sum(1 for o in result.decided.values() if o == 'rejected'):,} rejected), {len(decided):,} decided rows found: "
        f"{len(wrong)} lost or in another state, {len(extra_decisions)} decided without a successful answer",
    ]


def print_load(name: str, result: load.LoadResult, cpu: dict[str, float]) -> dict:
    """Print one run's table; returns the summary of all requests together."""
    rows = [
        ("page loads (readers)", result.reads),
        ("form pages (writers)", result.write_pages),
        ("posts (writers)", result.writes),
    ]
    everything = load.Stats(
        latencies=result.reads.latencies + result.write_pages.latencies + result.writes.latencies,
        bytes=result.reads.bytes + result.write_pages.bytes + result.writes.bytes,
        failures=result.reads.failures + result.write_pages.failures + result.writes.failures,
    )
    print(f"\n{name}")
    print(
        f"  {'':22} {'requests':>8} {'req/s':>7} {'failed':>6} {'p50':>8} {'p90':>8} {'p95':>8} {'p99':>8} {'max':>8} {'MB/s':>6}"
    )
    total = None
    for label, stats in [*rows, ("all", everything)]:
        s = stats.summary(result.seconds)
        print(
            f"  {label:22} {s['count']:8,} {s['per_second']:7.1f} {s['failed']:6} {s['p50']:6.0f}ms {s['p90']:6.0f}ms "
            f"{s['p95']:6.0f}ms {s['p99']:6.0f}ms {s['max']:6.0f}ms {s['mb'] / result.seconds:6.1f}"
        )
        for failure, n in stats.failures.most_common(5):
            print(f"  {'':22}   {n} x {failure}")
        total = s
    cores = os.cpu_count() or 1
    print(
        f"  CPU over the window (of {cores} cores): gunicorn {cpu['server'] / result.seconds:.2f}, PostgreSQL "
        f"{cpu['database'] / result.seconds:.2f}, load generator {result.cpu_seconds / result.seconds:.2f}, "
        f"other processes {cpu['other'] / result.seconds:.2f}; requests sent again on a new connection: {result.retries}"
    )
    if result.sign_in_failures:
        print(f"  {result.sign_in_failures} writer(s) could not sign in")
    return total


def run_load(
    app,
    url: str,
    world: synthetic.World,
    civil_longest: str | None,
    *,
    readers: int,
    writers: int,
    seconds: float,
    warmup: float,
    workers: int | None,
    threads: int | None,
    log_dir: Path,
    floor: bool = True,
    keep_alive: bool = False,
) -> None:
    """The gunicorn part: Drafter, then the bare app with the same load; prints both and the ratio.

    With ``floor``, then the same readers (no writers) on two of Drafter's
    cheapest routes, each against the bare app: the health check (one
    ``SELECT 1``, no page) and the list of instruments (a signed-in page: the
    user and the instruments read, 1.5 KB with the site's navigation), which
    show how much of the gap is the cost of any request through Drafter
    (session, user, checks, headers) rather than of its pages.
    """
    mix, description, articles = reader_mix(app, world, civil_longest)
    cookies = reader_sessions(app, world, readers)
    label = f"Load test {int(time.time())}"
    plans = writer_plans(app, world, articles, writers, label)
    conf = gunicorn_settings()
    print(
        f"\nLoad: {readers} signed-in readers and {writers} writers "
        f"({sum(p.kind == 'comment' for p in plans)} posting comments, {sum(p.kind == 'decide' for p in plans)} "
        f"deciding amendments), {seconds:.0f} s measured after {warmup:.0f} s of warm-up; gunicorn "
        f"{workers or conf['workers']} workers x {threads or conf['threads']} threads ({conf['worker_class']}), loopback"
    )
    print(f"Readers' mix: {description}.")
    print(
        "Connections: "
        + (
            "each person keeps one open (--keep-alive)."
            if keep_alive
            else "a new one per request, as a reverse proxy in front of gunicorn opens them "
            "(--keep-alive to keep one per person)."
        )
    )

    def one(app_path: str | None, sizes: dict | None, mix=mix, plans=plans):
        server = Server(url, app_path, log_dir, workers, threads)
        marks: dict[str, float] = {}

        def sample_cpu() -> None:  # around the measured window only
            time.sleep(warmup)
            marks["machine0"], marks["server0"] = machine_cpu_seconds(), server.cpu_seconds()
            marks["database0"] = database_cpu_seconds()
            time.sleep(seconds)
            marks["machine1"], marks["server1"] = machine_cpu_seconds(), server.cpu_seconds()
            marks["database1"] = database_cpu_seconds()

        started = datetime.now(UTC)
        sampler = threading.Thread(target=sample_cpu, daemon=True)
        try:
            sampler.start()
            result = load.run(
                server.port,
                readers=readers,
                reader_cookies=cookies if sizes is None else [],
                mix=mix,
                writers=plans,
                seconds=seconds,
                warmup=warmup,
                bare_sizes=sizes,
                keep_alive=keep_alive,
            )
            sampler.join()
        finally:
            server.stop()
        server_cpu = marks["server1"] - marks["server0"]
        database = max(0.0, marks["database1"] - marks["database0"])  # backends that exit take their time along
        other = max(0.0, (marks["machine1"] - marks["machine0"]) - server_cpu - database - result.cpu_seconds)
        return result, {"server": server_cpu, "database": database, "other": other}, started

    result, cpu, started = one(None, None)
    app_total = print_load("Drafter under gunicorn", result, cpu)
    for line in verify_writes(app, result, label, world, started):
        print("  " + line)
    sizes = dict(result.sizes)
    bare, bare_cpu, _ = one("benchmarks.bare_app:app", sizes)
    bare_total = print_load(
        "Bare Flask app under the same gunicorn settings, answers of the same sizes", bare, bare_cpu
    )
    ratio = app_total["per_second"] / bare_total["per_second"] if bare_total["per_second"] else 0.0
    print(
        f"\nRatio of requests per second, Drafter / bare Flask: {ratio:.2f} "
        f"({app_total['per_second']:.1f} / {bare_total['per_second']:.1f}); target at least 0.5"
    )
    if not floor:
        return
    print(f"\nFloor: the same {readers} readers, no writers, every request to one cheap route")
    for name, path in (("health check", "/healthz"), ("instruments", "/")):

        def route(_rng, path=path):
            return path

        mine, _, _ = one(None, None, mix=route, plans=[])
        theirs, _, _ = one("benchmarks.bare_app:app", dict(mine.sizes), mix=route, plans=[])
        a, b = mine.reads.summary(seconds), theirs.reads.summary(seconds)
        print(
            f"  {name:14} {path:32} Drafter {a['per_second']:7.1f} req/s ({a['failed']} failed, p50 {a['p50']:.0f} ms), "
            f"bare {b['per_second']:7.1f} req/s: ratio {a['per_second'] / b['per_second'] if b['per_second'] else 0:.2f}"
        )


# --- the command -----------------------------------------------------------------------


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--postgres",
    "postgres_url",
    envvar="DATABASE_URL",
    default=None,
    help="PostgreSQL URL of a throwaway database (default: $DATABASE_URL); it is emptied first.",
)
@click.option("--sqlite/--no-sqlite", default=True, show_default=True, help="Run on SQLite (a temporary file).")
@click.option("--wipe", is_flag=True, help="Empty the PostgreSQL database even if it has tables.")
@click.option("--clauses", default=2_000, show_default=True)
@click.option("--drafts", default=20, show_default=True)
@click.option("--comments", default=50_000, show_default=True)
@click.option("--amendments", default=5_000, show_default=True)
@click.option("--inputs", default=500, show_default=True)
@click.option(
    "--civil-code",
    type=click.Path(path_type=Path),
    default=CIVIL_CODE,
    show_default=True,
    help="A large real text to import as well.",
)
@click.option("--samples", default=15, show_default=True, help="In-process requests per page (at least 3).")
@click.option("--page-budget", default=4.0, show_default=True, help="Seconds spent at most on one page's samples.")
@click.option("--load/--no-load", "with_load", default=True, show_default=True, help="Run the gunicorn load test.")
@click.option(
    "--floor/--no-floor",
    default=True,
    show_default=True,
    help="After the load test, the same readers on Drafter's two cheapest routes against the bare app.",
)
@click.option(
    "--keep-alive",
    is_flag=True,
    help="Each reader and writer keeps one connection open (default: a new connection per request, "
    "as behind a reverse proxy).",
)
@click.option("--readers", default=50, show_default=True)
@click.option("--writers", default=5, show_default=True)
@click.option("--seconds", default=20.0, show_default=True, help="Measured window of each load run.")
@click.option("--warmup", default=5.0, show_default=True, help="Load before the window (not measured).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's).")
@click.option("--threads", type=int, default=None, help="Threads per worker (default: gunicorn.conf.py's).")
def main(
    postgres_url,
    sqlite,
    wipe,
    clauses,
    drafts,
    comments,
    amendments,
    inputs,
    civil_code,
    samples,
    page_budget,
    with_load,
    floor,
    keep_alive,
    readers,
    writers,
    seconds,
    warmup,
    workers,
    threads,
) -> None:
    """Build a negotiation-sized record and print page costs and load-test figures."""
    from drafter.config import database_url

    scale = synthetic.Scale(clauses=clauses, drafts=drafts, comments=comments, amendments=amendments, inputs=inputs)
    tmp = Path(tempfile.mkdtemp(prefix="drafter-bench-"))
    targets = []
    if sqlite:
        targets.append(("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}"))
    if postgres_url:
        targets.append(("PostgreSQL", database_url(postgres_url)))
    if not targets:
        raise click.ClickException("nothing to run: give --postgres URL or leave SQLite on")
    print(
        f"Drafter benchmark: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}; logs and SQLite file in {tmp}"
    )
    for name, url in targets:
        started = time.perf_counter()
        print(f"\n{'=' * 30} {name} {'=' * 30}")
        app = make_app(url)
        with app.app_context():
            version = (
                db.session.connection()
                .exec_driver_sql("SELECT sqlite_version()" if name == "SQLite" else "SHOW server_version")
                .scalar()
            )
        print(f"database: {name} {version}")
        prepare(app, wipe=wipe)
        world, longest = populate(app, scale, civil_code)
        measure_pages(app, world, all_pages(world, longest), samples, page_budget)
        if with_load:
            run_load(
                app,
                url,
                world,
                longest,
                readers=readers,
                writers=writers,
                seconds=seconds,
                warmup=warmup,
                workers=workers,
                threads=threads,
                log_dir=tmp,
                floor=floor,
                keep_alive=keep_alive,
            )
        with app.app_context():
            db.engine.dispose()
        print(f"\n{name}: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
