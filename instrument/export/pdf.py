"""Clean drafts and redlines as PDF, laid out by WeasyPrint from the HTML exports.

The HTML of :mod:`instrument.export.html` (or of the redline,
:mod:`instrument.export.redline`) is rendered with one more stylesheet,
:data:`PDF_CSS`: A4 pages with ``Page N of M`` at the foot (CSS Paged Media
Level 3, page-margin boxes and the ``page``/``pages`` counters), a running
header with the instrument and the draft's number, no header on the first
page, and a font list that names the Noto family of every ASEAN script
(:func:`instrument.export.fonts.css_font_stack`), so that Thai, Lao, Khmer,
Burmese and Chinese are drawn with real glyphs and the fonts are embedded
(subset) in the file.

WeasyPrint fetches nothing: images and stylesheets named in the text
(``![x](http://...)``) are refused by :class:`_NoFetch`, so an export never
reaches the network nor reads local files.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0
libharfbuzz-subset0``) and the fonts (``fonts-noto-core fonts-noto-cjk``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from instrument.export import Progress
from instrument.export.cleaning import Cleaner, clean_clauses
from instrument.export.fonts import css_font_stack
from instrument.export.html import to_html
from instrument.types import ParsedClause

PDF_MIME = "application/pdf"

_PAGE_CSS = """
@page {
  size: A4;
  margin: 2.5cm 2cm 2.2cm;
  @top-center { content: %(header)s; font-size: 8.5pt; color: #444; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8.5pt; color: #444; }
}
@page :first { @top-center { content: none; } }
html, body { font-family: %(fonts)s; }
body { margin: 0; max-width: none; font-size: 11pt; }
h1, h2, h3, h4, h5, h6 { font-family: %(fonts)s; break-after: avoid; }
.visually-hidden { display: none; }
.clause { break-inside: auto; }
p, li { orphans: 2; widows: 2; }
"""


# WeasyPrint ships no type information, so its base class is Any to the type checker.
class _NoFetch(URLFetcher):  # type: ignore[misc]
    """A URL fetcher that refuses every URL (nothing outside the document is loaded)."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> NoReturn:
        raise ValueError(f"external resources are not loaded in PDF exports: {url[:80]}")


def css_string(text: str) -> str:
    """Quote ``text`` as a CSS string (CSS Syntax Level 3, 4.3.5).

    Backslashes, quotes and line breaks are escaped, and so is ``<``, so that
    the string cannot close the ``<style>`` element it is written into.
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{escaped}"'


def pdf_stylesheet(header: str) -> str:
    """The stylesheet added to the HTML export for print: pages, running header, fonts.

    :param header: the running header's text (shown from page 2 on).
    :returns: CSS text.
    """
    return _PAGE_CSS % {"header": css_string(header), "fonts": css_font_stack()}


def html_to_pdf(html: str, *, header: str, where: str = "document") -> bytes:
    """Lay out an HTML document as PDF with :func:`pdf_stylesheet`.

    Characters XML forbids are cleaned first (HTML parsers replace or
    refuse them as well) and reported with ``where`` as the place.

    :param html: a complete HTML document.
    :param header: the running header's text.
    :param where: how to name the document in a warning ("the redline").
    :returns: the PDF file's bytes.
    """
    cleaner = Cleaner()
    html = cleaner.clean(html, where)
    header = cleaner.clean(header, where)
    cleaner.report("PDF")
    # In the document, after its own styles, so that these rules win (stylesheets passed
    # to write_pdf are user stylesheets, which lose to the document's author styles).
    style = f"<style>{pdf_stylesheet(header)}</style>"
    html = html.replace("</head>", style + "</head>", 1) if "</head>" in html else style + html
    # Without a target, write_pdf returns the file's bytes.
    pdf: bytes = HTML(string=html, url_fetcher=_NoFetch(), media_type="print").write_pdf()
    return pdf


def to_pdf(
    title: str,
    clauses: Sequence[ParsedClause],
    *,
    subtitle: str | None = None,
    header: str = "",
    lang: str = "en",
    progress: Progress | None = None,
) -> bytes:
    """Write a clean draft as PDF: the HTML export laid out for print.

    :param title: the instrument's title.
    :param clauses: the clauses in document order.
    :param subtitle: the draft's label under the title ("Draft 2 — ...").
    :param header: the running header (default: ``title``).
    :param lang: BCP 47 tag of the text (lets the layout pick hyphenation and line breaking).
    :param progress: called as ``progress(done, total)``: once the HTML is
        built (``total - 1`` of ``total``) and once the pages are laid out.
    :returns: the PDF file's bytes.
    """
    cleaner = Cleaner()
    clauses = clean_clauses(clauses, cleaner)
    title = cleaner.clean(title, "title")
    subtitle = cleaner.clean(subtitle, "title") if subtitle else subtitle
    cleaner.report("PDF")
    html = to_html(title, clauses, subtitle=subtitle, lang=lang)
    total = len(clauses) + 1
    if progress is not None:
        progress(total - 1, total)
    data = html_to_pdf(html, header=header or title)
    if progress is not None:
        progress(total, total)
    return data
