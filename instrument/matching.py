"""Match the clauses of a new text of an instrument to the clauses it had.

Clause keys come from provision numbers, and numbers change when an article
is inserted or deleted before others ("Article 10" becomes "Article 11").
Matching on the key alone would then pair every later article with its
predecessor's text, and an article that was both renumbered and amended
with whatever article now carries its old number. The rule used here, in
order:

1. same key and same text (under :func:`instrument.text.comparison_form`):
   the clause is unchanged;
2. among what is left, the same non-trivial text under another number,
   found exactly once on each side: the clause was renumbered or moved
   (a key and its repeat in the same text, "§ 2" and "§ 2 [2]", count as the
   same number and are left to step 4, so "§ 2" stays "§ 2");
3. among what is left, clauses of the same kind whose words are mostly the
   same (Dice coefficient of their word multisets at least
   :data:`MIN_SIMILARITY`, a small bonus for the same key) and that stand
   near the same place (within :data:`WINDOW` clauses of where the matched
   neighbours put them): the clause was amended and perhaps renumbered;
   the most similar pairs are taken first;
4. among what is left, the same key and kind: the clause was rewritten in place;
5. the rest is added (new side) or deleted (old side).

Short texts (such as "(weggefallen)", "repealed") are never matched in
steps 2 and 3, because many clauses share them.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import regex

from instrument.text import comparison_form

#: Texts shorter than this (in characters of comparison form) are not unique enough to match by text.
MIN_TEXT_FOR_MOVE = 60
#: Texts with fewer words than this are not matched by similarity.
MIN_WORDS_FOR_SIMILARITY = 8
#: Dice coefficient of word multisets from which two clauses count as one amended clause.
MIN_SIMILARITY = 0.5
#: How far (in clauses) from its expected place a similar clause is looked for.
WINDOW = 30
#: Added to the similarity of two clauses with the same key, so ties keep the number.
SAME_KEY_BONUS = 0.05

_WORD = regex.compile(r"[\p{L}\p{N}]+")


@dataclass(frozen=True)
class Candidate:
    """One clause on either side of a match.

    :ivar ident: caller's identity of the clause (a database id, an index).
    :ivar key: the clause key ("Article 5").
    :ivar text: the clause text in Markdown.
    :ivar kind: the clause kind (clauses of different kinds are matched only by key).
    """

    ident: Hashable
    key: str
    text: str
    kind: str = ""


def similarity(a: Counter, b: Counter) -> float:
    """Dice coefficient of two word multisets: 2·|a ∩ b| / (|a| + |b|), from 0.0 to 1.0."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    return 2 * sum((a & b).values()) / total


def _words(text: str) -> Counter:
    return Counter(w.casefold() for w in _WORD.findall(comparison_form(text)))


def match_clauses(old: Sequence[Candidate], new: Sequence[Candidate]) -> dict[Hashable, Hashable]:
    """Pair new clauses with old ones (rules in the module docstring).

    :param old: the clauses of the existing state, in document order.
    :param new: the clauses of the incoming state, in document order.
    :returns: mapping of new ``ident`` to old ``ident`` for every matched
        clause; unmatched new clauses are additions and unmatched old ones
        are deletions.
    """
    old_form = {c.ident: comparison_form(c.text) for c in old}
    new_form = {c.ident: comparison_form(c.text) for c in new}
    old_by_key = {c.key: c for c in old}
    pairs: dict[Hashable, Hashable] = {}
    used_old: set[Hashable] = set()

    for c in new:  # 1. same key, same text
        o = old_by_key.get(c.key)
        if o is not None and old_form[o.ident] == new_form[c.ident]:
            pairs[c.ident] = o.ident
            used_old.add(o.ident)

    rest_old = [o for o in old if o.ident not in used_old]
    rest_new = [c for c in new if c.ident not in pairs]
    old_counts = Counter(old_form[o.ident] for o in rest_old)
    new_counts = Counter(new_form[c.ident] for c in rest_new)
    old_by_text = {old_form[o.ident]: o for o in rest_old}
    for c in rest_new:  # 2. unique same text under another number
        form = new_form[c.ident]
        if len(form) < MIN_TEXT_FOR_MOVE or old_counts[form] != 1 or new_counts[form] != 1:
            continue
        o = old_by_text[form]
        if base_key(o.key) == base_key(c.key):
            continue
        pairs[c.ident] = o.ident
        used_old.add(o.ident)

    _match_similar(old, new, pairs, used_old)

    for c in new:  # 4. same key and kind
        if c.ident in pairs:
            continue
        o = old_by_key.get(c.key)
        if o is not None and o.ident not in used_old and o.kind == c.kind:
            pairs[c.ident] = o.ident
            used_old.add(o.ident)
    return pairs


def _match_similar(
    old: Sequence[Candidate], new: Sequence[Candidate], pairs: dict[Hashable, Hashable], used_old: set[Hashable]
) -> None:
    """Step 3: pair amended clauses by word similarity near their expected place (updates in place)."""
    old_index = {o.ident: i for i, o in enumerate(old)}
    rest_old = {i: o for i, o in enumerate(old) if o.ident not in used_old}
    if not rest_old:
        return
    old_words = {i: _words(o.text) for i, o in rest_old.items()}
    scored: list[tuple[float, int, int, int]] = []
    anchor_old, anchor_new = -1, -1
    for j, c in enumerate(new):
        if c.ident in pairs:
            anchor_old, anchor_new = old_index[pairs[c.ident]], j
            continue
        words = _words(c.text)
        if sum(words.values()) < MIN_WORDS_FOR_SIMILARITY:
            continue
        expected = anchor_old + (j - anchor_new)
        for i in range(max(0, expected - WINDOW), min(len(old), expected + WINDOW + 1)):
            o = rest_old.get(i)
            if o is None or o.kind != c.kind or sum(old_words[i].values()) < MIN_WORDS_FOR_SIMILARITY:
                continue
            if o.key != c.key and base_key(o.key) == base_key(c.key):
                continue  # a number and its repeat: decided by the number (step 4)
            score = similarity(old_words[i], words) + (SAME_KEY_BONUS if o.key == c.key else 0.0)
            if score >= MIN_SIMILARITY:
                scored.append((score, -abs(i - expected), j, i))
    scored.sort(reverse=True)
    taken_new: set[int] = set()
    for _, _, j, i in scored:
        if j in taken_new or old[i].ident in used_old:
            continue
        pairs[new[j].ident] = old[i].ident
        used_old.add(old[i].ident)
        taken_new.add(j)


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
