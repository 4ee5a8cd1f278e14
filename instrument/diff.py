"""Word-level redlines of clause texts.

A *redline* is a sequence of operations that turns the old text of a clause
into the new one. It is computed on the tokens of :func:`instrument.text.tokenize`
(words, whitespace runs and, for scripts written without spaces, grapheme
clusters) with diff-match-patch (:func:`instrument.text.diff_sequences`).

Rules (see :func:`redline` for the exact contract):

* Texts are compared in Unicode normalisation form C, so NFC and NFD
  spellings of a text are equal.
* Every whitespace run equals every other whitespace run, so re-wrapping a
  text (hard line breaks moved, runs of spaces, blank lines) is no change.
* Changes cover whole tokens: "shall" -> "should" is one deleted and one
  inserted word, never a deleted "a" and "ll" and an inserted "ould"; a
  changed accent ("Bên" -> "Bến") changes the whole word; and no change
  starts or ends inside a grapheme cluster (UAX #29), so a Thai or Burmese
  mark and an emoji modifier stay with their base character.

The comparison of two whole states of an instrument, clause by clause, is
:func:`instrument.compare.compare_clauses`, built on these redlines.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

import regex

from instrument.text import diff_sequences, nfc, tokenize

OpKind = Literal["equal", "insert", "delete"]

# Whitespace as comparison_form sees it, so that "no change" here and there agree.
_WS_RUN = regex.compile(r"\s+")
# A token counts as a word when it holds a letter, a digit or a pictographic
# symbol (an emoji, ©); punctuation, maths signs and whitespace do not count.
_WORDISH = regex.compile(r"[\p{L}\p{N}\p{So}]")
# Stands for every whitespace run in the diff; never equal to a real token.
_WS_KEY = ("whitespace",)


@dataclass(frozen=True)
class Op:
    """One operation of a redline.

    :ivar kind: ``"equal"``, ``"insert"`` or ``"delete"``.
    :ivar text: for ``equal`` and ``insert``, the text on the new side (NFC);
        for ``delete``, the deleted text as it was on the old side.
    :ivar old_text: for ``equal`` only, the same stretch as it was on the old
        side. It differs from ``text`` only by whitespace (another run of
        spaces or line breaks, or whitespace at the start or end of the
        text present on one side only) or by Unicode normalisation.
        ``None`` for ``insert`` and ``delete``.
    """

    kind: OpKind
    text: str
    old_text: str | None = None

    @property
    def old_side(self) -> str:
        """The text this operation covers in the old text (``""`` for an insertion)."""
        if self.kind == "equal":
            return self.text if self.old_text is None else self.old_text
        return self.text if self.kind == "delete" else ""

    @property
    def new_side(self) -> str:
        """The text this operation produces in the new text (``""`` for a deletion)."""
        return "" if self.kind == "delete" else self.text


@dataclass(frozen=True)
class Redline:
    """The difference between two texts, as operations in order.

    Invariants (for ``r = redline(old, new)``):

    * ``r.new_text == nfc(new)``: keeping equal and inserted text and
      dropping deleted text gives exactly the new text in NFC;
    * ``r.old_text == old``: deleted text plus the old side of equal text
      gives exactly the old text as passed;
    * no two neighbouring operations have the same kind;
    * every operation boundary is a grapheme-cluster boundary of both texts.

    :ivar ops: the operations.
    :ivar words_inserted: inserted tokens that hold a letter, a digit or a
        pictographic symbol such as an emoji (in scripts written without
        spaces each grapheme cluster is such a token).
    :ivar words_deleted: the same for deleted tokens.
    """

    ops: tuple[Op, ...]
    words_inserted: int = 0
    words_deleted: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was inserted or deleted (whitespace and normalisation do not count)."""
        return any(op.kind != "equal" for op in self.ops)

    @property
    def old_text(self) -> str:
        """The old text, rebuilt from the operations."""
        return "".join(op.old_side for op in self.ops)

    @property
    def new_text(self) -> str:
        """The new text (NFC), rebuilt from the operations."""
        return "".join(op.new_side for op in self.ops)


def _key(token: str) -> Hashable:
    return _WS_KEY if _WS_RUN.fullmatch(token) else nfc(token)


def _is_blank(text: str) -> bool:
    return _WS_RUN.fullmatch(text) is not None


def _words(tokens: Iterable[str]) -> int:
    return sum(1 for t in tokens if _WORDISH.search(t))


def count_words(text: str) -> int:
    """Count the words of ``text`` as :class:`Redline` counts them.

    :param text: any string.
    :returns: the number of tokens (:func:`instrument.text.tokenize`) that
        hold a letter, a digit or a pictographic symbol.
    """
    return _words(tokenize(text))


def redline(old: str, new: str) -> Redline:
    """Compute the word-level redline from ``old`` to ``new``.

    Both texts are split by :func:`instrument.text.tokenize` (``new`` after
    NFC normalisation) and tokens are compared in NFC, every whitespace run
    counting as equal to every other; diff-match-patch then aligns the two
    token sequences with no time limit, and its semantic cleanup keeps the
    changes readable.

    How whitespace that differs is shown: an ``equal`` operation carries the
    new side's text in ``text`` and the old side's in ``old_text``; they
    differ where the whitespace runs differ (or the normalisation form).
    Whitespace inserted or deleted at the very start or end of the text
    belongs to the neighbouring ``equal`` operation too (``old_text`` or
    ``text`` is then longer), matching :func:`instrument.text.comparison_form`,
    which strips the ends. Whitespace inserted or deleted between two
    tokens elsewhere (``"a, b"`` -> ``"a,b"``) is a real insertion or
    deletion, counting no words.

    :param old: the old text, in any normalisation form.
    :param new: the new text, in any normalisation form.
    :returns: a :class:`Redline` whose invariants are listed there; in
        particular ``redline(old, new).changed`` is ``False`` exactly when
        the texts differ at most by whitespace runs, whitespace at the ends
        and Unicode normalisation.
    """
    new = nfc(new)
    if old == new:
        return Redline((Op("equal", new, old),) if old else ())
    # Identical stretches at both ends are cut at line starts, where token
    # and cluster boundaries cannot depend on what precedes; only the middle
    # is tokenised, which keeps a small change in a long text cheap.
    head = _line_start_before(old, _common_prefix(old, new))
    tail = _common_suffix(old[head:], new[head:])
    cut_old = _line_start_after(old, len(old) - tail)
    cut_new = cut_old - len(old) + len(new)
    raw: list[Op] = []
    if head:
        raw.append(Op("equal", new[:head], old[:head]))
    words_ins, words_del = _diff_middle(old[head:cut_old], new[head:cut_new], raw)
    if cut_old < len(old):
        raw.append(Op("equal", new[cut_new:], old[cut_old:]))

    # Whitespace added or removed at either end is no change (comparison_form
    # strips the ends): fold it into an equal operation.
    for index in (0, len(raw) - 1):
        op = raw[index]
        if op.kind != "equal" and _is_blank(op.text):
            raw[index] = Op("equal", op.new_side, op.old_side)
    return Redline(_merge(raw), words_ins, words_del)


_CHUNK = 2048


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n:
        j = min(i + _CHUNK, n)
        if a[i:j] != b[i:j]:
            while a[i] == b[i]:
                i += 1
            return i
        i = j
    return n


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    k = 0
    while k < n:
        m = min(k + _CHUNK, n)
        if a[len(a) - m : len(a) - k] != b[len(b) - m : len(b) - k]:
            while a[len(a) - 1 - k] == b[len(b) - 1 - k]:
                k += 1
            return k
        k = m
    return n


def _is_line_start(text: str, pos: int) -> bool:
    # After a line feed a grapheme cluster always ends (UAX #29, GB4/GB5), and
    # a character other than whitespace also ends the whitespace token.
    return 0 < pos < len(text) and text[pos - 1] == "\n" and not _WS_RUN.match(text, pos)


def _line_start_before(text: str, limit: int) -> int:
    """Last line start ``q < limit`` (so ``text[q]`` lies in the shared prefix), else 0."""
    if limit < 2:
        return 0
    i = text.rfind("\n", 0, limit - 1)
    while i >= 0:
        if _is_line_start(text, i + 1):
            return i + 1
        i = text.rfind("\n", 0, i)
    return 0


def _line_start_after(text: str, start: int) -> int:
    """First line start ``q`` whose line feed ``text[q - 1]`` is at or after ``start``, else ``len(text)``."""
    i = text.find("\n", start)
    while i >= 0:
        if _is_line_start(text, i + 1):
            return i + 1
        i = text.find("\n", i + 1)
    return len(text)


def _diff_middle(old: str, new: str, raw: list[Op]) -> tuple[int, int]:
    """Token-diff ``old`` against ``new``, appending operations to ``raw``.

    :returns: ``(words_inserted, words_deleted)``.
    """
    old_tokens = tokenize(old)
    new_tokens = tokenize(new)
    keys: dict[str, Hashable] = {}  # words repeat; normalise each spelling once
    for token in old_tokens:
        if token not in keys:
            keys[token] = _key(token)
    for token in new_tokens:
        if token not in keys:
            keys[token] = _key(token)
    diffs = diff_sequences([keys[t] for t in old_tokens], [keys[t] for t in new_tokens])

    words_ins = words_del = 0
    i = j = 0
    for op, count_a, count_b in diffs:
        if op == 0:
            raw.append(Op("equal", "".join(new_tokens[j : j + count_b]), "".join(old_tokens[i : i + count_a])))
        elif op < 0:
            piece = old_tokens[i : i + count_a]
            raw.append(Op("delete", "".join(piece)))
            words_del += _words(piece)
        else:
            piece = new_tokens[j : j + count_b]
            raw.append(Op("insert", "".join(piece)))
            words_ins += _words(piece)
        i += count_a
        j += count_b
    return words_ins, words_del


def _merge(ops: Iterable[Op]) -> tuple[Op, ...]:
    """Join neighbouring operations of the same kind; drop empty ones."""
    out: list[Op] = []
    for op in ops:
        if not op.text and not op.old_side:
            continue
        if out and out[-1].kind == op.kind:
            last = out[-1]
            if op.kind == "equal":
                out[-1] = Op("equal", last.text + op.text, last.old_side + op.old_side)
            else:
                out[-1] = Op(op.kind, last.text + op.text)
        else:
            out.append(op)
    return tuple(out)


def apply(old: str, ops: Iterable[Op]) -> str:
    """Apply redline operations to ``old``: keep equal text, drop deletions, keep insertions.

    :param old: the text the operations were computed from.
    :param ops: the operations of ``redline(old, new)``.
    :returns: the new text; for ops from ``redline(old, new)`` this is
        exactly ``nfc(new)``.
    :raises ValueError: when the operations do not spell ``old`` on their
        old side (they were computed from another text).
    """
    out: list[str] = []
    pos = 0
    for op in ops:
        side = op.old_side
        if not old.startswith(side, pos):
            raise ValueError(f"operation {op.kind!r} at offset {pos} does not match the old text")
        pos += len(side)
        out.append(op.new_side)
    if pos != len(old):
        raise ValueError(f"operations cover {pos} of {len(old)} characters of the old text")
    return "".join(out)


# Room for every clause pair of two states of a 2,000-clause instrument: a
# least-recently-used cache smaller than one comparison misses on every pair.
@functools.lru_cache(maxsize=4096)
def cached_redline(old_id: Hashable, new_id: Hashable, old: str, new: str) -> Redline:
    """:func:`redline`, remembered for the 4,096 most recently used pairs.

    Versions are immutable, so the redline between two version ids never
    changes and may be kept as long as memory allows. The texts are part of
    the cache key as well as the ids, so a wrong id can never return the
    redline of other texts; Python caches a string's hash, so the cost of
    a lookup does not grow with the text once the strings exist.

    :param old_id: identity of the old version (e.g. its database id).
    :param new_id: identity of the new version.
    :param old: the old version's text.
    :param new: the new version's text.
    :returns: the same value as ``redline(old, new)`` (shared, immutable).
    """
    return redline(old, new)


# --- rendering ---------------------------------------------------------------

_INS = '<ins class="redline-ins"><span class="visually-hidden">inserted: </span>{}</ins>'
_DEL = '<del class="redline-del"><span class="visually-hidden">deleted: </span>{}</del>'


def render_redline_html(r: Redline) -> str:
    """Render a redline inline, as HTML.

    Insertions are ``<ins class="redline-ins">`` and deletions
    ``<del class="redline-del">`` (HTML's own elements for edits, so they
    read as such without colour and in print; the stylesheet underlines and
    strikes them through). Each starts with a ``<span class="visually-hidden">``
    saying "inserted: " or "deleted: " for screen readers. Equal text shows
    the new side. All text is HTML-escaped; line breaks are kept as ``\\n``,
    so the container should use ``white-space: pre-wrap``.

    :param r: a redline.
    :returns: an HTML fragment.
    """
    out: list[str] = []
    for op in r.ops:
        text = html.escape(op.text)
        if op.kind == "insert":
            out.append(_INS.format(text))
        elif op.kind == "delete":
            out.append(_DEL.format(text))
        else:
            out.append(text)
    return "".join(out)


def render_side_by_side(r: Redline) -> tuple[str, str]:
    """Render a redline as two columns: the old text with its deletions, the new with its insertions.

    Markup as in :func:`render_redline_html`. Equal stretches show each
    side's own text, so a re-wrapped line looks as it was in the old column.

    :param r: a redline.
    :returns: ``(old_html, new_html)``, two HTML fragments.
    """
    old_out: list[str] = []
    new_out: list[str] = []
    for op in r.ops:
        if op.kind == "insert":
            new_out.append(_INS.format(html.escape(op.text)))
        elif op.kind == "delete":
            old_out.append(_DEL.format(html.escape(op.text)))
        else:
            old_out.append(html.escape(op.old_side))
            new_out.append(html.escape(op.text))
    return "".join(old_out), "".join(new_out)


# CriticMarkup (http://criticmarkup.com/spec.php) delimiters. The spec has no
# escape; a backslash before the brace hides a literal delimiter from
# CriticMarkup tools, and CommonMark shows "\{" and "\}" as the bare brace.
_CRITIC_OPEN = re.compile(r"\{(?=\+\+|--|~~|==|>>)")
_CRITIC_CLOSE = re.compile(r"(?<=\+\+|--|~~|==|<<)\}")


def _critic_escape(text: str) -> str:
    return _CRITIC_CLOSE.sub(r"\\}", _CRITIC_OPEN.sub(r"\\{", text))


def redline_markdown(r: Redline) -> str:
    """Write a redline as Markdown with CriticMarkup.

    Insertions are ``{++inserted++}`` and deletions ``{--deleted--}``, the
    addition and deletion marks of the CriticMarkup specification
    (http://criticmarkup.com/spec.php); equal text is the new side's text.
    A deletion followed by an insertion is written as the two marks side
    by side, not as a substitution. Literal delimiters in the text
    (``{++``, ``{--``, ``{~~``, ``{==``, ``{>>`` and ``++}``, ``--}``,
    ``~~}``, ``==}``, ``<<}``) get a backslash before the brace, which
    CriticMarkup tools skip and Markdown renders as the brace alone.

    :param r: a redline.
    :returns: Markdown text.
    """
    out: list[str] = []
    for op in r.ops:
        text = _critic_escape(op.text)
        if op.kind == "insert":
            out.append("{++" + text + "++}")
        elif op.kind == "delete":
            out.append("{--" + text + "--}")
        else:
            out.append(text)
    return "".join(out)
