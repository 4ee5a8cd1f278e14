"""Time the provenance of a clause's text (:mod:`instrument.trace`), and print the figures.

Two chains of versions, both from the civil code in the corpus:

* a 10 KB clause (the first 10,000 characters of the code's provisions,
  cut at a paragraph break) through 50 versions: each later version makes
  three word edits (replacement, insertion or deletion) at places chosen
  with a fixed seed, and every tenth one also re-wraps the text;
* the code's largest provision in ``large/bgb_v1_2022-01-28_5710c0a6.md``
  (by text length, as parsed by :func:`instrument.parse.parse_markdown`)
  through the three states of the code in the corpus (v1, v2, v3), taken by
  the same clause key.

For each chain: the median time of :func:`instrument.trace.attribute` over
the whole chain, the mean time of one :func:`instrument.trace.attribute_incremental`
step (what a caller pays when it keeps each version's attribution), the
time to ask the history of every span, and how many spans the last text
has and which versions they name.

Run: ``python benchmarks/trace.py [runs]`` (default 5; times in ms). Set
``DRAFTER_CORPUS`` if the corpus is not in ``../shared/corpus``. No
assertion: the figures are for people to read.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import regex

from instrument.parse import parse_markdown
from instrument.text import tokenize
from instrument.trace import Attribution, VersionInfo, _line_tokens, attribute, attribute_incremental

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))
CODES = [
    "large/bgb_v1_2022-01-28_5710c0a6.md",
    "large/bgb_v2_2022-02-13_79bdc90d.md",
    "large/bgb_v3_2022-03-03_faba4c77.md",
]
VERSIONS = 50
EDITS_PER_VERSION = 3

_WORD = regex.compile(r"\b\p{L}{3,}\b")


def next_version(text: str, rng: random.Random, serial: int, rewrap: bool) -> str:
    """``text`` with a few word edits, each a replacement, an insertion or a deletion."""
    words = [m.span() for m in _WORD.finditer(text)]
    for start, end in sorted(rng.sample(words, min(EDITS_PER_VERSION, len(words))), reverse=True):
        kind = rng.choice(["replace", "insert", "delete"])
        if kind == "replace":
            text = f"{text[:start]}neu{serial}{text[end:]}"
        elif kind == "insert":
            text = f"{text[:start]}ergänzt{serial} {text[start:]}"
        else:
            text = text[:start] + text[end:].removeprefix(" ")
    if rewrap:  # move some line breaks: no change for provenance
        text = regex.sub(r"(?<=\S) (?=\S)", lambda m: "\n" if rng.random() < 0.05 else " ", text.replace("\n", " "))
    return text


def edited_chain(text: str, seed: int) -> list[VersionInfo]:
    """``VERSIONS`` versions starting from ``text``."""
    rng = random.Random(seed)
    chain = [VersionInfo(1, text)]
    for serial in range(2, VERSIONS + 1):
        text = next_version(text, rng, serial, rewrap=serial % 10 == 0)
        chain.append(VersionInfo(serial, text))
    return chain


def median_ms(func, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``func()``, in ms.

    The memory of tokenised lines is emptied before each call, so the
    figures are those of a process meeting the texts for the first time.
    """
    times = []
    for _ in range(runs):
        _line_tokens.cache_clear()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def incremental_ms(chain: list[VersionInfo], runs: int) -> float:
    """Mean time of one incremental step over the chain (median of ``runs`` passes), in ms."""

    def fold() -> None:
        att = Attribution()
        for info in chain:
            att = attribute_incremental(att, info)

    return median_ms(fold, runs) / len(chain)


def report(label: str, chain: list[VersionInfo], runs: int) -> None:
    """Print one line of figures for ``chain``."""
    att = attribute(chain)
    whole = median_ms(lambda: attribute(chain), runs)
    step = incremental_ms(chain, runs)
    history = median_ms(lambda: [att.history(s.start, s.end) for s in att.spans], runs)
    named = Counter(s.version_id for s in att.spans)
    text = chain[-1].text
    print(
        f"{label:38s} {len(text):7d} {len(tokenize(text)):7d} {len(chain):4d} {whole:9.1f} {step:8.2f}"
        f" {history:9.1f} {len(att.spans):6d}  {len(named)} versions named",
        flush=True,
    )


def main(argv: list[str]) -> None:
    """Print one line per chain: size, tokens, versions, times, spans."""
    runs = int(argv[1]) if len(argv) > 1 else 5
    parsed = [parse_markdown((CORPUS / name).read_text(encoding="utf-8"), source_name=name) for name in CODES]
    clauses = parsed[0].clauses
    joined = "\n\n".join(c.text for c in clauses if c.text)
    clause_10k = joined[: joined.rfind("\n\n", 0, 10_000)]
    largest = max(clauses, key=lambda c: len(c.text))
    states = []
    for number, instrument in enumerate(parsed, start=1):
        found = next((c for c in instrument.clauses if c.key == largest.key), None)
        if found is not None:
            states.append(VersionInfo(f"v{number}", found.text))

    print(
        f"{'chain':38s} {'chars':>7s} {'tokens':>7s} {'vers':>4s}"
        f" {'whole ms':>9s} {'step ms':>8s} {'hist ms':>9s} {'spans':>6s}"
    )
    report("10 KB clause, 50 versions", edited_chain(clause_10k, seed=len(clause_10k)), runs)
    report(f"largest provision ({largest.number}), v1-v{len(states)}", states, runs)


if __name__ == "__main__":
    main(sys.argv)
