"""Matching clauses of a new text to the clauses an instrument had."""
from __future__ import annotations

import re

from instrument.matching import Candidate, base_key, clause_uid, match_clauses

LONG = "The Parties shall protect the rights of all migrant workers and members of their families, number {}."


def old_and_new(n: int, insert_at: int):
    old = [Candidate(f"o{i}", f"Article {i}", LONG.format(i)) for i in range(1, n + 1)]
    new = []
    for i in range(1, n + 2):
        if i < insert_at:
            new.append(Candidate(f"n{i}", f"Article {i}", LONG.format(i)))
        elif i == insert_at:
            new.append(Candidate(f"n{i}", f"Article {i}", "A new article on access to justice and effective remedies for everyone."))
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
    old = [Candidate(1, "Art 49", "(weggefallen)"), Candidate(2, "Art 50", "Real text of fifty that is long enough to be unique, really.")]
    new = [Candidate("x", "Art 48", "(weggefallen)"), Candidate("y", "Art 50", "Real text of fifty that is long enough to be unique, really.")]
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
