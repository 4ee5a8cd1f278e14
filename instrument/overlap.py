"""Where competing amendments touch the same words of a clause.

Each amendment's change is given as a :class:`~instrument.diff.Redline` from
the clause's current text to what the amendment would make of it. Its
*spans* are the stretches of the current text it changes, as character
offsets ``[start, end)`` into that text; an insertion is the empty span
``[p, p)`` where it goes. A deletion directly followed by an insertion (a
replacement) is one span.

Two spans *overlap* when they share a character or touch (closed
intervals: ``a.start <= b.end and b.start <= a.end``), the same rule by
which :mod:`instrument.merge` groups hunks, so an insertion right before
or after a word another amendment replaces counts as overlapping, while
two changed words with an unchanged space between them do not.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from instrument.diff import Redline

Span = tuple[int, int]
K = TypeVar("K", bound=Hashable)


def op_spans(r: Redline) -> list[Span | None]:
    """The span of each operation of ``r`` in its old text; ``None`` for unchanged text.

    :param r: a redline from the current text (old side) to an amended text.
    :returns: one entry per operation of ``r.ops``: ``(start, end)`` for a
        deletion, ``(p, p)`` for an insertion at ``p``.
    """
    out: list[Span | None] = []
    pos = 0
    for op in r.ops:
        length = len(op.old_side)
        if op.kind == "equal":
            out.append(None)
        else:
            out.append((pos, pos + length))
        pos += length
    return out


def changed_spans(r: Redline) -> tuple[Span, ...]:
    """The spans of the old text that ``r`` changes, neighbouring operations joined.

    :param r: a redline from the current text to an amended text.
    :returns: spans in text order; a replacement (deletion then insertion) is one span.
    """
    spans: list[Span] = []
    previous_changed = False
    for span in op_spans(r):
        if span is None:
            previous_changed = False
            continue
        if previous_changed:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
        previous_changed = True
    return tuple(spans)


def touch(a: Span, b: Span) -> bool:
    """Whether two spans share a character or touch (closed intervals)."""
    return a[0] <= b[1] and b[0] <= a[1]


def overlaps(spans: Mapping[K, Sequence[Span]]) -> dict[K, frozenset[K]]:
    """For each amendment, the other amendments whose spans overlap one of its own.

    :param spans: amendment key -> its spans in the same current text.
    :returns: key -> frozenset of the other keys it overlaps with (empty when none).
    """
    keys = list(spans)
    found: dict[K, set[K]] = {k: set() for k in keys}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if any(touch(x, y) for x in spans[a] for y in spans[b]):
                found[a].add(b)
                found[b].add(a)
    return {k: frozenset(v) for k, v in found.items()}


_INS = '<ins class="redline-ins"><span class="visually-hidden">inserted: </span>{}</ins>'
_DEL = '<del class="redline-del"><span class="visually-hidden">deleted: </span>{}</del>'
_MARK = '<mark class="overlap" title="{title}">{body}<span class="visually-hidden"> ({title})</span></mark>'


def render_with_overlaps(
    r: Redline,
    others: Mapping[K, Sequence[Span]],
    label: Callable[[K], str],
) -> tuple[str, frozenset[K]]:
    """Render ``r`` inline as HTML, marking the changes that overlap another amendment's spans.

    Markup as :func:`instrument.diff.render_redline_html`; each changed
    operation that touches a span in ``others`` is wrapped in
    ``<mark class="overlap">`` with a title (also given to screen readers)
    naming the amendments it overlaps with. All text is HTML-escaped.

    :param r: this amendment's redline against the current text.
    :param others: the other amendments' spans in the same current text.
    :param label: names an amendment key ("Amendment 4").
    :returns: ``(html, keys of the amendments this one overlaps with)``.
    """
    out: list[str] = []
    hit_any: set[K] = set()
    for op, span in zip(r.ops, op_spans(r), strict=True):
        body = html.escape(op.text)
        if op.kind == "equal" or span is None:  # op_spans gives no span exactly for unchanged text
            out.append(body)
            continue
        body = (_INS if op.kind == "insert" else _DEL).format(body)
        hits = [k for k, spans in others.items() if any(touch(span, s) for s in spans)]
        if hits:
            hit_any.update(hits)
            title = "also changed by " + ", ".join(label(k) for k in hits)
            body = _MARK.format(title=html.escape(title), body=body)
        out.append(body)
    return "".join(out), frozenset(hit_any)
