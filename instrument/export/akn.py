"""Akoma Ntoso 3.0: export a draft as XML, and read Akoma Ntoso documents back as clauses.

Akoma Ntoso (OASIS LegalDocML, "Akoma Ntoso Version 1.0", 2018, namespace
:data:`AKN_NS`) is the XML vocabulary parliaments and drafting tools such as
LEOS and Indigo exchange legal texts in.

Export (:func:`to_akn`), one ``<bill>`` (a text proposed for adoption):

* ``<meta>``: FRBR identification after the Akoma Ntoso Naming Convention
  (OASIS, version 1.0): the Work is the instrument
  (``/akn/asean/bill/<date>/<name>``), the Expression is one draft in one
  language (``.../eng@draft-2``), the Manifestation this XML file;
  ``<references>`` names the secretariat (author) and Drafter (source);
* ``<preface>``: ``longTitle/p/docTitle``, then the draft's ``docStage``
  and ``docDate`` and a status line;
* ``<preamble>``: the unnumbered clauses before the first division or
  article, each a ``<container name="preamble" title="...">``;
* ``<body>``: divisions as ``part``, ``chapter``, ``section``, ``title``,
  ``book`` ... (after their division word, else ``hcontainer``), articles as
  ``article``, unnumbered texts in between as ``hcontainer
  name="unnumbered"``; an article's text as ``paragraph`` (outermost
  numbering level) and ``point`` (deeper levels) with ``num`` (the label
  exactly as written), ``intro`` and ``content``/``p``; a line break inside
  a block is ``<eol/>``;
* ``<conclusions>``: the unnumbered clauses after the last division or article.

Identifiers: the eId of a clause is its element's abbreviation and the
clause's stable identity (``art_article-15``: the ``Clause.uid``, made once
when the clause was created and never changed), so that an article keeps its
eId through renumbering and in every later draft; paragraphs and points
inside take their labels (``art_article-15__para_2__point_a``) as the
naming convention has it. A text imported from an Akoma Ntoso file keeps
that file's own identifiers instead: ``eId``, ``wId`` and ``GUID`` of each
clause element, of its ``num`` and ``heading`` and of its numbered units,
read by :func:`parse_akn` and written back by :func:`to_akn` (its
``element_ids``), so that exporting an imported file renames nothing it
kept. Clause text is written as it is stored: inline Markdown (emphasis,
links) stays as typed.

Import (:func:`parse_akn`) reads any Akoma Ntoso document by *local*
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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias

from lxml import etree

from instrument.errors import ParseError
from instrument.export import Progress
from instrument.export.blocks import Block, text_blocks
from instrument.export.cleaning import Cleaner, clean_clauses
from instrument.matching import clause_uid
from instrument.numbering import label_core
from instrument.parse import canonical_markdown, classify_heading
from instrument.text import nfc
from instrument.types import ClauseKind, ElementIds, ParsedClause, ParsedInstrument

#: The OASIS Akoma Ntoso 3.0 namespace.
AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
#: Media type of Akoma Ntoso documents (OASIS, "Akoma Ntoso Media Type Version 1.0").
AKN_MIME = "application/akn+xml"

_A = f"{{{AKN_NS}}}"

# Division word (case-folded, as classify_heading reports it) -> Akoma Ntoso element.
_DIVISION_ELEMENTS = {
    "book": "book", "buch": "book",
    "part": "part", "teil": "part", "subpart": "subpart", "unterteil": "subpart",
    "title": "title", "titel": "title", "subtitle": "subtitle", "untertitel": "subtitle",
    "chapter": "chapter", "kapitel": "chapter", "subchapter": "subchapter", "unterkapitel": "subchapter",
    "section": "section", "abschnitt": "section", "subsection": "subsection", "unterabschnitt": "subsection",
    "division": "division", "subdivision": "subdivision",
}  # fmt: skip
# eId abbreviations of the Akoma Ntoso Naming Convention (section 5.2.1).
_ABBR = {
    "article": "art", "book": "book", "part": "part", "subpart": "subpart", "title": "title",
    "subtitle": "subtitle", "chapter": "chp", "subchapter": "subchp", "section": "sec",
    "subsection": "subsec", "division": "dvs", "subdivision": "subdvs", "hcontainer": "hcontainer",
    "container": "container", "paragraph": "para", "point": "point",
}  # fmt: skip

# Import: elements that hold clauses (inside a division) and those that are article text.
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
_ID_UNSAFE = re.compile(r"[^\w-]+")

_Element: TypeAlias = etree._Element
#: Numbered blocks nested by depth: ``(block, children)`` with children of the same shape.
_UnitNode: TypeAlias = tuple[Block, list["_UnitNode"]]


@dataclass(frozen=True)
class AknIdentity:
    """What the FRBR metadata of an export says about the instrument and the draft.

    :ivar name: the Work's name in its URI, e.g. the instrument's slug.
    :ivar work_date: date of the Work (for instance the first draft's date).
    :ivar expression_date: date of this Expression (the draft's publication date).
    :ivar version: the Expression's version ("draft-2", "current").
    :ivar version_number: FRBRversionNumber ("2").
    :ivar language: ISO 639-2 code of the text ("eng").
    :ivar country: FRBRcountry: "asean" for the region, as the naming
        convention allows a code for an international organisation.
    :ivar author: eId of the organisation that authors the text.
    :ivar author_name: its name as shown.
    :ivar generated: date of this file (Manifestation), default ``expression_date``.
    """

    name: str
    work_date: date
    expression_date: date
    version: str
    version_number: str = ""
    language: str = "eng"
    country: str = "asean"
    author: str = "secretariat"
    author_name: str = "Secretariat"
    generated: date | None = None

    @property
    def work_uri(self) -> str:
        """``/akn/asean/bill/2007-01-13/asean-migrant-workers``."""
        return f"/akn/{self.country}/bill/{self.work_date.isoformat()}/{_id_part(self.name)}"

    @property
    def expression_uri(self) -> str:
        """``<work>/eng@draft-2``."""
        return f"{self.work_uri}/{self.language}@{_id_part(self.version)}"


def _id_part(text: str) -> str:
    """A piece of an eId or URI: letters, digits, ``_`` and ``-`` only (Unicode letters allowed)."""
    return _ID_UNSAFE.sub("-", text).strip("-") or "x"


def _sub(parent: _Element, tag: str, text: str | None = None, **attrs: str) -> _Element:
    el = etree.SubElement(parent, _A + tag)
    for key, value in attrs.items():
        el.set(key.rstrip("_"), value)
    if text:
        el.text = text
    return el


def _p(parent: _Element, text: str) -> _Element:
    """A ``<p>`` whose line breaks are ``<eol/>``."""
    el = _sub(parent, "p")
    lines = text.split("\n")
    el.text = lines[0] or None
    for line in lines[1:]:
        eol = _sub(el, "eol")
        eol.tail = line or None
    return el


# --- export -------------------------------------------------------------------------


def division_element(clause: ParsedClause) -> str:
    """The Akoma Ntoso element of a division after its word ("Part I" -> ``part``, "Kapitel 2" -> ``chapter``).

    :returns: an element name; ``hcontainer`` when the word is none of the known ones.
    """
    info = classify_heading(f"{clause.number} {clause.heading}".strip())
    return _DIVISION_ELEMENTS.get(info.word, "hcontainer")


def _meta(act: _Element, identity: AknIdentity, title: str) -> None:
    meta = _sub(act, "meta")
    ident = _sub(meta, "identification", source="#drafter")
    author = f"#{identity.author}"
    work = _sub(ident, "FRBRWork")
    _sub(work, "FRBRthis", value=f"{identity.work_uri}/!main")
    _sub(work, "FRBRuri", value=identity.work_uri)
    _sub(work, "FRBRdate", date=identity.work_date.isoformat(), name="work")
    _sub(work, "FRBRauthor", href=author, as_="#author")
    _sub(work, "FRBRcountry", value=identity.country)
    _sub(work, "FRBRname", value=title)
    expr = _sub(ident, "FRBRExpression")
    _sub(expr, "FRBRthis", value=f"{identity.expression_uri}/!main")
    _sub(expr, "FRBRuri", value=identity.expression_uri)
    _sub(expr, "FRBRdate", date=identity.expression_date.isoformat(), name=identity.version)
    _sub(expr, "FRBRauthor", href=author, as_="#author")
    if identity.version_number:
        _sub(expr, "FRBRversionNumber", value=identity.version_number)
    _sub(expr, "FRBRlanguage", language=identity.language)
    manif = _sub(ident, "FRBRManifestation")
    _sub(manif, "FRBRthis", value=f"{identity.expression_uri}/!main.xml")
    _sub(manif, "FRBRuri", value=f"{identity.expression_uri}.akn")
    _sub(manif, "FRBRdate", date=(identity.generated or identity.expression_date).isoformat(), name="generation")
    _sub(manif, "FRBRauthor", href="#drafter", as_="#editor")
    refs = _sub(meta, "references", source="#drafter")
    _sub(refs, "TLCOrganization", eId=identity.author, href=f"/akn/ontology/organization/{identity.country}/"
         f"{_id_part(identity.author)}", showAs=identity.author_name)  # fmt: skip
    _sub(refs, "TLCOrganization", eId="drafter", href="/akn/ontology/organization/drafter", showAs="Drafter")
    _sub(refs, "TLCRole", eId="author", href="/akn/ontology/role/author", showAs="Author")
    _sub(refs, "TLCRole", eId="editor", href="/akn/ontology/role/editor", showAs="Editor")


def _unit_tree(blocks: Sequence[Block]) -> list[_UnitNode]:
    """Nest blocks by depth: ``[(block, children), ...]`` with children of the same shape."""
    root: list[_UnitNode] = []
    stack: list[tuple[int, list[_UnitNode]]] = [(0, root)]
    for block in blocks:
        while stack[-1][0] >= block.depth:
            stack.pop()
        node: _UnitNode = (block, [])
        stack[-1][1].append(node)
        stack.append((block.depth, node[1]))
    return root


@dataclass
class _Ids:
    """The identifiers already written (eId, wId, GUID must each be unique in a document) and those to keep."""

    used: set[str] = field(default_factory=set)

    def apply(self, el: _Element, kept: ElementIds | None, default_eid: str) -> str:
        """Give ``el`` its kept ``eId``/``wId``/``GUID`` (those not taken yet), else ``default_eid``; return the eId."""
        kept = kept or {}
        eid = kept.get("eId")
        if not isinstance(eid, str) or not eid or eid in self.used:
            eid, n = default_eid, 2
            while eid in self.used:  # a kept eId may look like a made one
                eid, n = f"{default_eid}-{n}", n + 1
        el.set("eId", eid)
        self.used.add(eid)
        for name in ("wId", "GUID"):
            value = kept.get(name)
            if isinstance(value, str) and value and value not in self.used:
                el.set(name, value)
                self.used.add(value)
        return eid

    def apply_parts(self, el: _Element, kept: ElementIds | None) -> None:
        """Kept identifiers of the ``num``, ``heading`` and ``content`` (and its only ``p``) written into ``el``.

        None are made up for these parts: they have none unless the file gave them one.
        """
        for child in el:
            part = _local(child)
            ids = (kept or {}).get(part) if part in ("num", "heading", "content") else None
            if not isinstance(ids, dict) or not ids:
                continue
            self._set(child, ids)
            paragraphs = [c for c in child if _local(c)]
            p_ids = ids.get("p")
            if part == "content" and len(paragraphs) == 1 and _local(paragraphs[0]) == "p" and isinstance(p_ids, dict):
                self._set(paragraphs[0], p_ids)

    def _set(self, el: _Element, ids: ElementIds) -> None:
        for name in ("eId", "wId", "GUID"):
            value = ids.get(name)
            if isinstance(value, str) and value and value not in self.used:
                el.set(name, value)
                self.used.add(value)


def _write_units(parent: _Element, nodes: list[_UnitNode], prefix: str, depth: int, ids: _Ids | None = None,
                 units: Mapping[str, ElementIds] | None = None, path: str = "",
                 seen: dict[str, int] | None = None) -> None:  # fmt: skip
    name = "paragraph" if depth == 1 else "point"
    ids = ids if ids is not None else _Ids()
    seen = seen if seen is not None else {}
    used: set[str] = set()
    for index, (block, children) in enumerate(nodes, start=1):
        core = _id_part(label_core(block.label)) if block.label and block.label not in "-*+" else f"u{index}"
        part, n = core, 2
        while part in used:
            part, n = f"{core}-{n}", n + 1
        used.add(part)
        el = _sub(parent, name)
        own_path, kept = path, None
        if block.label:
            own_path = unit_path(path, block.label, seen)
            kept = (units or {}).get(own_path)
        eid = ids.apply(el, kept, f"{prefix}__{_ABBR[name]}_{part}")
        if block.label:
            _sub(el, "num", block.label)
        if children:
            _p(_sub(el, "intro"), block.text)
        else:
            _p(_sub(el, "content"), block.text)
        ids.apply_parts(el, kept)
        if children:
            _write_units(el, children, eid, depth + 1, ids, units, own_path, seen)


def unit_path(parent: str, label: str, seen: dict[str, int]) -> str:
    """The key of a numbered unit inside its clause: the labels from the outermost down, joined by ``/``.

    ``"(1)/2."`` is item 2. of paragraph (1); a path that recurs in the same
    clause gets ``#2``, ``#3`` ... in document order, so that import and
    export, which both walk the units in order, give the same keys.
    Unnumbered paragraphs at the top of a clause are ``"#1"``, ``"#2"`` ...

    :param parent: the path of the enclosing numbered unit, ``""`` at the top.
    :param label: the unit's label as written (``"(1)"``, ``"a)"``).
    :param seen: occurrences counted so far in this clause (updated).
    :returns: the path.
    """
    path = f"{parent}/{label}" if parent else label
    seen[path] = seen.get(path, 0) + 1
    return path if seen[path] == 1 else f"{path}#{seen[path]}"


def _write_text(el: _Element, text: str, eid: str, *, has_children: bool, ids: _Ids | None = None,
                units: Mapping[str, ElementIds] | None = None) -> None:  # fmt: skip
    """Write a clause's own text into its element: ``content``, ``intro`` or paragraphs."""
    blocks = text_blocks(text)
    numbered = any(b.label for b in blocks)
    if not numbered:
        if has_children:
            if blocks:
                intro = _sub(el, "intro")
                for block in blocks:
                    _p(intro, block.text)
            return
        holder = el
        kept = (units or {}).get("#1") if "#2" not in (units or {}) else None
        ids = ids if ids is not None else _Ids()
        if kept:
            # The file held this text in one unnumbered paragraph: so does the export, with its ids.
            holder = _sub(el, "paragraph")
            ids.apply(holder, kept, f"{eid}__para_u1")
            if "num" in kept:
                _sub(holder, "num")
        content = _sub(holder, "content")
        for block in blocks:
            _p(content, block.text)
        if not blocks:
            _sub(content, "p")
        if kept:
            ids.apply_parts(holder, kept)
        return
    _write_units(el, _unit_tree(blocks), eid, 1, ids, units)


def to_akn(
    title: str,
    clauses: Sequence[ParsedClause],
    *,
    identity: AknIdentity,
    uids: Mapping[str, str] | None = None,
    element_ids: Mapping[str, ElementIds] | None = None,
    subtitle: str = "",
    date_line: str = "",
    status: str = "",
    progress: Progress | None = None,
) -> bytes:
    """Write a draft as an Akoma Ntoso 3.0 document (see the module docstring for the mapping).

    :param title: the instrument's title.
    :param clauses: the clauses in document order, parents before children.
    :param identity: the FRBR identity of instrument and draft.
    :param uids: clause key -> stable clause identity (``Clause.uid``); a key
        missing here gets :func:`instrument.matching.clause_uid` of the key,
        the identity a clause is given when it is first imported.
    :param element_ids: clause key -> the identifiers an imported file gave
        the clause (:attr:`instrument.types.ParsedInstrument.element_ids`, as
        :func:`parse_akn` reads them): its element's ``eId``, ``wId`` and
        ``GUID`` are written instead of the made ones, and so are those of its
        ``num``/``heading`` and of each numbered unit still found under the
        same labels (see :func:`unit_path`). An identifier already used in
        the document is not repeated: the made one is written instead.
    :param subtitle: the draft's label ("Draft 2 — Revised draft"), as ``docStage``.
    :param date_line: the date as shown ("1 August 2007"), as ``docDate``.
    :param status: a status line for the preface.
    :param progress: called as ``progress(done, total)`` after each clause.
    :returns: the XML document as UTF-8 bytes, with an XML declaration.
        Characters XML forbids are dealt with and reported (see
        :mod:`instrument.export.cleaning`).
    """
    cleaner = Cleaner()
    clauses = clean_clauses(clauses, cleaner)
    title = cleaner.clean(title, "title")
    subtitle, date_line, status = (cleaner.clean(s, "title") for s in (subtitle, date_line, status))
    uids = uids or {}
    element_ids = element_ids or {}
    ids = _Ids({"longTitle", "preface__p_stage", "preface__p_status", "hcontainer_empty"})
    # lxml takes None as the default namespace's prefix; lxml-stubs allow only str keys.
    root = etree.Element(_A + "akomaNtoso", nsmap={None: AKN_NS})  # type: ignore[dict-item]
    act = _sub(root, "bill", name="instrument")
    _meta(act, identity, title)

    preface = _sub(act, "preface")
    long_title = _sub(preface, "longTitle", eId="longTitle")
    _sub(_sub(long_title, "p"), "docTitle", title)
    if subtitle or date_line:
        stage = _sub(preface, "p", eId="preface__p_stage")
        if subtitle:
            _sub(stage, "docStage", subtitle)
        if date_line:
            if subtitle:
                stage[-1].tail = ", "
            _sub(stage, "docDate", date_line, date=identity.expression_date.isoformat())
    if status:
        _sub(preface, "p", status, eId="preface__p_status")

    numbered = [i for i, c in enumerate(clauses) if c.kind is not ClauseKind.PREAMBLE or c.parent_key is not None]
    first, last = (numbered[0], numbered[-1]) if numbered else (len(clauses), len(clauses))
    parents = {c.parent_key for c in clauses if c.parent_key is not None}
    preamble = _sub(act, "preamble") if first > 0 else None
    body = _sub(act, "body")
    conclusions = _sub(act, "conclusions") if numbered and last < len(clauses) - 1 else None
    elements: dict[str, _Element] = {}
    total = len(clauses)
    for index, clause in enumerate(clauses):
        uid = uids.get(clause.key) or clause_uid(clause.key)
        kept = element_ids.get(clause.key) or {}
        parent = elements.get(clause.parent_key) if clause.parent_key is not None else None
        outside = index < first or index > last
        if outside and clause.kind is ClauseKind.PREAMBLE and parent is None:
            holder = preamble if index < first else conclusions
            assert holder is not None  # made above whenever a clause lies before the first or after the last
            el = _sub(holder, "container", name="preamble" if index < first else "conclusions")
            ids.apply(el, kept, f"container_{_id_part(uid)}")
            if clause.heading or clause.number:
                el.set("title", f"{clause.number} {clause.heading}".strip())
            blocks = text_blocks(clause.text)
            for block in blocks:
                _p(el, block.text if not block.label else f"{block.label} {block.text}")
            if not blocks:
                _sub(el, "p")
        else:
            if clause.kind is ClauseKind.ARTICLE:
                name = "article"
            elif clause.kind is ClauseKind.PART:
                name = division_element(clause)
            else:
                name = "hcontainer"
            el = _sub(parent if parent is not None else body, name)
            eid = ids.apply(el, kept, f"{_ABBR[name]}_{_id_part(uid)}")
            if name == "hcontainer":
                el.set("name", "division" if clause.kind is ClauseKind.PART else "unnumbered")
            if clause.number:
                _sub(el, "num", clause.number)
            if clause.heading:
                _sub(el, "heading", clause.heading)
            _write_text(el, clause.text, eid, has_children=clause.key in parents, ids=ids, units=_unit_ids(kept))
            ids.apply_parts(el, kept)
        elements[clause.key] = el
        if progress is not None:
            progress(index + 1, total)
    if not len(body):
        _sub(_sub(body, "hcontainer", name="empty", eId="hcontainer_empty"), "content").append(etree.Element(_A + "p"))
    cleaner.report("Akoma Ntoso")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit_ids(kept: ElementIds) -> dict[str, ElementIds]:
    """The kept identifiers of a clause's numbered units, by :func:`unit_path` (``{}`` when none)."""
    units = kept.get("units")
    if not isinstance(units, dict):
        return {}
    return {path: ids for path, ids in units.items() if isinstance(ids, dict)}


# --- import ------------------------------------------------------------------------------


def _sourceline(el: _Element) -> int | None:
    """The line of ``el`` in the parsed source, ``None`` for an element made in memory."""
    line: int | None = el.sourceline  # type: ignore[assignment]  # lxml-stubs leave it untyped (`...`)
    return line


def _local(el: _Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _first(el: _Element, name: str) -> _Element | None:
    for child in el:
        if _local(child) == name:
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
            name = _local(child)
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
    name = _local(el)
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
        name = _local(child)
        if not name or name in ("num", "authorialNote", "noteRef", "meta") or name in _LINE_END or skip(child):
            continue
        if name in ("heading", "subheading"):
            if headings:
                own(inline_text(child))
        elif name in _UNIT_ELEMENTS or name in ("item", "li"):
            unit(child)
        elif name == "table":
            for row in child.iter():
                if _local(row) == "tr":
                    own(" | ".join(inline_text(c) for c in row if _local(c) in ("td", "th")))
        elif name in _BLOCK_CONTAINERS and not _has_inline_text(child):
            _collect(child, own, unit)
        else:
            own(inline_text(child))


_ID_ATTRIBUTES = ("eId", "wId", "GUID")


def _own_ids(el: _Element) -> ElementIds:
    return {name: value for name in _ID_ATTRIBUTES if (value := el.get(name))}


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
        blocks = [c for c in child if _local(c)]
        if part == "content" and len(blocks) == 1 and _local(blocks[0]) == "p" and _own_ids(blocks[0]):
            part_ids["p"] = _own_ids(blocks[0])
        if part_ids:
            ids[part] = part_ids
    rest = [c for c in el if _local(c) and _local(c) not in ("num", "heading")]
    if "content" not in ids and len(rest) == 1 and _local(rest[0]) == "p" and _own_ids(rest[0]):
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

        if _local(el) == "p" or _has_inline_text(el):
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
        name = _local(el)
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
    ident = next((e for e in doc.iter() if _local(e) == "identification"), None)
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
        points and items by :func:`unit_path`; :func:`to_akn` writes them back.
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
    if _local(root) != "akomaNtoso":
        raise ParseError(
            f"the root element is <{_local(root)}>, not <akomaNtoso>: this is not an Akoma Ntoso document",
            line=_sourceline(root), source=source_name,
        )  # fmt: skip
    doc = next((child for child in root if _local(child)), None)
    body = None
    if doc is not None:
        body = _first(doc, "body") if _first(doc, "body") is not None else _first(doc, "mainBody")
    if doc is None or body is None:
        raise ParseError("the document has no <body>: nothing to import", line=_sourceline(root), source=source_name)

    meta, title = _identification(doc)
    preface = _first(doc, "preface")
    if preface is not None:
        for wanted in ("docTitle", "longTitle", "shortTitle"):
            found = next((e for e in preface.iter() if _local(e) == wanted), None)
            if found is not None and inline_text(found):
                title = " ".join(inline_text(found).split())
                break
        stage = next((e for e in preface.iter() if _local(e) == "docStage"), None)
        if stage is not None and inline_text(stage):
            meta["stage"] = inline_text(stage)

    reader = _Reader()
    preamble = _first(doc, "preamble")
    if preamble is not None:
        loose = [child for child in preamble if _local(child) == "p"]
        for child in preamble:
            if _local(child) and _local(child) != "p":
                reader.unnumbered(child, "preamble")
        if loose:
            holder = etree.Element("container")
            holder.extend(loose)
            reader.unnumbered(holder, "preamble")
    for child in body:
        name = _local(child)
        if _is_clause(child) or name in _UNIT_ELEMENTS:
            reader.clause(child, None, 0)
        elif name:
            reader.unnumbered(child, "text")
    conclusions = _first(doc, "conclusions")
    if conclusions is not None:
        for child in conclusions:
            if _local(child):
                reader.unnumbered(child, "conclusions")
    return ParsedInstrument(
        title=nfc(title).strip(), metadata=meta, clauses=tuple(reader.clauses), element_ids=reader.element_ids
    )
