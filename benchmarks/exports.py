"""Time and peak memory of every export format, for the demo instrument and the 1.5 MB civil code.

Usage: ``python benchmarks/exports.py [--only demo|civil]``.

Each measurement runs in a fresh Python process (so one format's memory does
not count against the next): the process parses the texts, builds the
comparison for redlines, measures resident memory, runs the export once and
prints the wall time and the growth of peak resident memory (``ru_maxrss``,
which counts what Pango, libxml2 and the other C libraries allocate too).
The exporters of :mod:`instrument.export` are called directly, without a
database: the app adds a fixed number of queries (see the query-count tests).

Sources: the demo's Draft 1 -> Draft 2, and the civil code
``../shared/corpus/large/bgb_v2`` -> ``bgb_v3`` (redline) and ``bgb_v3`` (clean).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCES = {
    "demo": (ROOT / "drafter" / "demo" / "draft1.md", ROOT / "drafter" / "demo" / "draft2.md"),
    "civil": (
        ROOT.parent / "shared" / "corpus" / "large" / "bgb_v2_2022-02-13_79bdc90d.md",
        ROOT.parent / "shared" / "corpus" / "large" / "bgb_v3_2022-03-03_faba4c77.md",
    ),
}
FORMATS = ["md", "html", "docx", "pdf", "akn", "akn-import", "redline-html", "redline-docx", "redline-pdf",
           "synoptic-docx", "synoptic-csv"]  # fmt: skip


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(source: str, fmt: str) -> dict:
    """Run one export in this process; returns seconds, output bytes and peak-memory growth in MB."""
    from instrument.compare import compare_clauses
    from instrument.export.akn import AknIdentity, to_akn
    from instrument.export.docx import to_docx
    from instrument.export.html import clause_title, to_html
    from instrument.export.markdown import to_markdown
    from instrument.export.pdf import html_to_pdf, to_pdf
    from instrument.export.redline import Revision, to_redline_html
    from instrument.export.redline_docx import to_redline_docx
    from instrument.export.synoptic import Proposal, SynopticRow, to_synoptic_csv, to_synoptic_docx
    from instrument.parse import parse_markdown
    from instrument.parse_akn import parse_akn
    from instrument.types import ClauseState

    old_path, new_path = SOURCES[source]
    old = parse_markdown(old_path.read_text(encoding="utf-8"))
    new = parse_markdown(new_path.read_text(encoding="utf-8"))
    title, clauses = new.title, new.clauses
    identity = AknIdentity(
        name=source, work_date=date(2007, 1, 13), expression_date=date(2007, 8, 1), version="draft-2"
    )

    def states(parsed):
        return [ClauseState(c.key, c.kind, c.number, c.heading, c.text, c.parent_key, i)
                for i, c in enumerate(parsed.clauses)]  # fmt: skip

    comparison = compare_clauses(states(old), states(new)) if fmt.startswith("redline-") else None
    akn = to_akn(title, clauses, identity=identity) if fmt == "akn-import" else None
    rows = [
        SynopticRow(c.key, clause_title(c), c.text, (Proposal("Amendment 1", "Modify", ("Migrant Forum in Asia",),
                    "Under review", text=c.text, rationale="Clearer."),) if i % 10 == 0 else ())
        for i, c in enumerate(clauses)
    ]  # fmt: skip
    jobs = {
        "md": lambda: to_markdown(title, clauses),
        "html": lambda: to_html(title, clauses),
        "docx": lambda: to_docx(title, clauses, subtitle="Draft 2", line_numbers=True),
        "pdf": lambda: to_pdf(title, clauses, subtitle="Draft 2", header="Draft 2"),
        "akn": lambda: to_akn(title, clauses, identity=identity),
        "akn-import": lambda: parse_akn(akn),
        "redline-html": lambda: to_redline_html(title, "Draft 1", "Draft 2", comparison),
        "redline-docx": lambda: to_redline_docx(title, "Draft 1", "Draft 2", comparison,
                                                default=Revision("Secretariat", datetime(2007, 8, 1))),
        "redline-pdf": lambda: html_to_pdf(to_redline_html(title, "Draft 1", "Draft 2", comparison), header="Draft 2"),
        "synoptic-docx": lambda: to_synoptic_docx(title, rows, draft_label="Draft 2"),
        "synoptic-csv": lambda: to_synoptic_csv(rows, draft_label="Draft 2"),
    }  # fmt: skip
    before = peak_mb()
    start = time.perf_counter()
    result = jobs[fmt]()
    seconds = time.perf_counter() - start
    size = len(result) if isinstance(result, (bytes, str)) else len(result.clauses)
    return {"seconds": seconds, "size": size, "peak_mb": peak_mb() - before, "clauses": len(clauses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", choices=sorted(SOURCES))
    parser.add_argument("--one", nargs=2, metavar=("SOURCE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return
    for source in [args.only] if args.only else list(SOURCES):
        if not SOURCES[source][1].exists():
            print(f"{source}: {SOURCES[source][1]} not found, skipped")
            continue
        print(f"\n{source}: {SOURCES[source][1].name}")
        print(f"{'format':<15}{'time':>10}{'peak memory':>14}{'output':>16}")
        for fmt in FORMATS:
            out = subprocess.run([sys.executable, __file__, "--one", source, fmt], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{fmt:<15} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            m = json.loads(out.stdout.strip().splitlines()[-1])
            unit = "clauses" if fmt == "akn-import" else "bytes"
            print(f"{fmt:<15}{m['seconds']:>9.2f}s{m['peak_mb']:>11.0f} MB{m['size']:>10,} {unit}")


if __name__ == "__main__":
    main()
