"""PDF exports: every heading in the text, embedded Noto fonts for ASEAN scripts, no fetching, bad characters."""

from __future__ import annotations

import http.server
import logging
import subprocess
import threading
from pathlib import Path

import pytest

from instrument.compare import compare_clauses
from instrument.export.html import clause_title
from instrument.export.pdf import css_string, html_to_pdf, pdf_stylesheet, to_pdf
from instrument.export.redline import to_redline_html
from instrument.parse import parse_markdown
from instrument.text import comparison_form
from instrument.types import ClauseKind, ClauseState, ParsedClause
from tests.export_words import poppler

DEMO = Path(__file__).resolve().parents[2] / "drafter" / "demo"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run([poppler("pdftotext"), "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def embedded_fonts(data: bytes, tmp_path: Path) -> dict[str, bool]:
    """Font name (subset prefix removed) -> embedded, from ``pdffonts``."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run([poppler("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout
    fonts = {}
    for line in lines.splitlines()[2:]:
        name = line.split()[0].split("+", 1)[-1]
        fonts[name] = " yes " in line
    return fonts


@pytest.fixture(scope="module")
def demo():
    return parse_markdown((DEMO / "draft2.md").read_text(encoding="utf-8"))


def test_every_article_heading_is_in_the_pdf(demo, tmp_path):
    data = to_pdf(
        demo.title, demo.clauses, subtitle="Draft 2 — Revised draft", header="ASEAN Framework Instrument — Draft 2"
    )
    assert data.startswith(b"%PDF-")
    text = comparison_form(pdf_text(data, tmp_path))
    for clause in demo.clauses:
        assert comparison_form(clause_title(clause)) in text, clause.key
    assert "Page 2 of" in text and "ASEAN Framework Instrument — Draft 2" in text


def test_thai_khmer_and_burmese_render_with_embedded_noto_fonts(tmp_path):
    clauses = [
        ParsedClause("Article 1", ClauseKind.ARTICLE, "Article 1", "สิทธิ", "1. แรงงานข้ามชาติทุกคนมีสิทธิได้รับค่าจ้างที่เป็นธรรม"),
        ParsedClause("Article 2", ClauseKind.ARTICLE, "Article 2", "សិទ្ធិ", "1. ពលករចំណាកស្រុកទាំងអស់មានសិទ្ធិ"),
        ParsedClause("Article 3", ClauseKind.ARTICLE, "Article 3", "အခွင့်အရေး", "1. ရွှေ့ပြောင်းအလုပ်သမားအားလုံး"),
        ParsedClause("Article 4", ClauseKind.ARTICLE, "Article 4", "Other", "ພາສາລາວ, 移徙工人, Tiếng Việt."),
    ]
    fonts = embedded_fonts(to_pdf("ASEAN", clauses), tmp_path)
    for family in ("Noto-Serif-Thai", "Noto-Serif-Khmer", "Noto-Serif-Myanmar", "Noto-Serif-Lao", "Noto-Serif-CJK-SC",
                   "Noto-Serif"):  # fmt: skip
        assert fonts.get(family) is True, (family, fonts)
    assert all(fonts.values())


def test_control_characters_do_not_stop_the_pdf(tmp_path, caplog):
    clauses = [ParsedClause("Article 2", ClauseKind.ARTICLE, "Article 2\vDefinitions", "", "1. Text\f\x00here.")]
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        data = to_pdf("T", clauses)
    assert (
        "PDF export: Article 2 Definitions: 1 vertical tab became a line break; 1 form feed became a line break"
        in caplog.text
    )
    assert "Definitions" in pdf_text(data, tmp_path)


def test_nothing_is_fetched_from_outside(tmp_path):
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        clauses = [ParsedClause("Article 1", ClauseKind.ARTICLE, "Article 1", "",
                                f"![logo]({url}/logo.png) and ![file](file:///etc/hostname)")]  # fmt: skip
        data = to_pdf("T", clauses)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert data.startswith(b"%PDF-") and hits == []


def test_redline_pdf_shows_both_sides_without_screen_reader_labels(tmp_path):
    old = [
        ClauseState(
            "a5", ClauseKind.ARTICLE, "Article 5", "Equality", "The Member States shall endeavour to take measures."
        )
    ]
    new = [
        ClauseState(
            "a5", ClauseKind.ARTICLE, "Article 5", "Equality", "The Member States shall take effective measures."
        )
    ]
    html = to_redline_html("Instrument", "Draft 1", "Draft 2", compare_clauses(old, new))
    text = comparison_form(pdf_text(html_to_pdf(html, header="Instrument — Draft 1 → Draft 2"), tmp_path))
    assert "shall endeavour to take" in text and "take effective measures" in text  # both sides shown
    assert "deleted:" not in text and "inserted:" not in text


def test_css_strings_cannot_break_out():
    assert css_string('Draft "2" \\ </style><img src=x>') == '"Draft \\"2\\" \\\\ \\3C /style>\\3C img src=x>"'
    sheet = pdf_stylesheet("Line\nbreak")
    assert '"Line\\A break"' in sheet and '"Noto Serif Thai"' in sheet
