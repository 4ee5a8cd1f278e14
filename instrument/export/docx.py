"""Clean draft as a Word document (Office Open XML, ECMA-376), written with python-docx.

Layout, for a secretariat that circulates the draft to governments and unions:

* a title page (its own section, centred, without header, footer or line
  numbers): the instrument's title, the draft's label, its date and a
  status line;
* the text: every clause heading in a Word heading style (``Heading 1``
  for a top-level division or preamble, one level deeper per nesting), so
  that Word's navigation pane shows the structure; then the clause's
  blocks, each a paragraph whose label (``1.``, ``(a)``) is typed as text,
  exactly as in the draft, followed by a tab and a hanging indent, one
  step (:data:`INDENT_CM`) per nesting level; inline Markdown (emphasis,
  strong, code, links) becomes character formatting;
* a running header (instrument and draft) and ``Page N`` in the footer (a
  ``PAGE`` field, ECMA-376 Part 1, 17.16.5.41), numbered from 1 after the
  title page;
* optional line numbering of the text (``w:lnNumType``, 17.6.8), restarting
  on each page, as negotiators cite "page 3, line 12".

Every string passes through :class:`instrument.export.cleaning.Cleaner`
(characters XML forbids) and :func:`instrument.export.fonts.script_runs`
(fonts and languages for Thai, Lao, Khmer, Burmese and Chinese).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, cast

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree
from markdown_it import MarkdownIt

from instrument.export import Progress
from instrument.export.blocks import text_blocks
from instrument.export.cleaning import Cleaner, clean_clauses
from instrument.export.fonts import EAST_ASIAN, EAST_ASIAN_LANG, LATIN, Script, script_runs
from instrument.export.html import clause_title
from instrument.types import ParsedClause

#: MIME type of a .docx file (ECMA-376 Part 2, registered with IANA).
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Indentation of one nesting level, and width of the label before the text.
INDENT_CM = 1.0


_INLINE = MarkdownIt("js-default")
# Characters that may start inline Markdown; a block without any is written as it is.
_MARKUP = re.compile(r"[*_`\[\]\\<>&!~]")
_SECT_PR = qn("w:sectPr")
_SPACE = qn("xml:space")
_BREAKS = re.compile(r"(\n|\t)")
# Order of the children of w:sectPr (ECMA-376 Part 1, 17.6.17, CT_SectPr).
_SECT_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
    "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
    "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
)  # fmt: skip


# --- document set-up, shared with the redline and the synoptic table --------------------


def set_fonts(rpr: etree._Element, *, lang: str | None = None) -> None:
    """Name the fonts of all four slots on a ``w:rPr`` (dropping theme fonts, which would win).

    :param rpr: a ``w:rPr`` element (of a style or of the document defaults).
    :param lang: BCP 47 tag for ``w:lang w:val``; ``None`` leaves the language alone.
    """
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.get_or_add_rFonts() if isinstance(rpr, CT_RPr) else _prepend(rpr, "w:rFonts")
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN)
    fonts.set(qn("w:cs"), LATIN)
    if lang:
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            rpr.append(lang_el)
        lang_el.set(qn("w:val"), lang)
        lang_el.set(qn("w:eastAsia"), EAST_ASIAN_LANG)


def _prepend(parent: etree._Element, tag: str) -> etree._Element:
    child = OxmlElement(tag)
    parent.insert(0, child)
    return child


def _sect_child(sect_pr: etree._Element, tag: str) -> etree._Element:
    """Get or insert ``w:<tag>`` in ``sect_pr`` at its place in the schema order."""
    found = sect_pr.find(qn(f"w:{tag}"))
    if found is not None:
        return found
    child = OxmlElement(f"w:{tag}")
    later = _SECT_ORDER[_SECT_ORDER.index(tag) + 1 :]
    for existing in sect_pr:
        if existing.tag.rsplit("}", 1)[-1] in later:
            existing.addprevious(child)
            return child
    sect_pr.append(child)
    return child


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field (``PAGE``, ``NUMPAGES``) to ``paragraph`` (ECMA-376 Part 1, 17.16.18)."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        elif kind == "text":
            run.text = placeholder
            continue
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


#: Longest value python-docx writes to a core property (``dc:title``); it refuses longer ones.
CORE_PROPERTY_MAX = 255


def core_property(text: str) -> str:
    """``text`` shortened to fit a core property, ending in "…" when cut; line breaks become spaces.

    The title page and the running header keep the whole title; only the
    file's properties (shown by file browsers) get the short form.
    """
    text = " ".join(text.split())
    return text if len(text) <= CORE_PROPERTY_MAX else text[: CORE_PROPERTY_MAX - 1].rstrip() + "…"


def new_document(
    *,
    title: str,
    header: str,
    lang: str = "en-GB",
    author: str = "",
    created: datetime | None = None,
    landscape: bool = False,
) -> DocumentType:
    """Start a Word document with the house layout: A4, Noto fonts, black headings, header and footer.

    The first section is meant for a title page: it has no header or footer
    (``w:titlePg``) and is centred vertically. Call :func:`start_body` after
    the title page; the body section inherits the running header and the
    ``Page N`` footer, numbered from 1.

    :param title: the document title (core properties).
    :param header: the running header's text.
    :param lang: language of the text (``w:lang w:val`` of the defaults).
    :param author: the core properties' author (an organisation).
    :param created: the document date for the core properties (default: unset).
    :param landscape: A4 landscape (for wide tables) instead of portrait.
    :returns: a python-docx ``Document``.
    """
    doc = Document()
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_fonts(rpr, lang=lang)
    for fonts in list(styles_el.iter(qn("w:rFonts"))):  # styles and table-style parts alike
        parent = fonts.getparent()
        if parent is not None:
            set_fonts(parent)
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        rels.pop(rid)  # the template's preview of an empty page would show in file browsers
    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), lang=lang)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name in ["Title", "Subtitle"] + [f"Heading {n}" for n in range(1, 10)]:
        style = doc.styles[name]
        set_fonts(style.element.get_or_add_rPr())
        style.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Title"].font.size = Pt(24)
    border = doc.styles["Title"].element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
    if border is not None:  # the template underlines the title in blue
        border.getparent().remove(border)
    doc.styles["Subtitle"].font.size = Pt(14)

    props = doc.core_properties
    props.title = core_property(title)
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.revision = 1
    if created is not None:
        props.created = created
        props.modified = created

    section = doc.sections[0]
    if landscape:
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.orientation = WD_ORIENT.LANDSCAPE
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    section.different_first_page_header_footer = True
    _sect_child(section._sectPr, "vAlign").set(qn("w:val"), "center")
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(head, header, Cleaner(), "header")
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Page ")
    add_field(foot, "PAGE")
    return doc


def start_body(doc: DocumentType, *, line_numbers: bool = False) -> None:
    """End the title page and start the body section (new page, pages numbered from 1).

    :param line_numbers: number the lines of the body, restarting on each
        page (``w:lnNumType w:countBy="1" w:restart="newPage"``).
    """
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    sect_pr = section._sectPr
    for tag in ("vAlign", "titlePg"):
        found = sect_pr.find(qn(f"w:{tag}"))
        if found is not None:
            sect_pr.remove(found)
    _sect_child(sect_pr, "pgNumType").set(qn("w:start"), "1")
    if line_numbers:
        numbering = _sect_child(sect_pr, "lnNumType")
        numbering.set(qn("w:countBy"), "1")
        numbering.set(qn("w:restart"), "newPage")
        numbering.set(qn("w:distance"), "284")  # twentieths of a point: 0.5 cm from the text


def append_paragraph(doc: DocumentType, style_id: str | None = None) -> Paragraph:
    """Append an empty paragraph to the body, before its final ``w:sectPr``, in constant time.

    python-docx's ``add_paragraph`` looks the section properties up among all
    the body's children and a style up among all styles on every call, which
    grows quadratic on a civil code; this does the same with direct references.

    :param style_id: a paragraph style's id (``"Heading2"``), not its name.
    """
    body = doc.element.body
    p = cast(CT_P, OxmlElement("w:p"))  # python-docx makes every w:p a CT_P
    try:
        last = body[-1]  # constant time in lxml, where len(body) counts every child
    except IndexError:
        last = None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(p)
    else:
        body.append(p)
    if style_id:
        p.style = style_id
    return Paragraph(p, doc._body)


def title_page(doc: DocumentType, cleaner: Cleaner, lines: Sequence[tuple[str, str]]) -> None:
    """Write the title page: ``(style, text)`` lines, centred; empty texts are skipped.

    :param lines: e.g. ``[("Title", title), ("Subtitle", "Draft 2"), ("Normal", "1 August 2007")]``.
    """
    for style, text in lines:
        if text:
            paragraph = doc.add_paragraph(style=style)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # Line numbers belong to the text only (Word numbers by section, LibreOffice by document).
            ppr = paragraph._p.get_or_add_pPr()
            style_el = ppr.find(qn("w:pStyle"))
            suppress = OxmlElement("w:suppressLineNumbers")
            if style_el is not None:
                style_el.addnext(suppress)
            else:
                ppr.insert(0, suppress)
            add_text(paragraph, text, cleaner, "title page")


class RunElement(Protocol):
    """A python-docx ``Run``, or any object that holds a ``w:r`` element as ``_r``."""

    @property
    def _r(self) -> CT_R: ...


def _script_rpr(run: RunElement, script: Script) -> None:
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), script.font if script.slot == "eastAsia" else EAST_ASIAN)
    fonts.set(qn("w:cs"), script.font if script.slot == "cs" else LATIN)
    fonts.set(qn("w:hint"), script.slot)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia" if script.slot == "eastAsia" else "w:bidi"), script.lang)
    rpr.append(lang)  # w:lang comes after every property python-docx sets here


def add_text(
    paragraph: Paragraph,
    text: str,
    cleaner: Cleaner,
    where: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    strike: bool = False,
    mono: bool = False,
) -> None:
    """Append ``text`` as runs: cleaned for XML, one run per script with its font and language.

    ``"\\n"`` becomes a line break (``w:br``) and ``"\\t"`` a tab, as
    python-docx writes them.

    :param where: the clause the text belongs to, for the cleaner's warning.
    """
    text = cleaner.clean(text, where)
    for piece, script in script_runs(text):
        run = paragraph.add_run()
        put_text(run._r, piece)
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if underline:
            run.underline = True
        if strike:
            run.font.strike = True
        if mono:
            run.font.name = "Courier New"  # on every desktop, and mapped to a metric twin elsewhere
        if script is not None:
            _script_rpr(run, script)


def put_text(r: etree._Element, text: str, tag: str = "w:t") -> None:
    """Append ``text`` to the run element ``r`` as ``w:t`` (or ``w:delText``), ``w:br`` and ``w:tab``.

    python-docx's ``Run.text`` does the same one character at a time; this
    splits at line breaks and tabs only, which matters on a long text.

    :param r: a ``w:r`` element.
    :param tag: the text element, ``"w:t"``, or ``"w:delText"`` in a deletion.
    """
    for piece in _BREAKS.split(text):
        if not piece:
            continue
        if piece == "\n":
            r.append(OxmlElement("w:br"))
        elif piece == "\t":
            r.append(OxmlElement("w:tab"))
        else:
            t = OxmlElement(tag)
            t.text = piece
            if piece[0].isspace() or piece[-1].isspace():
                t.set(_SPACE, "preserve")
            r.append(t)


def inline_pieces(text: str) -> list[tuple[str, frozenset[str]]]:
    """Read inline Markdown into text pieces with their formatting.

    Uses markdown-it-py's ``js-default`` preset (no raw HTML), as
    :mod:`instrument.render` does; backslash escapes and entities are
    resolved; a link keeps its text and adds its address in parentheses
    when that differs; an image is its alternative text.

    :param text: the text of one block, without its label.
    :returns: ``(text, marks)`` pairs; marks from ``{"em", "strong", "s", "code"}``;
        a soft or hard line break is a ``"\\n"`` piece.
    """
    if not _MARKUP.search(text):
        return [(text, frozenset())]
    tokens = _INLINE.parseInline(text)
    children = (tokens[0].children or []) if tokens else []
    marks: set[str] = set()
    out: list[tuple[str, frozenset[str]]] = []
    links: list[tuple[str, int]] = []  # (href, index of the first piece of the link text)
    for token in children:
        kind = token.type
        if kind == "text":
            out.append((token.content, frozenset(marks)))
        elif kind in ("softbreak", "hardbreak"):
            out.append(("\n", frozenset(marks)))
        elif kind == "code_inline":
            out.append((token.content, frozenset(marks | {"code"})))
        elif kind == "link_open":
            links.append((str(token.attrs.get("href", "")), len(out)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            shown = "".join(piece for piece, _ in out[start:])
            if href and href != shown and f"mailto:{shown}" != href:
                out.append((f" ({href})", frozenset(marks)))
        elif kind.endswith("_open"):
            marks.add(token.tag)
        elif kind.endswith("_close"):
            marks.discard(token.tag)
        elif kind == "image" or token.content:  # an image's content is its alternative text
            out.append((token.content, frozenset(marks)))
    return out


def add_inline(paragraph: Paragraph, text: str, cleaner: Cleaner, where: str) -> None:
    """Append a block's text, inline Markdown turned into formatting (see :func:`inline_pieces`)."""
    for piece, marks in inline_pieces(text):
        add_text(
            paragraph,
            piece,
            cleaner,
            where,
            bold="strong" in marks,
            italic="em" in marks,
            strike="s" in marks,
            mono="code" in marks,
        )


def fill_cell(cell: _Cell, text: str, cleaner: Cleaner, where: str, *, bold: bool = False) -> None:
    """Fill a table cell: one paragraph per block (blank-line separated), in 9-point type.

    :param cell: a python-docx table cell (its first paragraph is reused).
    :param text: plain text; blank lines separate paragraphs.
    :param cleaner: collects characters XML forbids (see :mod:`instrument.export.cleaning`).
    :param where: the label used in the cleaner's warning.
    :param bold: set the text in bold (header rows).
    """
    blocks = text.split("\n\n") if text else [""]
    first = cell.paragraphs[0]
    for index, block in enumerate(blocks):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(3)
        add_text(paragraph, block.strip("\n"), cleaner, where, bold=bold)
        for run in paragraph.runs:
            run.font.size = Pt(9)


def repeat_header_row(table: Table) -> None:
    """Mark a table's first row as a header row that Word repeats on each page (``w:tblHeader``)."""
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def to_table_docx(
    title: str,
    subtitle: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    date_line: str = "",
    author: str = "",
    created: datetime | None = None,
) -> bytes:
    """Write a report as a Word table: A4 landscape, a title page, a header row repeated on every page.

    :param title: the report's title (also the running header).
    :param subtitle: a line under the title (e.g. the organisation reported on).
    :param header: the column names.
    :param rows: the cells, as plain text, one sequence per row (as long as ``header``).
    :param date_line: e.g. "Compiled on 29 November 2026".
    :param author: the organisation named as the file's author.
    :param created: date stored in the file's properties.
    :returns: the .docx file's bytes; characters XML forbids are dealt with and reported.
    """
    cleaner = Cleaner()
    doc = new_document(title=title, header=f"{title} — {subtitle}", author=author, created=created, landscape=True)
    title_page(doc, cleaner, [("Title", title), ("Subtitle", subtitle), ("Normal", date_line)])
    start_body(doc)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    repeat_header_row(table)
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        fill_cell(cell, name, cleaner, "table", bold=True)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            fill_cell(cell, str(value), cleaner, title)
    cleaner.report(title)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def heading_style(clause: ParsedClause) -> str:
    """Word heading style id of a clause: ``Heading1`` at the top level, one deeper per nesting (at most 9).

    The ids are those of the built-in styles "Heading 1" to "Heading 9".
    """
    return f"Heading{min(clause.depth + 1, 9)}"


def add_blocks(doc: DocumentType, text: str, cleaner: Cleaner, where: str) -> None:
    """Write a clause's text, one paragraph per block, labels as text with a hanging indent."""
    for block in text_blocks(text):
        paragraph = append_paragraph(doc)
        fmt = paragraph.paragraph_format
        if block.label:
            fmt.left_indent = Cm(INDENT_CM * block.depth)
            fmt.first_line_indent = Cm(-INDENT_CM)
            fmt.tab_stops.add_tab_stop(Cm(INDENT_CM * block.depth))
            add_text(paragraph, block.label + "\t", cleaner, where)
        elif block.depth > 1:
            fmt.left_indent = Cm(INDENT_CM * (block.depth - 1))
        add_inline(paragraph, block.text, cleaner, where)


def to_docx(
    title: str,
    clauses: Sequence[ParsedClause],
    *,
    subtitle: str = "",
    date_line: str = "",
    status: str = "",
    header: str = "",
    line_numbers: bool = False,
    lang: str = "en-GB",
    author: str = "",
    created: datetime | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Write a clean draft as a .docx file (see the module docstring for the layout).

    :param title: the instrument's title.
    :param clauses: the clauses in document order.
    :param subtitle: the draft's label ("Draft 2 — Revised draft ...").
    :param date_line: e.g. "Published 1 August 2007".
    :param status: e.g. "Open for comments and amendments until 30 September 2007."
    :param header: running header (default: ``title``).
    :param line_numbers: number the lines of the text, for negotiation.
    :param lang: BCP 47 tag of the text's main language.
    :param author: the organisation named as the file's author.
    :param created: date stored in the file's properties.
    :param progress: called as ``progress(done, total)`` after each clause.
    :returns: the .docx file's bytes. Characters XML forbids are dealt with
        and reported as warnings (see :mod:`instrument.export.cleaning`).
    """
    cleaner = Cleaner()
    clauses = clean_clauses(clauses, cleaner)
    title = cleaner.clean(title, "title")
    doc = new_document(title=title, header=header or title, lang=lang, author=author, created=created)
    title_page(doc, cleaner, [("Title", title), ("Subtitle", subtitle), ("Normal", date_line), ("Normal", status)])
    start_body(doc, line_numbers=line_numbers)
    total = len(clauses)
    for done, clause in enumerate(clauses, start=1):
        where = clause_title(clause)
        heading = append_paragraph(doc, heading_style(clause))
        add_text(heading, clause_title(clause), cleaner, where)
        add_blocks(doc, clause.text, cleaner, where)
        if progress is not None:
            progress(done, total)
    cleaner.report("DOCX")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
