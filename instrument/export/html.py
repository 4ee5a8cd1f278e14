"""Clean draft as one standalone HTML file, readable on screen and in print."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from instrument.render import render_markdown
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


def to_html(title: str, clauses: Sequence[ParsedClause], *, subtitle: str | None = None, lang: str = "en") -> str:
    """Render a clean draft as a standalone HTML5 document with print CSS.

    Clause text goes through :func:`instrument.render.render_markdown` (no
    raw HTML, safe links), titles are escaped.

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
            parts.append(render_markdown(clause.text))
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
