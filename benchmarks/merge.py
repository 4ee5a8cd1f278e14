"""Time the three-way merge of an amendment on real legal text, and print the figures.

Three texts, all from the 1.5 MB civil code in the corpus
(``large/bgb_v1_2022-01-28_5710c0a6.md``):

* a 10 KB clause: the first 10,000 characters of the code's provisions,
  cut at a paragraph break;
* the code's largest provision (by text length), as parsed by
  :func:`instrument.parse.parse_markdown`;
* the whole file as one text: an upper bound no clause will reach.

On each, the amendment and the current text each make a few word edits
(replacements, insertions, deletions) at separate places chosen with a
fixed seed, so the merge is clean; one more run gives both sides a
different replacement of the same word, so the merge reports a conflict.
The time is the median of several runs of :func:`instrument.merge.merge`
(tokenising, two diffs, combining, verifying).

Run: ``python benchmarks/merge.py [runs]`` (default 5; times in ms). Set
``DRAFTER_CORPUS`` if the corpus is not in ``../shared/corpus``. No
assertion: the figures are for people to read.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

import regex

from instrument.merge import merge
from instrument.parse import parse_markdown
from instrument.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))
CODE = "large/bgb_v1_2022-01-28_5710c0a6.md"
EDITS_PER_SIDE = 4

_WORD = regex.compile(r"\b\p{L}{4,}\b")


def edit(text: str, positions: list[tuple[int, int]], rng: random.Random) -> str:
    """Apply one word edit at each ``(start, end)`` word span of ``text``."""
    out: list[str] = []
    last = 0
    for start, end in positions:
        kind = rng.choice(["replace", "insert", "delete"])
        out.append(text[last:start])
        if kind == "replace":
            out.append("geändert")
        elif kind == "insert":
            out.append("ergänzend " + text[start:end])
        last = end
        if kind == "delete" and text[end : end + 1] == " ":
            last = end + 1
    out.append(text[last:])
    return "".join(out)


def sides(text: str, seed: int) -> tuple[str, str]:
    """An amendment and a current text, each with a few edits at separate words of ``text``."""
    rng = random.Random(seed)
    words = [m.span() for m in _WORD.finditer(text)]
    picked = sorted(rng.sample(range(0, len(words), 3), 2 * EDITS_PER_SIDE))  # every third word: never neighbours
    rng.shuffle(picked)
    mine = sorted(words[i] for i in picked[:EDITS_PER_SIDE])
    theirs = sorted(words[i] for i in picked[EDITS_PER_SIDE:])
    return edit(text, mine, rng), edit(text, theirs, rng)


def clashing(text: str) -> tuple[str, str]:
    """Two different replacements of the same word near the middle of ``text``."""
    middle = next(m for m in _WORD.finditer(text, len(text) // 2))
    start, end = middle.span()
    return text[:start] + "erstens" + text[end:], text[:start] + "zweitens" + text[end:]


def median_ms(func, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``func()``, in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> None:
    """Print one line per text: size, tokens, median merge time (clean and with a conflict)."""
    runs = int(argv[1]) if len(argv) > 1 else 5
    source = (CORPUS / CODE).read_text(encoding="utf-8")
    clauses = parse_markdown(source, source_name=CODE).clauses
    joined = "\n\n".join(c.text for c in clauses if c.text)
    cut = joined.rfind("\n\n", 0, 10_000)
    largest = max(clauses, key=lambda c: len(c.text))
    texts = [
        ("10 KB clause", joined[:cut]),
        (f"largest provision ({largest.number})", largest.text),
        ("whole code as one text", source),
    ]
    print(f"{'text':34s} {'chars':>9s} {'tokens':>8s} {'clean ms':>9s} {'conflict ms':>12s}  result")
    for label, text in texts:
        proposed, current = sides(text, seed=len(text))
        result = merge(text, proposed, current)
        t_clean = median_ms(lambda: merge(text, proposed, current), runs)
        first, second = clashing(text)
        clash = merge(text, first, second)
        t_clash = median_ms(lambda: merge(text, first, second), runs)
        outcome = f"clean={result.clean}; clash: {len(clash.conflicts)} conflict(s)"
        print(
            f"{label:34s} {len(text):9d} {len(tokenize(text)):8d} {t_clean:9.1f} {t_clash:12.1f}  {outcome}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv)
