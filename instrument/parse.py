"""Read a legal text written in Markdown as an ordered list of clauses.

Two dialects are read by the same rules:

* the Pandoc Markdown of the ``bundestag/gesetze`` repository (German
  federal law converted from gesetze-im-internet.de XML): YAML front matter,
  ``# Title (Abbr)``, a Pandoc definition list of metadata
  (``Ausfertigungsdatum`` / ``:   1949-05-23``), divisions and provisions as
  headings of any depth, hard-wrapped text with ``(1)`` paragraphs and
  ``1.``/``a)`` items indented four spaces;
* the project's own convention (see ``drafter/demo/README.md``): front
  matter ``title:``, ``# Title``, ``## Preamble``, ``## Part I — General
  provisions``, ``### Article 1 — Objective``, paragraphs ``1. text`` and
  points ``   (a) text``.

What a heading is follows from its text, never from its depth, because the
same kind of heading sits at different depths (a Civil Code provision is at
depth 4, 5 or 6 depending on how many divisions enclose it):

* a *provision* (:attr:`ClauseKind.ARTICLE`) starts with ``§``, ``§§``,
  ``Art``, ``Art.``, ``Artikel``, ``Article`` or ``Articles`` and a number
  (``§ 2a``, ``Art 74a und 75``, ``§§ 3 bis 6``);
* a *division* (:attr:`ClauseKind.PART`) starts with a division word and a
  number (``Buch 1``, ``Kapitel I``, ``Part II``, ``Anlage IV``), with an
  ordinal and a division word (``1. Abschnitt``), or with a Roman numeral or
  capital letter and a dot (``I.``, ``X a.``, ``A.``); annex words
  (``Anlage``, ``Anhang``, ``Annex``, ``Protocol`` ...) need no number.
  ``Section`` is a division here, as in EU acts, where sections group
  articles;
* anything else is an unnumbered text (:attr:`ClauseKind.PREAMBLE`:
  ``Präambel``, ``Eingangsformel``, ``Schlußformel``), unless deeper
  headings follow inside it, which makes it an unnumbered division.

The clause key is the provision or division number, so it survives a change
of heading (``### Art 49`` becoming ``### Art 49 (weggefallen)``).

This is one module, at about 600 lines, because classifying headings,
making a clause body canonical and reading the source are one set of rules
by which a Markdown text becomes clauses; :mod:`instrument.parse_akn` reuses
the first two, so that both formats give the same keys.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from instrument.errors import ParseError
from instrument.text import nfc
from instrument.types import ClauseKind, ParsedClause, ParsedInstrument

# --- headings ---------------------------------------------------------------

# ATX heading (CommonMark 4.2): up to three spaces, 1-6 "#", space or end.
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")

# A heading wrapped as a whole in emphasis ("**Präambel**").
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)([^*_]+)\1")

_PROVISION_NUM = r"(?:\d+(?:\.\d+)*[a-z]{0,3}|[IVXLCDM]+(?![A-Za-z]))"
_PROVISION = re.compile(
    r"(?P<word>§§|§|Artikel|Articles|Article|Arts\.|Art\.|Art)\s*"
    rf"(?P<num>{_PROVISION_NUM}(?:(?:\s+(?:bis|und|to|and)\s+|\s*[–-]\s*){_PROVISION_NUM})?)"
    r"(?=$|[\s.:,;—–-])(?P<rest>.*)"
)

_DIVISION_WORDS = (
    "Buch|Teil|Unterteil|Abschnitt|Unterabschnitt|Titel|Untertitel|Kapitel|Unterkapitel"
    "|Book|Part|Subpart|Chapter|Subchapter|Title|Subtitle|Section|Subsection|Division|Subdivision"
)
_ANNEX_WORDS = "Anlage|Anhang|Protokoll|Annex|Appendix|Schedule|Protocol"
_DIVISION_NUM = r"(?:\d+[a-z]{0,2}|[IVXLCDM]+[a-z]?|[A-Z]{1,3})"
_DIVISION = re.compile(
    rf"(?P<word>{_DIVISION_WORDS}|{_ANNEX_WORDS})\s+(?P<num>{_DIVISION_NUM})"
    r"(?=$|[\s.:,;—–-])(?P<rest>.*)"
)
_ANNEX = re.compile(rf"(?P<word>{_ANNEX_WORDS})(?=$|[\s.:,;—–-])(?P<rest>.*)")
_ORDINAL_DIVISION = re.compile(
    rf"(?P<num>\d+[a-z]?)\.\s+(?P<word>{_DIVISION_WORDS}|{_ANNEX_WORDS})(?=$|[\s.:,;—–-])(?P<rest>.*)"
)
_ROMAN_DIVISION = re.compile(r"(?P<num>(?:[IVXLCDM]+|[A-Z])(?: ?[a-z])?)\.(?=$|\s)(?P<rest>.*)")

# Separator between a number and its heading: " — ", " – ", " - ", ": ", ". ".
_SEPARATOR = re.compile(r"\s*(?:(?:[—–]|--?)(?=\s|$)|[:.](?=\s|$))?\s*")

_WS_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class HeadingInfo:
    """What a heading's text says about the clause it opens.

    :ivar kind: provision, division or unnumbered text.
    :ivar number: the number label as shown ("Art 21", "Kapitel I", "I."), empty when unnumbered.
    :ivar heading: the text after the number, or the whole label when unnumbered.
    :ivar key: the unqualified clause key.
    :ivar word: the division word, case-folded ("kapitel"), for nesting at equal depth.
    """

    kind: ClauseKind
    number: str
    heading: str
    key: str
    word: str = ""


def _clean_heading(text: str) -> str:
    text = _WS_RUN.sub(" ", nfc(text)).strip()
    # "(XXXX)" is a conversion artefact of bundestag/gesetze for a missing number.
    text = text.removeprefix("(XXXX)").lstrip()
    match = _EMPHASIS.fullmatch(text)
    if match:
        text = match.group(2).strip()
    return text


def _rest(text: str) -> str:
    return _SEPARATOR.sub("", text, count=1).strip()


def classify_heading(text: str) -> HeadingInfo:
    """Tell what kind of clause a heading opens, and its number, heading and key.

    :param text: the heading text without the ``#`` marks.
    :returns: a :class:`HeadingInfo`. Whitespace runs are collapsed, a leading
        ``(XXXX)`` conversion artefact and emphasis around the whole heading
        are dropped. An English "Preamble" gets the key ``"preamble"``; an
        empty label (a heading that was only ``(XXXX)``) also does.
    """
    label = _clean_heading(text)
    match = _PROVISION.match(label)
    if match:
        word = match["word"]
        num = _WS_RUN.sub(" ", match["num"])
        number = f"{word} {num}"
        key = f"{word.rstrip('.')} {num}"
        return HeadingInfo(ClauseKind.ARTICLE, number, _rest(match["rest"]), key)
    match = _ORDINAL_DIVISION.match(label)
    if match:
        number = f"{match['num']}. {match['word']}"
        return HeadingInfo(ClauseKind.PART, number, _rest(match["rest"]), number, match["word"].casefold())
    match = _DIVISION.match(label) or _ANNEX.match(label)
    if match:
        division_num = match.groupdict().get("num")  # _ANNEX has none
        number = f"{match['word']} {division_num}" if division_num else match["word"]
        return HeadingInfo(ClauseKind.PART, number, _rest(match["rest"]), number, match["word"].casefold())
    match = _ROMAN_DIVISION.match(label)
    if match:
        number = match["num"] + "."
        return HeadingInfo(ClauseKind.PART, number, _rest(match["rest"]), number, "")
    key = "preamble" if not label or label.casefold() == "preamble" else label
    return HeadingInfo(ClauseKind.PREAMBLE, "", label, key)


# --- body text ----------------------------------------------------------------

# A line that starts a list item or numbered paragraph: "(1) ", "1. ", "5a. ",
# "a) ", "(a) ", "aa) ", "- ", "* ", "+ " (or the marker alone on the line).
_ITEM = re.compile(r"(?P<marker>\(\d+[a-z]{0,2}\)|\d+[a-z]{0,2}\.|\(?[a-z]{1,4}\)|[-*+])(?: +(?P<rest>.*)|$)")
_SPACES = re.compile(r"  +")

#: Indentation of one nesting level in canonical text.
INDENT = "    "


def canonical_markdown(text: str | Iterable[str]) -> str:
    """Bring a clause body into the canonical Markdown form stored for every version.

    Rules:

    * NFC, ``\\r\\n`` and ``\\r`` to ``\\n``, tabs expanded to 4 columns,
      trailing spaces dropped, runs of spaces inside a line collapsed;
    * a block starts after a blank line or at a line that starts an item
      (``(1) ``, ``1. ``, ``5a. ``, ``a) ``, ``(a) ``, ``aa) ``, ``- ``,
      ``* ``); any other line continues the block above and is joined to it
      with one space (hard wraps reflowed, indented continuation lines
      included);
    * the spaces after an item marker become one (``1.  text`` -> ``1. text``);
    * indentation is kept as nesting: each deeper indentation opens one
      level, each level is four spaces (``INDENT``), so the three-space
      points of the project convention and the four-space items of the
      ``bundestag/gesetze`` conversion come out the same;
    * blocks are separated by exactly one blank line, with no blank line at
      either end.

    The function is idempotent: applying it to its result changes nothing.

    :param text: the body as one string or as an iterable of lines.
    :returns: the canonical text (possibly empty).
    """
    lines = nfc(text).split("\n") if isinstance(text, str) else [nfc(line) for line in text]
    blocks: list[tuple[int, list[str]]] = []  # (indent, lines joined into the block)
    blank = True
    for raw in lines:
        line = raw.expandtabs(4).rstrip()
        if not line:
            blank = True
            continue
        stripped = line.lstrip(" ")
        match = _ITEM.match(stripped)
        if match:
            rest = match["rest"]
            content = f"{match['marker']} {rest}" if rest else match["marker"]
        else:
            content = stripped
        content = _SPACES.sub(" ", content)
        if blank or match or not blocks:
            blocks.append((len(line) - len(stripped), [content]))
        else:
            blocks[-1][1].append(content)
        blank = False
    out: list[str] = []
    stack = [0]
    for indent, parts in blocks:
        while len(stack) > 1 and stack[-1] > indent:
            stack.pop()
        if indent > stack[-1]:
            stack.append(indent)
        out.append(INDENT * (len(stack) - 1) + " ".join(parts))
    return "\n\n".join(out)


# --- the whole document --------------------------------------------------------


# Every line ending a text may bring (see :func:`instrument.text.nfc`).
_LINE_BREAK = re.compile("\r\n|[\n\r\u0085\u2028\u2029]")


def decode_source(data: bytes, source_name: str | None = None) -> str:
    """Decode the bytes of an uploaded or read file as UTF-8 text.

    :param data: the raw file content.
    :param source_name: file name for error messages.
    :returns: the text, without a leading byte order mark.
    :raises ParseError: if ``data`` is not valid UTF-8; the message names the
        line (1-based, counting every kind of line ending as one) holding the
        first invalid byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line = len(_LINE_BREAK.findall(before)) + 1
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            problem = "the file is UTF-16 text"
        else:
            problem = f"the file is not UTF-8 text (invalid byte 0x{data[exc.start]:02x})"
        raise ParseError(f"{problem}; save it as UTF-8 and try again", line=line, source=source_name) from None
    return text.removeprefix("\ufeff")


def source_text(raw: bytes | str, source_name: str | None = None) -> tuple[str, list[str]]:
    """Bring the text of a file being imported into the one form every rule reads.

    This is the edge through which file text enters (``drafter import``, the
    demo loader; any later way in for whole texts belongs here too): done
    once, before any check. Form text has its own edge with the same rules
    (``drafter.forms.Form``). Steps, in order:

    * bytes are decoded as UTF-8 (:func:`decode_source`) and a leading byte
      order mark is dropped;
    * every line ending (``\\r\\n``, a lone ``\\r``, U+0085 NEL, U+2028
      LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR) becomes ``\\n``;
    * NUL (U+0000), which is no character of any text, is dropped, with one
      warning per line that held it;
    * the text is put in Unicode normalisation form C (UAX #15).

    :param raw: the file's bytes, or text already decoded.
    :param source_name: file name, used in errors and warnings.
    :returns: ``(text, warnings)``; each warning names the file and the
        1-based line ("draft.md, line 4: a NUL character was dropped").
    :raises ParseError: for bytes that are not UTF-8 (see :func:`decode_source`).
    """
    text = decode_source(raw, source_name) if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    text = nfc(text)
    warnings: list[str] = []
    if "\x00" in text:
        where = f"{source_name}, " if source_name else ""
        for number, line in enumerate(text.split("\n"), start=1):
            count = line.count("\x00")
            if count:
                what = "a NUL character was dropped" if count == 1 else f"{count} NUL characters were dropped"
                warnings.append(f"{where}line {number}: {what}")
        # Again after the drop: a NUL between a letter and its accent kept them from composing.
        text = nfc(text.replace("\x00", ""))
    return text, warnings


@dataclass
class _Section:
    """A heading and the body lines under it, while the document is read."""

    info: HeadingInfo
    md_depth: int
    line: int
    body: list[str] = field(default_factory=list)
    parent: _Section | None = None
    key: str = ""
    kind: ClauseKind = ClauseKind.PREAMBLE
    has_children: bool = False


def _meta_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "\n".join(_meta_value(v) for v in value)
    return nfc(str(value)).strip()


def _front_matter(lines: list[str], source: str | None) -> tuple[dict[str, str], int]:
    """Read YAML front matter; return (fields, index of the first line after it)."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise ParseError("the front matter that starts with '---' is never closed", line=1, source=source)
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or exc
        raise ParseError(f"the front matter is not valid YAML: {problem}", line=line, source=source) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError("the front matter must be a list of 'name: value' fields", line=2, source=source)
    return {nfc(str(k)).strip(): _meta_value(v) for k, v in data.items()}, end + 1


# Pandoc definition list: a term line, then ":   value" (continuation lines indented).
_DEFINITION = re.compile(r" {0,3}: {1,3}(?P<value>.*)$")
_FIELD_LINE = re.compile(r"(?P<name>[^\s:#][^:]{0,60}?):\s+(?P<value>\S.*)$")


def _add_meta(meta: dict[str, str], name: str, value: str) -> None:
    name = _WS_RUN.sub(" ", nfc(name)).strip()
    value = _WS_RUN.sub(" ", nfc(value)).strip()
    meta[name] = f"{meta[name]}\n{value}" if meta.get(name) else value


def _metadata_block(lines: list[str], start: int, meta: dict[str, str]) -> int:
    """Read the definition-list metadata block that follows the title.

    Returns the index of the first line after it. "Name: value" lines are
    fields only inside a block opened by a definition, so a preamble that
    starts "Note: ..." stays text.
    """
    i, n, seen = start, len(lines), False
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if "#" in line[:4] and _ATX.match(line):
            break
        definition = _DEFINITION.match(lines[i + 1]) if i + 1 < n and lines[i + 1].strip() else None
        if definition and not line.startswith(" "):
            name, value, j = line, definition["value"], i + 2
            while j < n and lines[j].startswith(" ") and lines[j].strip():
                value += " " + lines[j].strip()
                j += 1
            _add_meta(meta, name, value)
            seen, i = True, j
            continue
        field_match = _FIELD_LINE.match(line) if seen else None
        if field_match:
            _add_meta(meta, field_match["name"], field_match["value"])
            i += 1
            continue
        break
    return i if seen else start


def _is_sub_division(outer: str, inner: str) -> bool:
    """ "Unterkapitel" inside "Kapitel", "Subpart" inside "Part" at the same heading depth."""
    return bool(outer) and inner in (f"unter{outer}", f"sub{outer}", f"sub-{outer}")


def parse_markdown(source: str | bytes, *, source_name: str | None = None) -> ParsedInstrument:
    """Parse a legal text in Markdown into a title, metadata and an ordered list of clauses.

    See the module docstring for what counts as a provision, a division and
    an unnumbered text. Structure and keys:

    * front matter fields and the definition-list block after the title go
      to ``metadata`` (the title fields ``title``/``Title`` excepted; a name
      that repeats keeps all its values, one per line);
    * the title is the front matter ``title`` (or ``Title``), else the first
      level-1 heading, else ``""``;
    * text between the title (and its metadata) and the first heading is an
      unnumbered clause with the key ``"preamble"`` (``"opening"`` if a
      heading already has that key);
    * a clause's parent is the nearest enclosing division by heading depth;
      a provision at the same depth as the division before it belongs to it
      (the Civil Code puts both at depth 6), and so does an ``Unterkapitel``
      after a ``Kapitel`` or a ``Subpart`` after a ``Part`` at equal depth;
    * the key is the number; a key that recurs under another division is
      qualified with that division's key (``"Anlage I/Art 1"``);
    * a heading that merely repeats the unnumbered heading right before it,
      whose section is empty (``## Präambel`` then ``## **Präambel**``), is
      one clause.

    Body text is made canonical by :func:`canonical_markdown`.

    :param source: the text, or its bytes; either passes through
        :func:`source_text` first (UTF-8, line endings, NUL, NFC).
    :param source_name: file name used in error messages and warnings.
    :returns: a :class:`ParsedInstrument` whose clause keys are unique, with
        the warnings of :func:`source_text`.
    :raises ParseError: with line and source for bytes that are not UTF-8,
        empty input, invalid front matter, a text with no heading below the
        title, or a key that occurs twice in the same division.
    """
    text, warnings = source_text(source, source_name)
    if not text.strip():
        raise ParseError("the text is empty", line=1, source=source_name)
    lines = text.split("\n")
    meta, start = _front_matter(lines, source_name)
    title = meta.pop("title", "") or meta.pop("Title", "")
    meta.pop("Title", None)

    sections: list[_Section] = []
    intro = _Section(HeadingInfo(ClauseKind.PREAMBLE, "", "", "preamble"), 0, 0)  # the text before any heading
    current = intro
    h1_line = 0
    i = start
    n = len(lines)
    while i < n:
        line = lines[i]
        match = _ATX.match(line) if "#" in line[:4] else None
        if match is None:
            if current is intro and not intro.line and line.strip():
                intro.line = i + 1
            current.body.append(line)
            i += 1
            continue
        depth = len(match.group(1))
        heading_text = match.group(2) or ""
        if depth == 1 and not h1_line and not sections:
            h1_line = i + 1
            if not title:
                title = _WS_RUN.sub(" ", heading_text).strip()
            if not "".join(intro.body).strip():
                intro.body.clear()
                intro.line = 0
                i = _metadata_block(lines, i + 1, meta)
            else:
                i += 1
            continue
        current = _Section(classify_heading(heading_text), depth, i + 1)
        sections.append(current)
        i += 1

    if not sections:
        raise ParseError(
            "no headings found below the title: mark each article, division or preamble with '## ' or '### '",
            line=h1_line or start + 1,
            source=source_name,
        )

    sections = _merge_repeated(sections)
    _build_tree(sections)
    clauses = _assign_keys(sections, source_name)
    used = {c.key for c in clauses}
    body = canonical_markdown(intro.body)
    if body:
        key = "preamble" if "preamble" not in used else "opening"
        clauses.insert(0, ParsedClause(key, ClauseKind.PREAMBLE, "", "", body, None, 0, intro.line))
    return ParsedInstrument(title=nfc(title).strip(), metadata=meta, clauses=tuple(clauses), warnings=tuple(warnings))


def _merge_repeated(sections: list[_Section]) -> list[_Section]:
    out: list[_Section] = []
    for sec in sections:
        prev = out[-1] if out else None
        if (
            prev is not None
            and sec.info.kind is ClauseKind.PREAMBLE
            and prev.info == sec.info
            and prev.md_depth == sec.md_depth
            and not "".join(prev.body).strip()
        ):
            prev.body = sec.body
            continue
        out.append(sec)
    return out


def _build_tree(sections: list[_Section]) -> None:
    """Set each section's parent from heading depths (see :func:`parse_markdown`)."""
    stack: list[_Section] = []
    for sec in sections:
        info = sec.info
        d = sec.md_depth
        if info.kind is ClauseKind.PART:
            while stack and (
                stack[-1].md_depth > d
                or (
                    stack[-1].md_depth == d
                    and not (
                        stack[-1].info.kind is ClauseKind.PART and _is_sub_division(stack[-1].info.word, info.word)
                    )
                )
            ):
                stack.pop()
        elif info.kind is ClauseKind.ARTICLE:
            # A provision also belongs to a division at its own depth, but not to an unnumbered text.
            while stack and (
                stack[-1].md_depth > d or (stack[-1].md_depth == d and stack[-1].info.kind is not ClauseKind.PART)
            ):
                stack.pop()
        else:
            while stack and stack[-1].md_depth >= d:
                stack.pop()
        sec.parent = stack[-1] if stack else None
        if sec.parent is not None:
            sec.parent.has_children = True
        stack.append(sec)


def _assign_keys(sections: list[_Section], source: str | None) -> list[ParsedClause]:
    """Give every section its kind and unique key, and make the clauses (see :func:`parse_markdown`)."""
    first: dict[str, _Section] = {}
    used: set[str] = set()
    clauses: list[ParsedClause] = []
    for sec in sections:
        info = sec.info
        # An unnumbered heading with headings inside it is a division.
        sec.kind = ClauseKind.PART if info.kind is ClauseKind.PREAMBLE and sec.has_children else info.kind
        sec.key = _unique_key(sec, first.setdefault(info.key, sec), used, source)
        used.add(sec.key)
        clauses.append(_clause(sec))
    return clauses


def _unique_key(sec: _Section, earlier: _Section, used: set[str], source: str | None) -> str:
    base = sec.info.key
    if earlier is sec and base not in used:
        return base
    parent = sec.parent
    if earlier.parent is parent:
        if sec.info.kind is ClauseKind.ARTICLE and sec.info.heading != earlier.info.heading:
            # Consolidated texts print a provision twice, as in force and as it will read
            # after a pending amendment, under one number and with another heading.
            n = 2
            while f"{base} [{n}]" in used:
                n += 1
            return f"{base} [{n}]"
        raise ParseError(
            f"'{base}' occurs twice in the same division (first on line {earlier.line}); "
            "give one of them another number",
            line=sec.line,
            source=source,
        )
    if parent is None:
        raise ParseError(
            f"'{base}' occurs again outside any division (first on line {earlier.line}); "
            "put it under a division heading or renumber it",
            line=sec.line,
            source=source,
        )
    key = f"{parent.key}/{base}"
    if key in used:
        raise ParseError(
            f"'{base}' occurs twice in the division '{parent.key}'; give one of them another number",
            line=sec.line,
            source=source,
        )
    return key


def _clause(sec: _Section) -> ParsedClause:
    depth = 0
    p = sec.parent
    while p is not None:
        depth += 1
        p = p.parent
    return ParsedClause(
        key=sec.key,
        kind=sec.kind,
        number=sec.info.number,
        heading=sec.info.heading,
        text=canonical_markdown(sec.body),
        parent_key=sec.parent.key if sec.parent is not None else None,
        depth=depth,
        line=sec.line,
    )


__all__ = [
    "INDENT",
    "HeadingInfo",
    "canonical_markdown",
    "classify_heading",
    "decode_source",
    "parse_markdown",
    "source_text",
]
