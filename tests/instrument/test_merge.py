"""Three-way merge of amendments: both sides kept, the same change once, collisions reported."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instrument import merge as merge_module
from instrument.merge import (
    AMENDMENT_MARKER,
    CURRENT_MARKER,
    SEPARATOR_MARKER,
    Conflict,
    MergeResult,
    has_conflict_markers,
    merge,
)
from instrument.text import nfc
from tests.instrument.helpers import nfd

BASE = "States shall cooperate on recruitment."


def assert_offsets(base: str, proposed: str, current: str, conflict: Conflict) -> None:
    assert nfc(base)[conflict.base_start : conflict.base_end] == conflict.base_text
    assert nfc(proposed)[conflict.amendment_start : conflict.amendment_end] == conflict.amendment_text
    assert nfc(current)[conflict.current_start : conflict.current_end] == conflict.current_text


def assert_clean(result: MergeResult, expected: str) -> None:
    assert result.clean, result.conflicts
    assert result.conflicts == ()
    assert result.text == expected
    assert result.marked_text == expected


# --- the reference cases of merging amendments ------------------------------------------


def test_same_insertion_accepted_twice_appears_once():
    a = "States shall closely cooperate on recruitment."
    b = "States shall closely cooperate on recruitment."
    current = merge(BASE, a, BASE).text  # A accepted first
    assert current == a
    result = merge(BASE, b, current)  # then B, written on the same base
    assert_clean(result, a)
    assert result.text.count("closely") == 1


def test_same_insertion_with_other_changes_on_both_sides_appears_once():
    # A inserted "closely" and changed "shall"; B inserted "closely" and
    # added "fair": the diffs align "closely" differently on each side.
    current = "States must closely cooperate on recruitment."
    proposed = "States shall closely cooperate on fair recruitment."
    result = merge(BASE, proposed, current)
    assert_clean(result, "States must closely cooperate on fair recruitment.")
    assert merge(BASE, current, proposed).text == result.text


PARA_BASE = (
    "Each Member State shall protect the rights of migrant workers. It shall do so without discrimination.\n"
    "\n"
    "Recruitment agencies shall be licensed. Fees shall not be charged to workers. Licences shall be public."
)


def test_deletion_in_one_paragraph_and_sentence_added_to_the_other_are_both_kept():
    proposed = PARA_BASE.replace(" Fees shall not be charged to workers.", "")
    current = PARA_BASE.replace(
        "without discrimination.", "without discrimination. Access to remedies shall be guaranteed."
    )
    result = merge(PARA_BASE, proposed, current)
    assert_clean(
        result,
        "Each Member State shall protect the rights of migrant workers. It shall do so without discrimination."
        " Access to remedies shall be guaranteed.\n"
        "\n"
        "Recruitment agencies shall be licensed. Licences shall be public.",
    )
    assert "Fees" not in result.text


def test_two_replacements_of_the_same_word_are_a_conflict_with_both_alternatives():
    first = "States should cooperate on recruitment."
    second = "States must cooperate on recruitment."
    current = merge(BASE, first, BASE).text
    result = merge(BASE, second, current)
    assert not result.clean
    assert result.text == current  # nothing merged until someone resolves it
    assert result.conflicts == (
        Conflict(
            base_text="shall",
            amendment_text="must",
            current_text="should",
            base_start=7,
            base_end=12,
            amendment_start=7,
            amendment_end=11,
            current_start=7,
            current_end=13,
        ),
    )
    assert result.marked_text == (
        f"States \n{AMENDMENT_MARKER}\nmust\n{SEPARATOR_MARKER}\nshould\n{CURRENT_MARKER}\n cooperate on recruitment."
    )
    assert has_conflict_markers(result.marked_text)


# --- scripts, normalisation, edge texts --------------------------------------------------


def test_thai_edits_in_different_places_are_both_kept():
    base = "ประเทศสมาชิกจะร่วมมือกันในการจัดหางาน"
    proposed = "ประเทศสมาชิกจะร่วมมือกันอย่างใกล้ชิดในการจัดหางาน"  # "closely" added
    current = "ประเทศสมาชิกทุกประเทศจะร่วมมือกันในการจัดหางาน"  # "every" added
    result = merge(base, proposed, current)
    assert_clean(result, "ประเทศสมาชิกทุกประเทศจะร่วมมือกันอย่างใกล้ชิดในการจัดหางาน")


def test_thai_edits_of_the_same_word_conflict():
    base = "ประเทศสมาชิกจะร่วมมือกัน"
    result = merge(base, "ประเทศสมาชิกต้องร่วมมือกัน", "ประเทศสมาชิกควรร่วมมือกัน")
    assert not result.clean
    (conflict,) = result.conflicts
    assert "ต้อง" in conflict.amendment_text and "ควร" in conflict.current_text
    assert "จะ" in conflict.base_text
    assert_offsets(base, "ประเทศสมาชิกต้องร่วมมือกัน", "ประเทศสมาชิกควรร่วมมือกัน", conflict)


def test_japanese_edits_in_different_places_are_both_kept():
    base = "加盟国は、移住労働者の権利を保護する。"
    proposed = "加盟国は、全ての移住労働者の権利を保護する。"
    current = "加盟国は、移住労働者の権利を保護し、促進する。"
    result = merge(base, proposed, current)
    assert_clean(result, "加盟国は、全ての移住労働者の権利を保護し、促進する。")


def test_nfc_and_nfd_spellings_merge_as_the_same_text():
    base = "Người lao động di cư có quyền được bảo vệ."
    proposed = "Người lao động di cư và gia đình có quyền được bảo vệ."
    current = "Mọi người lao động di cư có quyền được bảo vệ."
    expected = "Mọi người lao động di cư và gia đình có quyền được bảo vệ."
    assert_clean(merge(nfd(base), proposed, nfd(current)), expected)
    assert_clean(merge(base, nfd(proposed), current), expected)
    # only the normalisation differs: no change at all
    assert_clean(merge(base, nfd(base), current), current)


def test_empty_base():
    assert_clean(merge("", "New clause text.", ""), "New clause text.")
    assert_clean(merge("", "Same text.", "Same text."), "Same text.")
    result = merge("", "Text of the amendment.", "Text written since.")
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.base_text == "" and conflict.base_start == conflict.base_end == 0
    assert conflict.amendment_text == "Text of the amendment."
    assert conflict.current_text == "Text written since."


def test_deleting_everything_against_an_edit_is_a_conflict():
    current = "States should cooperate on recruitment."
    result = merge(BASE, "", current)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.amendment_text == ""
    assert "should" in conflict.current_text
    assert result.text == current
    assert_offsets(BASE, "", current, conflict)


def test_deleting_everything_when_nothing_moved():
    assert_clean(merge(BASE, "", BASE), "")
    assert_clean(merge(BASE, "", "  " + BASE + "\n"), "")


def test_fast_paths():
    other = "States must cooperate."
    assert_clean(merge(BASE, BASE, other), other)  # amendment changes nothing
    assert_clean(merge(BASE, other, BASE), other)  # nothing moved since
    assert_clean(merge(BASE, other, other), other)  # the same change made twice


# --- adjacency and conflicts ----------------------------------------------------------------


def test_change_and_insertion_with_an_unchanged_space_between_both_apply():
    result = merge(BASE, "States must cooperate on recruitment.", "States shall closely cooperate on recruitment.")
    assert_clean(result, "States must closely cooperate on recruitment.")


def test_insertion_before_a_word_the_other_side_replaced_conflicts():
    proposed = "States shall closely cooperate on recruitment."
    current = "States shall work together on recruitment."
    result = merge(BASE, proposed, current)
    assert not result.clean
    (conflict,) = result.conflicts
    assert "closely" in conflict.amendment_text
    assert "work together" in conflict.current_text
    assert_offsets(BASE, proposed, current, conflict)


def test_different_insertions_at_the_same_place_conflict():
    proposed = "States shall closely cooperate on recruitment."
    current = "States shall fully cooperate on recruitment."
    result = merge(BASE, proposed, current)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.base_text == ""
    assert "closely" in conflict.amendment_text and "fully" in conflict.current_text


def test_deletion_against_replacement_of_the_same_word_conflicts():
    proposed = "States shall cooperate on recruitment."
    current = "States shall cooperate on fair recruitment."
    result = merge("States shall cooperate on ethical recruitment.", proposed, current)
    assert not result.clean
    assert result.conflicts[0].base_text.strip() == "ethical"


def test_conflicts_and_clean_changes_together_in_the_marked_text():
    base = "Article one text. States shall cooperate. Article three text. Parties shall report annually."
    proposed = "Article one text, amended. States must cooperate. Article three text. Parties shall report biennially."
    current = "Article one text. States should cooperate. Article three text. Parties shall report each year."
    result = merge(base, proposed, current)
    assert not result.clean
    assert [c.base_text for c in result.conflicts] == ["shall", "annually"]
    for conflict in result.conflicts:
        assert_offsets(base, proposed, current, conflict)
    marked = result.marked_text
    assert marked.startswith("Article one text, amended. States")  # the clean change is applied
    assert marked.count(AMENDMENT_MARKER) == 2 and marked.count(CURRENT_MARKER) == 2
    assert f"{AMENDMENT_MARKER}\nbiennially\n{SEPARATOR_MARKER}\neach year\n{CURRENT_MARKER}\n." in marked
    for line in (AMENDMENT_MARKER, SEPARATOR_MARKER, CURRENT_MARKER):
        assert all(part == line for part in marked.split("\n") if part.startswith(line[:3]))


def test_competing_amendments_on_the_same_base_show_their_overlap():
    a = "States shall closely cooperate on fair recruitment."
    b = "States shall cooperate on ethical recruitment."
    result = merge(BASE, a, b)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.amendment_text == "fair" and conflict.current_text == "ethical"
    # the clean part of A is kept in the marked text
    assert result.marked_text.startswith("States shall closely cooperate on \n")


def test_one_insertion_is_never_written_twice_in_repeated_words():
    # The current side fixed a doubled word and inserted "promptly"; its diff
    # reads that as "shall" -> "promptly". The amendment inserted "promptly"
    # too. Applying both would give "promptly promptly": it must be a conflict.
    base = "Parties shall shall report."
    for proposed, current in [
        ("Parties shall shall promptly report.", "Parties shall promptly report."),
        ("Parties shall promptly report.", "Parties shall shall promptly report."),
    ]:
        result = merge(base, proposed, current)
        assert not result.clean
        assert result.text == current
        assert "promptly promptly" not in result.marked_text


@pytest.mark.corpus
def test_edits_on_both_sides_of_a_real_provision_are_all_kept(corpus):
    from instrument.parse import parse_markdown

    source = (corpus / "large" / "bgb_v1_2022-01-28_5710c0a6.md").read_text(encoding="utf-8")
    clause = max(parse_markdown(source).clauses, key=lambda c: len(c.text))
    words = clause.text.split(" ")
    assert len(words) > 400
    proposed_words, current_words, expected_words = list(words), list(words), list(words)
    for index in range(10, 400, 40):  # far apart; alternate sides
        if (index // 40) % 2:
            proposed_words[index] = expected_words[index] = "GEÄNDERT"
        else:
            current_words[index] = expected_words[index] = "NEU " + words[index]
    result = merge(clause.text, " ".join(proposed_words), " ".join(current_words))
    assert_clean(result, " ".join(expected_words))


# --- whitespace --------------------------------------------------------------------------------


def test_reflow_of_the_current_text_is_kept_and_is_not_a_conflict():
    current = "States shall\ncooperate on\nrecruitment."
    result = merge(BASE, "States shall cooperate on ethical recruitment.", current)
    assert_clean(result, "States shall\ncooperate on\nethical recruitment.")


def test_amendment_that_only_splits_a_paragraph_keeps_the_split():
    base = "First sentence here. Second sentence here."
    proposed = "First sentence here.\n\nSecond sentence here."
    current = "First sentence here. Second sentence, amended."
    assert_clean(merge(base, proposed, current), "First sentence here.\n\nSecond sentence, amended.")


def test_whitespace_changed_on_both_sides_keeps_the_current_one():
    base = "One two three four."
    assert_clean(merge(base, "One two  three four!", "One two\nthree four."), "One two\nthree four!")


def test_whitespace_at_the_ends_is_not_a_change():
    proposed = BASE + "\n"  # a form field added a line break
    current = BASE + " Parties shall report."
    assert_clean(merge(BASE, proposed, current), current)
    assert_clean(
        merge(BASE, "\n" + "States must cooperate on recruitment.", "  " + BASE),
        "  States must cooperate on recruitment.",
    )


def test_whitespace_inserted_between_tokens_is_a_change():
    base = "Articles 1,2 and 3 apply."
    assert_clean(
        merge(base, "Articles 1, 2 and 3 apply.", "Articles 1,2 and 3 shall apply."), "Articles 1, 2 and 3 shall apply."
    )


# --- verification --------------------------------------------------------------------------


def test_a_merge_that_loses_a_change_is_reported_as_a_conflict(monkeypatch):
    real = merge_module._combine

    def losing(*args, **kwargs):
        combined = real(*args, **kwargs)
        combined.tokens = [t for t in combined.tokens if t != "ethical"]
        return combined

    monkeypatch.setattr(merge_module, "_combine", losing)
    proposed = "States shall cooperate on ethical recruitment."
    current = "States must cooperate on recruitment."
    result = merge(BASE, proposed, current)
    assert not result.clean
    assert result.text == current
    (conflict,) = result.conflicts
    assert (conflict.base_text, conflict.amendment_text, conflict.current_text) == (BASE, proposed, current)
    assert result.marked_text == f"{AMENDMENT_MARKER}\n{proposed}\n{SEPARATOR_MARKER}\n{current}\n{CURRENT_MARKER}"


def test_conflict_markers_are_recognised_only_as_whole_lines():
    assert has_conflict_markers(f"a\n{SEPARATOR_MARKER}\nb")
    assert has_conflict_markers(f"{CURRENT_MARKER}  ")
    assert not has_conflict_markers("x ======= y")
    assert not has_conflict_markers(BASE)


# --- properties ----------------------------------------------------------------------------

BASE_WORDS = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7), min_size=1, max_size=25, unique=True
)
NEW_WORDS = st.lists(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6), min_size=1, max_size=3)


def apply_edits(words: list[str], edits) -> str:
    """Apply word edits (kind, index, new words) to a list of words and join with spaces."""
    by_index = {index: (kind, new) for kind, index, new in edits}
    out: list[str] = []
    for index in range(len(words) + 1):
        kind, new = by_index.get(index, (None, None))
        if kind == "insert":
            out.extend(new)
        if index < len(words):
            if kind == "replace":
                out.extend(new)
            elif kind != "delete":
                out.append(words[index])
    return " ".join(out)


@st.composite
def separated_edits(draw, words: list[str], min_gap: int = 2):
    """Edits at word indices at least ``min_gap`` apart (one unchanged word between)."""
    n = len(words)
    slots = draw(st.lists(st.integers(0, n), unique=True, max_size=8).map(sorted))
    chosen: list[int] = []
    for slot in slots:
        if not chosen or slot - chosen[-1] >= min_gap:
            chosen.append(slot)
    edits = []
    for index in chosen:
        kinds = ["insert"] if index == n else ["insert", "replace", "delete"]
        kind = draw(st.sampled_from(kinds))
        new = draw(NEW_WORDS) if kind != "delete" else []
        edits.append((kind, index, new))
    return edits


@st.composite
def non_overlapping_case(draw):
    words = draw(BASE_WORDS)
    edits = draw(separated_edits(words))
    owners = [draw(st.sampled_from(["amendment", "current", "both"])) for _ in edits]
    mine = [e for e, o in zip(edits, owners) if o in ("amendment", "both")]
    theirs = [e for e, o in zip(edits, owners) if o in ("current", "both")]
    return " ".join(words), apply_edits(words, mine), apply_edits(words, theirs), apply_edits(words, edits)


@settings(max_examples=200, deadline=None)
@given(non_overlapping_case())
def test_non_overlapping_edits_merge_cleanly_with_every_edit(case):
    base, proposed, current, expected = case
    result = merge(base, proposed, current)
    assert_clean(result, expected)
    assert merge(base, current, proposed).text == expected


@st.composite
def overlapping_case(draw):
    words = draw(BASE_WORDS)
    n = len(words)
    target = draw(st.integers(0, n - 1))
    # disjoint vocabularies, so that neither edit contains the other
    first = draw(st.lists(st.text("ABCDEFGHIJKLM", min_size=1, max_size=6), min_size=1, max_size=3))
    second = draw(st.lists(st.text("NOPQRSTUVWXYZ", min_size=1, max_size=6), min_size=1, max_size=3))
    pair = draw(
        st.sampled_from(["replace/replace", "delete/replace", "insert/insert", "insert/replace", "insert/delete"])
    )
    kind_a, kind_c = pair.split("/")
    if draw(st.booleans()):
        kind_a, kind_c = kind_c, kind_a
    edit_a = (kind_a, target, first if kind_a != "delete" else [])
    edit_c = (kind_c, target, second if kind_c != "delete" else [])
    # more, separate edits far from the target
    others = [e for e in draw(separated_edits(words)) if abs(e[1] - target) >= 2]
    owners = [draw(st.sampled_from(["amendment", "current", "both"])) for _ in others]
    mine = sorted([edit_a] + [e for e, o in zip(others, owners) if o != "current"], key=lambda e: e[1])
    theirs = sorted([edit_c] + [e for e, o in zip(others, owners) if o != "amendment"], key=lambda e: e[1])

    return " ".join(words), apply_edits(words, mine), apply_edits(words, theirs), edit_a, edit_c


@settings(max_examples=200, deadline=None)
@given(overlapping_case())
def test_overlapping_different_edits_are_a_conflict_never_one_side(case):
    base, proposed, current, edit_a, edit_c = case
    result = merge(base, proposed, current)
    assert not result.clean
    assert result.text == current
    assert result.conflicts
    for conflict in result.conflicts:
        assert_offsets(base, proposed, current, conflict)
    # both alternatives are offered for resolution
    for word in edit_a[2]:
        assert any(word in c.amendment_text for c in result.conflicts)
    for word in edit_c[2]:
        assert any(word in c.current_text for c in result.conflicts)
    if edit_a[0] == "delete" or edit_c[0] == "delete":
        assert any(words_of(c.base_text) for c in result.conflicts)
    assert has_conflict_markers(result.marked_text)


def words_of(text: str) -> list[str]:
    return text.split()
