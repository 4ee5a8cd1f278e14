"""Akoma Ntoso 3.0: export a draft as XML.

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
  and ``docDate`` and a status line (``p/docStatus``);
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
read by :func:`instrument.parse_akn.parse_akn` and written back by :func:`to_akn` (its
``element_ids``), so that exporting an imported file renames nothing it
kept. Clause text is written as it is stored: inline Markdown (emphasis,
links) stays as typed.

Reading Akoma Ntoso documents back as clauses is :mod:`instrument.parse_akn`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias

from lxml import etree

from instrument.akoma_ntoso import AKN_NS, ID_ATTRIBUTES, local_name, unit_path
from instrument.export import Progress
from instrument.export.blocks import Block, text_blocks
from instrument.export.cleaning import Cleaner, clean_clauses
from instrument.matching import clause_uid
from instrument.numbering import label_core
from instrument.parse import classify_heading
from instrument.types import ClauseKind, ElementIds, ParsedClause

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
            part = local_name(child)
            ids = (kept or {}).get(part) if part in ("num", "heading", "content") else None
            if not isinstance(ids, dict) or not ids:
                continue
            self._set(child, ids)
            paragraphs = [c for c in child if local_name(c)]
            p_ids = ids.get("p")
            if (
                part == "content"
                and len(paragraphs) == 1
                and local_name(paragraphs[0]) == "p"
                and isinstance(p_ids, dict)
            ):
                self._set(paragraphs[0], p_ids)

    def _set(self, el: _Element, ids: ElementIds) -> None:
        for name in ID_ATTRIBUTES:
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
        :func:`instrument.parse_akn.parse_akn` reads them): its element's ``eId``, ``wId`` and
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
        # docStatus: Akoma Ntoso's inline element for a document's status ("Final text, adopted on ...").
        _sub(_sub(preface, "p", eId="preface__p_status"), "docStatus", status)

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
