"""Clean draft as one standalone HTML file, readable on screen and in print."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt

from instrument.export.blocks import BlockNode, block_tree, text_blocks
from instrument.render import render_inline, render_markdown
from instrument.types import ClauseKind, ParsedClause

#: Print-friendly stylesheet embedded in the file, so it travels as one document.
PRINT_CSS = """
body { font-family: "Noto Serif", Georgia, "Times New Roman", serif; line-height: 1.5;
       max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #000; background: #fff; }
h1 { font-size: 1.6rem; text-align: center; }
.subtitle { text-align: center; font-style: italic; }
h2 { font-size: 1.25rem; margin-top: 2rem; text-align: center; }
h3, h4, h5, h6 { font-size: 1.05rem; margin-top: 1.5rem; }
.clause p, .clause li { text-align: justify; }
body { overflow-wrap: break-word; }
ol.units, ul.units { list-style: none; margin: 0.5em 0; padding: 0; }
ol.units > li, ul.units > li { margin: 0.5em 0; padding-left: 2.5em; }
.label { display: inline-block; min-width: 2.5em; margin-left: -2.5em; text-align: left; }
a { color: inherit; }
@page { size: A4; margin: 2.5cm 2cm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2, h3, h4, h5, h6 { break-after: avoid; }
  .clause { break-inside: avoid-page; }
}
"""


def heading_level(clause: ParsedClause) -> int:
    """HTML heading level for a clause: divisions and preambles from h2, articles one below their division.

    :returns: an int from 2 to 6.
    """
    base = 2 + clause.depth
    if clause.kind == ClauseKind.ARTICLE and clause.depth == 0:
        base = 3
    return min(base, 6)


def clause_title(clause: ParsedClause) -> str:
    """Number and heading joined as the reader sees them ("Article 5 — Recruitment")."""
    if clause.number and clause.heading:
        return f"{clause.number} — {clause.heading}"
    return clause.number or clause.heading or clause.key


# Block rules of the reading page's parser; only which block a paragraph makes is asked of it.
_BLOCKS = MarkdownIt("js-default", {"html": False})
# Readings that come from a paragraph's first characters alone: a number or bullet, or indentation.
_PROSE_READINGS = frozenset({"bullet_list_open", "ordered_list_open", "code_block", "fence", "html_block"})


def _unlabelled_html(text: str) -> str:
    """A block without a label: as the reading page shows it, unless that makes it a list or code.

    A heading, quotation, rule or table typed in a clause is rendered as
    :func:`instrument.render.render_markdown` renders it on the reading
    page. A paragraph that Markdown would read as a list or a code block
    only because of how it begins ("2007. The Act ...", "1) ...", text
    indented by four spaces) is a paragraph of prose: its number stays
    text and its lines wrap.
    """
    tokens = _BLOCKS.parse(text)
    if tokens and not any(tok.type in _PROSE_READINGS for tok in tokens):
        return render_markdown(text)
    return f"<p>{render_inline(text)}</p>\n"


def _nodes_html(nodes: tuple[BlockNode, ...] | list[BlockNode]) -> str:
    parts: list[str] = []
    run: list[str] = []  # list items waiting for their <ol>/<ul>
    run_tag = ""
    for node in nodes:
        block = node.block
        inner = _nodes_html(node.children) if node.children else ""
        if block.label:
            tag = "ul" if block.label in ("-", "*", "+") else "ol"
            if run and tag != run_tag:
                parts.append(f'<{run_tag} class="units">\n{"".join(run)}</{run_tag}>\n')
                run = []
            run_tag = tag
            nested = "\n" + inner if inner else ""
            label = f'<span class="label">{escape(block.label)} </span>'
            run.append(f"<li>{label}{render_inline(block.text)}{nested}</li>\n")
            continue
        if run:
            parts.append(f'<{run_tag} class="units">\n{"".join(run)}</{run_tag}>\n')
            run = []
        parts.append(_unlabelled_html(block.text) + inner)
    if run:
        parts.append(f'<{run_tag} class="units">\n{"".join(run)}</{run_tag}>\n')
    return "".join(parts)


def clause_body_html(text: str) -> str:
    """A clause's text as HTML for the clean exports, block by block as Word and Akoma Ntoso have it.

    The blocks are those of :func:`instrument.export.blocks.text_blocks`.
    Numbered paragraphs, points and bullet items become items of
    ``<ol class="units">`` / ``<ul class="units">`` lists, nested as the
    text nests them, with the label written as text exactly as in the draft
    (``<span class="label">2. </span>``, ``(a)``, ``4a.``): a list never
    renumbers ("1., 3." stays "1., 3.") and the number is in the text that
    is copied, searched or read out. Inline Markdown in every block is
    rendered by :func:`instrument.render.render_inline`; a block without a
    label goes through :func:`_unlabelled_html`.

    :param text: the clause text (canonical Markdown).
    :returns: an HTML fragment, safe (only the tags of
        :data:`instrument.render.ALLOWED_TAGS` plus ``span``); ``""`` for an empty text.
    """
    return _nodes_html(block_tree(text_blocks(text)))


def to_html(title: str, clauses: Sequence[ParsedClause], *, subtitle: str | None = None, lang: str = "en") -> str:
    """Render a clean draft as a standalone HTML5 document with print CSS.

    Clause text goes through :func:`clause_body_html` (labels as text,
    inline Markdown without raw HTML, safe links), titles are escaped.

    :param title: the instrument's title.
    :param clauses: the clauses in document order.
    :param subtitle: a line under the title ("Draft 2 — ..."), optional.
    :param lang: BCP 47 language tag of the document.
    :returns: the HTML document as a string.
    """
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{PRINT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="subtitle">{escape(subtitle)}</p>')
    for clause in clauses:
        level = heading_level(clause)
        parts.append(f'<section class="clause clause-{clause.kind.value}">')
        parts.append(f"<h{level}>{escape(clause_title(clause))}</h{level}>")
        if clause.text:
            parts.append(clause_body_html(clause.text))
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
