"""Reading the words back out of every export format, for the tests that check no word is dropped.

Each reader returns the text a person or a program finds in the file:
HTML and Markdown as text, DOCX and Akoma Ntoso through their XML, PDF
through its text layer (``pdftotext -bbox`` of poppler-utils, which also
gives every word's box for the margin check). :func:`missing_words`
compares them with the source after :func:`normalise`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

# Characters that are Markdown markup when typed in a clause, and the backslash that escapes them.
_MARKUP = re.compile(r"[*_#`~>|\\\[\]]")
_WS = re.compile(r"\s+")
# Places inside a word where a line may break (UAX #14: after a hyphen, a dash or a slash).
_BREAK_AFTER = re.compile(r"(?<=[\-\u2010\u2013\u2014/])(?=\S)")
# Scripts written without spaces between words, compared as runs of characters.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")

#: The WordprocessingML namespace, in lxml's Clark notation.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def normalise(text: str) -> str:
    """NFKC, Markdown markup characters removed, words split where a line may break, whitespace made one space.

    NFKC rather than NFC: the PDF text layer may spell a ligature glyph
    (``ﬁ``) as one character, and both sides go through the same mapping.
    A word such as "Sachsen-Anhalt" or "Berlin/Brandenburg" is two words on
    both sides, because a page may end its line after the hyphen or slash.
    """
    text = _BREAK_AFTER.sub(" ", unicodedata.normalize("NFKC", text).replace("\u00ad", ""))
    return _WS.sub(" ", _MARKUP.sub("", text)).strip()


def missing_words(source: Iterable[str], output: str) -> list[str]:
    """Words of ``source`` that ``output`` lacks, in source order (empty when none is lost).

    Words are compared as multisets, so a word the source holds three times
    must be in the output three times. A word written in a script without
    spaces (Japanese, Chinese) is one long run of characters that a page
    may break anywhere, so it only has to occur in the output with all
    whitespace removed.

    :param source: the texts that must all be in the output (clause numbers, headings, texts).
    :param output: the text read back from the exported file.
    :returns: the missing words.
    """
    have = Counter(normalise(output).split())
    joined = normalise(output).replace(" ", "")
    missing = []
    for text in source:
        for word in normalise(text).split():
            if _UNSPACED.search(word):
                if word not in joined:
                    missing.append(word)
            elif have[word] > 0:
                have[word] -= 1
            else:
                missing.append(word)
    return missing


def html_text(document: str) -> str:
    """The text of an HTML document's body, block elements separated by line breaks."""
    root = lxml_html.document_fromstring(document)
    for el in root.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "br", "div", "td", "th"):
        el.tail = "\n" + (el.tail or "")
    return root.body.text_content()


def docx_text(data: bytes) -> str:
    """The text of a .docx file's main document part: every ``w:t``, a line break per paragraph."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    lines = []
    for paragraph in root.iter(f"{w}p"):
        pieces = []
        for el in paragraph.iter(f"{w}t", f"{w}tab", f"{w}br"):
            pieces.append(el.text or "" if el.tag == f"{w}t" else " ")
        lines.append("".join(pieces))
    return "\n".join(lines)


def resolve(data: bytes, *, accept: bool) -> str:
    """The text after accepting (or rejecting) every tracked change, as Word does it, from the XML.

    Accept: keep runs in ``w:ins``, drop runs in ``w:del``, and join a paragraph
    whose mark is deleted to the next. Reject: the other way round. Only the
    paragraphs after the title page count.
    """
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")).find(f"{W}body")
    paragraphs = list(body.iter(f"{W}p"))
    start = next(i for i, p in enumerate(paragraphs) if p.find(f"{W}pPr/{W}sectPr") is not None) + 1
    drop, gone_mark = (f"{W}del", f"{W}del") if accept else (f"{W}ins", f"{W}ins")
    out: list[str] = []
    for p in paragraphs[start:]:
        for r in p.iter(f"{W}r"):
            if r.getparent().tag == drop:
                continue
            for el in r:
                if el.tag in (f"{W}t", f"{W}delText"):
                    out.append(el.text or "")
                elif el.tag == f"{W}br":
                    out.append("\n")
        if p.find(f"{W}pPr/{W}rPr/{gone_mark}") is None:
            out.append("\n")
    return "".join(out)


def akn_text(data: bytes | str) -> str:
    """The text of an Akoma Ntoso document outside its metadata, with the ``title`` of each container.

    Akoma Ntoso has no heading element in a ``container`` (the preamble's
    parts), so a preamble's title is carried by its ``title`` attribute.
    """
    root = etree.fromstring(data.encode("utf-8") if isinstance(data, str) else data)
    for meta in [el for el in root.iter() if etree.QName(el).localname == "meta"]:
        meta.getparent().remove(meta)
    parts = [el.get("title") for el in root.iter() if el.get("title")]
    return "\n".join(parts) + "\n" + " ".join(t for t in root.itertext())


def poppler(tool: str) -> str:
    """Path of a poppler-utils tool; a missing tool skips the test locally and fails it in CI."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (poppler-utils) is missing; .ci/run installs it")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


@dataclass(frozen=True)
class Word:
    """One word of a PDF's text layer with its box, in points from the page's top left corner."""

    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class PdfLayout:
    """The words of a PDF and the size of its pages (all pages of an export have one size)."""

    width: float
    height: float
    words: list[Word]

    def body_text(self, top: float, bottom: float) -> str:
        """The words between the running header and the footer, in text-layer order, one per line.

        :param top: the page's top margin in points (the header sits above it).
        :param bottom: the page's bottom margin in points (the footer sits below it).
        """
        return "\n".join(w.text for w in self.words if w.y_max > top and w.y_min < self.height - bottom)

    def past_right_edge(self, right: float, tolerance: float = 0.5) -> list[Word]:
        """Words whose box ends beyond the page width minus the right margin ``right`` (points)."""
        return [w for w in self.words if w.x_max > self.width - right + tolerance]


def pdf_layout(data: bytes, tmp_path: Path) -> PdfLayout:
    """Read a PDF's text layer with ``pdftotext -bbox``: every word with its page and box.

    :param data: the PDF file's bytes.
    :param tmp_path: a directory for the file poppler reads.
    :returns: the page size and the words in text-layer order.
    """
    path = tmp_path / "words.pdf"
    path.write_bytes(data)
    out = subprocess.run([poppler("pdftotext"), "-bbox", str(path), "-"], check=True, capture_output=True).stdout
    root = lxml_html.document_fromstring(out.decode("utf-8"))
    words, width, height = [], 0.0, 0.0
    for number, page in enumerate(root.iter("page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for word in page.iter("word"):
            box = [float(word.get(name)) for name in ("xmin", "ymin", "xmax", "ymax")]
            words.append(Word(number, word.text or "", *box))
    return PdfLayout(width, height, words)


#: Points per centimetre (72 points to the inch).
PT_PER_CM = 72 / 2.54
