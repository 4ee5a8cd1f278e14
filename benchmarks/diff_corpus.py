"""Time whole-instrument comparisons on real legal texts.

For each pair of states the script parses both files
(:func:`instrument.parse.parse_markdown`), turns the clauses into
:class:`instrument.types.ClauseState` and times
:func:`instrument.compare.compare_clauses` (no version ids, so the redline
cache is not used). The floor it is measured against is one bare
character-level ``fast_diff_match_patch.diff`` of the two instruments'
clause texts joined with blank lines (no time limit, counts only): the
least work any diff of these texts can do. For reference it also times one
word-level :func:`instrument.diff.redline` of those joined texts.

Run: ``python benchmarks/diff_corpus.py [repeats]`` (default 3; best run
shown, in milliseconds). Set ``DRAFTER_CORPUS`` if the corpus is not in
``../shared/corpus``. No assertion: the figures are for people to read.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import fast_diff_match_patch

from instrument.compare import compare_clauses
from instrument.diff import redline
from instrument.parse import parse_markdown
from instrument.types import ClauseState

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))

PAIRS = [
    ("GG v2 -> v3", "bundestag-gesetze/gg_v2_2012-08-06_166018c1.md", "bundestag-gesetze/gg_v3_2022-01-28_5710c0a6.md"),
    ("TPG v6 -> v7", "bundestag-gesetze/tpg_v6_2022-01-28_5710c0a6.md", "bundestag-gesetze/tpg_v7_2022-03-03_faba4c77.md"),
    ("BGB v2 -> v3", "large/bgb_v2_2022-02-13_79bdc90d.md", "large/bgb_v3_2022-03-03_faba4c77.md"),
    ("BGB v1 -> v3", "large/bgb_v1_2022-01-28_5710c0a6.md", "large/bgb_v3_2022-03-03_faba4c77.md"),
]  # fmt: skip


def load(name: str) -> tuple[list[ClauseState], float]:
    """Parse one corpus file; return its clause states and the parse time in ms."""
    source = (CORPUS / name).read_text(encoding="utf-8")
    start = time.perf_counter()
    parsed = parse_markdown(source, source_name=name)
    elapsed = (time.perf_counter() - start) * 1000
    states = [
        ClauseState(c.key, c.kind, c.number, c.heading, c.text, c.parent_key, i) for i, c in enumerate(parsed.clauses)
    ]
    return states, elapsed


def best(func, repeats: int) -> float:
    """Best wall time of ``repeats`` calls of ``func()``, in ms."""
    out = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        out = min(out, time.perf_counter() - start)
    return out * 1000


def main(argv: list[str]) -> None:
    """Print one line per pair: sizes, parse, compare, floor and their ratio."""
    repeats = int(argv[1]) if len(argv) > 1 else 3
    print(
        f"{'pair':14s} {'clauses':>7s} {'chars':>9s} {'parse ms':>9s} {'compare ms':>11s}"
        f" {'floor ms':>9s} {'ratio':>6s} {'redline ms':>11s}  result"
    )
    for label, old_name, new_name in PAIRS:
        old, t_old = load(old_name)
        new, t_new = load(new_name)
        old_text = "\n\n".join(c.text for c in old)
        new_text = "\n\n".join(c.text for c in new)
        comparison = compare_clauses(old, new)
        t_compare = best(lambda: compare_clauses(old, new), repeats)
        t_floor = best(
            lambda: fast_diff_match_patch.diff(old_text, new_text, timelimit=0, counts_only=True),
            repeats,
        )
        t_redline = best(lambda: redline(old_text, new_text), repeats)
        result = (
            f"{comparison.clauses_changed} changed, {comparison.clauses_added} added, "
            f"{comparison.clauses_deleted} deleted, +{comparison.words_inserted}/-{comparison.words_deleted} words"
        )
        print(
            f"{label:14s} {len(new):7d} {len(new_text):9d} {t_old + t_new:9.1f} {t_compare:11.1f}"
            f" {t_floor:9.1f} {t_compare / t_floor:6.1f} {t_redline:11.1f}  {result}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv)
