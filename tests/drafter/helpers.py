"""Small builders shared by the app tests."""

from __future__ import annotations

from drafter.services.imports import import_parsed
from instrument.parse import parse_markdown


def article_md(n: int, text: str | None = None, heading: str | None = None) -> str:
    """One article in the demo convention."""
    heading = heading or f"Heading {n}"
    text = text or f"1. The Parties shall give effect to obligation number {n} in good faith and without delay."
    return f"### Article {n} — {heading}\n\n{text}\n"


def instrument_md(n_articles: int, *, title: str = "Test Instrument", overrides: dict | None = None) -> str:
    """A small instrument with one part and ``n_articles`` articles; ``overrides`` maps number -> text."""
    overrides = overrides or {}
    body = "\n".join(article_md(i, overrides.get(i)) for i in range(1, n_articles + 1))
    return (
        f"---\ntitle: {title}\n---\n\n# {title}\n\n## Preamble\n\nThe Parties agree.\n\n## Part I — General\n\n{body}"
    )


def import_text(text: str, slug: str, *, public: bool = True):
    """Parse and import ``text`` under ``slug`` (in the current app context); commits."""
    from drafter.extensions import db

    report = import_parsed(
        parse_markdown(text, source_name=f"{slug}.md"),
        slug=slug,
        actor=None,
        source_name=f"{slug}.md",
        is_public=public,
    )
    db.session.commit()
    return report
