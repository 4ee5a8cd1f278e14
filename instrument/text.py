"""Text primitives shared by parsing, diffing, merging and anchoring.

Every higher module (:mod:`instrument.diff`, :mod:`instrument.merge`,
:mod:`instrument.anchors`, :mod:`instrument.trace`) works on the tokens made
here, so that "a word" and "a grapheme cluster" mean the same thing
everywhere.

Rules followed:

* Unicode normalisation form C (UAX #15) is applied before any comparison,
  so NFC and NFD spellings of a text are the same text.
* Tokens never split an extended grapheme cluster (UAX #29, ``\\X`` in the
  :mod:`regex` module), so Thai, Lao, Khmer and Burmese marks and emoji
  sequences stay whole.
* Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar,
  Han, Hiragana, Katakana) are tokenised per grapheme cluster; other letters
  and digits are grouped into words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Sequence

import fast_diff_match_patch
import regex

#: Scripts written without spaces between words: one token per cluster.
_NO_SPACE = r"\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Han}\p{Hiragana}\p{Katakana}"

_TOKEN = regex.compile(
    r"(?:(?=\s)\X)+"  # whitespace run (whole clusters)
    rf"|(?:(?=[\p{{L}}\p{{N}}])(?![{_NO_SPACE}])\X)+"  # a word of spaced scripts
    r"|\X",  # anything else: one cluster
    regex.VERSION1,
)

_WS = regex.compile(r"\s+")

# Browsers send CRLF; text pasted from Word or PDFs brings the Unicode separators.
_LINE_BREAKS = regex.compile("\r\n|[\r\u0085\u2028\u2029]")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normalisation form C.

    :param text: any string.
    :returns: the NFC form (UAX #15); every line ending (``\\r\\n``, a lone
        ``\\r``, U+0085 NEL, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH
        SEPARATOR) becomes ``\\n``, so every rule that reads lines sees one form.
    """
    return unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", text))


#: Control characters (Unicode category Cc: C0, DEL, C1) other than TAB and LF. None belongs in a
#: legal text: NUL is refused by PostgreSQL and by XML, and the others (VT, FF, ESC, ...) are
#: invisible, print as nothing or break an export. CR and NEL are line endings, made LF first.
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The line endings that are no control character (CR and NEL are).
_SEPARATORS = regex.compile("[\u2028\u2029]")
# Vertical tab (a word processor's manual line break) and form feed (its page break) end a line,
# as the exporters read them (instrument.export.cleaning); dropped, they would join two words.
_SOFT_BREAKS = regex.compile("[\x0b\x0c]")


def control_characters(text: str) -> list[str]:
    """Return the control characters that :func:`storable` would drop from ``text``.

    The rule: every character of Unicode general category Cc (U+0000 to
    U+001F, U+007F to U+009F) except TAB and LF is refused. CR, U+0085 NEL,
    vertical tab and form feed count here; :func:`storable` turns them into LF
    before dropping the rest.

    :param text: any string.
    :returns: the distinct control characters found, in code point order
        (empty when there are none).
    """
    return sorted(set(_CONTROL.findall(text)))


def storable(text: str) -> str:
    """Return ``text`` as it is stored: line endings made LF, control characters dropped, NFC, ends stripped.

    Line endings are normalised first (see :func:`nfc`; vertical tab and form
    feed become LF too, as in the exports), then every other control
    character but TAB and LF (see :func:`control_characters`) is dropped, then
    the text is put in NFC: dropping a character can bring a combining mark
    next to a letter it composes with, so NFC comes last.

    :param text: any string.
    :returns: the text to store; ``storable(storable(t)) == storable(t)``.
    """
    text = _SOFT_BREAKS.sub("\n", _LINE_BREAKS.sub("\n", text))
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def storage_problems(text: str) -> list[str]:
    """Say why ``text`` is not in the form :func:`storable` gives (surrounding whitespace aside).

    The same rules as :func:`storable`: one line ending (LF), no control
    character but TAB and LF (:func:`control_characters`), NFC (UAX #15).

    :param text: a stored text.
    :returns: readable problems, e.g. ``["control characters U+000B, U+001B", "not in NFC"]``;
        empty when the text is as :func:`storable` would store it.
    """
    problems = []
    controls = control_characters(text)
    if controls:
        problems.append("control characters " + ", ".join(f"U+{ord(c):04X}" for c in controls))
    separators = sorted(set(_SEPARATORS.findall(text)))
    if separators:
        problems.append("line separators " + ", ".join(f"U+{ord(c):04X}" for c in separators))
    if not unicodedata.is_normalized("NFC", text):
        problems.append("not in NFC")
    return problems


def is_storable(text: str) -> bool:
    """Tell whether ``text`` is in the form :func:`storable` gives, apart from surrounding whitespace.

    :param text: a stored text.
    :returns: ``True`` when :func:`storage_problems` finds nothing.
    """
    return not storage_problems(text)


def comparison_form(text: str) -> str:
    """Return the form in which two texts are compared for "same text".

    Whitespace reflow (hard wraps, runs of spaces, blank lines inside a
    block) and Unicode normalisation are not changes: the result is NFC with
    every whitespace run collapsed to one space and the ends stripped.

    :param text: a clause text in Markdown.
    :returns: a string; equal results mean "no change in text".
    """
    return _WS.sub(" ", nfc(text)).strip()


def tokenize(text: str) -> list[str]:
    """Split ``text`` into word, whitespace and cluster tokens.

    ``"".join(tokenize(text)) == text`` always holds. No token starts or
    ends inside an extended grapheme cluster.

    :param text: any string (callers normally pass NFC text).
    :returns: list of non-empty strings.
    """
    return _TOKEN.findall(text)


def is_whitespace_token(token: str) -> bool:
    """Tell whether a token from :func:`tokenize` is a whitespace run."""
    return token[:1].isspace()


# Code points used to encode tokens as characters for diff-match-patch; the
# surrogate block is skipped because it cannot cross into C++ as UTF-8.
def _code_point(index: int) -> str:
    cp = index + 0x100
    if cp >= 0xD800:
        cp += 0x800
    return chr(cp)


def diff_sequences(
    a: Sequence[Hashable], b: Sequence[Hashable], *, semantic_cleanup: bool = True
) -> list[tuple[int, int, int]]:
    """Diff two sequences of hashable items (normally tokens) with diff-match-patch.

    The items are encoded one character each and diffed by the C++
    diff-match-patch (``fast_diff_match_patch``) with no time limit, since
    the library's 1-second default silently degrades long diffs.

    :param a: the old sequence.
    :param b: the new sequence.
    :param semantic_cleanup: apply the library's semantic cleanup (the
        default), which folds short equal stretches between changes into
        the changes so that a redline reads well; ``False`` returns a
        minimal edit script (a longest common subsequence stays equal), so
        no item that could be kept is reported as deleted and re-inserted.
    :returns: list of ``(op, count_a, count_b)`` in order, where ``op`` is
        ``0`` (equal: ``count_a == count_b`` items), ``-1`` (``count_a``
        items of ``a`` deleted, ``count_b == 0``) or ``1`` (``count_b``
        items of ``b`` inserted, ``count_a == 0``). Summing ``count_a`` gives
        ``len(a)`` and summing ``count_b`` gives ``len(b)``.
    """
    codes: dict[Hashable, str] = {}
    enc_a = "".join(codes.setdefault(t, _code_point(len(codes))) for t in a)
    enc_b = "".join(codes.setdefault(t, _code_point(len(codes))) for t in b)
    if enc_a == enc_b:
        return [(0, len(a), len(b))] if a else []
    raw = fast_diff_match_patch.diff(
        enc_a,
        enc_b,
        timelimit=0,
        checklines=False,
        cleanup="Semantic" if semantic_cleanup else "No",
        counts_only=True,
    )
    out: list[tuple[int, int, int]] = []
    for op, n in raw:
        if op == "=":
            out.append((0, n, n))
        elif op == "-":
            out.append((-1, n, 0))
        else:
            out.append((1, 0, n))
    return out
