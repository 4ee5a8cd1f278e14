"""Redlines and clause comparisons on real legal texts (``shared/corpus``).

The expected sets below were read off the files themselves (a line diff of
each pair, checked article by article), not copied from the corpus README:
for instance the GG's Art 73 changes only in indentation and Art 74 not at
all between the two states used here.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import regex

from instrument.diff import Comparison, apply, compare_clauses, redline
from instrument.parse import parse_markdown
from instrument.text import nfc
from instrument.types import ClauseState, ParsedClause

pytestmark = pytest.mark.corpus

GG_V2 = "bundestag-gesetze/gg_v2_2012-08-06_166018c1.md"
GG_V3 = "bundestag-gesetze/gg_v3_2022-01-28_5710c0a6.md"


def to_state(clause: ParsedClause, position: int) -> ClauseState:
    return ClauseState(
        key=clause.key,
        kind=clause.kind,
        number=clause.number,
        heading=clause.heading,
        text=clause.text,
        parent_key=clause.parent_key,
        position=position,
    )


def states(corpus: Path, name: str) -> list[ClauseState]:
    path = corpus / name
    parsed = parse_markdown(path.read_text(encoding="utf-8"), source_name=path.name)
    return [to_state(c, i) for i, c in enumerate(parsed.clauses)]


def compare(corpus: Path, old: str, new: str) -> Comparison:
    return compare_clauses(states(corpus, old), states(corpus, new))


def keys(comparison: Comparison, predicate) -> set[str]:
    return {c.key for c in comparison.changes if predicate(c)}


def test_tpg_v3_to_v4_whitespace_only_is_no_change(corpus):
    c = compare(
        corpus,
        "bundestag-gesetze/tpg_v3_2012-09-11_f6a582eb.md",
        "bundestag-gesetze/tpg_v4_2012-10-18_e3c6d7fe.md",
    )
    assert c.changes
    assert not c.changed
    assert {ch.status for ch in c.changes} == {"unchanged"}
    assert (c.words_inserted, c.words_deleted, c.clauses_heading_changed) == (0, 0, 0)


def test_gg_v2_to_v3_changed_and_added_articles(corpus):
    c = compare(corpus, GG_V2, GG_V3)
    amended = {
        "Art 21", "Art 72", "Art 90", "Art 91b", "Art 91c", "Art 104a", "Art 104b",
        "Art 105", "Art 106", "Art 107", "Art 108", "Art 109a", "Art 114", "Art 125b",
        "Art 125c", "Art 143d",
    }  # fmt: skip
    repealed = {"Art 49", "Art 59a", "Art 142a"}
    assert keys(c, lambda ch: ch.status == "changed") == amended | repealed
    assert keys(c, lambda ch: ch.status == "added") == {
        "Art 104c", "Art 104d", "Art 143e", "Art 143f", "Art 143g"
    }
    assert keys(c, lambda ch: ch.status == "deleted") == set()
    assert keys(c, lambda ch: ch.heading_changed) == repealed
    assert (c.clauses_moved, c.clauses_renumbered) == (0, 0)
    assert (c.clauses_added, c.clauses_changed) == (5, 19)


def test_gg_repealed_articles_are_heading_changes(corpus):
    c = compare(corpus, GG_V2, GG_V3)
    for key in ("Art 49", "Art 59a", "Art 142a"):
        ch = c.find(key)
        assert ch.status == "changed" and ch.heading_changed
        assert ch.old.heading == "" and ch.new.heading == "(weggefallen)"
        assert [(op.kind, op.text) for op in ch.heading_redline.ops] == [("insert", "(weggefallen)")]
        # The body loses only the "-" placeholder of the older conversion.
        assert [(op.kind, op.text) for op in ch.redline.ops] == [("delete", "-")]
        assert (ch.words_inserted, ch.words_deleted) == (1, 0)


def test_gg_art_73_reindented_only_and_art_106_one_dot(corpus):
    c = compare(corpus, GG_V2, GG_V3)
    art73 = c.find("Art 73")
    assert art73.status == "unchanged"
    assert any(op.old_text != op.text for op in art73.redline.ops)  # whitespace did differ
    art106 = c.find("Art 106")
    assert [(op.kind, op.text) for op in art106.redline.ops if op.kind != "equal"] == [("insert", ".")]
    assert (art106.words_inserted, art106.words_deleted) == (0, 0)


def test_gg_art_21_redline_is_word_level(corpus):
    ch = compare(corpus, GG_V2, GG_V3).find("Art 21")
    inserted = " ".join(op.text for op in ch.redline.ops if op.kind == "insert")
    assert "Finanzierung" in inserted
    # Whole words: no operation boundary has a letter or digit on both sides,
    # in either text.
    letter = regex.compile(r"[\p{L}\p{N}\p{M}]")
    for side, text in (("old_side", ch.old.text), ("new_side", ch.new.text)):
        pos = 0
        for op in ch.redline.ops[:-1]:
            pos += len(getattr(op, side))
            if 0 < pos < len(text):
                assert not (letter.match(text[pos - 1]) and letter.match(text[pos])), text[pos - 20 : pos + 20]
    assert apply(ch.old.text, ch.redline.ops) == ch.new.text


def test_whole_text_redline_rebuilds_both_sides(corpus):
    old = (corpus / GG_V2).read_text(encoding="utf-8")
    new = (corpus / GG_V3).read_text(encoding="utf-8")
    r = redline(old, new)
    assert apply(old, r.ops) == nfc(new)
    assert r.old_text == old


def test_japanese_pure_insertion(corpus):
    folder = corpus / "egov-japan-laws_doc"
    old = (folder / "genshiryoku-kihonho_330AC1000000186_20230607_505AC0000000044.txt").read_text(encoding="utf-8")
    new = (folder / "genshiryoku-kihonho_330AC1000000186_20250606_505AC0000000044.txt").read_text(encoding="utf-8")
    r = redline(old, new)
    assert {op.kind for op in r.ops} == {"equal", "insert"}
    assert r.words_deleted == 0
    inserted = "".join(op.text for op in r.ops if op.kind == "insert")
    assert "十六条の二" in inserted and "運転期間" in inserted
    assert apply(old, r.ops) == new


def test_tpg_v6_to_v7_organ_donation_reform(corpus):
    c = compare(
        corpus,
        "bundestag-gesetze/tpg_v6_2022-01-28_5710c0a6.md",
        "bundestag-gesetze/tpg_v7_2022-03-03_faba4c77.md",
    )
    changed = keys(c, lambda ch: ch.status == "changed")
    assert {"§ 2", "§ 4", "§ 7"} <= changed
    assert c.find("§ 2").heading_changed
    assert c.clauses_added == 0


def test_civil_code_v2_to_v3_one_provision(corpus):
    c = compare(
        corpus, "large/bgb_v2_2022-02-13_79bdc90d.md", "large/bgb_v3_2022-03-03_faba4c77.md"
    )
    assert len(c.changes) > 2000
    assert keys(c, lambda ch: ch.status != "unchanged" or ch.moved or ch.renumbered) == {"§ 309"}
