"""Markdown to safe HTML, and the plain text a reader sees.

Clause texts, rationales and comments are written in Markdown by people who
are not all trusted. Rendering is done in two layers:

1. markdown-it-py with the ``"js-default"`` preset (markdown-it's default
   rules: CommonMark plus tables and strikethrough). Raw HTML is off, so
   ``<script>`` or ``<img onerror=...>`` typed in a comment is shown as
   text; typographer and linkify are off, so the rendered text is exactly
   the typed text. markdown-it's own link check already refuses
   ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs.
2. nh3 (the ammonia sanitiser) with an explicit allow-list of tags and
   attributes, and only ``http``, ``https`` and ``mailto`` URLs (relative
   URLs pass). Every link gets ``rel="nofollow noopener"``.

Images are switched off in the parser (``![alt](url)`` shows as ``!``
followed by a link), because the allow-list has no ``img``: a comment must
not be able to load third-party content into a reader's page.
Strikethrough (``~~text~~``) is emitted as ``<del>`` rather than ``<s>``.

Nesting of blocks and inline markup is capped at :data:`MAX_NESTING`.
markdown-it silently drops block content nested deeper than its cap, so when
a text comes near the cap the whole text is shown unformatted instead (see
:func:`render_markdown`): nothing a person typed is ever lost from view.
The cap also bounds the work per character; the longest allowed comment of
adversarial input renders in well under a second
(``benchmarks/render_adversarial.py`` measures it).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

#: Longest comment the application accepts, in characters; the renderer
#: itself takes any length, this is the size the benchmark is written for.
MAX_COMMENT_CHARS = 20_000

#: Maximum nesting of blocks and inline markup (markdown-it's "commonmark"
#: preset value; "js-default" allows 100). A list level takes two levels and
#: a block quote one, so lists may nest eight deep before the text falls back
#: to unformatted display; legal texts need four or five.
MAX_NESTING = 20

#: Tags allowed in rendered HTML.
ALLOWED_TAGS = frozenset(
    {
        "p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
        "table", "thead", "tbody", "tr", "th", "td",
        "del", "ins", "sup", "sub",
    }
)  # fmt: skip

#: Attributes allowed per tag; ``style`` on table cells is further limited
#: to ``text-align`` (markdown-it writes column alignment that way).
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}

#: URL schemes allowed in ``href``; relative URLs are allowed too.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

LINK_REL = "nofollow noopener"


_TOO_DEEP = "drafter_too_deep"


def _depth_guard(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Runs before every block rule; a list opens two levels at once, so flag
    # two levels early, before markdown-it starts dropping content.
    if state.level >= MAX_NESTING - 2:
        state.env[_TOO_DEEP] = True
    return False


def _make_parser() -> MarkdownIt:
    md = MarkdownIt(
        "js-default",
        {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.disable("image")
    md.block.ruler.before("table", "depth_guard", _depth_guard)
    return md


_MD = _make_parser()

# Whitespace that HTML collapses in normal flow (the "ASCII whitespace" of
# the HTML standard); NBSP and U+3000 are not collapsed by browsers.
_HTML_WS = re.compile(r"[ \t\n\r\f]+")


def _parse(text: str) -> list[Token] | None:
    """Parse ``text``; ``None`` when it nests too deep to be shown formatted."""
    env: dict[str, object] = {}
    tokens = _MD.parse(text, env)
    if env.get(_TOO_DEEP):
        return None
    for tok in tokens:
        if tok.children:
            for child in tok.children:
                if child.tag == "s":
                    child.tag = "del"
    return tokens


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


def _unformatted_blocks(text: str) -> list[str]:
    """Paragraphs of ``text`` split on blank lines, whitespace collapsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (_HTML_WS.sub(" ", b).strip(" ") for b in _BLANK_LINES.split(text))
    return [b for b in blocks if b]


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to HTML that is safe to put in a page.

    :param text: Markdown source (CommonMark with tables and strikethrough,
        as markdown-it's default preset reads it); any length.
    :returns: an HTML fragment containing only the tags in
        :data:`ALLOWED_TAGS` and attributes in :data:`ALLOWED_ATTRIBUTES`;
        links only to http, https, mailto or relative URLs, each with
        ``rel="nofollow noopener"``. Raw HTML in the source appears escaped,
        as text. Empty input gives ``""``. Input nested deeper than
        :data:`MAX_NESTING` allows is shown unformatted: one ``<p>`` of
        escaped text per blank-line separated paragraph.
    """
    tokens = _parse(text)
    if tokens is None:
        out = "".join(f"<p>{html.escape(b, quote=False)}</p>\n" for b in _unformatted_blocks(text))
    else:
        out = _MD.renderer.render(tokens, _MD.options, {})
    return _sanitise(out)


def _sanitise(out: str) -> str:
    return nh3.clean(
        out,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def render_inline(text: str) -> str:
    """Render one paragraph of untrusted Markdown with inline markup only, as safe HTML.

    Emphasis, strong, strikethrough, code spans, links, backslash escapes
    and character references are read as :func:`render_markdown` reads them
    (same parser, same sanitiser, same link rules); block syntax is not, so
    a paragraph that starts with ``2007.``, ``1)``, ``- `` or four spaces
    stays a paragraph of text instead of becoming a list or a code block.
    Line breaks inside ``text`` are soft breaks (hard ones when Markdown
    says so). Nothing typed is dropped: markup the inline rules do not
    read stays as text.

    :param text: the paragraph's Markdown source (its leading spaces are
        not shown, as in a paragraph).
    :returns: an HTML fragment without any block element (no ``<p>``
        around it); ``""`` for empty input.
    """
    tokens = _MD.parseInline(text.strip(" \t"), {})
    for tok in tokens:
        for child in tok.children or ():
            if child.tag == "s":
                child.tag = "del"
    return _sanitise(_MD.renderer.render(tokens, _MD.options, {}))


def _inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(_HTML_WS.sub(" ", child.content))
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    joined = "".join(parts)
    # Spaces that meet at a piece boundary or around a line break collapse
    # in the browser too.
    joined = re.sub(r" {2,}", " ", joined)
    joined = re.sub(r" ?\n ?", "\n", joined)
    return joined.strip(" ")


def plain_text(text: str) -> str:
    """Return the text a reader sees in :func:`render_markdown`'s output.

    Comment anchors store offsets into this string, so its shape is fixed:

    * Every leaf block (paragraph, heading, table cell, fenced or indented
      code block) becomes one string, in document order; blocks are joined
      with exactly ``"\\n\\n"``; blocks with no text are dropped, so the
      result never starts or ends with ``"\\n"`` and never holds three
      newlines in a row outside code blocks.
    * Containers (lists, list items, block quotes, tables) add no text:
      list numbers and bullets, quote markers and horizontal rules are not
      part of the plain text, nor are link URLs or emphasis markers.
    * Inside a paragraph, heading or table cell, runs of ASCII whitespace
      (space, tab, line feed, carriage return, form feed) become one space,
      as a browser shows them; a soft line break is a space, a hard line
      break is ``"\\n"``; leading and trailing spaces are removed. Other
      spaces (no-break space, U+3000) are kept as they are.
    * Code blocks keep their content verbatim, without the final newline.
    * Backslash escapes and character references are resolved
      (``\\*`` gives ``*``, ``&amp;`` gives ``&``); raw HTML, being shown
      as text, stays as typed.
    * Text nested too deep to be formatted (see :func:`render_markdown`) is
      split into paragraphs at blank lines, whitespace collapsed as above,
      markup characters kept as typed.

    :param text: Markdown source, as given to :func:`render_markdown`.
    :returns: the visible text; ``""`` for empty or markup-only input.
    """
    tokens = _parse(text)
    if tokens is None:
        return "\n\n".join(_unformatted_blocks(text))
    blocks: list[str] = []
    for tok in tokens:
        if tok.type == "inline":
            block = _inline_text(tok.children or ())
        elif tok.type in ("fence", "code_block"):
            block = tok.content[:-1] if tok.content.endswith("\n") else tok.content
        else:
            continue
        if block:
            blocks.append(block)
    return "\n\n".join(blocks)
