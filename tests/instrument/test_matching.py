"""Matching clauses of a new text to the clauses an instrument had."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from instrument.matching import Candidate, base_key, clause_uid, heaviest_chain, match_clauses

LONG = "The Parties shall protect the rights of all migrant workers and members of their families, number {}."


def old_and_new(n: int, insert_at: int):
    old = [Candidate(f"o{i}", f"Article {i}", LONG.format(i)) for i in range(1, n + 1)]
    new = []
    for i in range(1, n + 2):
        if i < insert_at:
            new.append(Candidate(f"n{i}", f"Article {i}", LONG.format(i)))
        elif i == insert_at:
            new.append(
                Candidate(
                    f"n{i}", f"Article {i}", "A new article on access to justice and effective remedies for everyone."
                )
            )
        else:
            new.append(Candidate(f"n{i}", f"Article {i}", LONG.format(i - 1)))
    return old, new


def test_unchanged_clauses_match_by_key():
    old = [Candidate(1, "Art 1", "Text one."), Candidate(2, "Art 2", "Text two.")]
    new = [Candidate("a", "Art 1", "Text one."), Candidate("b", "Art 2", "Text two, changed.")]
    assert match_clauses(old, new) == {"a": 1, "b": 2}


def test_insertion_renumbers_later_clauses_without_losing_identity():
    old, new = old_and_new(6, insert_at=3)
    pairs = match_clauses(old, new)
    assert pairs == {"n1": "o1", "n2": "o2", "n4": "o3", "n5": "o4", "n6": "o5", "n7": "o6"}


def test_deletion_in_the_middle_shifts_the_tail_down():
    old = [Candidate(f"o{i}", f"Article {i}", LONG.format(i)) for i in range(1, 6)]
    new = [Candidate(f"n{j}", f"Article {j}", LONG.format(i)) for j, i in enumerate([1, 2, 4, 5], start=1)]
    assert match_clauses(old, new) == {"n1": "o1", "n2": "o2", "n3": "o4", "n4": "o5"}


def test_short_shared_texts_never_match_across_keys():
    old = [
        Candidate(1, "Art 49", "(weggefallen)"),
        Candidate(2, "Art 50", "Real text of fifty that is long enough to be unique, really."),
    ]
    new = [
        Candidate("x", "Art 48", "(weggefallen)"),
        Candidate("y", "Art 50", "Real text of fifty that is long enough to be unique, really."),
    ]
    assert match_clauses(old, new) == {"y": 2}


def test_repeated_number_is_matched_by_number():
    text_new = LONG.format("reformed")
    old = [Candidate(1, "§ 2", LONG.format("old")), Candidate(2, "§ 2 [2]", text_new)]
    new = [Candidate("a", "§ 2", text_new)]
    assert match_clauses(old, new) == {"a": 1}
    assert base_key("§ 2 [2]") == "§ 2" and base_key("§ 2") == "§ 2"


def test_clause_uid_is_ascii_unique_and_stable():
    assert clause_uid("Art 21") == "art-21"
    assert clause_uid("§ 2a") == "par-2a"
    assert clause_uid("§§ 3 bis 6") == "par-3-bis-6"
    assert clause_uid("Präambel") == "praambel"
    assert clause_uid("Art 21", taken={"art-21"}) == "art-21-2"
    japanese = clause_uid("第二条の二")
    assert re.fullmatch(r"[a-z][a-z0-9-]*", japanese) and japanese == clause_uid("第二条の二")
    assert clause_uid("第二条の二") != clause_uid("第二条の三")


def test_renumbered_and_amended_clause_is_matched_by_similarity_not_by_its_old_number():
    # Article 3 is inserted; old Article 3 becomes Article 4 AND loses a sentence;
    # old Article 4 becomes Article 5 unchanged. Matching on keys would pair the
    # new Article 4 with the old Article 4 (another article altogether).
    a3 = "The Member States shall facilitate the mobility of workers across borders. They shall simplify visas."
    a4 = "Each Member State shall submit a report every three years on the measures it has taken to apply this instrument."
    old = [
        Candidate("o1", "Article 1", LONG.format(1)),
        Candidate("o3", "Article 3", a3),
        Candidate("o4", "Article 4", a4),
    ]
    new = [
        Candidate("n1", "Article 1", LONG.format(1)),
        Candidate(
            "n3",
            "Article 3",
            "Migrant workers shall have effective access to courts and to remedies, whatever their status.",
        ),
        Candidate("n4", "Article 4", "The Member States shall facilitate the mobility of workers across borders."),
        Candidate("n5", "Article 5", a4),
    ]
    assert match_clauses(old, new) == {"n1": "o1", "n4": "o3", "n5": "o4"}


def test_rewritten_clause_with_the_same_number_is_still_the_same_clause():
    old = [Candidate(1, "§ 1", "Completely old wording about the subject matter of this law and nothing else here.")]
    new = [Candidate("a", "§ 1", "An entirely new text: different words, same provision number, in the same place.")]
    assert match_clauses(old, new) == {"a": 1}


def test_clauses_of_another_kind_are_not_matched_by_key():
    old = [Candidate(1, "Anlage", "Some annex text that is long enough to count.", "part")]
    new = [Candidate("a", "Anlage", "Other text in a provision that happens to share the label.", "article")]
    assert match_clauses(old, new) == {}


# --- short clauses: identity from number, place and neighbours ----------------------------------

# An instrument of short articles (each under 60 characters, several alike), as a draft lists
# provisions kept for later or struck out.
SHORT = [
    "This instrument applies to all migrant workers.",
    "Reserved.",
    "Reserved.",
    "This instrument enters into force on signature.",
    "Deleted.",
    "The Parties shall cooperate.",
    "Deleted.",
    "Deleted.",
    "The Secretary-General is the depositary.",
    "Reserved.",
]
INSERTED = "The Parties shall consult each other."


def short_articles(texts: list[str], prefix: str) -> list[Candidate]:
    return [Candidate(f"{prefix}{i}", f"Article {i}", text, "article") for i, text in enumerate(texts, start=1)]


def test_short_articles_are_all_short_and_some_alike():
    assert all(len(text) < 60 for text in [*SHORT, INSERTED])
    assert len(set(SHORT)) < len(SHORT)


@pytest.mark.parametrize("at", range(len(SHORT) + 1))
def test_inserting_an_article_keeps_the_identity_of_every_short_article(at):
    old = short_articles(SHORT, "o")
    new = short_articles([*SHORT[:at], INSERTED, *SHORT[at:]], "n")
    expected = {f"n{i + 1 if i > at else i}": f"o{i}" for i in range(1, len(SHORT) + 1)}
    assert match_clauses(old, new) == expected


@pytest.mark.parametrize("at", range(len(SHORT)))
def test_deleting_an_article_keeps_the_identity_of_every_other_short_article(at):
    old = short_articles(SHORT, "o")
    new = short_articles([*SHORT[:at], *SHORT[at + 1 :]], "n")
    # Striking one of a run of equal texts leaves the same text as striking the last of the run:
    # the articles before it keep their numbers.
    gone = at
    while gone + 1 < len(SHORT) and SHORT[gone + 1] == SHORT[at]:
        gone += 1
    expected = {f"n{j}": f"o{j if j <= gone else j + 1}" for j in range(1, len(SHORT))}
    assert match_clauses(old, new) == expected


@pytest.mark.parametrize("at", [0, 1, 4, 7])
def test_short_articles_changed_slightly_and_shifted_keep_their_identity(at):
    amended = list(SHORT)
    amended[0] = "This instrument applies to migrant workers and families."
    amended[3] = "This instrument enters into force on ratification."
    amended[5] = "The Parties shall cooperate in good faith."
    amended[8] = "The ASEAN Secretary-General is the depositary."
    old = short_articles(SHORT, "o")
    new = short_articles([*amended[:at], INSERTED, *amended[at:]], "n")
    expected = {f"n{i + 1 if i > at else i}": f"o{i}" for i in range(1, len(SHORT) + 1)}
    assert match_clauses(old, new) == expected


def test_a_short_text_is_not_followed_out_of_its_place():
    # "Deleted." leaves Article 2 and a "Deleted." appears after Article 3: nothing but
    # the words says they are one provision, and the words are common ones.
    old = [Candidate("o1", "Article 1", LONG.format(1)), Candidate("o2", "Article 2", "Deleted."),
           Candidate("o3", "Article 3", LONG.format(3))]  # fmt: skip
    new = [Candidate("n1", "Article 1", LONG.format(1)), Candidate("n2", "Article 2", LONG.format(3)),
           Candidate("n3", "Article 3", "Deleted.")]  # fmt: skip
    assert match_clauses(old, new) == {"n1": "o1", "n2": "o3"}


def test_the_same_short_text_twice_keeps_the_first_number():
    # One of two "Reserved." articles is struck: the one keeping its number is the one kept.
    old = short_articles(["Scope.", "Reserved.", "Final clauses."], "o")
    new = short_articles(["Scope.", "Reserved.", "Reserved.", "Final clauses."], "n")
    assert match_clauses(old, new) == {"n1": "o1", "n2": "o2", "n4": "o3"}


def test_an_article_amended_and_moved_past_others_keeps_its_identity():
    moved = "Each Member State shall submit a report every three years on the measures it has taken."
    amended = "Each Member State shall submit a report every two years on the measures it has taken and planned."
    old = [Candidate("o1", "Article 1", LONG.format(1)), Candidate("o2", "Article 2", moved),
           Candidate("o3", "Article 3", LONG.format(3)), Candidate("o4", "Article 4", LONG.format(4))]  # fmt: skip
    new = [Candidate("n1", "Article 1", LONG.format(1)), Candidate("n2", "Article 2", LONG.format(3)),
           Candidate("n3", "Article 3", LONG.format(4)), Candidate("n4", "Article 4", amended)]  # fmt: skip
    assert match_clauses(old, new) == {"n1": "o1", "n2": "o3", "n3": "o4", "n4": "o2"}


POOL = ["Reserved.", "Deleted.", "Reserved for later use.", "The Parties shall cooperate."]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.sampled_from(POOL), min_size=1, max_size=20),
    at=st.integers(min_value=0, max_value=20),
    insert=st.booleans(),
)
@example(texts=["Reserved."] * 6, at=0, insert=True)
def test_property_one_insertion_or_deletion_among_alike_short_articles(texts, at, insert):
    # Articles numbered 1, 2, 3 ... as a draft numbers them, few distinct texts: after one
    # article is inserted or struck, every article still there is found, with its own text,
    # in its order.
    at = min(at, len(texts) if insert else len(texts) - 1)
    changed = [*texts[:at], "A new article.", *texts[at:]] if insert else [*texts[:at], *texts[at + 1 :]]
    old = short_articles(texts, "o")
    new = short_articles(changed, "n")
    pairs = match_clauses(old, new)
    assert len(pairs) == min(len(texts), len(changed))
    order = [int(pairs[c.ident][1:]) for c in new if c.ident in pairs]
    assert order == sorted(order)
    text_of = {c.ident: c.text for c in old}
    assert all(text_of[pairs[c.ident]] == c.text for c in new if c.ident in pairs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 9)), max_size=12))
def test_property_heaviest_chain_is_the_heaviest_order_preserving_subset(triples):
    pairs = [(a, b, float(w)) for a, b, w in triples]
    chosen = sorted(heaviest_chain(pairs), key=lambda k: pairs[k][0])
    assert all(pairs[x][0] < pairs[y][0] and pairs[x][1] < pairs[y][1] for x, y in itertools.pairwise(chosen))
    # Quadratic reference: best chain weight ending at each pair.
    order = sorted(range(len(pairs)), key=lambda k: pairs[k][0])
    best = {}
    for k in order:
        a, b, w = pairs[k]
        best[k] = w + max((best[m] for m in best if pairs[m][0] < a and pairs[m][1] < b), default=0.0)
    assert sum(pairs[k][2] for k in chosen) == max(best.values(), default=0.0)
