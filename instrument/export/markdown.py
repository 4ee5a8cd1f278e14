"""Clean draft as Markdown, in the form :func:`instrument.parse.parse_markdown` reads back.

The file has YAML front matter (``title``, an optional ``subtitle`` as
Pandoc's title block uses it, then the given metadata), ``# title``, and one
heading per clause. The heading depth is ``2 + clause.depth``, capped at 6
(the deepest ATX heading of CommonMark): divisions and preambles at the top
level are ``##``, an article is one level below its division. Parsing the
result gives back the same keys, kinds, numbers, headings, texts and parents
for every text whose structure fits in six heading levels (the Civil Code
needs the parser's rule that a sub-division, such as ``Unterkapitel`` after
``Kapitel``, and a provision nest under a division at the same depth).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import yaml

from instrument.types import ClauseKind, ParsedClause

#: Deepest heading level in CommonMark.
MAX_HEADING_LEVEL = 6


def heading_line(clause: ParsedClause) -> str:
    """The Markdown heading of a clause: ``"### Article 5 — Recruitment"``.

    :param clause: any parsed clause.
    :returns: ``#`` marks (``2 + depth``, at most 6), then number and heading
        joined by an em dash, or whichever of the two is present, or the key
        when both are empty.
    """
    level = min(2 + clause.depth, MAX_HEADING_LEVEL)
    if clause.number and clause.heading:
        label = f"{clause.number} — {clause.heading}"
    else:
        label = clause.number or clause.heading or clause.key
    return f"{'#' * level} {label}"


def _front_matter(title: str, metadata: Mapping[str, str] | None, subtitle: str | None) -> str:
    fields: dict[str, str] = {"title": title}
    if subtitle:
        fields["subtitle"] = subtitle
    for name, value in (metadata or {}).items():
        if name.casefold() not in ("title", "subtitle") or (name == "subtitle" and not subtitle):
            fields[str(name)] = str(value)
    # Quoting by safe_dump keeps every value a string when read back ("1949-05-23" stays text).
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)


def to_markdown(
    title: str,
    clauses: Sequence[ParsedClause],
    *,
    metadata: Mapping[str, str] | None = None,
    subtitle: str | None = None,
) -> str:
    """Write a clean draft (text without any markup of changes) as Markdown.

    An unnumbered clause without heading that comes first at the top level
    (text that stood between the title and the first heading) is written
    without a heading, where the parser finds it again.

    :param title: the instrument's title, written to the front matter and as ``# title``.
    :param clauses: the clauses in document order, parents before children.
    :param metadata: further front matter fields (``name -> value``); a
        ``title`` field is ignored in favour of ``title``.
    :param subtitle: a line such as ``"Draft 2 — Revised draft"``, written
        as the front matter field ``subtitle``.
    :returns: the Markdown text, ending with one newline.
    """
    parts = ["---\n" + _front_matter(title, metadata, subtitle) + "---", f"# {title}"]
    for index, clause in enumerate(clauses):
        bare = (
            index == 0
            and clause.kind is ClauseKind.PREAMBLE
            and not clause.number
            and not clause.heading
            and clause.parent_key is None
            and clause.text
        )
        if not bare:
            parts.append(heading_line(clause))
        if clause.text:
            parts.append(clause.text)
    return "\n\n".join(parts) + "\n"
