"""Redlines and clause comparisons on real legal texts (``shared/corpus``).

The expected sets below were read off the files themselves (a line diff of
each pair, checked article by article), not copied from the corpus README:
for instance the GG's Art 73 changes only in indentation and Art 74 not at
all between the two states used here.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

import pytest
import regex

from instrument.compare import Comparison, compare_clauses
from instrument.diff import apply, redline
from instrument.matching import Candidate, match_clauses
from instrument.parse import parse_markdown
from instrument.text import comparison_form, nfc
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
    assert keys(c, lambda ch: ch.status == "added") == {"Art 104c", "Art 104d", "Art 143e", "Art 143f", "Art 143g"}
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
    c = compare(corpus, "large/bgb_v2_2022-02-13_79bdc90d.md", "large/bgb_v3_2022-03-03_faba4c77.md")
    assert len(c.changes) > 2000
    assert keys(c, lambda ch: ch.status != "unchanged" or ch.moved or ch.renumbered) == {"§ 309"}


# --- clause identity across versions (instrument.matching) ------------------------------------

# Clauses matched across each pair of successive versions before identity looked at number,
# place and neighbours (text and key only); the present rule must find at least as many.
MATCHED_BEFORE = {
    ("bundestag-gesetze", "tpg_v"): [50, 53, 53, 53, 53, 66],
    ("bundestag-gesetze", "gg_v"): [213, 213],
    ("bundestag-gesetze", "vig_v"): [6, 7, 7, 7],
    ("bundestag-gesetze", "it-staatsvertrag_ggart91cvtr_v"): [11],
    ("large", "bgb_v"): [2787, 2787],
}


@functools.lru_cache(maxsize=8)
def candidates(corpus: Path, name: str) -> tuple[Candidate, ...]:
    path = corpus / name
    clauses = parse_markdown(path.read_text(encoding="utf-8"), source_name=path.name).clauses
    return tuple(Candidate(i, c.key, c.text, c.kind.value) for i, c in enumerate(clauses))


@pytest.mark.parametrize(("folder", "prefix"), list(MATCHED_BEFORE))
def test_matching_successive_versions_finds_no_fewer_clauses(corpus, folder, prefix):
    names = sorted(p.name for p in (corpus / folder).glob(f"{prefix}*.md"))
    counts = []
    for old_name, new_name in itertools.pairwise(names):
        old = candidates(corpus, f"{folder}/{old_name}")
        new = candidates(corpus, f"{folder}/{new_name}")
        pairs = match_clauses(old, new)
        counts.append(len(pairs))
        assert len(set(pairs.values())) == len(pairs)
        # A clause whose key and text stay the same is always itself.
        old_at = {(c.key, comparison_form(c.text)): c.ident for c in old}
        for c in new:
            same = old_at.get((c.key, comparison_form(c.text)))
            if same is not None and c.key not in {o.key for o in old if o.ident != same}:
                assert pairs.get(c.ident) == same, (new_name, c.key)
    assert all(now >= before for now, before in zip(counts, MATCHED_BEFORE[folder, prefix], strict=True)), counts


@pytest.mark.parametrize("name", [GG_V2, "large/bgb_v2_2022-02-13_79bdc90d.md"])
def test_positional_numbers_shift_and_every_clause_keeps_its_identity(corpus, name):
    # Number the articles 1, 2, 3 ... as a draft does, insert a short article near the start and
    # strike one further on: every later number changes, and the many short articles
    # ("(weggefallen)", "-", one-sentence provisions) must still be found.
    articles = [c for c in candidates(corpus, name) if c.kind == "article"]
    texts = [c.text for c in articles]
    struck = next(k for k in range(len(texts) // 2, len(texts)) if texts[k] not in (texts[k - 1], texts[k + 1]))
    for at in (0, 3, 20):
        changed = [*texts[:at], "Die Vertragsparteien arbeiten zusammen.", *texts[at:struck], *texts[struck + 1 :]]
        old = [Candidate(f"o{i}", f"Art {i}", t, "article") for i, t in enumerate(texts)]
        new = [Candidate(f"n{j}", f"Art {j}", t, "article") for j, t in enumerate(changed)]
        expected = {f"n{i + 1 if i >= at else i}": f"o{i}" for i in range(struck)}
        expected |= {f"n{i}": f"o{i}" for i in range(struck + 1, len(texts))}
        assert match_clauses(old, new) == expected


def test_it_staatsvertrag_paragraph_that_went_to_another_section_is_cited(corpus):
    # The 2019 restatement moved "Änderung, Kündigung" from § 6 to § 11; compared by section
    # number, its first paragraph, whose words stayed, is cited where it went.
    c = compare(
        corpus,
        "bundestag-gesetze/it-staatsvertrag_ggart91cvtr_v1_2012-08-03_07553307.md",
        "bundestag-gesetze/it-staatsvertrag_ggart91cvtr_v2_2022-01-28_5710c0a6.md",
    )
    for key in ("§ 6", "§ 11"):
        assert ("§ 6(1)", "§ 11(1)") in c.find(key).units_renumbered, key
        assert "§ 6(1) is now § 11(1)" in c.find(key).description
