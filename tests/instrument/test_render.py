"""Tests of instrument.render: safe HTML and the visible plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from instrument.render import MAX_NESTING, plain_text, render_inline, render_markdown

TAG = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)")
ALLOWED = {
    "p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "del", "ins", "sup", "sub",
}  # fmt: skip


def tags(html: str) -> set[str]:
    return {m.lower() for m in TAG.findall(html)}


# --- safety -----------------------------------------------------------------


def test_javascript_link_is_not_a_link():
    html = render_markdown("[x](javascript:alert(1))")
    assert "<a" not in html
    assert "javascript:alert(1)" in html  # shown as the text that was typed
    assert html == "<p>[x](javascript:alert(1))</p>\n"


@pytest.mark.parametrize(
    "url",
    [
        "JaVaScRiPt:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_dangerous_schemes_give_no_href(url):
    html = render_markdown(f"[x]({url})")
    assert "href" not in html


def test_other_schemes_keep_the_text_but_lose_the_href():
    html = render_markdown("[files](ftp://example.org/a)")
    assert "href" not in html
    assert ">files</a>" in html


def test_entity_obfuscated_scheme_cannot_run():
    html = render_markdown("[x](java&#x09;script:alert(1))")
    # The tab survives only percent-encoded, which makes a relative URL.
    href = re.search(r'href="([^"]*)"', html).group(1)
    assert href == "java%09script:alert(1)"
    assert urlsplit(href).scheme == ""


def test_raw_html_is_shown_as_text():
    html = render_markdown('<img src=x onerror=alert(1)> and <script>alert("x")</script>')
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;" in html and "&lt;/script&gt;" in html
    assert plain_text("<img src=x onerror=alert(1)>") == "<img src=x onerror=alert(1)>"


def test_html_block_is_shown_as_text():
    html = render_markdown("<div onclick='x()'>\n<iframe src=//evil></iframe>\n</div>")
    assert tags(html) == {"p"}
    assert "&lt;iframe" in html


def test_allowed_links_get_rel_nofollow_noopener():
    html = render_markdown(
        '[a](https://asean.org "ASEAN") [b](http://x.org) [c](mailto:tf@example.org) '
        "[d](/clauses/5) [e](#art-5) <https://ilo.org>"
    )
    assert html.count('rel="nofollow noopener"') == 6
    for href in (
        "https://asean.org",
        "http://x.org",
        "mailto:tf@example.org",
        "/clauses/5",
        "#art-5",
        "https://ilo.org",
    ):
        assert f'href="{href}"' in html
    assert 'title="ASEAN"' in html


def test_bare_urls_are_not_linked():
    assert "<a" not in render_markdown("see www.asean.org or https://asean.org")


def test_images_are_not_rendered():
    html = render_markdown("![tracking](https://evil.example/pixel.gif)")
    assert "<img" not in html
    assert 'href="https://evil.example/pixel.gif"' in html  # a visible link instead
    assert plain_text("![tracking](https://evil.example/pixel.gif)") == "!tracking"


def test_only_allow_listed_tags_and_attributes():
    source = (
        "# H1\n\n## H2\n\n###### H6\n\n*em* **strong** `code` ~~gone~~ line  \nbreak\n\n"
        "> quote\n\n- a\n- b\n\n3. c\n4. d\n\n---\n\n```python\nprint(1)\n```\n\n"
        "| left | right |\n|:-----|------:|\n| 1 | 2 |\n"
    )
    html = render_markdown(source)
    assert tags(html) <= ALLOWED
    assert tags(html) >= {
        "h1",
        "h2",
        "h6",
        "em",
        "strong",
        "code",
        "del",
        "br",
        "blockquote",
        "ul",
        "ol",
        "li",
        "hr",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
    assert '<ol start="3">' in html
    assert 'class="' not in html  # the fence's language class is dropped
    assert 'style="text-align:right"' in html
    attributes = set(re.findall(r"\s([a-z-]+)=", html))
    assert attributes <= {"start", "style"}


def test_typographer_is_off():
    assert render_markdown('"quoted" -- (c)') == '<p>"quoted" -- (c)</p>\n'
    assert plain_text('"quoted" -- (c) ...') == '"quoted" -- (c) ...'


def test_empty_input():
    assert render_markdown("") == ""
    assert plain_text("") == ""
    assert plain_text("   \n\n---\n") == ""


# --- deep nesting -------------------------------------------------------------


def test_deep_nesting_falls_back_to_unformatted_text_without_losing_words():
    source = "> " * 40 + "deep <b>\n\nafter"
    html = render_markdown(source)
    assert "deep" in html and "after" in html
    assert "&lt;b&gt;" in html
    assert tags(html) == {"p"}
    assert plain_text(source) == "> " * 40 + "deep <b>\n\nafter"


def test_nesting_below_the_cap_is_formatted():
    depth = MAX_NESTING // 2 - 2  # lists take two levels each
    source = "- " * depth + "inner\n\nafter"
    html = render_markdown(source)
    assert html.count("<ul>") == depth
    assert plain_text(source) == "inner\n\nafter"


# --- plain text ---------------------------------------------------------------


def test_plain_text_separates_blocks_with_one_blank_line():
    source = (
        "# Article 5\n\n(1) Each Party shall\ntake measures.\n\n\n\n"
        "- point *a*\n- point **b**\n\n> quoted [link](https://x.org)\n\n"
        "```\ncode  kept\n  as is\n```\n\n| h1 | h2 |\n|---|---|\n| c1 |  |\n"
    )
    assert plain_text(source) == (
        "Article 5\n\n(1) Each Party shall take measures.\n\npoint a\n\npoint b\n\n"
        "quoted link\n\ncode  kept\n  as is\n\nh1\n\nh2\n\nc1"
    )


def test_plain_text_whitespace_rules():
    # Runs of spaces collapse as a browser shows them; NBSP and U+3000 do not.
    assert plain_text("a      b\u00a0\u00a0c\u3000\u3000d") == "a b\u00a0\u00a0c\u3000\u3000d"
    # Hard line breaks (two spaces or a backslash) are kept as "\n".
    assert plain_text("one  \ntwo\\\nthree") == "one\ntwo\nthree"
    assert plain_text("  indented?\n   no") == "indented? no"


def test_plain_text_resolves_escapes_and_entities():
    assert plain_text(r"\*not em\* &amp; &copy; &#x41;") == "*not em* & © A"


class _VisibleText(HTMLParser):
    """Text a browser shows, one entry per leaf block, from rendered HTML."""

    LEAVES = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "pre"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.pre = False

    def handle_starttag(self, tag, attrs):
        if tag in self.LEAVES:
            self.current, self.pre = [], tag == "pre"
        elif tag == "br" and self.current is not None:
            self.current.append("\x00")

    def handle_endtag(self, tag):
        if tag in self.LEAVES and self.current is not None:
            text = "".join(self.current)
            if self.pre:
                text = text.removesuffix("\n")
            else:
                text = re.sub(r"[ \t\n\r\f]+", " ", text)
                text = re.sub(r" ?\x00 ?", "\n", text).strip(" ")
            if text:
                self.blocks.append(text)
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


@pytest.mark.parametrize(
    "source",
    [
        "Art. *5* — [ILO](https://ilo.org) & `fair hire`\nnext   line  \nbroken\n\n## Heading",
        "1. (a) first\n2. (b) second\n   continued\n\n   > quoted &lt;x&gt;",
        "| a | *b* |\n|---|---|\n| `c` | d e |\n\n    indented code\n      more",
        "<script>x</script>\n\n***bold em*** ~~old~~ \\[not a link\\]",
    ],
)
def test_plain_text_matches_rendered_text_content(source):
    parser = _VisibleText()
    parser.feed(render_markdown(source))
    assert plain_text(source) == "\n\n".join(parser.blocks)


def test_plain_text_keeps_unicode_as_given():
    text = "ประเทศไทย ၏ Việt Nam 👩🏽‍⚕️"
    assert plain_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2007. The Act", "2007. The Act"),
        ("1) first", "1) first"),
        ("- item", "- item"),
        ("    indented text", "indented text"),
        ("# not a heading", "# not a heading"),
        ("*em* **strong** ~~gone~~ `code`", "<em>em</em> <strong>strong</strong> <del>gone</del> <code>code</code>"),
        ("2007\\. escaped &amp; kept", "2007. escaped &amp; kept"),
    ],
)
def test_render_inline_reads_inline_markup_only(text, expected):
    assert render_inline(text) == expected


def test_render_inline_is_as_safe_as_render_markdown():
    html = render_inline('<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org "t")')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "[x](javascript:alert(1))" in html and html.count("<a ") == 1  # shown as typed, not a link
    assert '<a href="https://example.org" title="t" rel="nofollow noopener">ok</a>' in html
    assert render_inline("![alt](https://example.org/i.png)").startswith("!")
    assert render_inline("") == ""
