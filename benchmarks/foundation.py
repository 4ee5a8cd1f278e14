"""Import, read and export the largest real text, and print the figures.

Usage: ``python benchmarks/foundation.py [PATH]`` (default: the 1.5 MB civil code in
``../shared/corpus/large/``). Uses a throwaway SQLite database (or ``$DATABASE_URL``).
Prints: import time, peak memory, full-text page time and size, Markdown export
time, and SQL statements per page for a small and a large instrument.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter import create_app  # noqa: E402
from drafter.extensions import db  # noqa: E402


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Median wall time in ms of ``repeat`` calls of ``fn``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def count_statements(app, fn) -> int:
    """Number of SQL statements ``fn`` sends."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def main() -> None:
    default = ROOT.parent / "shared" / "corpus" / "large" / "bgb_v1_2022-01-28_5710c0a6.md"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})
    from sqlalchemy import select

    from drafter.cli import import_file, upgrade_schema
    from drafter.demo import load_demo
    from drafter.models import Instrument
    from drafter.services.exports import export_clean

    with app.app_context():
        db.drop_all() if os.environ.get("DATABASE_URL") else None
        upgrade_schema()
        list(load_demo())
        before = peak_mb()
        ms, report = timed(lambda: import_file(path, slug="large", title=None))
        print(f"file: {path.name} ({path.stat().st_size / 1e6:.2f} MB)")
        print(
            f"import: {ms:,.0f} ms, {len(report.added):,} clauses; peak memory {peak_mb():.0f} MB (was {before:.0f} MB before the import)"
        )
        large = db.session.scalar(select(Instrument).where(Instrument.slug == "large"))
        large.is_public = True  # so the pages below are read as an anonymous visitor
        db.session.commit()
        ms, result = timed(lambda: export_clean(large, None, "md"), repeat=3)
        print(f"export Markdown: {ms:,.0f} ms, {len(result.content.encode()):,} bytes")
        ms, result = timed(lambda: export_clean(large, None, "html"), repeat=3)
        print(f"export HTML: {ms:,.0f} ms, {len(result.content.encode()):,} bytes")
        n_clauses = len(report.added)

    client = app.test_client()
    for label, slug in (("demo (33 clauses)", "asean-migrant-workers"), (f"large ({n_clauses:,} clauses)", "large")):
        client.get(f"/i/{slug}/")  # first render fills the per-version cache
        ms, response = timed(lambda: client.get(f"/i/{slug}/"), repeat=5)
        cold_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})
        from drafter.templating import render_version

        render_version.cache_clear()
        cold_ms, _ = timed(lambda: cold_app.test_client().get(f"/i/{slug}/"))
        queries = count_statements(app, lambda: client.get(f"/i/{slug}/"))
        print(
            f"full-text page, {label}: {ms:,.0f} ms warm, {cold_ms:,.0f} ms with an empty render cache, "
            f"{len(response.data) / 1024:,.0f} KiB, {queries} SQL statements"
        )
    for label, path_ in (("demo", "/i/asean-migrant-workers/c/article-6/"), ("large", "/i/large/c/par-242/")):
        ms, response = timed(lambda: client.get(path_), repeat=5)
        queries = count_statements(app, lambda: client.get(path_))
        print(f"clause page, {label}: {ms:,.1f} ms, status {response.status_code}, {queries} SQL statements")


if __name__ == "__main__":
    main()
