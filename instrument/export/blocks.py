"""A clause's text as a list of blocks with their labels and nesting, for the structured exports.

DOCX (indented paragraphs) and Akoma Ntoso (``paragraph``/``point``
elements) both need to know, for every block of a clause's Markdown text,
the label exactly as written (``"1."``, ``"(a)"``, ``"-"``), how deep it
is nested and the text after the label. :func:`instrument.numbering.split_units`
finds the units and their levels; this module turns levels into one nesting
depth for labelled and unlabelled blocks alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from instrument.numbering import split_units


@dataclass(frozen=True)
class Block:
    """One block of a clause's text.

    :ivar label: the label as written, dot and parentheses included
        (``"1."``, ``"(2)"``, ``"(a)"``, ``"aa)"``, a bullet ``"-"``), or
        ``""`` for a block without one.
    :ivar depth: 1 for the outermost blocks; a labelled block of numbering
        level *k* has depth *k*; an unlabelled block that belongs to a
        labelled block of level *k* (indented under it) has depth *k* + 1;
        an unlabelled block outside any numbered unit has depth 1.
    :ivar text: the text after the label (continuation lines included).
    """

    label: str
    depth: int
    text: str


def text_blocks(text: str) -> list[Block]:
    """Split a clause's text into :class:`Block` values.

    :param text: clause text, normally canonical Markdown.
    :returns: the blocks in order; empty for an empty text.
    """
    blocks = []
    for unit in split_units(text):
        line_start = text.rfind("\n", 0, unit.start) + 1
        label = text[line_start : unit.start].strip()
        if label:
            depth = max(unit.level, 1)
        else:
            depth = unit.level + 1
        blocks.append(Block(label, depth, unit.text))
    return blocks
