"""What the Akoma Ntoso writer and reader share: the namespace, the media type and the unit paths.

Akoma Ntoso (OASIS LegalDocML, "Akoma Ntoso Version 1.0", 2018, namespace
:data:`AKN_NS`) is the XML vocabulary parliaments and drafting tools such as
LEOS and Indigo exchange legal texts in. :mod:`instrument.export.akn` writes
it and :mod:`instrument.parse_akn` reads it; the names here keep the two in
step, so that the identifiers a file gave its numbered units are found again
under the same paths when the text is exported.
"""

from __future__ import annotations

from lxml import etree

#: The OASIS Akoma Ntoso 3.0 namespace.
AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
#: Media type of Akoma Ntoso documents (OASIS, "Akoma Ntoso Media Type Version 1.0").
AKN_MIME = "application/akn+xml"
#: The identifier attributes of an element that an import keeps and an export writes back.
ID_ATTRIBUTES = ("eId", "wId", "GUID")


def local_name(el: etree._Element) -> str:
    """The element's name without its namespace (``"article"``); ``""`` for a comment or processing instruction."""
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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
