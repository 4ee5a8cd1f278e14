"""Match the clauses of a new text of an instrument to the clauses it had.

Clause keys come from provision numbers, and numbers change when an article
is inserted or deleted before others ("Article 10" becomes "Article 11").
Matching on the key alone would then pair every later article with its
predecessor's text; matching on the text alone cannot tell apart the many
short articles that read the same ("Deleted.", "Reserved.") or follow a
short article whose words changed. A clause's identity is therefore read
from four things together: its text, its number, its place and its
neighbours. The rule, in order:

1. **Anchors.** A text of at least :data:`MIN_TEXT_FOR_MOVE` characters
   (under :func:`instrument.text.comparison_form`) found exactly once on each
   side pairs its two clauses, whatever their keys (a key and its repeat in
   the same text, "§ 2" and "§ 2 [2]", count as the same number and are
   left to the later steps, so "§ 2" stays "§ 2"). The anchors that keep
   their order (a heaviest chain, see below, of weight 1 each) cut both
   texts into *gaps*; an anchor out of that order is a clause that moved.
2. **Alignment inside each gap.** Between two consecutive anchors, the old
   and the new clauses of the gap are aligned in order, as a redline aligns
   words: every pair ``(o, n)`` of the same kind, with ``n`` within
   :data:`WINDOW` places of where ``o`` would stand, scores

   * text: 1 for the same non-empty text; else the Dice coefficient of the
     two word multisets (:func:`similarity`) when at least
     :data:`MIN_SIMILARITY`; else 0;
   * plus, divided by one more than the number of pairs the gap can hold
     (so that for a whole alignment they add up to less than
     :data:`MIN_SIMILARITY`, and never outweigh one more pair with text in
     common): number, :data:`NUMBER_WEIGHT` when the keys are the same;
     and neighbours, :data:`NEIGHBOUR_WEIGHT` for each side (the clause
     just before, the clause just after) on which the neighbours of ``o``
     and ``n`` have the same non-empty text.

   A pair with no text in common counts only with the same key or when
   both its neighbours agree (a clause rewritten, or without text, between
   the same two clauses). The pairs kept are those of the order-preserving
   set with the highest total score (a heaviest common subsequence), so
   position counts too: a pair that would cross another is not taken; the
   most text is kept, and among alignments keeping as much text, the one
   that keeps numbers and neighbours wins.
3. **A short text needs a reason to change its number.** A text shorter
   than :data:`MIN_TEXT_FOR_MOVE` identifies nothing on its own, so a pair
   from step 2 whose keys differ and whose old text is short is kept only
   when the clause also shifted in place: its shift (new place minus old
   place, in clauses) differs from the shift of the last pair before it
   that kept its key (or from 0 when there is none), so a clause was
   inserted or deleted in between and explains the new number. "Art 49
   (repealed)" is not taken for "Art 48 (repealed)" when Article 50 after
   it kept its number.
4. **Moved and amended.** Among what is left, an old and a new clause of
   the same kind, both with texts of at least :data:`MIN_TEXT_FOR_MOVE`
   characters, whose words are mostly the same (Dice coefficient at least
   :data:`MIN_SIMILARITY`; :data:`NUMBER_WEIGHT` is added for the same key),
   the old one within :data:`WINDOW` clauses of where the matched clause
   before the new one puts it: the clause was amended and moved past
   others. The most similar pairs are taken first.
5. **Rewritten in place.** Among what is left, the same key and kind.
6. The rest is added (new side) or deleted (old side).
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import regex

from instrument.text import comparison_form

#: Texts shorter than this (in characters of comparison form) are not unique enough to match by text alone.
MIN_TEXT_FOR_MOVE = 60
#: Dice coefficient of word multisets from which two clauses count as one amended clause.
MIN_SIMILARITY = 0.5
#: How far (in clauses) from its expected place in a gap a clause is looked for.
WINDOW = 30
#: Score of the same key in a gap alignment: below any text evidence, enough to break ties.
NUMBER_WEIGHT = 0.25
#: Score of each side (before, after) on which both clauses have neighbours of the same text.
NEIGHBOUR_WEIGHT = 0.1

_WORD = regex.compile(r"[\p{L}\p{N}]+")


@dataclass(frozen=True)
class Candidate:
    """One clause on either side of a match.

    :ivar ident: caller's identity of the clause (a database id, an index).
    :ivar key: the clause key ("Article 5").
    :ivar text: the clause text in Markdown.
    :ivar kind: the clause kind (clauses of different kinds are matched only by a long unique text).
    """

    ident: Hashable
    key: str
    text: str
    kind: str = ""


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient of two word multisets: 2·|a ∩ b| / (|a| + |b|), from 0.0 to 1.0."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    return 2 * sum((a & b).values()) / total


def _words(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in _WORD.findall(comparison_form(text)))


def match_clauses(old: Sequence[Candidate], new: Sequence[Candidate]) -> dict[Hashable, Hashable]:
    """Pair new clauses with old ones by text, number, place and neighbours (rules in the module docstring).

    :param old: the clauses of the existing state, in document order.
    :param new: the clauses of the incoming state, in document order.
    :returns: mapping of new ``ident`` to old ``ident`` for every matched
        clause; unmatched new clauses are additions and unmatched old ones
        are deletions.
    """
    old_form = [comparison_form(c.text) for c in old]
    new_form = [comparison_form(c.text) for c in new]

    anchors = _anchors(old, new, old_form, new_form)  # 1.
    in_order = [anchors[k] for k in sorted(heaviest_chain([(i, j, 1.0) for i, j in anchors]))]
    pairs: dict[int, int] = {j: i for i, j in anchors}  # new index -> old index

    aligned: list[tuple[int, int]] = []  # 2.
    bounds = [(-1, -1), *in_order, (len(old), len(new))]
    taken_old = set(pairs.values())
    for (i0, j0), (i1, j1) in pairwise(bounds):
        gap_old = [i for i in range(i0 + 1, i1) if i not in taken_old]
        gap_new = [j for j in range(j0 + 1, j1) if j not in pairs]
        if gap_old and gap_new:
            aligned.extend(_align_gap(old, new, old_form, new_form, gap_old, gap_new))

    anchored = set(in_order)  # 3.
    offset = 0
    for i, j in sorted([*in_order, *aligned], key=lambda p: p[1]):
        if old[i].key == new[j].key:
            offset = j - i
        elif (i, j) not in anchored and len(old_form[i]) < MIN_TEXT_FOR_MOVE and j - i == offset:
            continue
        pairs[j] = i

    _match_moved(old, new, old_form, new_form, pairs)  # 4.

    used_old = set(pairs.values())  # 5.
    old_by_key = {c.key: i for i, c in enumerate(old)}
    for j, c in enumerate(new):
        same_key = old_by_key.get(c.key)
        if j not in pairs and same_key is not None and same_key not in used_old and old[same_key].kind == c.kind:
            pairs[j] = same_key
            used_old.add(same_key)
    return {new[j].ident: old[i].ident for j, i in sorted(pairs.items())}


def _anchors(
    old: Sequence[Candidate], new: Sequence[Candidate], old_form: list[str], new_form: list[str]
) -> list[tuple[int, int]]:
    """Step 1: ``(old index, new index)`` of long texts found once on each side, in new order."""
    old_counts = Counter(old_form)
    new_counts = Counter(new_form)
    old_at = {form: i for i, form in enumerate(old_form)}
    out: list[tuple[int, int]] = []
    for j, form in enumerate(new_form):
        if len(form) < MIN_TEXT_FOR_MOVE or old_counts[form] != 1 or new_counts[form] != 1:
            continue
        i = old_at[form]
        if old[i].key != new[j].key and base_key(old[i].key) == base_key(new[j].key):
            continue  # a number and its repeat: decided by the number
        out.append((i, j))
    return out


def _match_moved(
    old: Sequence[Candidate], new: Sequence[Candidate], old_form: list[str], new_form: list[str], pairs: dict[int, int]
) -> None:
    """Step 4: pair long, similar clauses left over near their expected place (updates ``pairs`` in place)."""
    used = set(pairs.values())
    rest_old = [i for i in range(len(old)) if i not in used and len(old_form[i]) >= MIN_TEXT_FOR_MOVE]
    if not rest_old:
        return
    old_words = {i: _words(old[i].text) for i in rest_old}
    scored: list[tuple[float, int, int, int]] = []
    anchor_old, anchor_new = -1, -1
    for j, c in enumerate(new):
        if j in pairs:
            anchor_old, anchor_new = pairs[j], j
            continue
        if len(new_form[j]) < MIN_TEXT_FOR_MOVE:
            continue
        words = _words(c.text)
        expected = anchor_old + (j - anchor_new)
        for i in rest_old[bisect_left(rest_old, expected - WINDOW) : bisect_right(rest_old, expected + WINDOW)]:
            o = old[i]
            if o.kind != c.kind or (o.key != c.key and base_key(o.key) == base_key(c.key)):
                continue
            score = similarity(old_words[i], words)
            if score >= MIN_SIMILARITY:
                scored.append((score + (NUMBER_WEIGHT if o.key == c.key else 0.0), -abs(i - expected), j, i))
    scored.sort(reverse=True)
    for _, _, j, i in scored:
        if j not in pairs and i not in used:
            pairs[j] = i
            used.add(i)


def _align_gap(
    old: Sequence[Candidate],
    new: Sequence[Candidate],
    old_form: list[str],
    new_form: list[str],
    gap_old: list[int],
    gap_new: list[int],
) -> list[tuple[int, int]]:
    """Step 2: align the clauses of one gap, as ``(old index, new index)`` pairs in order."""
    old_words = {i: _words(old[i].text) for i in gap_old}
    new_words = {j: _words(new[j].text) for j in gap_new}
    # The band a pair may lie in: as far as the gap's insertions or deletions can shift a clause, plus WINDOW.
    low = -WINDOW - max(0, len(gap_old) - len(gap_new))
    high = WINDOW + max(0, len(gap_new) - len(gap_old))
    # Numbers and neighbours of all the pairs of a chain, together, stay below one more pair with text in common.
    scale = 1 / (min(len(gap_old), len(gap_new)) + 1)
    scored: list[tuple[int, int, float]] = []
    for a, i in enumerate(gap_old):
        o = old[i]
        for b in range(max(0, a + low), min(len(gap_new), a + high + 1)):
            j = gap_new[b]
            c = new[j]
            if o.kind != c.kind or (o.key != c.key and base_key(o.key) == base_key(c.key)):
                continue
            if old_form[i] and old_form[i] == new_form[j]:
                text = 1.0
            else:
                text = similarity(old_words[i], new_words[j])
                text = text if text >= MIN_SIMILARITY else 0.0
            sides = _same_text(old_form, i - 1, new_form, j - 1) + _same_text(old_form, i + 1, new_form, j + 1)
            if text or o.key == c.key or sides == 2:
                context = (NUMBER_WEIGHT if o.key == c.key else 0.0) + NEIGHBOUR_WEIGHT * sides
                scored.append((a, b, text + context * scale))
    return [(gap_old[scored[k][0]], gap_new[scored[k][1]]) for k in sorted(heaviest_chain(scored))]


def _same_text(old_form: list[str], i: int, new_form: list[str], j: int) -> bool:
    """Whether both neighbours exist and have the same non-empty text."""
    return 0 <= i < len(old_form) and 0 <= j < len(new_form) and bool(old_form[i]) and old_form[i] == new_form[j]


def heaviest_chain(pairs: Sequence[tuple[int, int, float]]) -> set[int]:
    """Indices of the order-preserving subset of weighted pairs with the largest total weight.

    A chain is a set of pairs ``(a, b, weight)`` whose ``a`` and ``b`` both
    strictly increase together (no two pairs share an ``a`` or a ``b``, none
    cross): the heaviest common subsequence of two sequences when the pairs
    are their possible matches. Computed in O(n log n) with a Fenwick tree of
    prefix maxima over ``b``; among chains of equal weight the one found
    first in ``(a, -b)`` order is kept.

    :param pairs: ``(a, b, weight)`` triples, ``a`` and ``b`` non-negative
        integers, ``weight`` positive; in any order.
    :returns: the set of indices into ``pairs`` forming the chain.
    """
    if not pairs:
        return set()
    size = max(b for _, b, _ in pairs) + 2
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)  # (best total, pair index) per Fenwick node
    back: list[int] = [-1] * len(pairs)
    best: tuple[float, int] = (0.0, -1)
    # Within one ``a``, larger ``b`` first, so a pair never chains onto another of its own ``a``.
    for k in sorted(range(len(pairs)), key=lambda k: (pairs[k][0], -pairs[k][1])):
        _, b, weight = pairs[k]
        prefix, pos = (0.0, -1), b  # best chain ending at some b' < b (tree positions are b + 1)
        while pos > 0:
            if tree[pos][0] > prefix[0]:
                prefix = tree[pos]
            pos -= pos & -pos
        back[k] = prefix[1]
        total = (prefix[0] + weight, k)
        if total[0] > best[0]:
            best = total
        pos = b + 1
        while pos <= size:
            if total[0] > tree[pos][0]:
                tree[pos] = total
            pos += pos & -pos
    out: set[int] = set()
    cursor = best[1]
    while cursor >= 0:
        out.add(cursor)
        cursor = back[cursor]
    return out


_REPEAT = regex.compile(r" \[\d+\]$")


def base_key(key: str) -> str:
    """The key without the " [n]" that :mod:`instrument.parse` adds to a number repeated in one text."""
    return _REPEAT.sub("", key)


_NON_ID = regex.compile(r"[^a-z0-9]+")


def clause_uid(key: str, taken: Iterable[str] = ()) -> str:
    """Make a stable, URL- and XML-safe identifier for a new clause from its key.

    "Art 21" -> "art-21", "§ 2a" -> "par-2a", "§§ 3 bis 6" -> "par-3-bis-6",
    "Präambel" -> "praambel". The identifier is made once, when the clause
    is created, and never changes afterwards (even if the clause is
    renumbered), so it can serve as an Akoma Ntoso eId base.

    :param key: the clause key.
    :param taken: identifiers already used in the instrument.
    :returns: an ASCII identifier matching ``[a-z][a-z0-9-]*``, unique among ``taken``.
    """
    text = key.replace("§§", " par ").replace("§", " par ").replace("/", " ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    # Keys in scripts with no ASCII transliteration get a short digest instead.
    base = _NON_ID.sub("-", text).strip("-") or "c-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    if not base[0].isalpha():
        base = "c-" + base
    base = base[:100]
    taken_set = set(taken)
    uid, n = base, 2
    while uid in taken_set:
        uid, n = f"{base}-{n}", n + 1
    return uid
