"""Real legal texts of shared/corpus as clauses, the way a secretariat would paste them into a draft.

German laws are read by :func:`instrument.parse.parse_markdown`. The
Japanese statutes (plain text) and the US resolutions (USLM XML) have no
importer; these readers cut them into clauses by their own structure and
keep every line's leading indentation, as text pasted from a word
processor keeps it, before :func:`instrument.parse.canonical_markdown`
stores it. Every word of the source's body ends up in some clause.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from instrument.parse import canonical_markdown, parse_markdown
from instrument.types import ClauseKind, ParsedClause, ParsedInstrument

#: The German texts: the latest version of each law and treaty, and the Civil Code.
GERMAN = (
    "bundestag-gesetze/gg_v3_2022-01-28_5710c0a6.md",
    "bundestag-gesetze/tpg_v7_2022-03-03_faba4c77.md",
    "bundestag-gesetze/vig_v5_2022-01-28_5710c0a6.md",
    "bundestag-gesetze/it-staatsvertrag_ggart91cvtr_v2_2022-01-28_5710c0a6.md",
    "bundestag-gesetze/wwsuvtr_treaty_2022-01-28_5710c0a6.md",
    "bundestag-gesetze/lobbyrg_2022-01-28_5710c0a6.md",
    "large/bgb_v3_2022-03-03_faba4c77.md",
)
JAPANESE = (
    "egov-japan-laws_doc/genshiryoku-kihonho_330AC1000000186_20250606_505AC0000000044.txt",
    "egov-japan-laws_doc/saishori-ho_417AC0000000048_20161001_428AC0000000040.txt",
)
US = ("usgpo-uslm/HJ37_RFS.XML", "usgpo-uslm/SC13_ES.XML")
ALL = GERMAN + JAPANESE + US

_CHAPTER = re.compile(r"^ {4,}(?P<number>第[^　 ]+[章編節款目]|附　?則)(?:[　 ]+(?P<heading>.*))?$")
_CAPTION = re.compile(r"^ {1,3}（(?P<caption>[^）]*)）$")
_ARTICLE = re.compile(r"^(?P<number>第[^　 ]+条(?:の[^　 ]+)?)[　 ](?P<rest>.*)$")


def load(corpus: Path, name: str) -> ParsedInstrument:
    """Read one corpus file (a name from :data:`ALL`) as clauses."""
    path = corpus / name
    if path.suffix == ".md":
        return parse_markdown(path.read_text(encoding="utf-8"), source_name=path.name)
    if path.suffix == ".txt":
        return japanese(path.read_text(encoding="utf-8"))
    return uslm(path.read_bytes())


class _Builder:
    def __init__(self) -> None:
        self.clauses: list[ParsedClause] = []
        self.pending: list[tuple[str, ClauseKind, str, str, str | None, int]] = []
        self.blocks: list[str] = []

    def start(self, kind: ClauseKind, number: str, heading: str, parent: str | None, depth: int) -> str:
        self.flush()
        key = f"{number or heading or kind.value} #{len(self.clauses) + len(self.pending) + 1}"
        self.pending.append((key, kind, number, heading, parent, depth))
        return key

    def flush(self) -> None:
        for key, kind, number, heading, parent, depth in self.pending:
            text = canonical_markdown("\n\n".join(self.blocks))
            self.clauses.append(ParsedClause(key, kind, number, heading, text, parent, depth))
        self.pending, self.blocks = [], []


def japanese(text: str) -> ParsedInstrument:
    """A Japanese statute in e-Gov plain text as clauses: chapters and supplementary provisions, articles.

    Line 1 is the title; the law number and any text before the first
    chapter form a preamble; a caption line ``（目的）`` becomes the heading
    of the article after it; every other line is one block of text, its
    indentation kept (items ``  一　…`` are indented two spaces).
    """
    lines = text.split("\n")
    out = _Builder()
    out.start(ClauseKind.PREAMBLE, "", "", None, 0)
    chapter: str | None = None
    caption = ""
    for line in lines[1:]:
        if not line.strip():
            continue
        if m := _CHAPTER.match(line):
            chapter = out.start(ClauseKind.PART, m["number"], m["heading"] or "", None, 0)
        elif m := _CAPTION.match(line):
            caption = m["caption"]
        elif m := _ARTICLE.match(line):
            out.start(ClauseKind.ARTICLE, m["number"], caption, chapter, 1 if chapter else 0)
            out.blocks.append(m["rest"])
            caption = ""
        else:
            out.blocks.append(line)
    out.flush()
    return ParsedInstrument(lines[0].strip(), {}, tuple(out.clauses))


_LEVELS = frozenset({"paragraph", "subparagraph", "clause", "subclause", "item", "subitem", "recital"})


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _own_text(el, skip: frozenset[str] = frozenset()) -> str:
    """Text of ``el`` outside its nested levels (and outside elements named in ``skip``)."""
    parts: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and _local(child) not in _LEVELS and _local(child) not in skip:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def _level_blocks(el, indent: int, blocks: list[str]) -> None:
    for child in el.iter():
        if child is el or not isinstance(child.tag, str) or _local(child) not in _LEVELS:
            continue
        if next((a for a in child.iterancestors() if _local(a) in _LEVELS or a is el), None) is not el:
            continue  # a deeper level, written by its own parent
        blocks.append("    " * indent + _own_text(child))
        _level_blocks(child, indent + 1, blocks)


def uslm(data: bytes) -> ParsedInstrument:
    """A US bill or resolution in USLM 2 XML as clauses: a preamble, then one article per ``section``.

    The preamble holds the long title, the recitals (``Whereas …``) and the
    resolving clause; a section's paragraphs are blocks, each deeper level
    (subparagraph, clause …) indented four more spaces, as GPO prints them.
    """
    root = etree.fromstring(data)
    main = next(el for el in root.iter() if _local(el) == "main")
    title = " ".join(next(el for el in root.iter() if _local(el) == "title").itertext()).split(": ", 1)[-1]
    out = _Builder()
    out.start(ClauseKind.PREAMBLE, "", "", None, 0)
    for child in main:
        name = _local(child)
        if name == "section":
            number = next((_own_text(c) for c in child if _local(c) == "num"), "")
            heading = next((_own_text(c) for c in child if _local(c) == "heading"), "")
            out.start(ClauseKind.ARTICLE, number, heading, None, 0)
            if own := _own_text(child, frozenset({"num", "heading"})):
                out.blocks.append(own)
            _level_blocks(child, 0, out.blocks)
        elif name:  # the long title, the recitals and the resolving clause, part by part
            for part in child if len(child) else [child]:
                if _local(part) in _LEVELS:
                    out.blocks.append(_own_text(part))
                    _level_blocks(part, 1, out.blocks)
                elif own := _own_text(part):
                    out.blocks.append(own)
    out.flush()
    return ParsedInstrument(title, {}, tuple(out.clauses))
