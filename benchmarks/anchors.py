"""Time re-anchoring 1,000 comments on a 10 KB clause after an edit.

The clause is built from a fixed set of treaty-style sentences drawn at
random (seeded), so phrases repeat as they do in real instruments and many
quotes occur more than once. 1,000 comments quote 1 to 8 words each at
random places. Three new versions are timed:

* "edit": a sentence inserted at the start, a few words changed in the
  middle, a sentence deleted near the end;
* "same": the unchanged text (the fast path when a draft is republished);
* "rewrite": every sentence reworded, so that nearly every comment ends up
  changed and goes through the fuzzy search.

Each is timed with the old text given (as the application does when a new
version is saved) and without it (selector alone). The first comment of a
run pays for the diff of the two texts; the figures include it.

Run: ``python benchmarks/anchors.py [repeats]``; prints the best of
``repeats`` (default 3) runs, in milliseconds, and the outcome counts.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter

from instrument import anchors
from instrument.anchors import make_selector, reanchor

SENTENCES = [
    "Each Party shall take appropriate measures to protect the rights of migrant workers and members of their families.",
    "The Parties shall protect migrant workers, whether documented or undocumented, against discrimination.",
    "Migrant workers shall enjoy treatment no less favourable than that which applies to nationals.",
    "Each Party shall ensure fair and ethical recruitment, without fees charged to workers.",
    "Employers shall not retain the identity documents or passports of migrant workers.",
    "The Parties shall cooperate to prevent the smuggling of migrants and trafficking in persons.",
    "Women migrant workers shall be protected against gender-based violence and abuse.",
    "Each Party shall recognise the skills and qualifications obtained in another Party.",
    "Migrant workers shall have access to health care, including emergency medical care.",
    "The Parties shall consult trade unions and civil society organisations on the implementation.",
    "Nothing in this Article shall prejudice more favourable provisions of national law.",
    "Each Party shall report every two years on the measures taken under this Article.",
]


def build_clause(rng: random.Random, size: int = 10_000) -> str:
    """Sentences drawn with ``rng`` until the text reaches ``size`` code points."""
    parts: list[str] = []
    length = 0
    while length < size:
        s = rng.choice(SENTENCES)
        parts.append(s)
        length += len(s) + 1
    return " ".join(parts)[:size].rsplit(" ", 1)[0] + "."


def comments(text: str, rng: random.Random, count: int = 1000) -> list:
    """``count`` selectors of 1 to 8 words at random places in ``text``."""
    words = [(m.start(), m.end()) for m in anchors.regex.finditer(r"\S+", text)]
    out = []
    for _ in range(count):
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.randrange(8))
        out.append(make_selector(text, words[i][0], words[j][1]))
    return out


def edited(text: str) -> str:
    """Insert a sentence at the start, change words in the middle, delete a late sentence."""
    middle = len(text) // 2
    text = text[:middle] + text[middle:].replace("shall", "must", 3)
    late = text.rfind(". ", 0, len(text) - 500)
    cut = text.find(". ", late + 2)
    text = text[: late + 2] + text[cut + 2 :]
    return "Recalling the Cebu Declaration of 2007, the Parties agree as follows. " + text


def reworded(text: str) -> str:
    """Every sentence reworded a little: an adjective added, a verb changed."""
    return (
        text.replace("shall", "should")
        .replace("migrant workers", "foreign workers")
        .replace("Each Party", "Every Member State")
        .replace("The Parties", "Member States")
    )


def clear_caches() -> None:
    """Forget cached views and diffs, so every run pays for them."""
    for fn in (anchors._view, anchors._word_alignment, anchors._cluster_alignment):
        fn.cache_clear()


def run(selectors, new_text: str, old_text: str | None) -> tuple[float, Counter]:
    clear_caches()
    start = time.perf_counter()
    results = [reanchor(sel, new_text, old_text=old_text) for sel in selectors]
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, Counter(a.status.value for a in results)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rng = random.Random(2007)
    text = build_clause(rng)
    selectors = comments(text, rng)
    print(f"clause: {len(text):,} code points; comments: {len(selectors):,}")
    versions = {"edit": edited(text), "same": text, "rewrite": reworded(text)}
    for name, new_text in versions.items():
        for label, old in (("with old text", text), ("selector only", None)):
            best, counts = min((run(selectors, new_text, old) for _ in range(repeats)), key=lambda r: r[0])
            outcome = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            print(f"{name:8} {label:14} {best:8.1f} ms  ({best / len(selectors) * 1000:6.1f} µs each)  {outcome}")


if __name__ == "__main__":
    main()
