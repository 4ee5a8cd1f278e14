"""Marking plain-text spans inside rendered Markdown (instrument.highlight)."""

from __future__ import annotations

import html as html_module
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from instrument.highlight import MARK_CLOSE, MARK_OPEN, highlight_spans
from instrument.render import plain_text, render_markdown


def marked(md: str, *quotes: str) -> tuple[str, str]:
    """Render ``md``, mark the first copy of each quote; return (html, the marked text joined by '|')."""
    html, plain = render_markdown(md), plain_text(md)
    spans = []
    for q in quotes:
        start = plain.index(q)
        spans.append((start, start + len(q)))
    out = highlight_spans(html, plain, spans)
    assert out is not None
    found = "|".join(re.findall(r'<mark class="quoted">(.*?)</mark>', out, re.S))
    return out, found


def test_marks_words_in_a_paragraph():
    out, found = marked("The Parties shall protect migrant workers.", "shall protect")
    assert found == "shall protect"
    assert out.startswith("<p>The Parties <mark")


def test_span_across_emphasis_and_link_is_split_per_text_node():
    md = "They shall *protect* workers and [their families](https://example.org) at home."
    out, found = marked(md, "protect workers and their families")
    assert found == "protect|workers and|their families"
    # Still well nested: every mark closes inside the element it opened in.
    assert "<em><mark" in out and "</mark></em>" in out
    assert '<a href="https://example.org" rel="nofollow noopener"><mark' in out


def test_span_across_list_items_marks_each_item():
    md = "1. First paragraph ends here.\n\n2. Second one starts there."
    _, found = marked(md, "ends here.\n\nSecond one")
    assert found == "ends here.|Second one"


def test_entities_and_raw_html_shown_as_text():
    md = 'Fees & costs <b>"bold"</b> stay text.'
    out, found = marked(md, 'Fees & costs <b>"bold"</b>')
    assert found == 'Fees &amp; costs &lt;b&gt;"bold"&lt;/b&gt;'
    assert "<b>" not in out


def test_attribute_holding_a_closing_angle_bracket():
    md = 'See [the text](https://example.org "a>b") here.'
    out, found = marked(md, "the text here")
    assert found == "the text|here"
    assert out.replace(MARK_OPEN, "").replace(MARK_CLOSE, "") == render_markdown(md)


def test_overlapping_spans_make_one_mark():
    md = "Migrant workers and members of their families."
    html, plain = render_markdown(md), plain_text(md)
    out = highlight_spans(html, plain, [(0, 15), (8, 27)])
    assert out.count(MARK_OPEN) == 1 and '<mark class="quoted">Migrant workers and members</mark>' in out


def test_no_spans_returns_the_fragment_unchanged():
    html = render_markdown("Text.")
    assert highlight_spans(html, "Text.", []) == html
    assert highlight_spans(html, "Text.", [(3, 3)]) == html


def test_mismatched_texts_change_nothing():
    html = render_markdown("One text.")
    assert highlight_spans(html, "Another text.", [(0, 3)]) is None


def test_second_occurrence_is_the_one_marked():
    md = "The Parties shall protect migrant workers. The Parties shall protect their families."
    html, plain = render_markdown(md), plain_text(md)
    out = highlight_spans(html, plain, [(43, 68)])
    assert out == (
        "<p>The Parties shall protect migrant workers. "
        f"{MARK_OPEN}The Parties shall protect{MARK_CLOSE} their families.</p>\n"
    )


WORDS = st.sampled_from(
    ["the", "Parties", "*shall*", "**protect**", "`code`", "[link](https://x.org)", "&amp;", "<i>", "ไทย", "a\\*b"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4),
    st.data(),
)
def test_marked_characters_are_exactly_the_span(paragraphs, data):
    md = "\n\n".join(paragraphs)
    html, plain = render_markdown(md), plain_text(md)
    start = data.draw(st.integers(0, len(plain) - 1))
    end = data.draw(st.integers(start + 1, len(plain)))
    out = highlight_spans(html, plain, [(start, end)])
    assert out is not None
    inside = "".join(re.findall(r'<mark class="quoted">(.*?)</mark>', out, re.S))
    unescaped = re.sub(r"<[^>]+>", "", inside)
    want = "".join(plain[start:end].split())
    assert "".join(html_module.unescape(unescaped).split()) == want
    # Removing the marks gives the rendered HTML back.
    assert out.replace(MARK_OPEN, "").replace(MARK_CLOSE, "") == html
