"""Akoma Ntoso 3.0: read a document as an instrument of clauses.

:func:`parse_akn` reads any Akoma Ntoso document by *local*
element names, ignoring namespaces, so that national profiles such as
LegalDocML.de (namespace ``http://Inhaltsdaten.LegalDocML.de/1.8.2/``) are
read too. Clause kinds, numbers, headings and keys follow the Markdown
parser's rules (:func:`instrument.parse.classify_heading` on ``num`` and
``heading``), so the same text gives the same keys in either format;
nested ``paragraph``/``point``/``item`` elements become numbered blocks,
each level indented four spaces, and bodies are made canonical with
:func:`instrument.parse.canonical_markdown`. Footnotes (``authorialNote``)
are left out. Text nodes are brought to one form before anything reads
them (line endings to LF, NFC; see :func:`_normalise_text`). The parser
refuses DTDs, entities and network access.

The identifiers the file gave each clause and numbered unit are kept (see
:func:`parse_akn`), under the unit paths of
:func:`instrument.akoma_ntoso.unit_path`, so that
:func:`instrument.export.akn.to_akn` writes them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from lxml import etree

from instrument.akoma_ntoso import ID_ATTRIBUTES, local_name, unit_path
from instrument.errors import ParseError
from instrument.parse import canonical_markdown, classify_heading
from instrument.text import nfc
from instrument.types import ClauseKind, ElementIds, ParsedClause, ParsedInstrument

# Elements that hold clauses (inside a division) and those that are article text.
_CLAUSE_ELEMENTS = frozenset(
    {"article", "rule", "hcontainer", "book", "tome", "part", "subpart", "title", "subtitle", "chapter",
     "subchapter", "section", "subsection", "division", "subdivision", "level", "clause", "crossHeading"}
)  # fmt: skip
_ARTICLE_ELEMENTS = frozenset({"article", "rule"})
_DIVISION_NAMES = _CLAUSE_ELEMENTS - _ARTICLE_ELEMENTS - {"hcontainer", "crossHeading"}
_UNIT_ELEMENTS = frozenset(
    {"paragraph", "subparagraph", "point", "indent", "alinea", "item", "subsection", "clause",
     "subclause", "level", "sublist", "transitional", "proviso", "hcontainer"}
)  # fmt: skip
# Elements whose children are blocks of text (walked through on import).
_BLOCK_CONTAINERS = frozenset(
    {"content", "intro", "wrapUp", "blockContainer", "blockList", "list", "ul", "ol", "formula", "recitals",
     "recital", "citations", "citation", "container", "longTitle", "tblock", "foreign"}
)  # fmt: skip
_LINE_END = frozenset({"eol", "br", "eop"})
_WS_WITH_NEWLINE = re.compile(r"[ \t]*[\r\n][\s]*")

_Element: TypeAlias = etree._Element


def _sourceline(el: _Element) -> int | None:
    """The line of ``el`` in the parsed source, ``None`` for an element made in memory."""
    line: int | None = el.sourceline  # type: ignore[assignment]  # lxml-stubs leave it untyped (`...`)
    return line


def _first(el: _Element, name: str) -> _Element | None:
    for child in el:
        if local_name(child) == name:
            return child
    return None


def _collapse(text: str) -> str:
    # Indentation of the XML source is not text; a run of spaces within a line is.
    return _WS_WITH_NEWLINE.sub(" ", text)


def inline_text(el: _Element) -> str:
    """The text of an element with inline markup: line-end elements as ``"\\n"``, footnotes left out.

    :param el: an lxml element (``p``, ``heading``, ``num`` ...).
    :returns: the text; whitespace that holds a line break in the source is
        one space, and each line is stripped.
    """
    parts: list[str] = []

    def walk(node: _Element) -> None:
        if node.text:
            parts.append(_collapse(node.text))
        for child in node:
            name = local_name(child)
            if name in _LINE_END:
                parts.append("\n")
            elif name and name not in ("authorialNote", "noteRef"):
                walk(child)
            if child.tail:
                parts.append(_collapse(child.tail))

    walk(el)
    return "\n".join(line.strip() for line in "".join(parts).split("\n")).strip()


def _has_inline_text(el: _Element) -> bool:
    """Whether ``el`` holds text directly (mixed content) rather than only block children."""
    if el.text and el.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in el)


def _is_clause(el: _Element) -> bool:
    """Whether an element inside a division is a clause of its own rather than the division's text."""
    name = local_name(el)
    if name in _ARTICLE_ELEMENTS or name in _DIVISION_NAMES - {"subsection", "clause", "level"}:
        return True
    if name in ("hcontainer", "subsection", "clause", "level"):
        return (
            _first(el, "num") is not None or _first(el, "heading") is not None or any(_is_clause(child) for child in el)
        )
    return False


def _never(child: _Element) -> bool:
    return False


def _collect(el: _Element, own: Callable[[str], object], unit: Callable[[_Element], object], *,
             skip: Callable[[_Element], bool] = _never, headings: bool = True) -> None:  # fmt: skip
    """Walk the text of ``el``: ``own(text)`` for each block of text, ``unit(child)`` for each nested unit.

    Containers (``content``, ``intro``, ``blockList`` ...) are walked
    through; ``p``, ``listIntroduction`` and other elements with inline
    content are one block each; a table row is one block, cells joined by
    ``" | "``. ``num``, footnotes and metadata are skipped, and so are the
    children for which ``skip`` is true; ``heading`` elements too unless
    ``headings``.
    """
    for child in el:
        name = local_name(child)
        if not name or name in ("num", "authorialNote", "noteRef", "meta") or name in _LINE_END or skip(child):
            continue
        if name in ("heading", "subheading"):
            if headings:
                own(inline_text(child))
        elif name in _UNIT_ELEMENTS or name in ("item", "li"):
            unit(child)
        elif name == "table":
            for row in child.iter():
                if local_name(row) == "tr":
                    own(" | ".join(inline_text(c) for c in row if local_name(c) in ("td", "th")))
        elif name in _BLOCK_CONTAINERS and not _has_inline_text(child):
            _collect(child, own, unit)
        else:
            own(inline_text(child))


def _own_ids(el: _Element) -> ElementIds:
    return {name: value for name in ID_ATTRIBUTES if (value := el.get(name))}


def _element_ids(el: _Element) -> ElementIds:
    """The identifiers of ``el``, of its ``num``, ``heading`` and ``content``, and of that content's only ``p``.

    An element whose text is one ``p`` without ``content`` around it (an ``item``) has that ``p`` kept
    as the ``p`` of its content, which is how the export writes it.
    """
    ids = _own_ids(el)
    for part in ("num", "heading", "content"):
        child = _first(el, part)
        if child is None:
            continue
        part_ids = _own_ids(child)
        blocks = [c for c in child if local_name(c)]
        if part == "content" and len(blocks) == 1 and local_name(blocks[0]) == "p" and _own_ids(blocks[0]):
            part_ids["p"] = _own_ids(blocks[0])
        if part_ids:
            ids[part] = part_ids
    rest = [c for c in el if local_name(c) and local_name(c) not in ("num", "heading")]
    if "content" not in ids and len(rest) == 1 and local_name(rest[0]) == "p" and _own_ids(rest[0]):
        ids["content"] = {"p": _own_ids(rest[0])}  # an item's text as a bare p: written as content/p
    return ids


@dataclass
class _Units:
    """Identifiers of the numbered units of one clause, by :func:`unit_path`."""

    ids: dict[str, ElementIds] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)


def _unit_blocks(el: _Element, indent: int, out: list[tuple[int, str]], units: _Units | None = None,
                 path: str = "") -> None:  # fmt: skip
    """Blocks of a numbered unit: the label before its first block, the rest indented one level under it."""
    num = _first(el, "num")
    label = " ".join(inline_text(num).split()) if num is not None else ""
    if units is not None:
        ids = _element_ids(el)
        if label:
            path = unit_path(path, label, units.seen)
            if ids:
                units.ids[path] = ids
        elif not path:
            # An unnumbered paragraph (the only one of an article, say): "#1", "#2" ... in order.
            units.seen[""] = units.seen.get("", 0) + 1
            if ids:
                units.ids[f"#{units.seen['']}"] = ids
    first = [True]

    def own(text: str) -> None:
        if not text:
            return
        if first[0]:
            out.append((indent, f"{label} {text}" if label else text))
            first[0] = False
        else:
            out.append((indent + 1 if label else indent, text))

    def unit(child: _Element) -> None:
        if first[0] and label:
            out.append((indent, label))
            first[0] = False
        _unit_blocks(child, indent + 1, out, units, path)

    _collect(el, own, unit)
    if first[0] and label:
        out.append((indent, label))


def _markdown(blocks: Iterable[tuple[int, str]]) -> str:
    return canonical_markdown("\n\n".join("    " * indent + text for indent, text in blocks if text))


def _clause_text(el: _Element, *, division: bool, units: _Units | None = None) -> str:
    """The Markdown text of a clause element: all but its num, heading and (in a division) child clauses."""
    out: list[tuple[int, str]] = []
    _collect(
        el,
        lambda text: out.append((0, text)) if text else None,
        lambda child: _unit_blocks(child, 0, out, units),
        skip=_is_clause if division else _never,
        headings=False,
    )
    return _markdown(out)


@dataclass
class _Reader:
    """Collects clauses in document order and keeps their keys unique."""

    clauses: list[ParsedClause] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    element_ids: dict[str, ElementIds] = field(default_factory=dict)

    def keep_ids(self, key: str, el: _Element, units: _Units) -> None:
        """Remember the identifiers the file gave clause ``key`` (see :func:`parse_akn`)."""
        ids = _element_ids(el)
        if units.ids:
            ids["units"] = dict(units.ids)
        if ids:
            self.element_ids[key] = ids

    def add(self, kind: ClauseKind, number: str, heading: str, base: str, text: str, parent: str | None,
            depth: int, line: int) -> str:  # fmt: skip
        # As the Markdown parser does: a key that recurs is qualified by its division.
        key = base
        if key in self.used and parent is not None:
            key = f"{parent}/{base}"
        n = 2
        while key in self.used:
            key, n = f"{base} [{n}]", n + 1
        self.used.add(key)
        self.clauses.append(ParsedClause(key, kind, number, heading, text, parent, depth, line))
        return key

    def unnumbered(self, el: _Element, default: str) -> None:
        """A preamble or conclusions item (``container``, ``formula``, ``p`` ...): one unnumbered clause."""
        heading_el = _first(el, "heading")
        label = (
            (inline_text(heading_el) if heading_el is not None else "")
            or el.get("title", "")
            or el.get("refersTo", "").lstrip("#").replace("-", " ").strip().capitalize()
        )
        label = " ".join(label.split())
        out: list[tuple[int, str]] = []
        units = _Units()

        def own(text: str) -> None:
            if text:
                out.append((0, text))

        if local_name(el) == "p" or _has_inline_text(el):
            own(inline_text(el))
        else:
            _collect(el, own, lambda child: _unit_blocks(child, 0, out, units), headings=False)
        if label:
            info = classify_heading(label)
            number, heading, base = info.number, info.heading, info.key
        else:
            number, heading = "", ""
            base = default if default not in self.used else "opening"
        key = self.add(ClauseKind.PREAMBLE, number, heading, base, _markdown(out), None, 0, _sourceline(el) or 0)
        self.keep_ids(key, el, units)

    def clause(self, el: _Element, parent: str | None, depth: int) -> None:
        """A division, article or unnumbered text of the body, and the clauses inside it."""
        name = local_name(el)
        num_el, heading_el = _first(el, "num"), _first(el, "heading")
        num = " ".join(inline_text(num_el).split()) if num_el is not None else ""
        head = " ".join(inline_text(heading_el).split()) if heading_el is not None else ""
        label = f"{num} {head}".strip()
        info = classify_heading(label) if label else None
        children: list[_Element] = [] if name in _ARTICLE_ELEMENTS else [c for c in el if _is_clause(c)]
        if name in _ARTICLE_ELEMENTS:
            kind = ClauseKind.ARTICLE
        elif info is not None and info.kind is not ClauseKind.PREAMBLE:
            kind = info.kind  # as the Markdown parser reads the same heading
        elif children or (name in _DIVISION_NAMES and num):
            kind = ClauseKind.PART
        else:
            kind = ClauseKind.PREAMBLE
        if info is not None and info.kind is kind:
            number, heading, base = info.number, info.heading, info.key
        else:
            number, heading = num, head
            base = num or head or el.get("eId", "") or name
        units = _Units()
        text = _clause_text(el, division=kind is not ClauseKind.ARTICLE, units=units)
        key = self.add(kind, number, heading, base, text, parent, depth, _sourceline(el) or 0)
        self.keep_ids(key, el, units)
        for child in children:
            self.clause(child, key, depth + 1)


def _identification(doc: _Element) -> tuple[dict[str, str], str]:
    """Metadata fields and the Work's FRBRname from ``meta/identification``."""
    meta: dict[str, str] = {}
    name = ""
    ident = next((e for e in doc.iter() if local_name(e) == "identification"), None)
    if ident is None:
        return meta, name
    work, expression = _first(ident, "FRBRWork"), _first(ident, "FRBRExpression")
    for part, field_name in ((work, "work"), (expression, "expression")):
        this = _first(part, "FRBRthis") if part is not None else None
        if this is not None and (value := this.get("value")):
            meta[field_name] = value
    work_name = _first(work, "FRBRname") if work is not None else None
    if work_name is not None:
        name = work_name.get("value", "")
    if expression is not None:
        for child, attr, field_name in (
            ("FRBRdate", "date", "date"),
            ("FRBRlanguage", "language", "language"),
            ("FRBRversionNumber", "value", "version"),
        ):
            el = _first(expression, child)
            if el is not None and (value := el.get(attr)):
                meta[field_name] = value
    return meta, name


def _normalise_text(root: _Element) -> None:
    """Every text node in one form, once, before anything reads it: line endings to LF, then NFC.

    The XML parser already turns CRLF and CR into LF (XML 1.0, section
    2.11), but not NEL, U+2028 or U+2029, nor CR written as ``&#13;``; they
    become LF as in Markdown (:func:`instrument.parse.source_text`), so that
    they are whitespace here too. Attribute values are left as written:
    identifiers are kept exactly (see :func:`parse_akn`).
    """
    for node in root.iter():
        if isinstance(node.tag, str) and node.text:
            node.text = nfc(node.text)
        if node.tail:
            node.tail = nfc(node.tail)


def parse_akn(source: bytes | str, *, source_name: str | None = None) -> ParsedInstrument:
    """Read an Akoma Ntoso document (any profile) as an instrument of clauses.

    :param source: the XML file's bytes (or text).
    :param source_name: file name for error messages.
    :returns: a :class:`ParsedInstrument`: title from ``docTitle`` (else
        ``longTitle``, ``shortTitle`` or the Work's ``FRBRname``); metadata
        ``work``, ``expression``, ``date``, ``language``, ``version`` from
        the FRBR identification and ``stage`` from ``docStage``; clauses from
        ``preamble``, ``body`` (or ``mainBody``) and ``conclusions``, keys unique;
        ``element_ids`` maps each clause key to the identifiers the file gave
        it, exactly as written: ``{"eId": ..., "wId": ..., "GUID": ...,
        "num": {...}, "heading": {...}, "units": {path: {...}}}`` (each only
        when present), where ``units`` holds those of its numbered paragraphs,
        points and items by :func:`unit_path`; :func:`instrument.export.akn.to_akn` writes them back.
    :raises ParseError: for XML that is not well-formed (with its line), a
        root element other than ``akomaNtoso``, or a document without body.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {exc.msg}", line=exc.lineno, source=source_name) from exc
    _normalise_text(root)
    if local_name(root) != "akomaNtoso":
        raise ParseError(
            f"the root element is <{local_name(root)}>, not <akomaNtoso>: this is not an Akoma Ntoso document",
            line=_sourceline(root), source=source_name,
        )  # fmt: skip
    doc = next((child for child in root if local_name(child)), None)
    body = None
    if doc is not None:
        body = _first(doc, "body") if _first(doc, "body") is not None else _first(doc, "mainBody")
    if doc is None or body is None:
        raise ParseError("the document has no <body>: nothing to import", line=_sourceline(root), source=source_name)

    meta, title = _identification(doc)
    preface = _first(doc, "preface")
    if preface is not None:
        for wanted in ("docTitle", "longTitle", "shortTitle"):
            found = next((e for e in preface.iter() if local_name(e) == wanted), None)
            if found is not None and inline_text(found):
                title = " ".join(inline_text(found).split())
                break
        stage = next((e for e in preface.iter() if local_name(e) == "docStage"), None)
        if stage is not None and inline_text(stage):
            meta["stage"] = inline_text(stage)

    reader = _Reader()
    preamble = _first(doc, "preamble")
    if preamble is not None:
        loose = [child for child in preamble if local_name(child) == "p"]
        for child in preamble:
            if local_name(child) and local_name(child) != "p":
                reader.unnumbered(child, "preamble")
        if loose:
            holder = etree.Element("container")
            holder.extend(loose)
            reader.unnumbered(holder, "preamble")
    for child in body:
        name = local_name(child)
        if _is_clause(child) or name in _UNIT_ELEMENTS:
            reader.clause(child, None, 0)
        elif name:
            reader.unnumbered(child, "text")
    conclusions = _first(doc, "conclusions")
    if conclusions is not None:
        for child in conclusions:
            if local_name(child):
                reader.unnumbered(child, "conclusions")
    return ParsedInstrument(
        title=nfc(title).strip(), metadata=meta, clauses=tuple(reader.clauses), element_ids=reader.element_ids
    )
