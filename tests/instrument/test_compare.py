"""Tests of instrument.compare: the comparison of two states of an instrument, clause by clause."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instrument.compare import ClauseChange, compare_clauses, longest_increasing_subsequence
from instrument.diff import Op, Redline, cached_redline
from instrument.types import ClauseKind, ClauseState


def changes(r: Redline) -> list[tuple[str, str]]:
    return [(op.kind, op.text) for op in r.ops if op.kind != "equal"]


# --- longest increasing subsequence ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "length"),
    [([], 0), ([5], 1), ([1, 2, 3], 3), ([3, 2, 1], 1), ([0, 1, 9, 2, 3, 4], 5), ([2, 0, 1, 3], 3)],
)
def test_lis_length(values, length):
    picked = longest_increasing_subsequence(values)
    assert len(picked) == length
    chosen = [values[i] for i in sorted(picked)]
    assert chosen == sorted(set(chosen))


@given(st.lists(st.integers(0, 30), max_size=30))
def test_property_lis_is_increasing_and_maximal(values):
    picked = sorted(longest_increasing_subsequence(values))
    chosen = [values[i] for i in picked]
    assert all(a < b for a, b in itertools.pairwise(chosen))
    # Quadratic reference for the length.
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    assert len(picked) == max(best, default=0)


# --- comparing clauses ------------------------------------------------------------

LONG = "Each Party shall take appropriate measures to protect the rights of all migrant workers"


def art(
    key: str,
    text: str,
    position: int,
    *,
    number: str | None = None,
    heading: str = "",
    parent: str | None = "part-1",
    version: int | None = None,
    deleted: bool = False,
) -> ClauseState:
    return ClauseState(
        key=key, kind=ClauseKind.ARTICLE, number=number if number is not None else key,
        heading=heading, text=text, parent_key=parent, position=position,
        version_id=version, deleted=deleted,
    )  # fmt: skip


def part(key: str, heading: str, position: int) -> ClauseState:
    return ClauseState(key=key, kind=ClauseKind.PART, number=key, heading=heading, text="",
                       parent_key=None, position=position)  # fmt: skip


def draft(*arts: tuple[str, str], parts: tuple[str, ...] = ("part-1",)) -> list[ClauseState]:
    out = [part(p, f"Heading of {p}", i) for i, p in enumerate(parts)]
    for key, text in arts:
        out.append(art(key, text, len(out)))
    return out


def status(comparison, key: str) -> ClauseChange:
    change = comparison.find(key)
    assert change is not None, key
    return change


def test_unchanged_instrument():
    old = draft(("Art 1", LONG), ("Art 2", "Second text."))
    c = compare_clauses(old, list(old))
    assert not c.changed
    assert [ch.status for ch in c.changes] == ["unchanged"] * 3
    assert (c.clauses_added, c.clauses_deleted, c.clauses_changed, c.clauses_moved) == (0, 0, 0, 0)


def test_text_change_with_counts():
    old = draft(("Art 1", "Each Party shall take measures"), ("Art 2", "Other."))
    new = draft(("Art 1", "Each Party should take measures"), ("Art 2", "Other."))
    c = compare_clauses(old, new)
    ch = status(c, "Art 1")
    assert ch.status == "changed" and ch.text_changed and not ch.heading_changed
    assert (ch.words_inserted, ch.words_deleted) == (1, 1)
    assert ch.description == "text changed"
    assert (c.clauses_changed, c.words_inserted, c.words_deleted) == (1, 1, 1)
    assert status(c, "Art 2").status == "unchanged"


def test_one_insertion_moves_nothing():
    arts = [(f"Art {i}", f"Text number {i}.") for i in range(1, 8)]
    old = draft(*arts)
    new = draft(*arts[:3], ("Art 3a", "A new article."), *arts[3:])
    c = compare_clauses(old, new)
    assert c.clauses_added == 1 and status(c, "Art 3a").status == "added"
    assert c.clauses_moved == 0
    assert [ch.key for ch in c.changes] == ["part-1", "Art 1", "Art 2", "Art 3", "Art 3a",
                                            "Art 4", "Art 5", "Art 6", "Art 7"]  # fmt: skip


def test_one_article_moved_to_the_end():
    arts = [(f"Art {i}", f"Text number {i}.") for i in range(1, 6)]
    old = draft(*arts)
    new = draft(*arts[:1], *arts[2:], arts[1])
    c = compare_clauses(old, new)
    assert [ch.key for ch in c.changes if ch.moved] == ["Art 2"]
    assert status(c, "Art 2").status == "unchanged"
    assert status(c, "Art 2").description == "moved"


def test_change_of_parent_is_a_move():
    old = draft(("Art 1", "One."), ("Art 2", "Two."), parts=("part-1", "part-2"))
    new = [*old[:3], art("Art 2", "Two.", 3, parent="part-2")]
    c = compare_clauses(old, new)
    assert status(c, "Art 2").moved and not status(c, "Art 1").moved
    assert c.clauses_moved == 1


def test_renumbered_under_the_same_key():
    old = [part("part-1", "General", 0), art("a1", LONG, 1, number="Article 5")]
    new = [part("part-1", "General", 0), art("a1", LONG, 1, number="Article 7")]
    c = compare_clauses(old, new)
    ch = status(c, "a1")
    assert ch.status == "unchanged" and ch.renumbered and ch.old_key == "a1"
    assert ch.description == "renumbered from Article 5 to Article 7"
    assert c.clauses_renumbered == 1


def test_renumbering_found_by_text_not_reported_as_delete_and_add():
    old = draft(("Art 5", LONG), ("Art 6", "(deleted)"))
    new = draft(("Art 7", LONG), ("Art 8", "(deleted)"))
    c = compare_clauses(old, new)
    ch = status(c, "Art 7")
    assert ch.status == "unchanged" and ch.renumbered and ch.old_key == "Art 5"
    assert not ch.redline.changed
    # A short, common text identifies nothing: that pair stays deleted + added.
    assert status(c, "Art 8").status == "added" and status(c, "Art 6").status == "deleted"
    assert (c.clauses_added, c.clauses_deleted, c.clauses_renumbered) == (1, 1, 1)


def test_renumbered_with_reflowed_text_and_new_heading():
    old = draft(("Art 5", LONG))
    new = [old[0], art("Art 7", LONG.replace(" the ", "\nthe  "), 1, heading="Protection")]
    ch = status(compare_clauses(old, new), "Art 7")
    assert ch.status == "changed" and ch.heading_changed and ch.renumbered and not ch.text_changed


def test_ambiguous_texts_are_not_paired():
    old = draft(("Art 5", LONG), ("Art 6", LONG))
    new = draft(("Art 7", LONG), ("Art 8", LONG))
    c = compare_clauses(old, new)
    assert (c.clauses_added, c.clauses_deleted, c.clauses_renumbered) == (2, 2, 0)


def test_heading_change_alone_is_a_change():
    old = draft(("Art 49", "-"))
    new = [old[0], art("Art 49", "-", 1, heading="(weggefallen)")]
    c = compare_clauses(old, new)
    ch = status(c, "Art 49")
    assert ch.status == "changed" and ch.heading_changed and not ch.text_changed
    assert ch.description == "heading changed"
    assert ch.heading_redline is not None
    assert changes(ch.heading_redline) == [("insert", "(weggefallen)")]
    assert (ch.words_inserted, c.clauses_heading_changed, c.clauses_added) == (1, 1, 0)


def test_deleted_clauses_keep_their_old_place_and_counts():
    old = draft(("Art 1", "One."), ("Art 2", "Two words."), ("Art 3", "Three."))
    new = draft(("Art 1", "One."), ("Art 3", "Three."))
    c = compare_clauses(old, new)
    assert [ch.key for ch in c.changes] == ["part-1", "Art 1", "Art 2", "Art 3"]
    ch = status(c, "Art 2")
    assert ch.status == "deleted" and ch.new is None and ch.words_deleted == 2
    assert ch.redline.ops == (Op("delete", "Two words."),)


def test_deleted_flag_counts_as_absent():
    old = draft(("Art 1", "One."), ("Art 2", "Two."))
    new = [*old[:2], art("Art 2", "Two.", 2, deleted=True)]
    c = compare_clauses(old, new)
    assert status(c, "Art 2").status == "deleted"
    restored = compare_clauses(new, old)
    assert status(restored, "Art 2").status == "added"
    assert restored.find("Art 2").words_inserted == 1


def test_duplicate_keys_are_refused():
    old = draft(("Art 1", "One."), ("Art 1", "Again."))
    with pytest.raises(ValueError, match="Art 1"):
        compare_clauses(old, old)


def test_version_ids_use_the_cache():
    cached_redline.cache_clear()
    old = [art("a", "Each Party shall", 0, parent=None, version=10)]
    new = [art("a", "Each Party should", 0, parent=None, version=11)]
    first = compare_clauses(old, new)
    second = compare_clauses(old, new)
    assert cached_redline.cache_info().hits == 1
    assert first.find("a").redline is second.find("a").redline


def test_paragraphs_that_moved_up_are_named_with_their_old_and_new_references():
    from instrument.compare import compare_clauses
    from instrument.types import ClauseKind, ClauseState

    paras = [
        "The Member States shall facilitate travel of workers in the region.",
        "They shall waive visas for short stays of nationals of other Member States.",
        "They shall publish the rules on admission in the languages of the region.",
    ]
    old_text = "\n\n".join(f"{i}. {p}" for i, p in enumerate(paras, start=1))
    new_text = "\n\n".join(f"{i}. {p}" for i, p in enumerate([paras[0], paras[2]], start=1))
    old = [ClauseState("a", ClauseKind.ARTICLE, "Article 15", "Mobility", old_text)]
    new = [ClauseState("a", ClauseKind.ARTICLE, "Article 16", "Mobility", new_text)]
    change = compare_clauses(old, new).changes[0]
    assert change.units_renumbered == (("Article 15(3)", "Article 16(2)"),)
    assert "Article 15(3) is now Article 16(2)" in change.description
    assert "Article 15(1)" not in change.description


# Paragraphs of an Article 4 and an Article 7, each long enough to be followed by its words.
ART4 = [
    "The Member States shall protect the wages of migrant workers.",
    "They shall recognise the skills certified in another Member State.",
    "They shall report each year on the measures they have taken.",
]
ART7 = [
    "The Member States shall open their labour markets step by step.",
    "They shall exchange information on vacancies in the region.",
]


def numbered(paragraphs: list[str]) -> str:
    return "\n\n".join(f"{i}. {p}" for i, p in enumerate(paragraphs, start=1))


def article(key: str, number: str, paragraphs: list[str], position: int) -> ClauseState:
    return ClauseState(key, ClauseKind.ARTICLE, number, "", numbered(paragraphs), position=position)


def test_paragraph_moved_to_another_article_is_cited_as_a_move():
    old = [article("a4", "Article 4", ART4, 0), article("a7", "Article 7", ART7, 1)]
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 7", [*ART7, ART4[1]], 1)]
    c = compare_clauses(old, new)
    moved = ("Article 4(2)", "Article 7(3)")
    source, target = status(c, "a4"), status(c, "a7")
    assert source.units_renumbered == (("Article 4(3)", "Article 4(2)"), moved)
    assert target.units_renumbered == (moved,)
    for change in (source, target):
        assert "Article 4(2) is now Article 7(3)" in change.description


def test_paragraph_moved_into_a_new_article_and_out_of_a_deleted_one_is_cited():
    old = [article("a4", "Article 4", ART4, 0), article("a7", "Article 7", ART7, 1)]
    new = [article("a4", "Article 4", ART4[:2], 0), article("a5", "Article 5", [ART7[1], ART4[2]], 1)]
    c = compare_clauses(old, new)
    assert status(c, "a5").status == "added" and status(c, "a7").status == "deleted"
    assert status(c, "a5").units_renumbered == (("Article 7(2)", "Article 5(1)"), ("Article 4(3)", "Article 5(2)"))
    assert status(c, "a4").units_renumbered == (("Article 4(3)", "Article 5(2)"),)
    assert status(c, "a7").units_renumbered == (("Article 7(2)", "Article 5(1)"),)
    assert status(c, "a7").description == "deleted; Article 7(2) is now Article 5(1)"


def test_paragraph_moved_under_the_same_labels_to_a_renumbered_article_is_cited():
    # Article 7 becomes Article 8 and takes paragraph 2 of Article 4 as its own paragraph 2.
    old = [article("a4", "Article 4", ART4, 0), article("a7", "Article 7", ART7[:1], 1)]
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 8", [ART7[0], ART4[1]], 1)]
    assert status(compare_clauses(old, new), "a7").units_renumbered == (("Article 4(2)", "Article 8(2)"),)


def test_a_paragraph_found_twice_is_not_cited_as_moved():
    # The sentence leaves Article 4 but is added to two articles: which one it went to is unknown.
    old = [article("a4", "Article 4", ART4, 0), article("a7", "Article 7", ART7, 1),
           article("a9", "Article 9", ART7[:1], 2)]  # fmt: skip
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 7", [*ART7, ART4[1]], 1),
           article("a9", "Article 9", [ART7[0], ART4[1]], 2)]  # fmt: skip
    c = compare_clauses(old, new)
    assert status(c, "a7").units_renumbered == ()
    assert status(c, "a9").units_renumbered == ()
    assert status(c, "a4").units_renumbered == (("Article 4(3)", "Article 4(2)"),)


def test_points_that_moved_with_their_paragraph_are_not_cited_again():
    points = ["the skills of nurses and of carers in hospitals;", "the skills of engineers and of surveyors on sites."]
    with_points = f"{ART4[1]}\n\n" + "\n\n".join(f"    ({label}) {p}" for label, p in zip("ab", points))
    old = [article("a4", "Article 4", [ART4[0], with_points, ART4[2]], 0), article("a7", "Article 7", ART7, 1)]
    # Paragraph 2 goes to Article 7 with its points; point (b) also becomes point (a) there.
    moved = f"{ART4[1]}\n\n    (a) {points[1]}\n\n    (b) {points[0]}"
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 7", [*ART7, moved], 1)]
    assert status(compare_clauses(old, new), "a7").units_renumbered == (
        ("Article 4(2)", "Article 7(3)"),
        ("Article 4(2)(b)", "Article 7(3)(a)"),
        ("Article 4(2)(a)", "Article 7(3)(b)"),
    )
    kept_order = f"{ART4[1]}\n\n    (a) {points[0]}\n\n    (b) {points[1]}"
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 7", [*ART7, kept_order], 1)]
    assert status(compare_clauses(old, new), "a7").units_renumbered == (("Article 4(2)", "Article 7(3)"),)


def test_words_that_left_two_places_are_not_cited_as_moved():
    # The sentence was paragraph 2 of Article 4 and an unnumbered closing sentence of Article 7;
    # both go, and it arrives once in Article 9: either could be the one that moved.
    old = [article("a4", "Article 4", ART4, 0),
           ClauseState("a7", ClauseKind.ARTICLE, "Article 7", "", f"{numbered(ART7)}\n\n{ART4[1]}", position=1),
           article("a9", "Article 9", ART7[:1], 2)]  # fmt: skip
    new = [article("a4", "Article 4", [ART4[0], ART4[2]], 0), article("a7", "Article 7", ART7, 1),
           article("a9", "Article 9", [ART7[0], ART4[1]], 2)]  # fmt: skip
    assert status(compare_clauses(old, new), "a9").units_renumbered == ()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=4), min_size=2, max_size=5),
    source=st.integers(min_value=0, max_value=4),
    target=st.integers(min_value=0, max_value=4),
    paragraph=st.integers(min_value=0, max_value=3),
    place=st.integers(min_value=0, max_value=4),
)
def test_property_a_paragraph_moved_between_any_two_articles_is_cited_in_both(sizes, source, target, paragraph, place):
    source, target = source % len(sizes), target % len(sizes)
    if source == target:
        target = (target + 1) % len(sizes)
    paragraph = paragraph % sizes[source]
    sentence = "The Parties shall meet obligation {}.{} of this instrument."
    texts = [[sentence.format(a, p) for p in range(n)] for a, n in enumerate(sizes)]
    changed = [list(t) for t in texts]
    moved = changed[source].pop(paragraph)
    place = place % (len(changed[target]) + 1)
    changed[target].insert(place, moved)
    old = [article(f"a{a}", f"Article {a + 1}", t, a) for a, t in enumerate(texts)]
    new = [article(f"a{a}", f"Article {a + 1}", t, a) if t else
           ClauseState(f"a{a}", ClauseKind.ARTICLE, f"Article {a + 1}", "", "", position=a, deleted=True)
           for a, t in enumerate(changed)]  # fmt: skip
    c = compare_clauses(old, new)
    move = (f"Article {source + 1}({paragraph + 1})", f"Article {target + 1}({place + 1})")
    for key in (f"a{source}", f"a{target}"):
        cross = [pair for pair in status(c, key).units_renumbered if pair[0].split("(")[0] != pair[1].split("(")[0]]
        assert cross == [move], key
        assert f"{move[0]} is now {move[1]}" in status(c, key).description
