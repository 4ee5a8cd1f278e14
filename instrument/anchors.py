"""Making comment selectors on clause texts, and re-anchoring them on new versions.

A comment may quote a span of the clause version it was written on;
:func:`make_selector` and :func:`selector_from_quote` record it as a
:class:`~instrument.selectors.Selector` (the W3C Web Annotation quote and
position selectors, whose stored form is :mod:`instrument.selectors`), on
the clause's *plain text* (:func:`instrument.render.plain_text`).

When a new version of the clause is made, :func:`reanchor` finds where the
span is now and says how sure it is. The outcomes (:class:`~instrument.selectors.AnchorStatus`):

``unchanged``
    the quote is at the same offsets (or the text did not change);
``moved``
    the quote is found word for word elsewhere, and it is the same passage:
    a diff of the old text against the new one carries the span onto it and
    at least one side of its context stayed, or the text around a copy
    (prefix and suffix) still agrees;
``changed``
    the quoted words were edited or removed, or the only copies left stand
    in another context. The comment is not placed; :attr:`~instrument.selectors.Anchoring.near`
    may say where the edited passage probably is;
``deleted``
    the clause itself was deleted (:func:`instrument.selectors.mark_deleted`).

Pass the old text to :func:`reanchor` whenever it is known. Clauses repeat
phrases, even whole sentences; from the selector alone two copies with the
same 32 code points around them cannot be told apart, while the diff of the
two versions says which copy is which.

Rules followed everywhere:

* Texts and selectors are compared in Unicode normalisation form C (UAX #15),
  and any whitespace run matches any other (re-wrapping is not a change, as in
  :func:`instrument.text.comparison_form`). Offsets returned always refer to
  the strings as given, whatever their normalisation.
* A span never starts or ends inside an extended grapheme cluster (UAX #29,
  ``\\X`` in :mod:`regex`), so Thai vowel and tone marks stay with their
  consonant; a match that would cut a cluster is not a match.
* A quote that occurs more than once is resolved by how much of its prefix and
  suffix agree, then by closeness to where the old span lands in the new text.
* Look-alike text is never taken for the quoted passage: an exact copy in
  another context, a copy that the diff traces to another place of the old
  text, or a fuzzy match, does not place the comment.

This is one module, past 600 lines, because it is one algorithm: the
normalised views, the alignment of two versions, the scoring of candidate
spans and the fuzzy search all serve :func:`reanchor` and the selector
builders, which share them and their thresholds; the stored form of what
they produce is apart, in :mod:`instrument.selectors`.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import regex
from diff_match_patch import diff_match_patch

from instrument.errors import AnchorError
from instrument.selectors import (
    Anchoring,
    AnchorStatus,
    Selector,
    TextPositionSelector,
    TextQuoteSelector,
    mark_deleted,
    require_offset,
    require_str,
)
from instrument.text import diff_sequences, is_whitespace_token, nfc, tokenize

#: Code points of context recorded on each side of a quote by default: a few
#: words, enough to tell apart the copies of a phrase that a clause repeats.
DEFAULT_CONTEXT = 32

#: Share of the recorded prefix and suffix characters that must still stand
#: next to an exact copy of the quote for it to count as the same passage.
CONTEXT_AGREEMENT = 0.5

#: A quote that occurs once, and is so long that quote plus agreeing context
#: make this share of the selector, counts as the same passage even when its
#: neighbours changed (a sentence moved elsewhere in the clause).
LONG_QUOTE_SCORE = 0.75

#: Fuzzy matching: the edited passage must keep this share of the quote's
#: characters, and each side's context must agree by :data:`CONTEXT_AGREEMENT`
#: (or the whole selector by :data:`FUZZY_SCORE`) before it is reported as near.
FUZZY_QUOTE_SIMILARITY = 0.5
FUZZY_SCORE = 0.8

#: diff-match-patch's ``Match_Threshold`` (0 = exact only, 1 = anything):
#: stricter than the library's 0.5, since context is checked afterwards anyway.
MATCH_THRESHOLD = 0.4
#: diff-match-patch's ``Match_Distance``: raised from 1000 so that distance
#: from the expected place weighs little against the number of errors
#: anywhere in the search window, which is :data:`FUZZY_WINDOW` code points
#: on each side of that place (Bitap in pure Python costs time per code point).
MATCH_DISTANCE = 5000
FUZZY_WINDOW = 500

# Selector and Anchoring are the types of this module's arguments and results, so they are offered here too.
__all__ = [
    "CONTEXT_AGREEMENT",
    "DEFAULT_CONTEXT",
    "FUZZY_QUOTE_SIMILARITY",
    "FUZZY_SCORE",
    "FUZZY_WINDOW",
    "LONG_QUOTE_SCORE",
    "MATCH_DISTANCE",
    "MATCH_THRESHOLD",
    "make_selector",
    "reanchor",
    "selector_from_quote",
]

_CLUSTER = regex.compile(r"\X")
# A run of clusters that are whitespace from end to end.
_WS_RUN = regex.compile(r"(?:(?=\s)\X(?<=\s))+")
_WS_KEY = ("whitespace",)


# --- normalised views of a text ---------------------------------------------


class _View:
    """A text in NFC with its cluster boundaries and offset maps.

    ``text`` is the NFC form, built cluster by cluster so that every cluster
    boundary of the original has a counterpart; ``orig_bounds[i]`` and
    ``norm_bounds[i]`` are the offsets of the i-th boundary in each string.
    """

    __slots__ = ("flags", "flat", "flat_map", "identity", "norm_bounds", "orig", "orig_bounds", "text")

    def __init__(self, orig: str):
        self.orig = orig
        ends = [m.end() for m in _CLUSTER.finditer(orig)]
        self.identity = "\r" not in orig and unicodedata.is_normalized("NFC", orig)
        self.orig_bounds = [0, *ends]
        if self.identity:
            self.text = orig
            self.norm_bounds = self.orig_bounds
        else:
            parts = [nfc(orig[a:b]) for a, b in itertools.pairwise(self.orig_bounds)]
            self.text = "".join(parts)
            norm = [0]
            for part in parts:
                norm.append(norm[-1] + len(part))
            self.norm_bounds = norm
        self.flags = bytearray(len(self.text) + 1)
        for b in self.norm_bounds:
            self.flags[b] = 1
        # The text with whitespace runs flattened (see _flatten), for quote
        # search with str.find; flat_map[i] is the NFC offset of flat[i].
        pieces: list[str] = []
        flat_map: list[int] = []
        at = 0
        for m in _WS_RUN.finditer(self.text):
            pieces.append(self.text[at : m.start()])
            flat_map.extend(range(at, m.start()))
            pieces.append(" ")
            flat_map.append(m.start())
            at = m.end()
        pieces.append(self.text[at:])
        flat_map.extend(range(at, len(self.text) + 1))
        self.flat = "".join(pieces)
        self.flat_map = flat_map

    def is_boundary(self, pos: int) -> bool:
        return 0 <= pos <= len(self.text) and self.flags[pos] == 1

    def snap_down(self, pos: int) -> int:
        """Largest cluster boundary of the NFC text at or before ``pos``."""
        return self.norm_bounds[bisect_right(self.norm_bounds, pos) - 1]

    def snap_up(self, pos: int) -> int:
        """Smallest cluster boundary of the NFC text at or after ``pos``."""
        i = bisect_left(self.norm_bounds, pos)
        return self.norm_bounds[min(i, len(self.norm_bounds) - 1)]

    def to_orig(self, pos: int) -> int:
        """Offset in the original string of a boundary of the NFC text."""
        if self.identity:
            return pos
        return self.orig_bounds[bisect_left(self.norm_bounds, pos)]

    def to_norm(self, pos: int, *, up: bool = False) -> int:
        """Offset in the NFC text of ``pos`` in the original, snapped to a boundary."""
        pos = max(0, min(pos, len(self.orig)))
        i = bisect_left(self.orig_bounds, pos) if up else bisect_right(self.orig_bounds, pos) - 1
        return self.norm_bounds[i]

    def orig_snap(self, pos: int, *, up: bool) -> int:
        """Snap an offset of the original string to one of its cluster boundaries."""
        pos = max(0, min(pos, len(self.orig)))
        if up:
            return self.orig_bounds[bisect_left(self.orig_bounds, pos)]
        return self.orig_bounds[bisect_right(self.orig_bounds, pos) - 1]


@functools.lru_cache(maxsize=64)
def _view(text: str) -> _View:
    return _View(text)


def _flatten(text: str) -> str:
    """``text`` with every run of whitespace clusters made one space.

    Whitespace is taken cluster by cluster: a space that carries a combining
    mark is a visible cluster and stays as it is.
    """
    return _WS_RUN.sub(" ", text)


# --- aligning an old text with a new one ------------------------------------


def _starts(tokens: Sequence[str]) -> list[int]:
    starts = [0]
    for t in tokens:
        starts.append(starts[-1] + len(t))
    return starts


class _Side:
    """Offsets of one side of a token diff, and where its kept tokens went."""

    __slots__ = ("kept", "near", "other_starts", "starts")

    def __init__(self, starts: list[int], other_starts: list[int], kept: list[int], near: list[int]):
        self.starts = starts  # token start offsets, plus the text length
        self.other_starts = other_starts
        self.kept = kept  # index of the equal token on the other side, or -1
        self.near = near  # index of the other side's token where this one went

    def _token_at(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def _other_len(self, j: int) -> int:
        return self.other_starts[j + 1] - self.other_starts[j]

    def map_start(self, pos: int) -> int | None:
        """Other-side offset of the code point at ``pos``, if it is kept unchanged."""
        if not 0 <= pos < self.starts[-1]:
            return None
        i = self._token_at(pos)
        j = self.kept[i]
        offset = pos - self.starts[i]
        if j < 0 or offset >= self._other_len(j):
            return None
        return self.other_starts[j] + offset

    def map_end(self, pos: int) -> int | None:
        """Other-side offset just after the code point before ``pos``, if it is kept."""
        if not 0 < pos <= self.starts[-1]:
            return None
        i = self._token_at(pos - 1)
        j = self.kept[i]
        if j < 0:
            return None
        offset = pos - self.starts[i]
        if offset == self.starts[i + 1] - self.starts[i]:
            return self.other_starts[j + 1]
        if offset > self._other_len(j):
            return None
        return self.other_starts[j] + offset

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's offsets on the other side, when both its ends are kept."""
        a, b = self.map_start(start), self.map_end(end)
        return (a, b) if a is not None and b is not None and a < b else None

    def approx(self, pos: int) -> int:
        """Where ``pos`` lands on the other side, also when it was edited away."""
        if pos >= self.starts[-1]:
            return self.other_starts[-1]
        i = self._token_at(max(pos, 0))
        j = self.near[i]
        if self.kept[i] < 0 or j >= len(self.other_starts) - 1:
            return self.other_starts[min(j, len(self.other_starts) - 1)]
        return self.other_starts[j] + min(pos - self.starts[i], self._other_len(j))


class _Alignment:
    """A diff of an old and a new text's tokens, as offset maps both ways."""

    __slots__ = ("backward", "forward")

    def __init__(
        self, old_tokens: Sequence[str], new_tokens: Sequence[str], keys: Callable[[str], Hashable] | None = None
    ) -> None:
        old_starts, new_starts = _starts(old_tokens), _starts(new_tokens)
        key_a = [keys(t) for t in old_tokens] if keys else old_tokens
        key_b = [keys(t) for t in new_tokens] if keys else new_tokens
        kept_a, near_a = [-1] * len(old_tokens), [0] * len(old_tokens)
        kept_b, near_b = [-1] * len(new_tokens), [0] * len(new_tokens)
        i = j = 0
        for op, count_a, count_b in diff_sequences(key_a, key_b):
            if op == 0:
                kept_a[i : i + count_a] = near_a[i : i + count_a] = range(j, j + count_b)
                kept_b[j : j + count_b] = near_b[j : j + count_b] = range(i, i + count_a)
            elif op == -1:
                near_a[i : i + count_a] = [j] * count_a
            else:
                near_b[j : j + count_b] = [i] * count_b
            i += count_a
            j += count_b
        self.forward = _Side(old_starts, new_starts, kept_a, near_a)
        self.backward = _Side(new_starts, old_starts, kept_b, near_b)


def _token_key(token: str) -> Hashable:
    return _WS_KEY if is_whitespace_token(token) else token


@functools.lru_cache(maxsize=16)
def _word_alignment(old: str, new: str) -> _Alignment:
    # Words first: a semantic word diff does not align look-alike fragments
    # of rewritten sentences, and re-wrapping is no change.
    return _Alignment(tokenize(old), tokenize(new), _token_key)


@functools.lru_cache(maxsize=16)
def _cluster_alignment(old: str, new: str) -> _Alignment:
    # Grapheme clusters second: an edit that touches only the word around a
    # span boundary (a span starting mid-word) still leaves the span's
    # clusters; a code-point diff could tear a mark from its letter.
    return _Alignment(_CLUSTER.findall(old), _CLUSTER.findall(new))


# --- scoring candidates -----------------------------------------------------


def _common_chars(a: str, b: str) -> int:
    """Characters of ``a`` in tokens that a word diff finds equal in ``b``."""
    if a == b:
        return len(a)
    if not a or not b:
        return 0
    tokens = tokenize(a)
    total = i = 0
    for op, count_a, _ in diff_sequences(tokens, tokenize(b)):
        if op == 0:
            total += sum(len(t) for t in tokens[i : i + count_a])
        i += count_a
    return total


@dataclass(frozen=True)
class _Fit:
    """How well prefix, quote and suffix agree with one place in a text.

    ``prefix_ratio`` and ``suffix_ratio`` are the shares of the recorded
    context found next to the place, or ``None`` for a side with no context
    to compare. When the quote began the old text (see :class:`_Target`), its
    empty prefix agrees only with a place at the start of the new text, and
    likewise an empty suffix with the end. ``context_ratio`` combines both
    sides (1.0 when no context was recorded); ``score`` is the share of
    prefix, quote and suffix characters together.
    """

    start: int
    end: int
    prefix_ratio: float | None
    suffix_ratio: float | None
    quote_eq: int
    score: float
    context_ratio: float

    @property
    def best_side(self) -> float:
        """Agreement of the better side (1.0 when no context was recorded)."""
        return max((r for r in (self.prefix_ratio, self.suffix_ratio) if r is not None), default=1.0)

    @property
    def worst_side(self) -> float:
        """Agreement of the worse side (1.0 when no context was recorded)."""
        return min((r for r in (self.prefix_ratio, self.suffix_ratio) if r is not None), default=1.0)


@dataclass(frozen=True)
class _Target:
    """What is searched for: the selector's quote and context, in NFC.

    :ivar at_start: the quote began the text the selector was made on (its
        empty prefix is then a fact to check, not a lack of information).
    :ivar at_end: the quote ended that text.
    """

    quote: str
    prefix: str
    suffix: str
    at_start: bool = False
    at_end: bool = False

    @functools.cached_property
    def flat(self) -> str:
        return _flatten(self.quote)

    def matches(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is the quote, whitespace runs aside."""
        return _flatten(text[start:end]) == self.flat


def _side(eq: int, recorded: str, at_edge: bool, is_edge: bool) -> float | None:
    if recorded:
        return eq / len(recorded)
    return float(is_edge) if at_edge else None


def _fit(text: str, start: int, end: int, target: _Target, exact: bool) -> _Fit:
    quote, prefix, suffix = target.quote, target.prefix, target.suffix
    prefix_eq = _common_chars(prefix, text[max(0, start - len(prefix)) : start])
    suffix_eq = _common_chars(suffix, text[end : end + len(suffix)])
    quote_eq = len(quote) if exact else _common_chars(quote, text[start:end])
    score = round((prefix_eq + quote_eq + suffix_eq) / (len(prefix) + len(quote) + len(suffix)), 4)
    p_ratio = _side(prefix_eq, prefix, target.at_start, start == 0)
    s_ratio = _side(suffix_eq, suffix, target.at_end, end == len(text))
    # Sides weigh by their recorded length, so that a suffix of one
    # character cut short by the end of the text cannot outvote a full
    # prefix; a text edge stands for as much as the other side.
    weights = (len(prefix) or len(suffix), len(suffix) or len(prefix))
    sides = [(r, w) for r, w in zip((p_ratio, s_ratio), weights, strict=True) if r is not None]
    ratio = sum(r * w for r, w in sides) / sum(w for _, w in sides) if sides else 1.0
    return _Fit(start, end, p_ratio, s_ratio, quote_eq, score, ratio)


def _candidates(view: _View, target: _Target) -> list[tuple[int, int]]:
    """Every copy of the quote in the view's NFC text that starts and ends on cluster boundaries.

    Copies may overlap; any whitespace run matches any other.
    """
    quote, flat, flat_map = target.flat, view.flat, view.flat_map
    spans = []
    i = flat.find(quote)
    while i >= 0:
        start, end = flat_map[i], flat_map[i + len(quote)]
        if view.is_boundary(start) and view.is_boundary(end):
            spans.append((start, end))
        i = flat.find(quote, i + 1)
    return spans


def _best(view: _View, spans: list[tuple[int, int]], target: _Target, expected: int | None) -> _Fit | None:
    """The span whose context agrees most, then the closest to ``expected``, then the first."""

    def nearness(span: tuple[int, int]) -> tuple[int, int]:
        return (abs(span[0] - expected) if expected is not None else 0, span[0])

    best: _Fit | None = None
    # Nearest first, so the first span whose context agrees fully is the answer.
    for start, end in sorted(spans, key=nearness):
        fit = _fit(view.text, start, end, target, exact=True)
        if best is None or fit.context_ratio > best.context_ratio:
            best = fit
            if fit.context_ratio == 1.0:
                break
    return best


# --- building selectors -----------------------------------------------------


def make_selector(text: str, start: int, end: int, *, context: int = DEFAULT_CONTEXT) -> Selector:
    """Build the selector of a selection in a clause's plain text.

    The span is widened to whole grapheme clusters (UAX #29) and trimmed of
    whitespace at both ends; the prefix and suffix are up to ``context`` code
    points on each side, cut at cluster boundaries. Quote and context are
    copied from ``text`` as they are (W3C Web Annotation Data Model 4.2.4);
    the offsets count code points of ``text`` (4.2.5).

    :param text: the plain text (:func:`instrument.render.plain_text`).
    :param start: offset of the selection's first code point.
    :param end: offset just after its last code point.
    :param context: code points of prefix and suffix to record, >= 0.
    :returns: the :class:`Selector` of the (widened, trimmed) span.
    :raises AnchorError: when the offsets are not integers, the span is
        empty or outside ``text``, or it holds only whitespace.
    """
    require_str(text, "text")
    require_offset(start, "start")
    require_offset(end, "end")
    require_offset(context, "context")
    if not 0 <= start < end <= len(text):
        raise AnchorError(f"selection {start}-{end} is empty or outside the text ({len(text)} code points)")
    if context < 0:
        raise AnchorError("context must not be negative")
    view = _view(text)
    bounds = view.orig_bounds
    i = bisect_right(bounds, start) - 1
    j = bisect_left(bounds, end)
    # Trim whole whitespace clusters only: a space carrying a combining mark
    # is a visible cluster and stays.
    while i < j and text[bounds[i] : bounds[i + 1]].isspace():
        i += 1
    while j > i and text[bounds[j - 1] : bounds[j]].isspace():
        j -= 1
    if i == j:
        raise AnchorError("the selection holds only whitespace")
    start, end = bounds[i], bounds[j]
    prefix_start = view.orig_snap(max(0, start - context), up=True)
    suffix_end = view.orig_snap(min(len(text), end + context), up=False)
    return Selector(
        TextQuoteSelector(text[start:end], text[prefix_start:start], text[end:suffix_end]),
        TextPositionSelector(start, end),
    )


def selector_from_quote(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    hint: int | None = None,
    *,
    context: int = DEFAULT_CONTEXT,
) -> Selector:
    """Build a selector from a quote alone, as a form without script sends it.

    The quote is looked for in NFC, whitespace runs matching any whitespace
    run, and only at grapheme-cluster boundaries. When it occurs more than
    once, the copy whose surroundings agree most with ``prefix`` and
    ``suffix`` is taken, then the one starting closest to ``hint``, then the
    first.

    :param text: the plain text of the clause version being commented on.
    :param exact: the quoted words; surrounding whitespace is ignored.
    :param prefix: text the client saw just before the quote, if any.
    :param suffix: text the client saw just after the quote, if any.
    :param hint: an offset in ``text`` near which the quote was selected.
    :param context: as for :func:`make_selector`.
    :returns: the selector made by :func:`make_selector` on the copy found,
        with its prefix and suffix taken from ``text``.
    :raises AnchorError: when ``exact`` is blank or does not occur in ``text``.
    """
    require_str(text, "text")
    clusters = _CLUSTER.findall(nfc(require_str(exact, "exact")))
    while clusters and clusters[0].isspace():
        clusters.pop(0)
    while clusters and clusters[-1].isspace():
        clusters.pop()
    if not clusters:
        raise AnchorError("the quote is empty")
    # The client's context may be partial: an empty side says nothing.
    prefix, suffix = nfc(require_str(prefix, "prefix")), nfc(require_str(suffix, "suffix"))
    target = _Target("".join(clusters), prefix, suffix)
    view = _view(text)
    spans = _candidates(view, target)
    if not spans:
        raise AnchorError("the quoted words are not in this version of the clause")
    expected = None
    if hint is not None:
        expected = view.to_norm(require_offset(hint, "hint"))
    fit = _best(view, spans, target, expected)
    assert fit is not None
    return make_selector(text, view.to_orig(fit.start), view.to_orig(fit.end), context=context)


# --- re-anchoring ------------------------------------------------------------


_DMP = diff_match_patch()
_DMP.Match_Threshold = MATCH_THRESHOLD
_DMP.Match_Distance = MATCH_DISTANCE


def _match_end(window: str, start: int, pattern: str) -> int:
    """End in ``window`` of an approximate copy of ``pattern`` starting at ``start``."""
    stretch = window[start : start + 2 * len(pattern)]
    end = consumed = 0
    for _op, count_a, count_b in diff_sequences(pattern, stretch):
        if consumed >= len(pattern):
            break
        consumed += count_a
        end += count_b
    return start + end


def _fuzzy(view: _View, target: _Target, expected: int, copies: list[tuple[int, int]]) -> _Fit | None:
    """Locate an edited copy of ``quote`` near ``expected`` with diff-match-patch.

    ``match_main`` (Bitap) only takes patterns up to ``Match_MaxBits`` (32)
    code points, so a longer quote is located by its first and its last 32.
    """
    text, quote = view.text, target.quote
    if not text:
        return None
    bits = _DMP.Match_MaxBits
    lo = max(0, expected - FUZZY_WINDOW)
    hi = min(len(text), expected + len(quote) + FUZZY_WINDOW)
    # Exact copies were already judged on their context: hide them, so that
    # Bitap looks for the edited passage instead of settling on a copy.
    window = text[lo:hi]
    for start, end in copies:
        if start < hi and end > lo:
            start, end = max(start, lo), min(end, hi)
            window = window[: start - lo] + "\0" * (end - start) + window[end - lo :]
    loc = expected - lo
    if len(quote) <= bits:
        i = _DMP.match_main(window, quote, loc)
        if i < 0:
            return None
        start, end = i, _match_end(window, i, quote)
    else:
        head, tail = quote[:bits], quote[-bits:]
        i = _DMP.match_main(window, head, loc)
        j = _DMP.match_main(window, tail, loc + len(quote) - bits)
        if i < 0 and j < 0:
            return None
        start = i if i >= 0 else max(0, j + bits - len(quote))
        end = _match_end(window, j, tail) if j >= 0 else min(len(window), i + len(quote))
    start, end = view.snap_down(lo + start), view.snap_up(lo + end)
    if not 0 < end - start <= 2 * len(quote) or 2 * (end - start) < len(quote):
        return None
    fit = _fit(text, start, end, target, exact=False)
    if fit.quote_eq < FUZZY_QUOTE_SIMILARITY * max(len(quote), end - start):
        return None
    if fit.worst_side >= CONTEXT_AGREEMENT or fit.score >= FUZZY_SCORE:
        return fit
    return None


def _placed(view: _View, fit: _Fit, pos: TextPositionSelector, *, same_text: bool = False) -> Anchoring:
    start, end = view.to_orig(fit.start), view.to_orig(fit.end)
    same = same_text or (start, end) == (pos.start, pos.end)
    return Anchoring(AnchorStatus.UNCHANGED if same else AnchorStatus.MOVED, start, end, fit.score)


def _other_copy(
    back: _Side, span: tuple[int, int], old: _View | None, old_span: tuple[int, int] | None, target: _Target
) -> bool:
    """Whether ``back`` traces a new copy of the quote to an old copy other than ``old_span``."""
    was = back.map_span(*span)
    return old is not None and was is not None and was != old_span and target.matches(old.text, *was)


def _old_span(old: _View, pos: TextPositionSelector, target: _Target) -> tuple[int, int] | None:
    """The selector's span in the NFC old text, found by its quote if the offsets are stale."""
    start, end = old.to_norm(pos.start), old.to_norm(pos.end, up=True)
    if start < end and target.matches(old.text, start, end):
        return start, end
    fit = _best(old, _candidates(old, target), target, start)
    return (fit.start, fit.end) if fit else None


def reanchor(selector: Selector, new_text: str, *, old_text: str | None = None, deleted: bool = False) -> Anchoring:
    """Find a comment's quoted span in a new version of its clause.

    Steps, each only if the one before placed nothing:

    1. With ``old_text`` (the plain text the selector's offsets refer to;
       when the offsets do not point at the quote there, the copy whose
       context agrees best is taken): identical texts give ``unchanged``.
       Otherwise the old span is carried through a word diff, then a
       grapheme-cluster diff, of the old text against the new
       (:func:`instrument.text.diff_sequences`). If it lands on the quote
       and at least one side of the recorded context agrees by
       :data:`CONTEXT_AGREEMENT`, the span is placed there.
    2. Every exact copy of the quote in the new text is scored by the share
       of the recorded prefix and suffix that still stands next to it
       (compared word by word). Copies that the diff traces to another place
       of the old text are left out: they were there before and are other
       passages. The best copy (then the closest to where the old span
       lands, then the first) is placed when :data:`CONTEXT_AGREEMENT` of
       its context agrees, or when it is the only copy and long enough to
       reach :data:`LONG_QUOTE_SCORE` with its context.
    3. Else ``changed``. ``near`` is then the span carried by the diff in
       step 1 if there was one, or an edited copy found near the expected
       place by diff-match-patch's ``match_main`` (Bitap) whose prefix and
       suffix both agree (or whose whole selector scores
       :data:`FUZZY_SCORE`).

    A placed span is ``unchanged`` when its offsets are those of the
    selector (or the texts are the same), else ``moved``.

    :param selector: the comment's selector, made on the old version.
    :param new_text: the new version's plain text.
    :param old_text: the plain text the selector was made on, when known;
        it makes moves far more reliable and is cheap for many comments on
        one clause (the diff is computed once and cached).
    :param deleted: ``True`` when the new version deletes the clause.
    :returns: an :class:`Anchoring`; ``start``/``end`` are code-point offsets
        in ``new_text`` as given, and only set for ``unchanged`` and ``moved``.
    :raises AnchorError: when ``new_text`` or ``old_text`` is not a string.
    """
    if deleted:
        return mark_deleted()
    new = _view(require_str(new_text, "new_text"))
    pos = selector.position
    quote = selector.quote
    # make_selector records context on both sides up to the text's ends, so
    # an empty side next to a non-empty one means the quote began (or ended)
    # the text.
    target = _Target(
        nfc(quote.exact),
        nfc(quote.prefix),
        nfc(quote.suffix),
        at_start=not quote.prefix and bool(quote.suffix),
        at_end=not quote.suffix and bool(quote.prefix),
    )
    expected: int = min(pos.start, len(new.text))
    carried: _Fit | None = None  # the old span carried by a diff, context disagreeing
    others: list[_Side] = []  # maps back to the old text, to rule out its other copies
    old: _View | None = None
    old_span: tuple[int, int] | None = None

    if old_text is not None:
        old = _view(require_str(old_text, "old_text"))
        old_span = _old_span(old, pos, target)
        if old_span is not None:
            o_start, o_end = old_span
            if old.text == new.text:
                fit = _fit(new.text, o_start, o_end, target, exact=True)
                return _placed(new, fit, pos, same_text=True)
            for align in (_word_alignment, _cluster_alignment):
                mapping = align(old.text, new.text)
                others.append(mapping.backward)
                span = mapping.forward.map_span(o_start, o_end)
                if (
                    span is not None
                    and new.is_boundary(span[0])
                    and new.is_boundary(span[1])
                    and target.matches(new.text, *span)
                ):
                    fit = _fit(new.text, *span, target, exact=True)
                    # The diff keeps the words; one side of their context must
                    # stay too, or the passage around them was rewritten.
                    if fit.best_side >= CONTEXT_AGREEMENT or fit.score >= LONG_QUOTE_SCORE:
                        return _placed(new, fit, pos)
                    carried = fit
                    break
            expected = _word_alignment(old.text, new.text).forward.approx(o_start)

    spans = _candidates(new, target)
    # A copy that the diff traces back to another place of the old text is
    # another passage that was there before, not the one commented on.
    own = [sp for sp in spans if not any(_other_copy(back, sp, old, old_span, target) for back in others)]
    best = _best(new, own, target, expected)
    if best is not None and (
        best.context_ratio >= CONTEXT_AGREEMENT or (len(spans) == 1 and best.score >= LONG_QUOTE_SCORE)
    ):
        return _placed(new, best, pos)

    near = carried or _fuzzy(new, target, expected, spans)
    if near is None:
        return Anchoring(AnchorStatus.CHANGED)
    return Anchoring(
        AnchorStatus.CHANGED,
        score=near.score,
        near=TextPositionSelector(new.to_orig(near.start), new.to_orig(near.end)),
    )
