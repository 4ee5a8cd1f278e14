"""Tests of instrument.numbering: paragraphs and points inside an article's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from instrument.numbering import Unit, find_unit, label_core, reference, split_units, unit_path
from instrument.parse import canonical_markdown, parse_markdown
from instrument.types import ClauseKind

DEMO_DIR = Path(__file__).resolve().parents[2] / "drafter" / "demo"

CONVENTION = """\
1. For the purposes of this Instrument:

    (a) "migrant worker" means a person engaged in paid work abroad;

    (b) "State of origin" means the State of nationality.

2. Other terms have their meaning in international law."""

GG_STYLE = """\
(1) Der Bund hat die ausschließliche Gesetzgebung über:

1. die auswärtigen Angelegenheiten;

2. die Zusammenarbeit des Bundes und der Länder

    a) in der Kriminalpolizei,

    b) zum Schutze der Verfassung,

    sowie die internationale Verbrechensbekämpfung;

3. die Statistik für Bundeszwecke.

(2) Gesetze nach Absatz 1 Nr. 2 bedürfen der Zustimmung."""


def rows(units):
    return [(u.label, u.level, u.text) for u in units]


def test_paragraphs_and_points_of_the_project_convention():
    assert rows(split_units(CONVENTION)) == [
        ("1", 1, "For the purposes of this Instrument:"),
        ("(a)", 2, '"migrant worker" means a person engaged in paid work abroad;'),
        ("(b)", 2, '"State of origin" means the State of nationality.'),
        ("2", 1, "Other terms have their meaning in international law."),
    ]


def test_absatz_nummer_buchstabe_and_a_closing_sentence():
    units = split_units(GG_STYLE)
    assert rows(units) == [
        ("(1)", 1, "Der Bund hat die ausschließliche Gesetzgebung über:"),
        ("1", 2, "die auswärtigen Angelegenheiten;"),
        ("2", 2, "die Zusammenarbeit des Bundes und der Länder"),
        ("a)", 3, "in der Kriminalpolizei,"),
        ("b)", 3, "zum Schutze der Verfassung,"),
        ("", 2, "sowie die internationale Verbrechensbekämpfung;"),  # indented under no. 2
        ("3", 2, "die Statistik für Bundeszwecke."),
        ("(2)", 1, "Gesetze nach Absatz 1 Nr. 2 bedürfen der Zustimmung."),
    ]


@pytest.mark.parametrize("text", [CONVENTION, GG_STYLE, "(1) a\nb\n\n  (2) c  \n\n1.\ncontinued"])
def test_offsets_point_into_the_text(text):
    for unit in split_units(text):
        assert text[unit.start : unit.end] == unit.text


def test_continuation_lines_of_an_unreflowed_text_stay_in_their_unit():
    units = split_units("(1) Die Würde\ndes Menschen.\n(2) Zweiter\n    Absatz.")
    assert [(u.label, u.text) for u in units] == [("(1)", "Die Würde\ndes Menschen."), ("(2)", "Zweiter\n    Absatz.")]


def test_unnumbered_text_has_level_zero():
    assert rows(split_units("Every migrant worker shall have equal access.")) == [
        ("", 0, "Every migrant worker shall have equal access.")
    ]
    assert split_units("") == []
    assert split_units("\n\n") == []


def test_roman_numerals_are_told_from_letters():
    text = "(a) first\n\n(b) second\n\n    (i) sub one\n\n    (ii) sub two\n\n(c) third"
    assert [(u.label, u.level) for u in split_units(text)] == [
        ("(a)", 1), ("(b)", 1), ("(i)", 2), ("(ii)", 2), ("(c)", 1),
    ]  # fmt: skip
    letters = "\n\n".join(f"({c}) point" for c in "abcdefghij")
    assert [u.level for u in split_units(letters)] == [1] * 10  # (i) after (h) is a letter


def test_doubled_letters_nest_under_single_letters():
    text = "1. Nummer\n\n    a) Buchstabe\n\n        aa) Doppelbuchstabe\n\n        bb) zweiter\n\n    b) Buchstabe"
    assert [(u.label, u.level) for u in split_units(text)] == [
        ("1", 1), ("a)", 2), ("aa)", 3), ("bb)", 3), ("b)", 2),
    ]  # fmt: skip


def test_bullets_are_unlabelled_but_nested():
    units = split_units("(1) Intro:\n\n- one\n\n- two\n\n(2) Next.")
    assert [(u.label, u.level, u.text) for u in units] == [
        ("(1)", 1, "Intro:"), ("", 2, "one"), ("", 2, "two"), ("(2)", 1, "Next."),
    ]  # fmt: skip


def test_unit_path_and_reference():
    units = split_units(GG_STYLE)
    assert [u.label for u in unit_path(units, 4)] == ["(1)", "2", "b)"]
    assert reference("Art 73", unit_path(units, 4)) == "Art 73(1)(2)(b)"
    assert [u.label for u in unit_path(units, 5)] == ["(1)", "2", ""]  # the closing sentence
    assert reference("Art 73", unit_path(units, 5)) == "Art 73(1)(2)"
    assert reference("Art 73", unit_path(units, 7)) == "Art 73(2)"
    conv = split_units(CONVENTION)
    assert reference("Article 2", unit_path(conv, 2)) == "Article 2(1)(b)"
    assert reference("Article 2", ["2."]) == "Article 2(2)"
    assert reference("Article 2", []) == "Article 2"
    with pytest.raises(IndexError):
        unit_path(conv, 9)


def test_find_unit_looks_level_by_level():
    units = split_units(GG_STYLE)
    # "2" alone is paragraph (2), not item 2 of paragraph (1).
    assert find_unit(units, ["2"]).text.startswith("Gesetze nach Absatz 1")
    assert find_unit(units, ["(1)", "2", "b"]).text == "zum Schutze der Verfassung,"
    assert find_unit(units, ["1", "3"]).text == "die Statistik für Bundeszwecke."
    assert find_unit(units, ["2", "1"]) is None  # paragraph (2) has no items
    assert find_unit(units, ["3"]) is None
    assert find_unit(units, []) is None
    conv = split_units(CONVENTION)
    assert find_unit(conv, ["1", "(b)"]).text.startswith('"State of origin"')
    assert find_unit(conv, ["2", "a"]) is None


def test_label_core():
    assert [label_core(x) for x in ["(2)", "2", "2.", "a)", "(aa)", ""]] == ["2", "2", "2", "a", "aa", ""]


def test_unit_is_frozen():
    unit = Unit("1", 1, "x", 3, 4)
    with pytest.raises(AttributeError):
        unit.level = 2  # type: ignore[misc]


def test_canonical_text_keeps_the_units_of_a_hard_wrapped_text():
    wrapped = (
        "(1) Der Bund\nhat die Gesetzgebung über:\n\n1.  die auswärtigen\n    Angelegenheiten;\n2.  die Statistik."
    )
    assert rows(split_units(canonical_markdown(wrapped))) == [
        ("(1)", 1, "Der Bund hat die Gesetzgebung über:"),
        ("1", 2, "die auswärtigen Angelegenheiten;"),
        ("2", 2, "die Statistik."),
    ]


@pytest.mark.parametrize(
    ("name", "paragraphs", "single", "points"),
    [("draft1.md", 94, 2, 20), ("draft2.md", 97, 2, 22)],
)
def test_counts_documented_for_the_demo_instrument(name, paragraphs, single, points):
    # drafter/demo/README.md states these counts for each draft.
    parsed = parse_markdown((DEMO_DIR / name).read_text(encoding="utf-8"), source_name=name)
    counted = {"paragraphs": 0, "single": 0, "points": 0}
    for clause in parsed.clauses:
        if clause.kind is not ClauseKind.ARTICLE:
            continue
        units = split_units(clause.text)
        counted["paragraphs"] += sum(1 for u in units if u.label and u.level == 1)
        counted["points"] += sum(1 for u in units if u.label and u.level == 2)
        counted["single"] += all(not u.label for u in units)
    assert counted == {"paragraphs": paragraphs, "single": single, "points": points}
