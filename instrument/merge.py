"""Three-way merge of an amendment onto a clause text that moved on.

An amendment is written against the *base* version of a clause (the one its
proposer saw); by the time it is accepted the clause may have a newer
*current* text. :func:`merge` combines the two changes, base -> proposed
(the amendment) and base -> current (everything accepted since), or says
exactly where they collide. It never drops a change silently: a change that
cannot be placed is a conflict.

How it works (diff-match-patch's ``patch_apply`` is not used: its fuzzy
matching can drop or misplace a patch and only reports a boolean):

1. All three texts are put in Unicode normalisation form C and split into
   tokens by :func:`instrument.text.tokenize` (words, whitespace runs, and
   one grapheme cluster per token in scripts written without spaces, such
   as Thai and Japanese).
2. Each side is diffed against the base with
   :func:`instrument.text.diff_sequences` (the C++ diff-match-patch, no time
   limit), comparing tokens with every whitespace run equal to every other,
   and the diff is cut into *hunks*: base tokens ``[i, j)`` replaced by new
   tokens. A hunk with ``i == j`` is an insertion at ``i``.
3. Each hunk is put in a canonical form so that the same edit gets the same
   hunk whichever way a diff aligned it: tokens equal at both ends of a
   hunk are given back to the unchanged text; a replacement whose tail
   could just as well be an insertion (or deletion) after the next
   unchanged token is split there ("shall" -> "must closely" before
   " cooperate" becomes "shall" -> "must" plus "closely " inserted before
   "cooperate"); and a pure insertion or deletion that could sit at
   several places (inserting ``"closely "`` before ``"cooperate"`` equals
   inserting ``" closely"`` after the space before it) is moved as far
   right as it can go without crossing a token its side changed. So an
   insertion is placed before the word that follows it.
4. A hunk found on both sides with the same base span and the same text is
   *shared*: the same change made twice, applied once.
5. The other hunks are grouped: hunks whose base spans overlap or *touch*
   (no unchanged base token between them: closed intervals ``[i, j]``, an
   insertion at ``p`` being ``[p, p]``) belong together, and so do hunks of
   the two sides at most :data:`NEAR` unchanged tokens apart. A group with
   hunks made by one side only is applied. A group with hunks of both
   sides is applied once when both give its base span the same text (the
   same change, aligned differently); otherwise that span is merged again
   on its own with a minimal diff anchored on words (diff-match-patch
   without the semantic cleanup, whose merging of nearby edits may differ
   between the sides), where only overlapping or touching hunks of the two
   sides collide; colliding hunks take in their neighbours when only
   whitespace separates them, so a conflict shows the whole phrase.

   Adjacency rules that follow: an insertion right before a span the other
   side replaced or deleted, an insertion right after it unless it can
   move past an unchanged token (step 3), two different insertions at the
   same place, and replacements of two neighbouring tokens collide; a
   change to "shall" and an insertion before the next word, with the space
   between them unchanged, do not. Changes separated by at least one
   unchanged token are both kept (unless they tie, below).

   Minimal diffs can tie in repetitive text, and the merge must not depend
   on how a tie was broken. So a window that merges cleanly is still a
   conflict when diffing the reversed texts merges it differently, or when
   both sides added some same token with nothing but whitespace and those
   added tokens between the two additions: with base "shall shall report",
   amendment "shall shall promptly report" and current "shall promptly
   report", the current side's diff reads "shall" -> "promptly", and
   applying both would write "promptly" twice.
6. A clean result is verified independently of steps 2-5: applying the
   changes credited to the amendment (and the shared ones) to the base
   must give the proposed text, applying those credited to the current
   side (and the shared ones) must give the current text, and applying all
   of them must give the result. If that fails, the whole clause is
   reported as one conflict.

Whitespace (reflow is not a change, as in
:func:`instrument.text.comparison_form`):

* A whitespace run that is unchanged in the comparison (another run of
  spaces, line breaks or blank lines in its place) is not a change. In
  unchanged stretches the result takes the current text's whitespace,
  unless only the amendment changed that run (it split a paragraph, say),
  in which case it takes the amendment's.
* Whitespace inserted where there was none, or removed, between two tokens
  is a change like any other.
* Whitespace at the very start and end of the texts is not compared at all;
  the result keeps the current text's (none when the result is empty).

Conflict markers in :attr:`MergeResult.marked_text` follow the layout of
Git's merge conflicts, one marker per line::

    <<<<<<< amendment
    (the amendment's text for the span)
    =======
    (the current text for the span)
    >>>>>>> current

A line break is added before a block that would not start a line and after
one that would not end a line, so the markers always stand on their own
lines; texts that already contain such marker lines are not escaped.

This is one module, past 600 lines, because it is one algorithm: the
steps above share their hunks, windows and tie rules, and step 6 checks
them all together; split apart, no part could be read or changed alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import regex

from instrument.text import diff_sequences, nfc, tokenize

AMENDMENT_MARKER = "<<<<<<< amendment"
SEPARATOR_MARKER = "======="
CURRENT_MARKER = ">>>>>>> current"

_WS_RUN = regex.compile(r"\s+")
_WS_KEY = ("whitespace",)  # stands for every whitespace run; never equal to a real token
_MARKER_LINE = regex.compile(
    rf"^(?:{regex.escape(AMENDMENT_MARKER)}|{regex.escape(SEPARATOR_MARKER)}|{regex.escape(CURRENT_MARKER)})[ \t]*$",
    regex.MULTILINE,
)

Side = Literal["amendment", "current", "both"]


@dataclass(frozen=True)
class Conflict:
    """One span where the amendment and the current text changed the base differently.

    Offsets are character offsets into the NFC forms of the texts passed to
    :func:`merge` (``nfc(base)``, ``nfc(proposed)``, ``nfc(current)``), end
    exclusive, so ``nfc(base)[base_start:base_end] == base_text`` and so on.
    An insertion on both sides has an empty ``base_text`` (start == end).

    :ivar base_text: the span as it was in the base.
    :ivar amendment_text: what the amendment made of it.
    :ivar current_text: what the current text made of it.
    :ivar base_start: where ``base_text`` starts in the base (``base_end``: ends).
    :ivar amendment_start: where ``amendment_text`` starts in the proposed
        text (``amendment_end``: ends).
    :ivar current_start: where ``current_text`` starts in the current text
        (``current_end``: ends).
    """

    base_text: str
    amendment_text: str
    current_text: str
    base_start: int
    base_end: int
    amendment_start: int
    amendment_end: int
    current_start: int
    current_end: int


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :func:`merge`.

    :ivar text: when ``clean``, the merged text (NFC). When not clean, the
        current text unchanged (NFC): nothing is merged until someone
        resolves the conflicts, so saving ``text`` by mistake changes nothing.
    :ivar clean: whether every change of both sides was applied and verified.
    :ivar conflicts: the conflicts in text order; empty when ``clean``.
    :ivar marked_text: when ``clean``, the same as ``text``. Otherwise a best
        effort for a resolution form: every change that merged cleanly is
        applied, and each conflict is written as a marker block (see the
        module docstring) holding the amendment's and the current text's
        versions of the span.
    """

    text: str
    clean: bool
    conflicts: tuple[Conflict, ...] = ()
    marked_text: str = ""


def has_conflict_markers(text: str) -> bool:
    """Tell whether ``text`` still holds a line that is one of the conflict markers.

    Use it to refuse a resolution that was saved with markers left in.

    :param text: any text.
    :returns: ``True`` when a line consists of :data:`AMENDMENT_MARKER`,
        :data:`SEPARATOR_MARKER` or :data:`CURRENT_MARKER` (trailing spaces allowed).
    """
    return _MARKER_LINE.search(text) is not None


def merge(base: str, proposed: str, current: str) -> MergeResult:
    """Merge the change base -> ``proposed`` onto the change base -> ``current``.

    The rules (tokens, canonical hunks, what touches, what is the same
    change, whitespace, verification, markers) are in the module docstring.
    Fast paths, after NFC: when ``proposed`` equals ``current`` or ``base``
    the result is ``current``; when ``current`` equals ``base`` the result is
    ``proposed`` exactly. All are clean.

    :param base: the clause text the amendment was written on.
    :param proposed: the amendment's text for the clause.
    :param current: the clause's text now.
    :returns: a :class:`MergeResult`; texts and conflict offsets refer to the
        NFC forms of the arguments.
    """
    base, proposed, current = nfc(base), nfc(proposed), nfc(current)
    if proposed in (current, base):
        return MergeResult(current, True, (), current)
    if current == base:
        return MergeResult(proposed, True, (), proposed)

    keys: dict[str, Hashable] = {}
    b_lead, bt, _ = _split_ends(base)
    a_lead, at, _ = _split_ends(proposed)
    c_lead, ct, c_trail = _split_ends(current)
    bk, ak, ck = _keys(bt, keys), _keys(at, keys), _keys(ct, keys)
    a_hunks = _side_hunks(bt, bk, at, ak)
    c_hunks = _side_hunks(bt, bk, ct, ck)
    combined = _combine(bt, at, ct, a_hunks, c_hunks, refine=True)

    if not combined.conflicts:
        if _verify(bk, ak, ck, _keys(combined.tokens, keys), combined.items, keys):
            core = "".join(combined.tokens)
            text = c_lead + core + c_trail if core else ""  # no stray whitespace around nothing
            return MergeResult(text, True, (), text)
        # Never reached by a correct combination; kept so that a fault can
        # only ever show up as a conflict, not as a lost change.
        whole = Conflict(base, proposed, current, 0, len(base), 0, len(proposed), 0, len(current))
        return MergeResult(current, False, (whole,), _marker_block("", proposed, current, ""))

    b_off = _offsets(bt, len(b_lead))
    a_off = _offsets(at, len(a_lead))
    c_off = _offsets(ct, len(c_lead))
    conflicts = tuple(
        Conflict(
            base_text="".join(bt[s:e]),
            amendment_text="".join(at[a0:a1]),
            current_text="".join(ct[c0:c1]),
            base_start=b_off[s],
            base_end=b_off[e],
            amendment_start=a_off[a0],
            amendment_end=a_off[a1],
            current_start=c_off[c0],
            current_end=c_off[c1],
        )
        for s, e, a0, a1, c0, c1 in combined.conflicts
    )
    pieces = combined.pieces
    # the text after each piece, up to the next non-empty one, to place line breaks
    following: list[str] = [c_trail] * len(pieces)
    after = c_trail
    for index in range(len(pieces) - 1, -1, -1):
        following[index] = after
        piece = pieces[index]
        if isinstance(piece, str) and piece:
            after = piece
    marked: list[str] = [c_lead]
    before = c_lead
    for index, piece in enumerate(pieces):
        if isinstance(piece, int):
            conflict = conflicts[piece]
            piece = _marker_block(before, conflict.amendment_text, conflict.current_text, following[index])
        marked.append(piece)
        before = piece or before
    marked.append(c_trail)
    return MergeResult(current, False, conflicts, "".join(marked))


# --- tokens and hunks ----------------------------------------------------------


def _is_ws(token: str) -> bool:
    return _WS_RUN.fullmatch(token) is not None


def _split_ends(text: str) -> tuple[str, list[str], str]:
    """Tokens of ``text`` without a whitespace token at either end, plus those ends."""
    tokens = tokenize(text)
    lead = trail = ""
    if tokens and _is_ws(tokens[0]):
        lead = tokens[0]
        tokens = tokens[1:]
    if tokens and _is_ws(tokens[-1]):
        trail = tokens.pop()
    return lead, tokens, trail


def _keys(tokens: Sequence[str], cache: dict[str, Hashable]) -> list[Hashable]:
    """Comparison keys: the token itself, or one shared key for every whitespace run."""
    out: list[Hashable] = []
    for token in tokens:
        key = cache.get(token)
        if key is None:
            key = cache[token] = _WS_KEY if _is_ws(token) else token
        out.append(key)
    return out


def _offsets(tokens: Sequence[str], start: int) -> list[int]:
    """Character offset of each token boundary (``len(tokens) + 1`` values)."""
    return list(itertools.accumulate((len(t) for t in tokens), initial=start))


def _word_diff(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """A minimal diff anchored on words: whitespace never anchors on its own.

    The tokens that are not whitespace are aligned with
    :func:`instrument.text.diff_sequences` without semantic cleanup; the stretches between two aligned tokens are
    equal when they are the same (whitespace runs counting as equal), else
    one replacement, less the tokens they share at either end. Minimal
    diffs of words and spaces often tie ("aa aaa" -> "aaa A" is "aa " out,
    " A" in, or "aa" -> "aaa" and "aaa" -> "A" around a kept space); this
    picks the reading that keeps the words, the same on both sides. Used
    on the small windows where both sides changed text close together.

    :returns: the same shape as :func:`instrument.text.diff_sequences`.
    """
    a_words = [i for i, key in enumerate(a) if key is not _WS_KEY]
    b_words = [i for i, key in enumerate(b) if key is not _WS_KEY]
    anchors: list[tuple[int, int]] = []
    i = j = 0
    for op, count_a, count_b in diff_sequences(
        [a[x] for x in a_words], [b[x] for x in b_words], semantic_cleanup=False
    ):
        if op == 0:
            anchors += [(a_words[i + n], b_words[j + n]) for n in range(count_a)]
        i += count_a
        j += count_b
    anchors.append((len(a), len(b)))

    ops: list[tuple[int, int, int]] = []
    pa = pb = 0
    for na, nb in anchors:
        seg_a, seg_b = a[pa:na], b[pb:nb]
        head = 0
        while head < min(len(seg_a), len(seg_b)) and seg_a[head] == seg_b[head]:
            head += 1
        tail = 0
        while tail < min(len(seg_a), len(seg_b)) - head and seg_a[-1 - tail] == seg_b[-1 - tail]:
            tail += 1
        ops.append((0, head, head))
        ops.append((-1, len(seg_a) - head - tail, 0))
        ops.append((1, 0, len(seg_b) - head - tail))
        ops.append((0, tail, tail))
        if na < len(a):
            ops.append((0, 1, 1))  # the anchor word itself
        pa, pb = na + 1, nb + 1
    return [op for op in ops if op[1] or op[2]]


def _word_diff_backwards(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """:func:`_word_diff` of the reversed sequences, turned back: ties broken the other way."""
    return _word_diff(a[::-1], b[::-1])[::-1]


def _side_hunks(
    base: Sequence[str],
    base_keys: Sequence[Hashable],
    side: Sequence[str],
    side_keys: Sequence[Hashable],
    diff: Callable[[Sequence[Hashable], Sequence[Hashable]], list[tuple[int, int, int]]] = diff_sequences,
) -> list[tuple[int, int, int, int]]:
    """The edits base -> side as canonical hunks ``(i, j, xs, xe)``.

    ``base[i:j]`` is replaced by ``side[xs:xe]``; hunks are in order and do
    not overlap, and between two hunks base and side tokens pair up one to
    one with equal keys. Canonical form: tokens exactly equal at both ends
    of a hunk are trimmed off, then a pure insertion or deletion is moved
    right while the text stays exactly the same and no token changed by
    another hunk of this side is crossed.
    """
    hunks: list[list[int]] = []
    i = x = 0
    current: list[int] | None = None
    for op, count_a, count_b in diff(base_keys, side_keys):
        if op == 0:
            current = None
        else:
            if current is None:
                current = [i, i, x, x]
                hunks.append(current)
            current[1] += count_a
            current[3] += count_b
        i += count_a
        x += count_b

    trimmed: list[Hunk] = []
    for i, j, xs, xe in hunks:
        while i < j and xs < xe and base[i] == side[xs]:
            i += 1
            xs += 1
        while i < j and xs < xe and base[j - 1] == side[xe - 1]:
            j -= 1
            xe -= 1
        if i != j or xs != xe:
            trimmed.append((i, j, xs, xe))

    # A replacement whose tail could equally be an insertion (or deletion)
    # a little further right is split, so that "shall" -> "must closely"
    # before " cooperate" reads as "shall" -> "must" plus "closely " inserted
    # before "cooperate", as it does on a side that made only that insertion.
    split: list[Hunk] = []
    for index, (i, j, xs, xe) in enumerate(trimmed):
        limit = trimmed[index + 1][0] if index + 1 < len(trimmed) else len(base)
        if i < j and xs < xe and j < limit:
            m = next((m for m in range(1, xe - xs) if side[xs + m] == base[j]), None)
            if m is not None:
                split += [(i, j, xs, xs + m), (j, j, xs + m, xe)]
                continue
            m = next((m for m in range(1, j - i) if base[i + m] == base[j]), None)
            if m is not None:
                split += [(i, i + m, xs, xe), (i + m, j, xe, xe)]
                continue
        split.append((i, j, xs, xe))

    # Right to left, so each hunk may use the room its right neighbour left.
    out: list[Hunk] = []
    limit = len(base)
    for i, j, xs, xe in reversed(split):
        if i == j:
            # insertion: side[xe] pairs with base[i]; when side[xs] equals
            # base[i], relabel it as the unchanged token and side[xe] as inserted
            while i < limit and base[i] == side[xs]:
                i, j, xs, xe = i + 1, j + 1, xs + 1, xe + 1
        elif xs == xe:
            while j < limit and base[j] == base[i]:
                i, j, xs, xe = i + 1, j + 1, xs + 1, xe + 1
        out.append((i, j, xs, xe))
        limit = i
    out.reverse()
    return out


# --- combining both sides ---------------------------------------------------------

#: Hunks of the two sides with at most this many unchanged base tokens
#: between them (about three words and their spaces) are looked at again
#: with the minimal diff: the semantic cleanup of the first diff may have
#: joined a nearby edit into a larger hunk on one side only.
NEAR = 6

Hunk = tuple[int, int, int, int]


@dataclass
class _Combined:
    """What :func:`_combine` produces.

    ``tokens``: the merged tokens, with the current side's tokens in
    conflicting spans. ``items``: the applied changes ``(s, e, side,
    replacement)`` over base tokens ``[s, e)``, in order. ``conflicts``:
    spans ``(s, e, a0, a1, c0, c1)`` in base, amendment and current token
    indices. ``pieces``: the merged text in pieces, a conflict standing as
    its index in ``conflicts``.
    """

    tokens: list[str] = field(default_factory=list)
    items: list[tuple[int, int, Side, list[str]]] = field(default_factory=list)
    conflicts: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    pieces: list[str | int] = field(default_factory=list)


Span = tuple[int, int]
#: (i, j, side, amendment span, current span); side 0 = amendment, 1 = current, 2 = both
Entry = tuple[int, int, int, Span | None, Span | None]


@dataclass
class _Group:
    """Hunks merged as one unit, with their spans in base, amendment and current tokens."""

    entries: list[Entry]
    s: int
    e: int
    a0: int
    a1: int
    c0: int
    c1: int
    both_sides: bool
    collides: bool = False


def _combine(
    bt: Sequence[str],
    at: Sequence[str],
    ct: Sequence[str],
    a_hunks: Sequence[Hunk],
    c_hunks: Sequence[Hunk],
    *,
    refine: bool,
) -> _Combined:
    """Group the hunks of both sides, apply what merges and collect the conflicts.

    A hunk found identically on both sides (same base span, same text) is
    shared and applied once. Hunks are grouped when their base spans
    overlap or touch; with ``refine``, also when they are up to
    :data:`NEAR` unchanged tokens apart. A group holding hunks made by
    only one side (besides shared ones) is applied hunk by hunk. A group
    holding hunks of both sides is applied once when both sides give its
    span the same text. Otherwise, with ``refine``, the group's span is
    merged again on its own with minimal diffs (:func:`_refine`) and the
    outcome spliced in, conflicts included; without ``refine`` the group
    collides, and a colliding group takes in its neighbours when only
    whitespace separates them, so that a conflict shows the whole phrase
    that was changed.
    """
    # entries (i, j, side, a_range, c_range); side 0 = amendment, 1 = current, 2 = both
    entries: list[Entry] = []
    by_span = {(i, j, tuple(_keys(ct[xs:xe], {}))): (xs, xe) for i, j, xs, xe in c_hunks}
    shared: set[tuple[int, int]] = set()
    for i, j, xs, xe in a_hunks:
        c_range = by_span.get((i, j, tuple(_keys(at[xs:xe], {}))))
        if c_range is not None:
            entries.append((i, j, 2, (xs, xe), c_range))
            shared.add((i, j))
        else:
            entries.append((i, j, 0, (xs, xe), None))
    entries += [(i, j, 1, None, (xs, xe)) for i, j, xs, xe in c_hunks if (i, j) not in shared]
    entries.sort(key=lambda h: (h[0], h[1], h[2]))

    gap = NEAR if refine else 0
    clusters: list[list[Entry]] = []
    end = -1
    for entry in entries:
        if clusters and entry[0] <= end + gap:  # closed intervals: touching counts
            clusters[-1].append(entry)
            end = max(end, entry[1])
        else:
            clusters.append([entry])
            end = entry[1]

    groups: list[_Group] = []
    grow_a = grow_c = 0  # how much each side grew before the group
    for cluster in clusters:
        s, e = cluster[0][0], max(entry[1] for entry in cluster)
        da = sum((r[1] - r[0]) - (j - i) for i, j, _, r, _ in cluster if r)
        dc = sum((r[1] - r[0]) - (j - i) for i, j, _, _, r in cluster if r)
        sides = {entry[2] for entry in cluster}
        group = _Group(cluster, s, e, s + grow_a, e + grow_a + da, s + grow_c, e + grow_c + dc, {0, 1} <= sides)
        group.collides = group.both_sides and not refine and not _same(at[group.a0 : group.a1], ct[group.c0 : group.c1])
        grow_a, grow_c = grow_a + da, grow_c + dc
        if groups and (group.collides or groups[-1].collides) and all(_is_ws(x) for x in bt[groups[-1].e : s]):
            last = groups[-1]
            last.entries += cluster
            last.e, last.a1, last.c1 = group.e, group.a1, group.c1
            last.both_sides = last.collides = True
        else:
            groups.append(group)

    out = _Combined()
    k = ka = kc = 0

    def unchanged_to(stop: int) -> None:
        nonlocal k, ka, kc
        n = stop - k
        chunk = _unchanged(bt[k:stop], at[ka : ka + n], ct[kc : kc + n])
        out.tokens.extend(chunk)
        out.pieces.append("".join(chunk))
        k, ka, kc = stop, ka + n, kc + n

    def emit(s: int, e: int, side: Side, rep: list[str]) -> None:
        out.items.append((s, e, side, rep))
        out.tokens.extend(rep)
        out.pieces.append("".join(rep))

    for g in groups:
        if not g.both_sides:
            for i, j, side, a_range, c_range in g.entries:
                unchanged_to(i)
                a_end = a_range[1] if a_range else ka + (j - i)
                c_end = c_range[1] if c_range else kc + (j - i)
                if side == 0:
                    emit(i, j, "amendment", list(at[ka:a_end]))
                else:
                    emit(i, j, "current" if side == 1 else "both", list(ct[kc:c_end]))
                k, ka, kc = j, a_end, c_end
            continue

        unchanged_to(g.s)
        a_span, c_span = list(at[g.a0 : g.a1]), list(ct[g.c0 : g.c1])
        if not g.collides and _same(a_span, c_span):
            emit(g.s, g.e, "both", c_span)
        else:
            sub = _refine(bt[g.s : g.e], a_span, c_span) if refine else None
            if (
                sub is not None
                and not sub.conflicts
                and (
                    _maybe_twice(bt[g.s : g.e], sub)
                    or _refine(bt[g.s : g.e], a_span, c_span, True).tokens != sub.tokens
                )
            ):
                sub = None  # the outcome depends on how the diffs described one change: ask
            if sub is not None and not sub.conflicts:
                out.tokens.extend(sub.tokens)
                out.pieces.extend(sub.pieces)
                out.items.extend((g.s + i, g.s + j, side, rep) for i, j, side, rep in sub.items)
            elif sub is not None and sub.conflicts:
                before = len(out.conflicts)
                out.tokens.extend(sub.tokens)
                out.pieces.extend(p + before if isinstance(p, int) else p for p in sub.pieces)
                out.conflicts.extend(
                    (g.s + i, g.s + j, g.a0 + a0, g.a0 + a1, g.c0 + c0, g.c0 + c1)
                    for i, j, a0, a1, c0, c1 in sub.conflicts
                )
            else:
                # One conflict, less the tokens all three texts share at its ends;
                # once no base token is left, less whitespace both sides share.
                s0, a0, c0, s1, a1, c1 = g.s, g.a0, g.c0, g.e, g.a1, g.c1
                while a0 < a1 and c0 < c1 and at[a0] == ct[c0] and (bt[s0] == at[a0] if s0 < s1 else _is_ws(at[a0])):
                    s0, a0, c0 = s0 + (s0 < s1), a0 + 1, c0 + 1
                while (
                    a0 < a1
                    and c0 < c1
                    and at[a1 - 1] == ct[c1 - 1]
                    and (bt[s1 - 1] == at[a1 - 1] if s0 < s1 else _is_ws(at[a1 - 1]))
                ):
                    s1, a1, c1 = s1 - (s0 < s1), a1 - 1, c1 - 1
                out.tokens.extend(c_span)
                out.pieces += ["".join(ct[g.c0 : c0]), len(out.conflicts), "".join(ct[c1 : g.c1])]
                out.conflicts.append((s0, s1, a0, a1, c0, c1))
        k, ka, kc = g.e, g.a1, g.c1

    unchanged_to(len(bt))
    return out


def _refine(bt: Sequence[str], at: Sequence[str], ct: Sequence[str], backwards: bool = False) -> _Combined:
    """Merge one window where both sides changed text close together, with minimal diffs.

    ``backwards`` diffs the reversed texts, which breaks ties between
    equally short diffs the other way round (in "w w" -> "w X", which "w"
    stayed).
    """
    cache: dict[str, Hashable] = {}
    bk, ak, ck = _keys(bt, cache), _keys(at, cache), _keys(ct, cache)
    diff = _word_diff_backwards if backwards else _word_diff
    a_hunks = _side_hunks(bt, bk, at, ak, diff)
    c_hunks = _side_hunks(bt, bk, ct, ck, diff)
    return _combine(bt, at, ct, a_hunks, c_hunks, refine=False)


def _maybe_twice(base: Sequence[str], combined: _Combined) -> bool:
    """Whether a clean window may hold one change twice.

    True when a change of the amendment and a change of the current side
    both add some same token, and nothing but whitespace and the tokens
    those two changes add lies between them in the result: in "w87 w87" ->
    "w87 X" (current) and "w87 w87 X" (amendment) both sides added "X"
    before "w17", but the diff reads the first as "w87" -> "X", and both
    would be applied. Two sides adding the same word in places with other
    words between them are not affected.
    """
    placed: list[tuple[int, int, Side, set[str]]] = []
    shift = 0
    for s, e, side, rep in combined.items:
        start = s + shift
        shift += len(rep) - (e - s)
        if side != "both":
            gained = {t for t in rep if not _is_ws(t)} - {t for t in base[s:e] if not _is_ws(t)}
            placed.append((start, start + len(rep), side, gained))
    for index, (_x0, x1, x_side, x_gained) in enumerate(placed):
        for y0, _y1, y_side, y_gained in placed[index + 1 :]:
            if x_side != y_side and x_gained & y_gained:
                pool = x_gained | y_gained
                tokens = combined.tokens
                if all(_is_ws(tokens[q]) or tokens[q] in pool for q in range(x1, y0)):
                    return True
    return False


def _same(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two token runs are the same text, whitespace runs all counting as equal."""
    return len(a) == len(b) and all(x == y or (_is_ws(x) and _is_ws(y)) for x, y in zip(a, b, strict=True))


def _unchanged(b: Sequence[str], a: Sequence[str], c: Sequence[str]) -> list[str]:
    """Tokens of a stretch neither side changed: the current side's, except a
    whitespace run that only the amendment changed, which is the amendment's."""
    if a in (b, c):
        return list(c)
    return [ct if (at == bt or ct != bt) else at for bt, at, ct in zip(b, a, c, strict=True)]


def _apply(base_keys: Sequence[Hashable], items: Sequence[tuple[int, int, Sequence[Hashable]]]) -> list[Hashable]:
    """Replace base spans ``[s, e)`` by their replacements (items in order, not overlapping)."""
    out: list[Hashable] = []
    k = 0
    for s, e, replacement in items:
        out.extend(base_keys[k:s])
        out.extend(replacement)
        k = e
    out.extend(base_keys[k:])
    return out


def _verify(
    bk: Sequence[Hashable],
    ak: Sequence[Hashable],
    ck: Sequence[Hashable],
    result_keys: Sequence[Hashable],
    items: Sequence[tuple[int, int, Side, list[str]]],
    cache: dict[str, Hashable],
) -> bool:
    """Check a clean merge from its applied groups alone.

    The groups credited to the amendment (or to both sides) must rebuild
    the proposed text from the base, those credited to the current side (or
    both) must rebuild the current text, and all of them together must give
    the result; so every edit of each side is in the result, once, where
    its side put it.
    """
    previous = -1
    for s, e, _, _ in items:
        if s < previous or e < s:
            return False
        previous = e
    keyed = [(s, e, side, _keys(rep, cache)) for s, e, side, rep in items]
    for want, expected in (("amendment", ak), ("current", ck)):
        mine = [(s, e, rep) for s, e, side, rep in keyed if side in (want, "both")]
        if _apply(bk, mine) != list(expected):
            return False
    return _apply(bk, [(s, e, rep) for s, e, _, rep in keyed]) == list(result_keys)


def _marker_block(before: str, amendment: str, current: str, after: str) -> str:
    """A conflict as marker lines, with line breaks added so each marker has its own line."""

    def line(text: str) -> str:
        return text + "\n" if text and not text.endswith("\n") else text

    head = "\n" if before and not before.endswith("\n") else ""
    tail = "\n" if after and not after.startswith("\n") else ""
    return f"{head}{AMENDMENT_MARKER}\n{line(amendment)}{SEPARATOR_MARKER}\n{line(current)}{CURRENT_MARKER}{tail}"
