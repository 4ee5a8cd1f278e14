"""Shared pieces of the exports: XML-safe text, fonts by script, blocks of a clause's text."""

from __future__ import annotations

import logging

import pytest

from instrument.export.blocks import Block, text_blocks
from instrument.export.cleaning import Cleaner, clean_clauses
from instrument.export.fonts import css_font_stack, script_runs
from instrument.types import ClauseKind, ParsedClause


def test_cleaner_turns_vertical_tab_and_form_feed_into_line_breaks_and_drops_the_rest():
    cleaner = Cleaner()
    assert cleaner.clean("Article 2\vDefinitions", "Article 2") == "Article 2\nDefinitions"
    assert cleaner.clean("a\fb\x00c\x01d\x1be\ufffef", "Article 3") == "a\nbcdef"
    assert cleaner.clean("one\r\ntwo\rthree", "Article 4") == "one\ntwo\nthree"
    assert cleaner.messages() == [
        "Article 2: 1 vertical tab became a line break",
        "Article 3: 1 form feed became a line break; 1 NUL character dropped; 1 U+0001 character dropped; "
        "1 escape character dropped; 1 U+FFFE character dropped",
        "Article 4: 1 carriage return became a line break",
    ]


def test_cleaner_leaves_good_text_alone_and_reports_nothing(caplog):
    cleaner = Cleaner()
    text = "Tab\tand newline\nand ภาษาไทย, ខ្មែរ, မြန်မာ, 中文, Tiếng Việt stay."
    assert cleaner.clean(text, "x") is text
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        assert cleaner.report("DOCX") == []
    assert caplog.records == []


def test_report_logs_one_warning_per_clause(caplog):
    clauses = [
        ParsedClause("Article 1", ClauseKind.ARTICLE, "Article 1", "Objective", "Clean text."),
        ParsedClause("Article 2", ClauseKind.ARTICLE, "Article 2", "Defini\vtions", "1. A\x00B\v\vC"),
    ]
    cleaner = Cleaner()
    cleaned = clean_clauses(clauses, cleaner)
    assert cleaned[0] is clauses[0]
    assert cleaned[1].heading == "Defini\ntions" and cleaned[1].text == "1. AB\n\nC"
    with caplog.at_level(logging.WARNING, logger="instrument.export"):
        cleaner.report("PDF")
    assert [r.getMessage() for r in caplog.records] == [
        "PDF export: Article 2: 3 vertical tabs became line breaks; 1 NUL character dropped "
        "(characters that XML does not allow, e.g. pasted from a word processor)"
    ]


def test_script_runs_split_text_by_the_font_it_needs():
    runs = script_runs("Article 2: ภาษาไทย ແລະ ខ្មែរ, မြန်မာ; 中文。 Tiếng Việt")
    assert "".join(piece for piece, _ in runs) == "Article 2: ภาษาไทย ແລະ ខ្មែរ, မြန်မာ; 中文。 Tiếng Việt"
    found = [(piece, script.name) for piece, script in runs if script is not None]
    assert found == [("ภาษาไทย", "Thai"), ("ແລະ", "Lao"), ("ខ្មែរ", "Khmer"), ("မြန်မာ", "Myanmar"), ("中文。", "Han")]
    assert script_runs("Malay, Tagalog and Tiếng Việt are Latin") == [("Malay, Tagalog and Tiếng Việt are Latin", None)]
    assert script_runs("") == []


def test_css_font_stack_names_every_asean_script_font():
    stack = css_font_stack()
    for family in ("Noto Serif", "Noto Serif Thai", "Noto Serif Lao", "Noto Serif Khmer", "Noto Serif Myanmar",
                   "Noto Serif CJK SC"):  # fmt: skip
        assert f'"{family}"' in stack
    assert stack.startswith('"Noto Serif"') and stack.endswith("serif")


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("", []),
        ("Plain text.\n\nAnother block.", [Block("", 1, "Plain text."), Block("", 1, "Another block.")]),
        (
            "1. For the purposes:\n\n    (a) one;\n\n    (b) two.\n\n    Closing words.\n\n2. Next.",
            [
                Block("1.", 1, "For the purposes:"),
                Block("(a)", 2, "one;"),
                Block("(b)", 2, "two."),
                Block("", 2, "Closing words."),
                Block("2.", 1, "Next."),
            ],
        ),
        (
            "(1) Absatz\n\n1. Nummer\n\na) Buchstabe",
            [Block("(1)", 1, "Absatz"), Block("1.", 2, "Nummer"), Block("a)", 3, "Buchstabe")],
        ),
        ("- a bullet", [Block("-", 1, "a bullet")]),
    ],
)
def test_text_blocks_keep_labels_as_written_and_nest_them(text, blocks):
    assert text_blocks(text) == blocks
