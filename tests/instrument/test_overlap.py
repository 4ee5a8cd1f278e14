"""Where competing amendments touch the same words of a clause."""

from __future__ import annotations

from instrument.diff import redline
from instrument.overlap import changed_spans, op_spans, overlaps, render_with_overlaps, touch

CURRENT = "States shall cooperate on recruitment."


def test_a_replacement_is_one_span_and_an_insertion_is_empty():
    assert changed_spans(redline(CURRENT, "States must cooperate on recruitment.")) == ((7, 12),)
    assert changed_spans(redline(CURRENT, "States shall cooperate on fair recruitment.")) == ((26, 26),)
    r = redline(CURRENT, "States must cooperate on fair recruitment.")
    assert changed_spans(r) == ((7, 12), (26, 26))
    assert [s for s in op_spans(r) if s is not None] == [
        (7, 12),
        (12, 12),
        (26, 26),
    ]  # deletion, insertion after it, insertion


def test_touching_counts_and_a_space_between_does_not():
    assert touch((7, 12), (12, 12))  # an insertion right after a replaced word
    assert touch((7, 12), (7, 12))
    assert not touch((0, 6), (7, 12))  # "States" and "shall", the space between unchanged


def test_overlaps_between_three_amendments():
    spans = {
        "should": changed_spans(redline(CURRENT, "States should cooperate on recruitment.")),
        "must": changed_spans(redline(CURRENT, "States must cooperate on recruitment.")),
        "fair": changed_spans(redline(CURRENT, "States shall cooperate on fair recruitment.")),
    }
    assert overlaps(spans) == {"should": {"must"}, "must": {"should"}, "fair": frozenset()}


def test_rendering_marks_only_the_overlapping_change_and_escapes():
    mine = redline("A <b> shall cooperate on recruitment.", "A <b> must cooperate on fair recruitment.")
    theirs = {
        7: changed_spans(redline("A <b> shall cooperate on recruitment.", "A <b> should cooperate on recruitment."))
    }
    html, hits = render_with_overlaps(mine, theirs, lambda k: f"Amendment {k}")
    assert hits == {7}
    assert html.startswith("A &lt;b&gt; ")
    assert html.count('<mark class="overlap" title="also changed by Amendment 7">') == 2  # "shall" out, "must" in
    assert "fair" in html and "fair </ins></mark>" not in html and "fair</ins></mark>" not in html
    _, none = render_with_overlaps(mine, {}, str)
    assert none == frozenset()
