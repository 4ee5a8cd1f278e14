"""Provenance of a clause's text: which version introduced each span of it.

Input is the chain of versions of one clause, oldest first
(:class:`VersionInfo`); output is an :class:`Attribution` of the last
version's text: spans of that text, each naming the version that introduced
it, and for every character the versions that shaped it over time. The
caller maps a version id to its cause (amendment, proposer, organisation,
decision, consultation inputs) through the opaque ``meta`` it keeps.

How the chain is followed (see :func:`attribute_incremental` for the step):

* Each text is put in Unicode normalisation form C (:func:`instrument.text.nfc`),
  so NFC and NFD spellings are the same text, and split into tokens by
  :func:`instrument.text.tokenize`: words, single grapheme clusters of
  scripts written without spaces (Thai, Japanese ...), punctuation, and
  whitespace runs. A span boundary is always a token boundary, hence never
  inside a word or a grapheme cluster (UAX #29).
* Consecutive versions are aligned on their non-whitespace tokens with
  :func:`instrument.text.diff_sequences` (the C++ diff-match-patch, no time
  limit) *without* semantic cleanup: the minimal edit script keeps every
  token it can, so a word nobody touched is never reported as deleted and
  inserted again (the readable redlines of :mod:`instrument.diff` fold such
  words into the change around them, which is right for reading and wrong
  for provenance). A kept token keeps its origin; an inserted token gets the
  new version.
* Whitespace carries no provenance of its own and is left out of the
  alignment, like :mod:`instrument.diff` treats every whitespace run as
  equal: a run belongs to the token before it (whitespace at the start of
  the text to the first token), so a span is one or more tokens followed by
  their whitespace, and re-wrapping a text, or adding and removing spaces,
  changes no attribution. Aligning the whitespace runs themselves would let
  the minimal alignment drop an untouched word to match more spaces around
  it. A text made only of whitespace is one span, attributed to the version
  that last changed it other than by re-wrapping.

History of a character (:meth:`Attribution.history`): the origin of its
token, plus every version that deleted or replaced text that the token took
the place of, plus every version that deleted text right after it. Precisely,
the changes of one step are grouped into *hunks*, maximal runs of deleted
and inserted tokens between two kept tokens. Tokens inserted by a hunk get
the new version and the union of the histories of the tokens the hunk
deleted ("safeguard" replacing "protect" carries both stories). A hunk that
only deletes adds the new version and the deleted tokens' histories to the
kept token just before it in the new text (to the one just after it at the
start of the text); when a version deletes every token there is nothing
left to carry that history, and it ends there. Whitespace shares the history
of the token it belongs to.

Credit for a redline spanning several versions (:func:`credit_changes`):
the same replay, started from an older text, tells which version inserted
each inserted span and which deleted each deleted span, so that a redline
between two drafts can name the author of every change.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import regex

from instrument.diff import Op
from instrument.text import diff_sequences, is_whitespace_token, nfc, tokenize


@dataclass(frozen=True)
class VersionInfo:
    """One version of a clause, as the caller knows it.

    :ivar version_id: identity of the version (e.g. its database id); unique
        within a chain.
    :ivar text: the version's Markdown text, in any normalisation form.
    :ivar meta: anything the caller wants to keep with the version (cause,
        amendment id, author ...); never read here.
    """

    version_id: Hashable
    text: str
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Span:
    """A stretch ``text[start:end]`` of an attributed text and the version that introduced it."""

    start: int
    end: int
    version_id: Hashable


@dataclass(frozen=True)
class HistorySpan:
    """A stretch ``text[start:end]`` whose characters share one history.

    :ivar version_ids: the versions that shaped the stretch, oldest first
        (see the module documentation for what counts).
    """

    start: int
    end: int
    version_ids: tuple[Hashable, ...]


@dataclass(frozen=True)
class Attribution:
    """The provenance of the last text of a chain of versions.

    Invariants: ``spans`` and ``histories`` each cover ``text`` completely,
    in order, without gaps or overlaps, and no two neighbouring entries
    carry the same version (resp. the same history); both are empty exactly
    when ``text`` is empty. Every boundary is a token boundary of
    :func:`instrument.text.tokenize`. ``Attribution()`` is the attribution
    of an empty chain, the start of a fold with :func:`attribute_incremental`.

    :ivar text: the last version's text in NFC; offsets refer to it.
    :ivar spans: who introduced each stretch of ``text``.
    :ivar versions: the ids of the chain, oldest first, including versions
        that left no trace in the text.
    :ivar histories: which versions shaped each stretch of ``text``.
    """

    text: str = ""
    spans: tuple[Span, ...] = ()
    versions: tuple[Hashable, ...] = ()
    histories: tuple[HistorySpan, ...] = ()

    def version_at(self, offset: int) -> Hashable:
        """Return the version that introduced the character at ``offset``.

        :param offset: ``0 <= offset < len(self.text)``.
        :returns: a version id.
        :raises IndexError: when ``offset`` is outside the text.
        """
        if not 0 <= offset < len(self.text):
            raise IndexError(f"offset {offset} outside a text of {len(self.text)} characters")
        return self.spans[bisect_right([s.start for s in self.spans], offset) - 1].version_id

    def history(self, start: int, end: int) -> list[Hashable]:
        """Return the versions that shaped the characters of ``text[start:end]``.

        The union of the histories of those characters (see the module
        documentation), oldest first. An empty range holds no character and
        has no history.

        :param start: first offset, ``0 <= start <= end``.
        :param end: offset after the last character, ``end <= len(self.text)``.
        :returns: a list of distinct version ids in chain order.
        :raises ValueError: when the range is not within the text.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"range [{start}, {end}) is not within a text of {len(self.text)} characters")
        if start == end:
            return []
        seen: set[Hashable] = set()
        for entry in self.histories[bisect_right([h.start for h in self.histories], start) - 1 :]:
            if entry.start >= end:
                break
            if entry.end > start:
                seen.update(entry.version_ids)
        return [v for v in self.versions if v in seen]


@dataclass
class _State:
    """The working form of an attribution: one entry per non-whitespace token.

    Versions are indices into ``versions``; histories are bit masks over them.
    """

    text: str
    starts: list[int]  # offset of each non-whitespace token
    keys: list[str]  # the tokens themselves
    origins: list[int]
    masks: list[int]
    versions: list[Hashable]
    index: dict[Hashable, int]
    blank_origin: int | None  # a non-empty text without tokens: who last changed it


# A line feed followed by a character other than whitespace: a grapheme
# cluster always ends after a line feed (UAX #29, GB4/GB5) and the whitespace
# token ends before the character, so the tokens on either side do not depend
# on the other side and each line can be tokenised (and remembered) alone.
_LINE_START = regex.compile(r"\n(?=\S)")


@functools.lru_cache(maxsize=1024)
def _line_tokens(line: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Offsets and texts of the non-whitespace tokens of ``line``."""
    starts: list[int] = []
    keys: list[str] = []
    offset = 0
    for token in tokenize(line):
        if not is_whitespace_token(token):
            starts.append(offset)
            keys.append(token)
        offset += len(token)
    return tuple(starts), tuple(keys)


def _tokens(text: str) -> tuple[list[int], list[str]]:
    """Offsets and texts of the non-whitespace tokens of ``text``, as :func:`tokenize` finds them.

    Versions of a clause share most of their lines, so lines are tokenised
    once and remembered: following a chain costs the tokenising of the
    lines each version changed.
    """
    starts: list[int] = []
    keys: list[str] = []
    cut = 0
    for cut_next in [m.end() for m in _LINE_START.finditer(text)] + [len(text)]:
        line_starts, line_keys = _line_tokens(text[cut:cut_next])
        starts.extend(cut + n for n in line_starts)
        keys.extend(line_keys)
        cut = cut_next
    return starts, keys


def _step(state: _State, info: VersionInfo) -> _State:
    """Extend ``state`` by one version (the rules are in the module documentation)."""
    vid = info.version_id
    if vid in state.index:
        raise ValueError(f"version id {vid!r} occurs twice in the chain")
    k = len(state.versions)
    bit = 1 << k
    text = nfc(info.text)
    starts, keys = _tokens(text)

    origins: list[int] = []
    masks: list[int] = []
    removed = 0  # histories of the tokens the open hunk deleted
    deleted = False
    inserted_from = -1  # first token the open hunk inserted, or -1
    carry = 0  # a deletion at the start, for the first kept token

    def close_hunk() -> None:
        nonlocal removed, deleted, inserted_from, carry
        if inserted_from >= 0:
            for n in range(inserted_from, len(masks)):
                masks[n] = bit | removed
        elif deleted:
            if masks:
                masks[-1] |= bit | removed
            else:
                carry |= bit | removed
        removed, deleted, inserted_from = 0, False, -1

    i = 0
    for op, count_a, count_b in diff_sequences(state.keys, keys, semantic_cleanup=False):
        if op == 0:
            close_hunk()
            first = len(masks)
            origins.extend(state.origins[i : i + count_a])
            masks.extend(state.masks[i : i + count_a])
            if carry:
                masks[first] |= carry
                carry = 0
        elif op < 0:
            deleted = True
            for mask in state.masks[i : i + count_a]:
                removed |= mask
        else:
            if inserted_from < 0:
                inserted_from = len(masks)
            origins.extend([k] * count_b)
            masks.extend([bit] * count_b)
        i += count_a
    close_hunk()

    if keys or not text:
        blank_origin = None
    elif state.blank_origin is not None:
        blank_origin = state.blank_origin  # whitespace before and after: a re-wrap
    else:
        blank_origin = k
    return _State(
        text=text,
        starts=starts,
        keys=keys,
        origins=origins,
        masks=masks,
        versions=[*state.versions, vid],
        index={**state.index, vid: k},
        blank_origin=blank_origin,
    )


def _runs(state: _State, values: Sequence[int]) -> Iterable[tuple[int, int, int]]:
    """``(start, end, value)`` per run of equal values, each token owning the whitespace after it."""
    n = len(state.starts)
    run_start = 0
    for t in range(n):
        end = state.starts[t + 1] if t + 1 < n else len(state.text)
        if t + 1 == n or values[t + 1] != values[t]:
            yield run_start, end, values[t]
            run_start = end


def _ids(state: _State, mask: int) -> tuple[Hashable, ...]:
    out: list[Hashable] = []
    while mask:
        low = mask & -mask
        out.append(state.versions[low.bit_length() - 1])
        mask ^= low
    return tuple(out)


def _to_attribution(state: _State) -> Attribution:
    versions = tuple(state.versions)
    if not state.text:
        return Attribution("", (), versions, ())
    if state.blank_origin is not None:
        vid = state.versions[state.blank_origin]
        end = len(state.text)
        return Attribution(state.text, (Span(0, end, vid),), versions, (HistorySpan(0, end, (vid,)),))
    spans = tuple(Span(a, b, state.versions[v]) for a, b, v in _runs(state, state.origins))
    histories = tuple(HistorySpan(a, b, _ids(state, m)) for a, b, m in _runs(state, state.masks))
    return Attribution(state.text, spans, versions, histories)


def _check_cover(name: str, entries: Sequence[Span] | Sequence[HistorySpan], length: int) -> None:
    pos = 0
    for entry in entries:
        if entry.start != pos or entry.end <= entry.start:
            raise ValueError(f"{name} of the previous attribution do not cover its text in order")
        pos = entry.end
    if pos != length:
        raise ValueError(f"{name} of the previous attribution cover {pos} of {length} characters")


def _from_attribution(att: Attribution) -> _State:
    """Rebuild the working state of an attribution made by this module."""
    index = {vid: n for n, vid in enumerate(att.versions)}
    if len(index) != len(att.versions):
        raise ValueError("the previous attribution names a version twice")
    _check_cover("spans", att.spans, len(att.text))
    _check_cover("histories", att.histories, len(att.text))
    starts, keys = _tokens(att.text)
    try:
        origins: list[int] = []
        s = 0
        for start in starts:
            while att.spans[s].end <= start:
                s += 1
            origins.append(index[att.spans[s].version_id])
        masks: list[int] = []
        cache: dict[tuple[Hashable, ...], int] = {}
        h = 0
        for start in starts:
            while att.histories[h].end <= start:
                h += 1
            ids = att.histories[h].version_ids
            mask = cache.get(ids)
            if mask is None:
                mask = cache[ids] = sum(1 << index[v] for v in set(ids))
            masks.append(mask)
        blank_origin = index[att.spans[0].version_id] if att.text and not keys else None
    except KeyError as exc:
        raise ValueError(f"the previous attribution names version {exc.args[0]!r} outside its versions") from None
    return _State(att.text, starts, keys, origins, masks, list(att.versions), index, blank_origin)


_EMPTY = _State("", [], [], [], [], [], {}, None)


def attribute(chain: Sequence[VersionInfo]) -> Attribution:
    """Attribute every span of the last version's text to the version that introduced it.

    Follows the chain step by step as described in the module
    documentation; equal to folding :func:`attribute_incremental` over the
    chain from ``Attribution()``.

    :param chain: the versions of one clause, oldest first; may be empty
        (the result is then ``Attribution()``).
    :returns: an :class:`Attribution` of ``nfc(chain[-1].text)``.
    :raises ValueError: when two versions of the chain share an id.
    """
    state = _EMPTY
    for info in chain:
        state = _step(state, info)
    return _to_attribution(state)


def attribute_incremental(previous: Attribution, new: VersionInfo) -> Attribution:
    """Extend an attribution by one version.

    ``attribute([*chain, new]) == attribute_incremental(attribute(chain), new)``,
    so a caller may keep the attribution of each version and extend it
    when the next version is made.

    :param previous: the attribution of the chain up to the version before
        ``new`` (``Attribution()`` before the first version), as returned
        by this module.
    :param new: the next version.
    :returns: the attribution of ``nfc(new.text)``.
    :raises ValueError: when ``new.version_id`` is already in
        ``previous.versions``, or ``previous`` breaks the invariants of
        :class:`Attribution` (spans not covering its text, unknown versions).
    """
    return _to_attribution(_step(_from_attribution(previous), new))


def history_of(chain: Sequence[VersionInfo], start: int, end: int) -> list[Hashable]:
    """Return the versions that shaped ``text[start:end]`` of the last version over time.

    A version is listed when it inserted a token of the range, deleted or
    replaced text that a token of the range replaced (at any earlier
    step, transitively), or deleted text right after a token of the range;
    the exact rule is in the module documentation. Whitespace counts with
    the token before it.

    :param chain: the versions of one clause, oldest first.
    :param start: first offset in ``nfc(chain[-1].text)``.
    :param end: offset after the last character, ``start <= end``.
    :returns: distinct version ids, oldest first (empty for an empty range).
    :raises ValueError: when the range is not within the last text, or two
        versions share an id.
    """
    return attribute(chain).history(start, end)


class CreditedOp(NamedTuple):
    """One piece of a redline operation and the version it is credited to.

    :ivar op: an ``equal``, ``insert`` or ``delete`` operation (see :class:`instrument.diff.Op`).
    :ivar version_id: for an insertion the version that inserted the text, for a
        deletion the version that deleted it; ``None`` for equal text.
    """

    op: Op
    version_id: Hashable | None


def _owners(starts: Sequence[int], length: int) -> list[int]:
    """For each character offset of a text, the index of the token that owns it (whitespace goes
    with the token before it, leading whitespace with the first token); ``-1`` without tokens."""
    owner = [-1] * length
    for t, start in enumerate(starts):
        end = starts[t + 1] if t + 1 < len(starts) else length
        for pos in range(0 if t == 0 else start, end):
            owner[pos] = t
    return owner


def _split(op: Op, credits: Sequence[Hashable | None], fallback: Hashable) -> list[CreditedOp]:
    """Cut ``op`` where the credit of its characters changes.

    Characters without credit (whitespace, words no version touched) take
    the credit of the next credited character of the operation, else of the
    previous one, so a paragraph break goes with the paragraph it opens; an
    operation without any credit gets ``fallback``.
    """
    resolved = list(credits)
    following: Hashable | None = None
    for pos in range(len(resolved) - 1, -1, -1):
        if resolved[pos] is None:
            resolved[pos] = following
        else:
            following = resolved[pos]
    previous: Hashable | None = None
    for pos, credit in enumerate(resolved):
        if credit is None:
            resolved[pos] = previous
        previous = resolved[pos]
    if not resolved or resolved[0] is None:
        return [CreditedOp(op, fallback)]
    pieces: list[CreditedOp] = []
    start = 0
    for pos in range(1, len(resolved) + 1):
        if pos == len(resolved) or resolved[pos] != resolved[start]:
            pieces.append(CreditedOp(Op(op.kind, op.text[start:pos]), resolved[start]))
            start = pos
    return pieces


def credit_changes(base_text: str, chain: Sequence[VersionInfo], ops: Iterable[Op]) -> list[CreditedOp]:
    """Tell which version of a chain made each change of a redline spanning several versions.

    ``ops`` turn ``base_text`` (the clause in an older state, e.g. Draft 1) into
    the last text of ``chain`` (the versions made since, oldest first, e.g. a
    secretariat edit, then an accepted amendment). The chain is replayed word
    by word as :func:`attribute` does (non-whitespace tokens aligned with a
    minimal edit script, whitespace going with the token before it): an
    inserted character is credited to the version that inserted its token,
    a deleted character to the version that deleted its token of
    ``base_text``. Operations are cut where the credit changes. The readable
    redlines of :mod:`instrument.diff` may delete and insert again a word
    that no version touched; such a word joins the change around it, and an
    operation with no word any version touched (a whitespace change) is
    credited to the last version. Whitespace goes with the word after it
    within the operation (a paragraph break with the paragraph it opens).

    :param base_text: the older text; offsets follow ``ops``' old side.
    :param chain: at least one version; ``nfc(chain[-1].text)`` must be the new side of ``ops``.
    :param ops: the operations of ``instrument.diff.redline(base_text, chain[-1].text)``.
    :returns: the operations in order, insertions and deletions cut into pieces
        each credited to one version id of ``chain``; joining the pieces gives
        back ``ops``' old and new texts.
    :raises ValueError: for an empty chain, a version id used twice, or
        operations that do not spell ``base_text`` and the last text.
    """
    if not chain:
        raise ValueError("credit_changes needs at least one version")
    ops = list(ops)
    old_side = "".join(op.old_side for op in ops)
    new_side = "".join(op.new_side for op in ops)
    if old_side != base_text or new_side != nfc(chain[-1].text):
        raise ValueError("the operations do not turn the base text into the last version's text")
    base_starts, base_keys = _tokens(base_text)
    base_keys = [nfc(k) for k in base_keys]
    # Per token of the text being replayed: the version that inserted it (None: from the base)
    # and its index among the base's tokens (None: inserted since).
    origin: list[Hashable | None] = [None] * len(base_keys)
    from_base: list[int | None] = list(range(len(base_keys)))
    keys = base_keys
    deleted_by: list[Hashable | None] = [None] * len(base_keys)
    seen: set[Hashable] = set()
    for info in chain:
        if info.version_id in seen:
            raise ValueError(f"version id {info.version_id!r} occurs twice in the chain")
        seen.add(info.version_id)
        _, new_keys = _tokens(nfc(info.text))
        next_origin: list[Hashable | None] = []
        next_base: list[int | None] = []
        i = 0
        for sign, count_a, count_b in diff_sequences(keys, new_keys, semantic_cleanup=False):
            if sign == 0:
                next_origin += origin[i : i + count_a]
                next_base += from_base[i : i + count_a]
            elif sign < 0:
                for index in from_base[i : i + count_a]:
                    if index is not None:
                        deleted_by[index] = info.version_id
            else:
                next_origin += [info.version_id] * count_b
                next_base += [None] * count_b
            i += count_a
        origin, from_base, keys = next_origin, next_base, new_keys

    new_starts, _ = _tokens(new_side)
    old_owner, new_owner = _owners(base_starts, len(base_text)), _owners(new_starts, len(new_side))
    last = chain[-1].version_id
    out: list[CreditedOp] = []
    old_pos = new_pos = 0
    for op in ops:
        if op.kind == "insert":
            credits = [
                None if ch.isspace() or t < 0 else origin[t]
                for ch, t in zip(op.text, new_owner[new_pos : new_pos + len(op.text)], strict=True)
            ]
            out += _split(op, credits, last)
        elif op.kind == "delete":
            credits = [
                None if ch.isspace() or t < 0 else deleted_by[t]
                for ch, t in zip(op.text, old_owner[old_pos : old_pos + len(op.text)], strict=True)
            ]
            out += _split(op, credits, last)
        else:
            out.append(CreditedOp(op, None))
        old_pos += len(op.old_side)
        new_pos += len(op.new_side)
    return out
