"""Provenance of a clause's text: each span to the version that introduced it, and its history."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from instrument.text import diff_sequences, is_whitespace_token, nfc, tokenize
from instrument.trace import (
    Attribution,
    HistorySpan,
    Span,
    VersionInfo,
    _tokens,
    attribute,
    attribute_incremental,
    history_of,
)


def chain_of(*texts: str) -> list[VersionInfo]:
    """Versions numbered 1, 2, ... with the given texts."""
    return [VersionInfo(n, text) for n, text in enumerate(texts, start=1)]


def pieces(att: Attribution) -> list[tuple[str, object]]:
    """Each span as (its text, its version)."""
    return [(att.text[s.start : s.end], s.version_id) for s in att.spans]


def fold(chain: list[VersionInfo], start: Attribution | None = None) -> Attribution:
    return functools.reduce(attribute_incremental, chain, Attribution() if start is None else start)


def assert_well_formed(att: Attribution) -> None:
    """Spans and histories cover the text in order, merged, on grapheme-cluster boundaries."""
    clusters = {m.start() for m in regex.finditer(r"\X", att.text)} | {len(att.text)}
    for entries, value in ((att.spans, lambda e: e.version_id), (att.histories, lambda e: e.version_ids)):
        pos = 0
        for n, entry in enumerate(entries):
            assert entry.start == pos < entry.end
            assert entry.start in clusters and entry.end in clusters
            if n:
                assert value(entries[n - 1]) != value(entry), "neighbours not merged"
            pos = entry.end
        assert pos == len(att.text)
    for span in att.spans:
        assert span.version_id in att.versions
    for entry in att.histories:
        assert list(entry.version_ids) == [v for v in att.versions if v in entry.version_ids]


def char_versions(att: Attribution) -> list[object]:
    out: list[object] = []
    for span in att.spans:
        out += [span.version_id] * (span.end - span.start)
    return out


# --- attribution by example ----------------------------------------------------


def test_single_version_is_one_span() -> None:
    att = attribute(chain_of("States shall protect migrant workers."))
    assert att.spans == (Span(0, 37, 1),)
    assert att.versions == (1,)
    assert att.histories == (HistorySpan(0, 37, (1,)),)


def test_insertion_deletion_and_replacement() -> None:
    att = attribute(
        chain_of(
            "States shall protect migrant workers.",
            "Member States shall protect all migrant workers.",
            "Member States shall safeguard all migrant workers.",
            "Member States shall safeguard all workers.",
        )
    )
    assert pieces(att) == [
        ("Member ", 2),
        ("States shall ", 1),
        ("safeguard ", 3),
        ("all ", 2),
        ("workers.", 1),
    ]
    assert_well_formed(att)


def test_whitespace_belongs_to_the_token_before_it() -> None:
    att = attribute(chain_of("  rights of workers", "  rights of all workers\n"))
    # leading whitespace goes with the first token, trailing with the last
    assert pieces(att) == [("  rights of ", 1), ("all ", 2), ("workers\n", 1)]


def test_rewrap_changes_no_attribution() -> None:
    first = "The States shall cooperate on recruitment and on decent work."
    rewrapped = "The States shall\ncooperate on   fair recruitment\n\n    and on decent work."
    before = attribute(chain_of(first, "The States shall cooperate on fair recruitment and on decent work."))
    after = attribute(chain_of(first, "The States shall cooperate on fair recruitment and on decent work.", rewrapped))
    assert after.text == rewrapped
    assert after.versions == (1, 2, 3)
    assert 3 not in {s.version_id for s in after.spans}
    assert [(text.split(), v) for text, v in pieces(after)] == [(text.split(), v) for text, v in pieces(before)]
    assert after.history(0, len(after.text)) == [1, 2]


def test_spaces_added_or_removed_between_tokens_are_no_change() -> None:
    att = attribute(chain_of("workers,families and States", "workers, families and\tStates"))
    assert {s.version_id for s in att.spans} == {1}
    assert att.history(0, len(att.text)) == [1]


def test_deleted_then_reinserted_word_gets_the_new_version() -> None:
    chain = chain_of("rights of migrant workers", "rights of workers", "rights of migrant workers")
    att = attribute(chain)
    assert pieces(att) == [("rights of ", 1), ("migrant ", 3), ("workers", 1)]
    start = att.text.index("migrant")
    assert att.history(start, start + 7) == [3]
    # the deletion in version 2 is told on the word before it
    assert att.history(7, 9) == [1, 2]
    assert att.history(0, 6) == [1]


def test_case_change_is_a_new_word() -> None:
    att = attribute(chain_of("the State", "The State"))
    assert pieces(att) == [("The ", 2), ("State", 1)]


def test_untouched_word_between_two_changes_keeps_its_version() -> None:
    # A readable redline folds "keep" into the change around it; provenance must not.
    old, new = ["alpha", "keep", "beta"], ["gamma", "keep", "delta"]
    assert all(op != 0 for op, _, _ in diff_sequences(old, new))
    assert any(op == 0 for op, _, _ in diff_sequences(old, new, semantic_cleanup=False))
    att = attribute(chain_of("alpha keep beta", "gamma keep delta"))
    assert pieces(att) == [("gamma ", 2), ("keep ", 1), ("delta", 2)]


def test_untouched_word_is_not_traded_for_whitespace() -> None:
    # Aligning whitespace runs as tokens would match seven spaces here and drop u1.
    old = "u0 u1 x1 x2 x3 x4 x5 u2"
    new = "u0 y1 y2 y3 y4 y5 u1 u2"
    att = attribute(chain_of(old, new))
    assert pieces(att) == [("u0 ", 1), ("y1 y2 y3 y4 y5 ", 2), ("u1 u2", 1)]


def test_repeated_words_keep_as_many_as_possible() -> None:
    att = attribute(chain_of("the rights of the workers", "the rights and the duties of the workers"))
    by_version: dict[object, list[str]] = {1: [], 2: []}
    for text, version in pieces(att):
        by_version[version] += text.split()
    # which "the" is new is a tie; that exactly one is, and the rest kept, is not
    assert sorted(by_version[1]) == ["of", "rights", "the", "the", "workers"]
    assert sorted(by_version[2]) == ["and", "duties", "the"]


# --- scripts, clusters and normalisation ----------------------------------------


def test_thai_tone_mark_takes_the_whole_cluster() -> None:
    # a character diff would keep the consonant and add only the mark
    att = attribute(chain_of("สิทธิของแรงงานกา", "สิทธิของแรงงานก่า"))
    assert_well_formed(att)
    start = att.text.index("ก่")
    assert att.version_at(start) == 2
    assert att.version_at(start + 1) == 2
    assert att.version_at(start + 2) == 1  # the vowel after it was there before
    assert att.version_at(0) == 1


def test_thai_insertion_between_clusters() -> None:
    att = attribute(chain_of("ฉันรักคุณ", "ฉันไม่รักคุณ"))
    assert_well_formed(att)
    assert pieces(att) == [("ฉัน", 1), ("ไม่", 2), ("รักคุณ", 1)]


def test_japanese_per_character_insertion() -> None:
    att = attribute(chain_of("労働者の権利を保護する。", "移住労働者の権利を保護し、促進する。"))
    assert_well_formed(att)
    assert pieces(att) == [("移住", 2), ("労働者の権利を保護", 1), ("し、促進", 2), ("する。", 1)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # skin-tone modifier
        ("workers 👍 rights", "workers 👍🏽 rights", [("workers ", 1), ("👍🏽 ", 2), ("rights", 1)]),
        # zero-width-joiner sequence grown by one person
        (
            "family 👨\u200d👩\u200d👧 rights",
            "family 👨\u200d👩\u200d👧\u200d👦 rights",
            [("family ", 1), ("👨\u200d👩\u200d👧\u200d👦 ", 2), ("rights", 1)],
        ),
        # regional indicators pair up two by two
        ("flags 🇹🇭 rights", "flags 🇹🇭🇱🇦 rights", [("flags 🇹🇭", 1), ("🇱🇦 ", 2), ("rights", 1)]),
    ],
)
def test_emoji_clusters_stay_whole(old: str, new: str, expected: list[tuple[str, int]]) -> None:
    att = attribute(chain_of(old, new))
    assert_well_formed(att)
    assert pieces(att) == expected


def test_emoji_modifier_added_renews_the_emoji_only() -> None:
    att = attribute(chain_of("a 👍 b", "a 👍🏽 b"))
    assert pieces(att) == [("a ", 1), ("👍🏽 ", 2), ("b", 1)]


def test_nfd_and_nfc_spellings_are_the_same_text() -> None:
    nfc_text = "Quyền của người lao động Bến Thành"
    nfd_text = unicodedata.normalize("NFD", nfc_text)
    assert nfd_text != nfc_text
    for chain in (chain_of(nfd_text, nfc_text), chain_of(nfc_text, nfd_text)):
        att = attribute(chain)
        assert att.text == nfc_text
        assert att.spans == (Span(0, len(nfc_text), 1),)
        assert att.history(0, len(att.text)) == [1]


def test_accent_change_renews_the_whole_word() -> None:
    att = attribute(chain_of("chợ Bên Thành", unicodedata.normalize("NFD", "chợ Bến Thành")))
    assert pieces(att) == [("chợ ", 1), ("Bến ", 2), ("Thành", 1)]


def test_line_endings_are_normalised() -> None:
    att = attribute(chain_of("a\r\nb", "a\r\nb c"))
    assert att.text == "a\nb c"
    assert pieces(att) == [("a\nb ", 1), ("c", 2)]


# --- empty and blank texts ------------------------------------------------------


def test_empty_chain() -> None:
    assert attribute([]) == Attribution()
    assert history_of([], 0, 0) == []


def test_empty_texts() -> None:
    att = attribute(chain_of("", ""))
    assert att == Attribution("", (), (1, 2), ())
    att = attribute(chain_of("", "rights"))
    assert att.spans == (Span(0, 6, 2),)


def test_text_deleted_then_written_again() -> None:
    att = attribute(chain_of("rights", "", "rights"))
    assert att.spans == (Span(0, 6, 3),)
    # nothing was left to carry the deletion's history
    assert att.history(0, 6) == [3]


def test_blank_text_is_attributed_to_whoever_made_it_blank() -> None:
    att = attribute(chain_of("rights", "  ", "\n\n"))
    assert att.spans == (Span(0, 2, 2),)
    assert att.histories == (HistorySpan(0, 2, (2,)),)
    att = attribute(chain_of("", " "))
    assert att.spans == (Span(0, 1, 2),)
    att = attribute(chain_of(" ", "x"))
    assert att.spans == (Span(0, 1, 2),)
    att = attribute(chain_of("\n", "x \n"))
    assert pieces(att) == [("x \n", 2)]


# --- history --------------------------------------------------------------------


def test_history_follows_replacements() -> None:
    chain = chain_of(
        "States shall protect workers.",
        "States shall safeguard workers.",
        "States shall protect and promote the rights of workers.",
    )
    att = attribute(chain)
    assert pieces(att) == [("States shall ", 1), ("protect and promote the rights of ", 3), ("workers.", 1)]
    start = att.text.index("protect")
    assert att.history(start, start + 7) == [1, 2, 3]
    assert att.history(0, 6) == [1]
    assert att.history(0, len(att.text)) == [1, 2, 3]
    assert history_of(chain, start, start + 7) == [1, 2, 3]


def test_history_of_a_deletion_is_told_on_the_token_before_it() -> None:
    att = attribute(chain_of("all migrant workers and families", "all workers and families"))
    assert att.history(0, 3) == [1, 2]  # "all"
    assert att.history(3, 4) == [1, 2]  # its whitespace
    assert att.history(4, 11) == [1]  # "workers"


def test_history_of_a_deletion_at_the_start_is_told_on_the_first_token() -> None:
    att = attribute(chain_of("Furthermore, States shall act", "States shall act"))
    assert att.history(0, 6) == [1, 2]
    assert att.history(7, 12) == [1]


def test_replacement_inherits_the_history_of_what_it_replaced() -> None:
    att = attribute(chain_of("a b c d", "a b d", "a x d"))
    # version 2's deletion of "c" was told on "b"; "x" replaced "b" and takes its story
    assert pieces(att) == [("a ", 1), ("x ", 3), ("d", 1)]
    assert att.history(2, 3) == [1, 2, 3]
    assert att.history(0, 1) == [1]
    assert att.history(4, 5) == [1]


def test_history_ranges() -> None:
    att = attribute(chain_of("one two", "one two three"))
    assert att.history(3, 3) == []
    assert att.history(0, 1) == [1]
    assert att.history(6, 9) == [1, 2]  # "o" of two, a space and "th"
    with pytest.raises(ValueError):
        att.history(2, 1)
    with pytest.raises(ValueError):
        att.history(0, len(att.text) + 1)
    with pytest.raises(ValueError):
        history_of(chain_of("one"), -1, 2)


def test_version_at() -> None:
    att = attribute(chain_of("one two", "one new two"))
    assert [att.version_at(n) for n in range(len(att.text))] == char_versions(att)
    with pytest.raises(IndexError):
        att.version_at(len(att.text))
    with pytest.raises(IndexError):
        att.version_at(-1)


# --- incremental ----------------------------------------------------------------


def test_incremental_equals_attribute_at_every_step() -> None:
    chain = chain_of(
        "",
        "States shall protect workers.",
        "States shall protect  migrant\nworkers.",
        "Member States shall protect migrant workers.",
        "   ",
        "Member States shall protect migrant workers and their families.",
    )
    att = Attribution()
    for n, info in enumerate(chain, start=1):
        att = attribute_incremental(att, info)
        assert att == attribute(chain[:n])
    for n in range(len(chain)):
        assert fold(chain[n:], attribute(chain[:n])) == attribute(chain)


def test_duplicate_version_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        attribute([VersionInfo("v", "a"), VersionInfo("v", "b")])
    with pytest.raises(ValueError, match="twice"):
        attribute_incremental(attribute(chain_of("a")), VersionInfo(1, "b"))


def test_meta_is_carried_by_the_caller_not_read() -> None:
    chain = [VersionInfo("v1", "a", {"cause": "import"}), VersionInfo("v2", "a b", {"amendment": 7})]
    assert attribute(chain) == attribute([VersionInfo("v1", "a"), VersionInfo("v2", "a b")])


@pytest.mark.parametrize(
    "broken",
    [
        Attribution("ab", (Span(0, 1, 1),), (1,), (HistorySpan(0, 2, (1,)),)),
        Attribution("ab", (Span(0, 2, 9),), (1,), (HistorySpan(0, 2, (1,)),)),
        Attribution("ab", (Span(0, 2, 1),), (1,), (HistorySpan(0, 2, (8,)),)),
        Attribution("ab", (Span(0, 2, 1),), (1, 1), (HistorySpan(0, 2, (1,)),)),
        Attribution("ab", (Span(1, 2, 1),), (1,), (HistorySpan(0, 2, (1,)),)),
    ],
)
def test_incremental_refuses_a_broken_attribution(broken: Attribution) -> None:
    with pytest.raises(ValueError):
        attribute_incremental(broken, VersionInfo(2, "ab c"))


def test_diff_sequences_minimal_mode_keeps_every_shared_item() -> None:
    assert diff_sequences("xaybz", "paqbr", semantic_cleanup=False) == [
        (-1, 1, 0),
        (1, 0, 1),
        (0, 1, 1),
        (-1, 1, 0),
        (1, 0, 1),
        (0, 1, 1),
        (-1, 1, 0),
        (1, 0, 1),
    ]
    assert diff_sequences("xaybz", "paqbr") == [(-1, 5, 0), (1, 0, 5)]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            [
                "a",
                "é",
                "1",
                " ",
                "\n",
                "\r",
                "\t",
                "\u00a0",
                "\u2028",
                "\u3000",
                "\x1c",
                "\u0301",
                "ก",
                "\u0e48",
                "\u0e33",
                "👍",
                "🏽",
                "\u200d",
                "🇹",
                "🇭",
                "日",
                ",",
                "-",
            ]
        ),
        max_size=40,
    )
)
def test_tokens_found_line_by_line_are_those_of_the_whole_text(text: str) -> None:
    # the engine tokenises (and remembers) each line alone; that must change nothing
    expected_starts, expected_keys, offset = [], [], 0
    for token in tokenize(text):
        if not is_whitespace_token(token):
            expected_starts.append(offset)
            expected_keys.append(token)
        offset += len(token)
    assert _tokens(text) == (expected_starts, expected_keys)


# --- random edits -----------------------------------------------------------------

# Word stems with letters that NFD decomposes; a number after the stem makes each word unique.
STEMS = ["w", "Bến", "straße", "ọc", "über", "Quyền"]
SEPARATORS = [" ", "  ", "\n", "\n\n", " \n   ", "\t"]


@dataclass
class Word:
    uid: int
    version: int  # the version that last inserted it
    history: frozenset[int]

    @property
    def text(self) -> str:
        return f"{STEMS[self.uid % len(STEMS)]}{self.uid}a"  # no word is a prefix of another


def expected_step(old: list[Word], new_ids: list[int], version: int, reinserted: set[int]) -> list[Word]:
    """What the rules say for one step, computed from word identities instead of a diff.

    Every word id occurs at most once and words never move, so the words kept
    are exactly those in both lists, and the hunks are the stretches between
    two kept words.
    """
    old_by_id = {w.uid: w for w in old}
    kept = [uid for uid in new_ids if uid in old_by_id]
    kept_set = set(kept)
    # stretches of old words before each kept word (and after the last one)
    old_gaps: list[list[Word]] = [[]]
    for w in old:
        if w.uid in kept_set:
            old_gaps.append([])
        else:
            old_gaps[-1].append(w)
    new_gaps: list[list[int]] = [[]]
    for uid in new_ids:
        if uid in kept_set:
            new_gaps.append([])
        else:
            new_gaps[-1].append(uid)
    out: list[Word] = []
    carry: frozenset[int] = frozenset()
    kept_iter = iter(kept)
    for gap, (deleted, inserted) in enumerate(zip(old_gaps, new_gaps)):
        removed = frozenset({version}).union(*(w.history for w in deleted)) if deleted else frozenset()
        if inserted:
            out += [Word(uid, version, frozenset({version}) | removed) for uid in inserted]
        elif deleted:
            if out:
                out[-1] = Word(out[-1].uid, out[-1].version, out[-1].history | removed)
            else:
                carry |= removed
        if gap < len(kept):
            w = old_by_id[next(kept_iter)]
            out.append(Word(w.uid, w.version, w.history | carry))
            carry = frozenset()
    assert not reinserted - {w.uid for w in out if w.version == version}
    return out


@st.composite
def edit_histories(draw: st.DrawFn) -> tuple[list[VersionInfo], list[list[Word]], list[str]]:
    """A chain of versions made by random word edits, with the expected words of each version."""
    next_uid = 0

    def fresh() -> int:
        nonlocal next_uid
        next_uid += 1
        return next_uid

    def render(words: list[Word]) -> str:
        lead = draw(st.sampled_from(["", "", " ", "\n"]))
        trail = draw(st.sampled_from(["", "", "\n", "  "]))
        if not words:
            return draw(st.sampled_from(["", " ", "\n\n"]))
        seps = [draw(st.sampled_from(SEPARATORS)) for _ in words[1:]]
        return lead + words[0].text + "".join(s + w.text for s, w in zip(seps, words[1:])) + trail

    n_versions = draw(st.integers(1, 8))
    words: list[Word] = []
    deleted_pool: list[int] = []
    chain: list[VersionInfo] = []
    states: list[list[Word]] = []
    texts: list[str] = []
    for version in range(1, n_versions + 1):
        ids = [w.uid for w in words]
        reinserted: set[int] = set()
        if version == 1:
            ids = [fresh() for _ in range(draw(st.integers(0, 12)))]
        else:
            removed_now: list[int] = []
            for _ in range(draw(st.integers(0, 4))):  # zero edits: a re-wrap only
                kind = draw(st.sampled_from(["insert", "delete", "replace", "reinsert"]))
                pos = draw(st.integers(0, len(ids)))
                if kind == "insert":
                    ids[pos:pos] = [fresh() for _ in range(draw(st.integers(1, 3)))]
                elif kind == "reinsert" and deleted_pool:
                    uid = draw(st.sampled_from(deleted_pool))
                    deleted_pool.remove(uid)
                    ids.insert(pos, uid)
                    reinserted.add(uid)
                elif kind in ("delete", "replace") and pos < len(ids):
                    count = draw(st.integers(1, 3))
                    gone = ids[pos : pos + count]
                    reinserted.difference_update(gone)
                    removed_now += gone
                    ids[pos : pos + count] = [fresh() for _ in gone] if kind == "replace" else []
            deleted_pool += removed_now  # may come back in a later version, never in this one
        words = expected_step(words, ids, version, reinserted)
        text = render(words)
        texts.append(text)
        spelled = unicodedata.normalize("NFD", text) if draw(st.booleans()) else text
        chain.append(VersionInfo(version, spelled, {"step": version}))
        states.append(words)
    return chain, states, texts


def expected_chars(words: list[Word], text: str, attr: str) -> list[object]:
    """Per character of ``text``: the ``attr`` of the word it belongs to (whitespace with the word before)."""
    out: list[object] = []
    pos = 0
    for n, w in enumerate(words):
        start = text.index(w.text, pos)
        if n == 0:
            out += [getattr(w, attr)] * start
        else:
            out += [getattr(words[n - 1], attr)] * (start - pos)
        out += [getattr(w, attr)] * len(w.text)
        pos = start + len(w.text)
    if words:
        out += [getattr(words[-1], attr)] * (len(text) - pos)
    return out


@settings(max_examples=300, deadline=None)
@given(edit_histories())
def test_random_edits(case: tuple[list[VersionInfo], list[list[Word]], list[str]]) -> None:
    chain, states, texts = case
    att = attribute(chain)
    words, text = states[-1], nfc(texts[-1])
    assert att.text == text
    assert att.versions == tuple(range(1, len(chain) + 1))
    assert_well_formed(att)
    if not words:
        # a blank text: one span, for the version that last changed it other than by re-wrapping
        blank_origin = None
        for version, spelled in enumerate(texts, start=1):
            blank_origin = blank_origin or version if spelled.isspace() else None
        assert att.spans == ((Span(0, len(text), blank_origin),) if text else ())
    else:
        # every character to exactly one version: the one that inserted its word
        assert char_versions(att) == expected_chars(words, text, "version")
        got = [frozenset(att.history(n, n + 1)) for n in range(len(text))]
        assert got == expected_chars(words, text, "history")
        assert att.history(0, len(text)) == sorted(set().union(*(w.history for w in words)))
    # the attribution of a word never moves while it stays
    for older, older_words in enumerate(states[:-1], start=1):
        surviving = {(w.uid, w.version) for w in older_words} & {(w.uid, w.version) for w in words}
        for uid, version in surviving:
            assert version <= older
            word = next(w for w in words if w.uid == uid)
            start = text.index(word.text)
            assert {att.version_at(n) for n in range(start, start + len(word.text))} == {version}
    # caching a version and extending it gives the same result as starting over
    assert fold(chain) == att
    middle = len(chain) // 2
    assert fold(chain[middle:], attribute(chain[:middle])) == att


# --- crediting the changes of a redline across several versions ---------------------------------


def _credited(base: str, *texts: str) -> list[tuple[str, str, object]]:
    from instrument.diff import redline
    from instrument.trace import credit_changes

    chain = [VersionInfo(name, text) for name, text in zip(("edit", "amendment", "third"), texts)]
    out = credit_changes(base, chain, redline(base, texts[-1]).ops)
    return [(c.op.kind, c.op.text, c.version_id) for c in out if c.op.kind != "equal"]


def test_each_change_is_credited_to_the_version_that_made_it():
    base = "1. States shall cooperate on recruitment."
    edited = "1. States shall cooperate on recruitment.\n\n    (a) fair fees;"
    amended = "1. States shall cooperate closely on recruitment.\n\n    (a) fair fees;\n\n    (b) written contracts."
    assert _credited(base, edited, amended) == [
        ("insert", "closely ", "amendment"),
        ("insert", "\n\n    (a) fair fees;", "edit"),
        ("insert", "\n\n    (b) written contracts.", "amendment"),
    ]


def test_deletions_are_credited_to_the_version_that_deleted_and_pieces_rebuild_both_texts():
    from instrument.diff import redline
    from instrument.trace import credit_changes

    base = "Each State shall endeavour to protect all migrant workers and their families."
    texts = ["Each State shall protect all migrant workers and their families.",
             "Each State shall protect migrant workers."]  # fmt: skip
    chain = [VersionInfo("edit", texts[0]), VersionInfo("amendment", texts[1])]
    out = credit_changes(base, chain, redline(base, texts[1]).ops)
    assert "".join(c.op.old_side for c in out) == base and "".join(c.op.new_side for c in out) == texts[1]
    deleted = {c.op.text.strip(): c.version_id for c in out if c.op.kind == "delete"}
    assert deleted["endeavour to"] == "edit"
    assert all(v == "amendment" for k, v in deleted.items() if k != "endeavour to") and len(deleted) >= 2


def test_a_word_deleted_and_put_back_by_the_readable_redline_joins_the_change_around_it():
    # Semantic cleanup folds "sat on" into the change; no version touched it, so it goes with its neighbours.
    changes = _credited("the cat sat on a mat", "the dog sat on the mat")
    assert {v for _, _, v in changes} == {"edit"}


def test_operations_of_other_texts_are_refused():
    from instrument.diff import redline
    from instrument.trace import credit_changes

    with pytest.raises(ValueError):
        credit_changes("the cat", [VersionInfo(1, "the dog")], redline("a cat", "the dog").ops)
    with pytest.raises(ValueError):
        credit_changes("the cat", [], redline("the cat", "the cat").ops)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["fair", "fees", "shall", "not", "workers", ",", "ก\u0e48", "\n\n", "👍🏽"]),
                         max_size=12).map(" ".join), min_size=2, max_size=5))  # fmt: skip
def test_credited_pieces_rebuild_both_texts_and_name_versions_of_the_chain(texts: list[str]) -> None:
    from instrument.diff import redline
    from instrument.trace import credit_changes

    base, rest = texts[0], texts[1:]
    chain = chain_of(*rest)
    out = credit_changes(base, chain, redline(base, rest[-1]).ops)
    assert "".join(c.op.old_side for c in out) == base
    assert "".join(c.op.new_side for c in out) == nfc(rest[-1])
    for c in out:
        assert (c.version_id is None) == (c.op.kind == "equal")
        assert c.version_id is None or c.version_id in range(1, len(rest) + 1)
        assert c.op.kind == "equal" or c.op.text
    if len(rest) == 1:
        assert {c.version_id for c in out} <= {None, 1}
