"""Numbered paragraphs and points inside an article's text.

An article's text (canonical Markdown, see
:func:`instrument.parse.canonical_markdown`) is a sequence of blocks. A
block that starts with a label is a numbered unit: ``(1)``/``1.`` for
paragraphs, ``(a)``/``a)``/``aa)``/``(i)`` for points, a bullet for an
unnumbered item. The level of a unit follows the order in which label styles
first appear in the article, the way legal drafting nests them (German
federal law: Absatz ``(1)``, Nummer ``1.``, Buchstabe ``a)``,
Doppelbuchstabe ``aa)``; the project convention: paragraph ``1.``, point
``(a)``, sub-point ``(i)``): the first style is level 1, a style not seen
before opens the next level, a style seen before closes the levels below it.

References are written in the style of EU and ASEAN texts, each label in
parentheses after the article number: ``Article 5(2)(a)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Same markers as instrument.parse._ITEM, with the parts named.
_LABEL = re.compile(
    r"(?P<label>\((?P<pn>\d+[a-z]{0,2})\)|(?P<dn>\d+[a-z]{0,2})\.|\((?P<pa>[a-z]{1,4})\)|(?P<ra>[a-z]{1,4})\)"
    r"|(?P<bullet>[-*+]))(?: +|$)"
)
_ROMAN = re.compile(r"[ivxlcdm]+")
_LETTER_STYLES = frozenset({"(a)", "a)", "(a)a", "a)a"})


@dataclass(frozen=True)
class Unit:
    """One block of an article's text.

    :ivar label: the label as written, without the dot of ``1.``: ``"1"``,
        ``"(1)"``, ``"(a)"``, ``"a)"``, ``"aa)"``, or ``""`` for a block
        without a number (an introductory sentence, a bullet item).
    :ivar level: 1 for the outermost numbered style, 2 for the next ...;
        0 for an unnumbered block before or outside any numbered unit.
    :ivar text: the block's text after its label (continuation lines included).
    :ivar start: offset of ``text`` in the article text.
    :ivar end: offset just after ``text``: ``article[start:end] == text``.
    """

    label: str
    level: int
    text: str
    start: int
    end: int


def _follows(letters: str, before: str) -> bool:
    """True if ``letters`` is the letter label after ``before`` ("i" after "h", "ii" after "hh")."""
    return (
        len(letters) == len(before)
        and len(set(letters)) == 1
        and len(set(before)) == 1
        and ord(letters[0]) == ord(before[0]) + 1
    )


def _style(match: re.Match[str], open_letters: dict[str, str]) -> str:
    """Name of a label's numbering style.

    A Roman numeral ("(i)", "iv)") is told from a letter by the letter
    before it: "(i)" right after "(h)" in an open list of letters is a letter.
    """
    if match["pn"]:
        return "(1)"
    if match["dn"]:
        return "1."
    if match["bullet"]:
        return "-"
    letters = match["pa"] or match["ra"]
    kind = "(a)" if match["pa"] else "a)"
    alpha = kind + "a" if len(letters) > 1 else kind  # "aa)" is a style of its own
    if _ROMAN.fullmatch(letters) and not _follows(letters, open_letters.get(alpha, "")):
        return "(i)" if match["pa"] else "i)"
    return alpha


def split_units(text: str) -> list[Unit]:
    """Split an article's text into its numbered paragraphs, points and other blocks.

    A block starts after a blank line or at a line that begins with a label;
    other lines continue the block above. An unnumbered block indented
    deeper than a numbered unit belongs to it and gets its level (a closing
    sentence of a point list); an unnumbered block that is not indented
    under any numbered unit has level 0.

    :param text: the article text, normally canonical Markdown.
    :returns: the units in text order; empty for an empty text.
    """
    units: list[Unit] = []
    styles: list[str] = []  # open numbering styles, outermost first
    indents: list[int] = []  # indentation of the latest unit of each open style
    letters: dict[str, str] = {}  # open letter style -> its latest letters
    blank = True
    pos = 0
    current: list[Any] | None = None  # [label, level, start, end] of the block being read
    for body in text.split("\n"):
        line_start, pos = pos, pos + len(body) + 1
        stripped = body.lstrip(" ")
        if not stripped.strip():
            blank = True
            continue
        indent = len(body) - len(stripped)
        match = _LABEL.match(stripped)
        content_end = line_start + len(body.rstrip())
        if current is not None and not blank and not match:
            current[3] = content_end
            continue
        blank = False
        if current is not None:
            units.append(_make(text, current))
        if match:
            style = _style(match, letters)
            if style in styles:
                del styles[styles.index(style) + 1 :]
                del indents[len(styles) :]
                indents[-1] = indent
            else:
                styles.append(style)
                indents.append(indent)
            for closed in [k for k in letters if k not in styles]:
                del letters[closed]
            if style in _LETTER_STYLES:
                letters[style] = match["pa"] or match["ra"]
            label = "" if match["bullet"] else (match["dn"] or match["label"])
            current = [label, len(styles), line_start + indent + match.end(), content_end]
        else:
            level = 0
            for depth in range(len(indents), 0, -1):
                if indents[depth - 1] < indent:
                    level = depth
                    break
            current = ["", level, line_start + indent, content_end]
    if current is not None:
        units.append(_make(text, current))
    return units


def _make(text: str, current: list[Any]) -> Unit:
    label, level, start, end = current
    end = max(start, end)
    return Unit(label, level, text[start:end], start, end)


def unit_path(units: Sequence[Unit], index: int) -> list[Unit]:
    """The unit at ``index`` and the numbered units that enclose it, outermost first.

    :param units: the result of :func:`split_units`.
    :param index: position of a unit in ``units``.
    :returns: e.g. ``[paragraph (2), point (a)]`` for point (a) of paragraph (2).
    :raises IndexError: if ``index`` is out of range.
    """
    target = units[index]
    path = [target]
    need = target.level - 1 if target.label else target.level
    for unit in reversed(units[:index]):
        if need < 1:
            break
        if unit.label and unit.level <= need:
            path.insert(0, unit)
            need = unit.level - 1
    return path


def label_core(label: str) -> str:
    """A label without its punctuation: ``"(2)"``, ``"2"``, ``"a)"`` -> ``"2"``, ``"2"``, ``"a"``."""
    return label.strip("().")


def reference(number: str, path: Sequence[Unit | str]) -> str:
    """Cite a paragraph or point: ``reference("Article 5", [par, point])`` -> ``"Article 5(2)(a)"``.

    :param number: the article's number label ("Article 5", "Art 21").
    :param path: units from :func:`unit_path`, or labels, outermost first;
        unnumbered ones are skipped.
    :returns: the number followed by each label in parentheses.
    """
    parts = [number]
    for item in path:
        core = label_core(item.label if isinstance(item, Unit) else item)
        if core:
            parts.append(f"({core})")
    return "".join(parts)


def find_unit(units: Sequence[Unit], labels: Sequence[str]) -> Unit | None:
    """Find the unit a reference points to, such as ``["2", "a"]`` for "(2)(a)".

    The first label is looked for among the outermost numbered units
    (level 1), each further one among the units directly inside the one
    found before. Labels are compared without punctuation, so ``"(2)"``,
    ``"2."`` and ``"2"`` all find paragraph 2 whether it is written ``(2)``
    or ``2.``.

    :param units: the result of :func:`split_units`.
    :param labels: one label per level, outermost first.
    :returns: the unit, or ``None`` if the text has no such paragraph or point.
    """
    wanted = [label_core(label) for label in labels]
    matched = 0  # levels 1..matched are the wanted units found so far
    for unit in units:
        if not unit.label or not wanted:
            continue
        # A unit at level L closes every unit at level L or deeper.
        matched = min(matched, unit.level - 1)
        if unit.level == matched + 1 and label_core(unit.label) == wanted[matched]:
            matched += 1
            if matched == len(wanted):
                return unit
    return None
