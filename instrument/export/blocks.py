"""A clause's text as a list of blocks with their labels and nesting, for the structured exports.

DOCX (indented paragraphs) and Akoma Ntoso (``paragraph``/``point``
elements) both need to know, for every block of a clause's Markdown text,
the label exactly as written (``"1."``, ``"(a)"``, ``"-"``), how deep it
is nested and the text after the label. :func:`instrument.numbering.split_units`
finds the units and their levels; this module turns levels into one nesting
depth for labelled and unlabelled blocks alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

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


# A line that starts with a number and a dot ("2.", "4a.", "2007.").
_DECIMAL = re.compile(r"^ *(?P<n>\d+)[a-z]{0,2}(?=\.(?: |$))", re.MULTILINE)


def _mark_stray_numbers(text: str) -> tuple[str, list[int]]:
    """Escape the dot of every line-initial number that comes before any numbered list.

    A numbered list starts at 1: a number is a label when it is 1 or when a
    list has started before it in the text (gaps, as "1., 2., 4." after a
    deletion, and inserted numbers such as ``4a.`` stay labels). A number
    at the start of a line before any list begins a sentence ("2007. The
    Act was ...", "§\n1610a. Ist ..."), and escaping its dot
    (``2007\\.``, as Markdown does) keeps
    :func:`instrument.numbering.split_units` from reading it as a label.

    :returns: the marked text and the offsets of the added backslashes in it.
    """
    started = False
    parts: list[str] = []
    marks: list[int] = []
    pos = 0
    for match in _DECIMAL.finditer(text):
        if started or int(match["n"]) == 1:
            started = True
            continue
        parts.append(text[pos : match.end()])
        marks.append(match.end() + len(marks))
        parts.append("\\")
        pos = match.end()
    parts.append(text[pos:])
    return "".join(parts), marks


def text_blocks(text: str) -> list[Block]:
    """Split a clause's text into :class:`Block` values.

    A number at the start of a line is a label only when it is 1 or comes
    after a list that started at 1 (see :func:`_mark_stray_numbers`): a
    paragraph that starts with a year is a paragraph of prose, its year
    part of the text.

    :param text: clause text, normally canonical Markdown.
    :returns: the blocks in order; empty for an empty text.
    """
    marked, marks = _mark_stray_numbers(text)
    blocks = []
    for unit in split_units(marked):
        line_start = marked.rfind("\n", 0, unit.start) + 1
        label = marked[line_start : unit.start].strip()
        depth = max(unit.level, 1) if label else unit.level + 1
        body = unit.text
        inside = [m - unit.start for m in marks if unit.start <= m < unit.end]
        for offset in reversed(inside):
            body = body[:offset] + body[offset + 1 :]
        blocks.append(Block(label, depth, body))
    return blocks


@dataclass(frozen=True)
class BlockNode:
    """A block with the blocks nested under it (see :func:`block_tree`)."""

    block: Block
    children: tuple[BlockNode, ...]


# A block and the list its deeper followers are appended to while the tree is built.
_OpenNode: TypeAlias = "tuple[Block, list[_OpenNode]]"


def block_tree(blocks: list[Block]) -> list[BlockNode]:
    """Nest blocks by depth: each block holds the deeper blocks that follow it.

    :param blocks: the result of :func:`text_blocks`.
    :returns: the outermost blocks in order, each with its nested blocks.
    """
    root: list[_OpenNode] = []
    stack: list[tuple[int, list[_OpenNode]]] = [(0, root)]
    for block in blocks:
        while stack[-1][0] >= block.depth:
            stack.pop()
        children: list[_OpenNode] = []
        stack[-1][1].append((block, children))
        stack.append((block.depth, children))

    def freeze(nodes: list[_OpenNode]) -> list[BlockNode]:
        return [BlockNode(block, tuple(freeze(children))) for block, children in nodes]

    return freeze(root)
