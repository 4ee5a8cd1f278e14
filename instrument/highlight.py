"""Mark spans of a clause's plain text inside its rendered HTML.

Comment anchors are offsets into :func:`instrument.render.plain_text`, the
text a reader sees; the page shows :func:`instrument.render.render_markdown`.
Both come from the same parse, so the visible characters of the HTML, read
in document order, are the plain text's characters; only whitespace may
differ (blocks are joined by ``"\\n\\n"`` in the plain text, by tags in the
HTML). :func:`highlight_spans` therefore pairs the two texts on their
non-whitespace characters and wraps the characters of each span in a
``<mark>`` element, one element per HTML text node it touches, so that the
markup stays well nested whatever the span crosses (emphasis, links, list
items). When the two texts do not pair up exactly it changes nothing and
says so, rather than marking the wrong words.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterable

# A start or end tag as the sanitiser (html5ever's serialiser) writes it:
# attribute values are double-quoted and may hold a raw ">".
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
# One character of a text node: a character reference or a single code point.
_CHAR = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.", re.S)

#: The element opened around each marked run (trusted markup, no user data).
MARK_OPEN = '<mark class="quoted">'
MARK_CLOSE = "</mark>"


def _visible(fragment: str) -> tuple[list[str], list[int], list[int], list[int]]:
    """Non-whitespace characters of ``fragment``'s text nodes with their source ranges and node numbers."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    nodes: list[int] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _TAG.finditer(fragment)] + [(len(fragment), len(fragment))]
    for node, (tag_start, tag_end) in enumerate(bounds):
        for m in _CHAR.finditer(fragment, pos, tag_start):
            for ch in html.unescape(m.group()):
                if not ch.isspace():
                    chars.append(ch)
                    starts.append(m.start())
                    ends.append(m.end())
                    nodes.append(node)
        pos = tag_end
    return chars, starts, ends, nodes


def highlight_spans(
    fragment: str,
    plain: str,
    spans: Iterable[tuple[int, int]],
    *,
    mark_open: str = MARK_OPEN,
    mark_close: str = MARK_CLOSE,
) -> str | None:
    """Wrap the characters of ``spans`` of ``plain`` in mark elements inside ``fragment``.

    :param fragment: HTML from :func:`instrument.render.render_markdown`
        (well-formed, text escaped, attribute values double-quoted).
    :param plain: :func:`instrument.render.plain_text` of the same Markdown.
    :param spans: ``(start, end)`` code-point offsets into ``plain``;
        overlapping or touching spans are marked as one; empty or
        out-of-range parts are ignored.
    :param mark_open: markup opened before each marked run (trusted).
    :param mark_close: markup closed after it.
    :returns: the fragment with every non-whitespace character of the spans
        inside a mark element (whitespace between two marked characters of
        one text node is marked too); ``fragment`` itself when there is no
        span; ``None`` when the visible characters of ``fragment`` and
        ``plain`` differ, so that nothing would be marked in the right place.
    """
    wanted = sorted((max(0, s), min(len(plain), e)) for s, e in spans if e > s)
    if not wanted:
        return fragment
    chars, starts, ends, nodes = _visible(fragment)
    plain_index = [i for i, ch in enumerate(plain) if not ch.isspace()]
    if len(plain_index) != len(chars) or any(plain[i] != ch for i, ch in zip(plain_index, chars, strict=True)):
        return None
    covered = bytearray(len(chars))
    for start, end in wanted:
        for k in range(bisect_left(plain_index, start), bisect_left(plain_index, end)):
            covered[k] = 1
    inserts: list[tuple[int, str]] = []
    k = 0
    while k < len(chars):
        if not covered[k]:
            k += 1
            continue
        j = k
        while j + 1 < len(chars) and covered[j + 1] and nodes[j + 1] == nodes[k]:
            j += 1
        inserts.append((starts[k], mark_open))
        inserts.append((ends[j], mark_close))
        k = j + 1
    out: list[str] = []
    pos = 0
    for at, markup in inserts:
        out.append(fragment[pos:at])
        out.append(markup)
        pos = at
    out.append(fragment[pos:])
    return "".join(out)
