"""Match the clauses of a new text of an instrument to the clauses it had.

Clause keys come from provision numbers, and numbers change when an article
is inserted or deleted before others ("Article 10" becomes "Article 11").
Matching on the key alone would then pair every later article with its
predecessor's text. The rule used here, in order:

1. same key and same text (under :func:`instrument.text.comparison_form`):
   the clause is unchanged;
2. among what is left, the same non-trivial text under another number,
   found exactly once on each side: the clause was renumbered or moved
   (a key and its repeat in the same text, "§ 2" and "§ 2 [2]", count as the
   same number: such pairs are left to step 3, so "§ 2" stays "§ 2");
3. among what is left, the same key: the clause changed in place;
4. the rest is added (new side) or deleted (old side).

Short texts (such as "(weggefallen)", "repealed") are never matched in
step 2, because many clauses share them.
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


@dataclass(frozen=True)
class Candidate:
    """One clause on either side of a match.

    :ivar ident: caller's identity of the clause (a database id, an index).
    :ivar key: the clause key ("Article 5").
    :ivar text: the clause text in Markdown.
    """

    ident: Hashable
    key: str
    text: str


def match_clauses(old: Sequence[Candidate], new: Sequence[Candidate]) -> dict[Hashable, Hashable]:
    """Pair new clauses with old ones.

    :param old: the clauses of the existing state.
    :param new: the clauses of the incoming state.
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
    for c in rest_new:  # 2. unique same text under another key
        form = new_form[c.ident]
        if len(form) < MIN_TEXT_FOR_MOVE or old_counts[form] != 1 or new_counts[form] != 1:
            continue
        o = old_by_text[form]
        if base_key(o.key) == base_key(c.key):
            continue
        pairs[c.ident] = o.ident
        used_old.add(o.ident)

    for c in new:  # 3. same key
        if c.ident in pairs:
            continue
        o = old_by_key.get(c.key)
        if o is not None and o.ident not in used_old:
            pairs[c.ident] = o.ident
            used_old.add(o.ident)
    return pairs


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
