"""Tests of instrument.diff: word-level redlines of clause texts."""

from __future__ import annotations

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instrument.diff import (
    Op,
    Redline,
    apply,
    cached_redline,
    count_words,
    redline,
    redline_markdown,
    render_redline_html,
    render_side_by_side,
)
from instrument.text import comparison_form, nfc
from tests.instrument.helpers import nfd


def cluster_bounds(text: str) -> set[int]:
    bounds = {0}
    for m in regex.finditer(r"\X", text):
        bounds.add(m.end())
    return bounds


def op_bounds(r: Redline) -> tuple[set[int], set[int]]:
    old_pos = new_pos = 0
    old_b, new_b = {0}, {0}
    for op in r.ops:
        old_pos += len(op.old_side)
        new_pos += len(op.new_side)
        old_b.add(old_pos)
        new_b.add(new_pos)
    return old_b, new_b


def changes(r: Redline) -> list[tuple[str, str]]:
    return [(op.kind, op.text) for op in r.ops if op.kind != "equal"]


def assert_redline_invariants(old: str, new: str, r: Redline) -> None:
    assert apply(old, r.ops) == nfc(new)
    assert r.new_text == nfc(new)
    assert "".join(op.old_side for op in r.ops) == old
    old_b, new_b = op_bounds(r)
    assert old_b <= cluster_bounds(old), "an operation boundary splits a cluster of the old text"
    assert new_b <= cluster_bounds(nfc(new)), "an operation boundary splits a cluster of the new text"
    for a, b in zip(r.ops, r.ops[1:]):
        assert a.kind != b.kind
    for op in r.ops:
        assert op.old_side or op.new_side
        if op.kind == "equal":
            assert comparison_form(op.old_side) == comparison_form(op.text)
        else:
            assert op.old_text is None


# --- word-level rules -----------------------------------------------------------


def test_one_word_changed_is_one_deleted_and_one_inserted_word():
    r = redline("Each Party shall take measures", "Each Party should take measures")
    assert r.ops == (
        Op("equal", "Each Party ", "Each Party "),
        Op("delete", "shall"),
        Op("insert", "should"),
        Op("equal", " take measures", " take measures"),
    )
    assert (r.words_deleted, r.words_inserted) == (1, 1)
    assert r.changed


def test_identical_texts():
    r = redline("Article 5", "Article 5")
    assert r.ops == (Op("equal", "Article 5", "Article 5"),)
    assert not r.changed
    assert redline("", "").ops == ()


def test_nfc_and_nfd_are_the_same_text():
    vi = "Bên sử dụng lao động phải bảo đảm quyền của người lao động di cư."
    r = redline(nfd(vi), vi)
    assert not r.changed
    assert (r.words_inserted, r.words_deleted) == (0, 0)
    assert r.old_text == nfd(vi)  # the old side is kept as given
    assert r.new_text == vi
    assert not redline(vi, nfd(vi)).changed


def test_vietnamese_tone_mark_changes_the_whole_word():
    r = redline("Bên A và Bên B", "Bên A và Bến B")
    assert changes(r) == [("delete", "Bên"), ("insert", "Bến")]
    r = redline(nfd("Bên A"), "Bến A")  # even across normalisation forms
    assert changes(r) == [("delete", nfd("Bên")), ("insert", "Bến")]


def test_rewrapped_text_is_no_change():
    old = "Each Party shall take\nmeasures to protect   migrant\n\n\nworkers."
    new = "  Each Party shall take measures\nto protect migrant workers.\n"
    r = redline(old, new)
    assert not r.changed
    assert len(r.ops) == 1
    assert r.ops[0].text == new and r.ops[0].old_text == old
    assert comparison_form(old) == comparison_form(new)


def test_whitespace_removed_between_tokens_is_a_change_without_words():
    r = redline("x, y", "x,y")
    assert changes(r) == [("delete", " ")]
    assert (r.words_inserted, r.words_deleted) == (0, 0)
    assert comparison_form("x, y") != comparison_form("x,y")


def test_crlf_in_the_old_text_is_kept_on_the_old_side():
    r = redline("a\r\nb", "a\nb")
    assert not r.changed
    assert r.old_text == "a\r\nb" and r.new_text == "a\nb"


def test_insertion_into_empty_and_deletion_of_everything():
    r = redline("", "Each Party")
    assert r.ops == (Op("insert", "Each Party"),)
    assert r.words_inserted == 2
    r = redline("Each Party", "")
    assert r.ops == (Op("delete", "Each Party"),)
    assert r.words_deleted == 2


def test_thai_word_insertion_is_whole_clusters():
    old = "แรงงานข้ามชาติมีสิทธิ"
    new = "แรงงานข้ามชาติทุกคนมีสิทธิ"
    r = redline(old, new)
    assert changes(r) == [("insert", "ทุกคน")]
    assert r.words_inserted == len(regex.findall(r"\X", "ทุกคน"))
    assert_redline_invariants(old, new, r)


def test_thai_tone_mark_stays_with_its_consonant():
    old, new = "ไม่มี", "ไม้มี"  # mai ek -> mai tho on the same consonant
    r = redline(old, new)
    assert changes(r) == [("delete", "ม่"), ("insert", "ม้")]
    assert_redline_invariants(old, new, r)


def test_burmese_dropped_dot_below_replaces_the_cluster():
    old = "ကျွန်တော်တို့ အလုပ်သမား"
    new = "ကျွန်တော်တို အလုပ်သမား"  # U+1037 dropped
    assert old.replace("\u1037", "") == new
    r = redline(old, new)
    (d_kind, deleted), (i_kind, inserted) = changes(r)
    assert (d_kind, i_kind) == ("delete", "insert")
    assert "\u1037" in deleted and deleted.replace("\u1037", "") == inserted
    assert deleted == "တို့"
    assert_redline_invariants(old, new, r)


def test_khmer_and_lao_diff_per_cluster():
    for old, new in [("សិទ្ធិការងារ", "សិទ្ធិពលករ"), ("ສິດທິແຮງງານ", "ສິດທິຄົນງານ")]:
        r = redline(old, new)
        assert r.changed
        assert_redline_invariants(old, new, r)


def test_japanese_diffs_per_character():
    r = redline("原子力の研究を推進する", "原子力の利用を推進する")
    assert changes(r) == [("delete", "研究"), ("insert", "利用")]
    assert (r.words_deleted, r.words_inserted) == (2, 2)


def test_emoji_skin_tone_change_replaces_the_whole_emoji():
    old, new = "Agreed 👍🏻 by all", "Agreed 👍🏽 by all"
    r = redline(old, new)
    assert changes(r) == [("delete", "👍🏻"), ("insert", "👍🏽")]
    assert_redline_invariants(old, new, r)


def test_zwj_sequence_change_replaces_the_whole_sequence():
    old, new = "family 👩‍👩‍👧 here", "family 👩‍👩‍👦 here"
    r = redline(old, new)
    assert changes(r) == [("delete", "👩‍👩‍👧"), ("insert", "👩‍👩‍👦")]


def test_word_counts_ignore_punctuation_and_maths():
    assert count_words("(weggefallen)") == 1
    assert count_words("a + b = c, d.") == 4
    assert count_words("§ 2a ©") == 2  # "§" is punctuation; "©" is a symbol
    r = redline("Art 49", "Art 49 (weggefallen)")
    assert r.words_inserted == 1 and r.words_deleted == 0


def test_apply_rejects_ops_of_another_text():
    r = redline("Each Party shall", "Each Party should")
    with pytest.raises(ValueError):
        apply("Each State shall", r.ops)
    with pytest.raises(ValueError):
        apply("Each Party shall act", r.ops)


# --- rendering ----------------------------------------------------------------


def test_inline_html_marks_and_escapes():
    r = redline("Use <b> & x", 'Use <i> & "x"')
    html = render_redline_html(r)
    assert "<b>" not in html and "<i>" not in html
    assert '<del class="redline-del"><span class="visually-hidden">deleted: </span>b</del>' in html
    assert '<ins class="redline-ins"><span class="visually-hidden">inserted: </span>i</ins>' in html
    assert "&lt;" in html and "&amp;" in html and "&quot;" in html


def test_inline_html_of_the_standard_case():
    r = redline("Each Party shall take measures", "Each Party should take measures")
    assert render_redline_html(r) == (
        "Each Party "
        '<del class="redline-del"><span class="visually-hidden">deleted: </span>shall</del>'
        '<ins class="redline-ins"><span class="visually-hidden">inserted: </span>should</ins>'
        " take measures"
    )


def test_side_by_side_columns():
    r = redline("Each Party shall\ntake measures", "Each Party should take measures")
    old_html, new_html = render_side_by_side(r)
    assert "<ins" not in old_html and "<del" not in new_html
    assert "shall</del>" in old_html and "should</ins>" in new_html
    assert old_html.endswith("\ntake measures")  # the old column keeps the old wrapping
    assert new_html.endswith(" take measures")


def test_critic_markup():
    r = redline("Each Party shall take measures", "Each Party should take measures")
    assert redline_markdown(r) == "Each Party {--shall--}{++should++} take measures"


def test_critic_markup_escapes_literal_delimiters():
    r = redline("keep {++this++} and {--that--} x", "keep {++this++} and {--that--} y")
    md = redline_markdown(r)
    assert md == r"keep \{++this++\} and \{--that--\} {--x--}{++y++}"
    # Only the real marks remain once escaped delimiters are set aside.
    real = regex.findall(r"(?<!\\)\{(\+\+|--)(.*?)\1(?<!\\)\}", md)
    assert real == [("--", "x"), ("++", "y")]


# --- caching ------------------------------------------------------------------


def test_cached_redline_is_reused():
    cached_redline.cache_clear()
    a = cached_redline(1, 2, "Each Party shall", "Each Party should")
    b = cached_redline(1, 2, "Each Party shall", "Each Party should")
    assert a is b
    assert cached_redline.cache_info().hits == 1
    assert a == redline("Each Party shall", "Each Party should")
    # Same ids with other texts never return the first result.
    c = cached_redline(1, 2, "Each Party may", "Each Party should")
    assert c != a


# --- property tests -----------------------------------------------------------

FRAGMENTS = [
    "Each", "Party", "shall", "should", "Bên", "Bến", "Việt", "e", "o", "\u0301", "\u0302",
    "\u0323", "ก", "า", "่", "ำ", "ไทย", "ม", "\u1019", "\u1037", "\u103a", "\u102d",
    "ក", "\u17b6", "ລ", "日本", "の", "👍", "\U0001f3fb", "\U0001f3fd", "\u200d", "👩", "⚕",
    "\ufe0f", "\U0001f1e9", "\U0001f1ea", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u3000",
    "\r\n", "\r", ",", ".", "(", ")", "{++", "--}", "한", "\u1100\u1161", "\u212b", "Å",
    "1", "§", "\u0345", "\u0e33",
]  # fmt: skip

fragment_text = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
any_text = st.one_of(fragment_text, st.text(max_size=40))


@st.composite
def edited_pair(draw) -> tuple[str, str]:
    """An old text and a new text made from it by a few edits."""
    pieces = draw(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
    new = list(pieces)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(new)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(FRAGMENTS))
        if action == "insert" or not new:
            new.insert(where, piece)
        elif action == "delete":
            del new[min(where, len(new) - 1)]
        else:
            new[min(where, len(new) - 1)] = piece
    return "".join(pieces), "".join(new)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(edited_pair(), st.tuples(any_text, any_text)))
def test_property_ops_rebuild_both_texts_on_cluster_boundaries(pair):
    old, new = pair
    assert_redline_invariants(old, new, redline(old, new))


@st.composite
def edited_lines(draw) -> tuple[str, str]:
    """A multi-line text and a copy with some lines edited, so that long
    identical stretches at both ends surround the changes."""
    lines = draw(st.lists(fragment_text, min_size=1, max_size=12))
    new = list(lines)
    for _ in range(draw(st.integers(1, 3))):
        new[draw(st.integers(0, len(new) - 1))] = draw(fragment_text)
    return "\n".join(lines), "\n".join(new)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_lines())
def test_property_line_edits_in_longer_texts(pair):
    old, new = pair
    assert_redline_invariants(old, new, redline(old, new))


def test_one_word_changed_in_a_long_text():
    lines = [f"({i}) Each Party shall report on measure {i}." for i in range(3000)]
    old = "\n".join(lines)
    lines[1500] = "(1500) Each Party should report on measure 1500."
    new = "\n".join(lines)
    r = redline(old, new)
    assert changes(r) == [("delete", "shall"), ("insert", "should")]
    assert (r.words_inserted, r.words_deleted) == (1, 1)
    assert len(r.ops) == 4
    assert_redline_invariants(old, new, r)


@settings(max_examples=200, deadline=None)
@given(st.one_of(fragment_text, st.text(max_size=40)))
def test_property_normalisation_form_is_no_change(text):
    assert not redline(nfd(text), text).changed
    assert not redline(text, nfd(text)).changed
    assert not redline(nfc(text), nfd(text)).changed


WORDS = ["Each", "Party", "Bên", "Việt", "ไทย", "日本", "👩🏽\u200d⚕\ufe0f", "(1)", "§", "2a,"]
SPACES = [" ", "  ", "\n", "\n\n", "\t", " \n "]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    st.data(),
)
def test_property_rewrapping_is_no_change(words, data):
    def join() -> str:
        lead = data.draw(st.sampled_from(["", "", *SPACES]))
        seps = [data.draw(st.sampled_from(SPACES)) for _ in words[1:]]
        return lead + words[0] + "".join(s + w for s, w in zip(seps, words[1:]))

    old, new = join(), join()
    r = redline(old, new)
    assert not r.changed
    assert_redline_invariants(old, new, r)


@settings(max_examples=100, deadline=None)
@given(any_text)
def test_property_words_of_a_full_insertion(text):
    r = redline("", text)
    assert r.words_inserted == count_words(nfc(text))
    assert redline(text, "").words_deleted == count_words(text)
