"""The demo instrument and consultation record, written for this project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from drafter.demo.accounts import load_demo_accounts
from drafter.demo.amendments import load_demo_amendments
from drafter.demo.comments import load_demo_comments
from drafter.demo.consultations import load_demo_consultations
from drafter.extensions import db
from drafter.models import Draft, Instrument

DEMO_DIR = Path(__file__).resolve().parent
DEMO_SLUG = "asean-migrant-workers"
DRAFTS = [
    ("draft1.md", "First draft of the model instrument", "Prepared by the secretariat of the Task Force."),
    (
        "draft2.md",
        "Revised draft after the Expert Group Workshop",
        "Revised following the Expert Group Workshop of 1 August 2007.",
    ),
]


def load_demo() -> Iterator[str]:
    """Load the demo instrument as Draft 1 and Draft 2, the demo accounts and comments, skipping what is already there.

    Commits after each step, so a second run changes nothing.

    :returns: an iterator of lines describing what was done (for the command line).
    """
    from drafter.services.imports import import_parsed
    from instrument.parse import parse_markdown

    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == DEMO_SLUG))
    have = 0
    if instrument is not None:
        have = len(db.session.scalars(select(Draft.id).where(Draft.instrument_id == instrument.id)).all())
    for number, (name, title, note) in enumerate(DRAFTS, start=1):
        if number <= have:
            yield f"Draft {number} of the demo instrument is already loaded."
            continue
        path = DEMO_DIR / name
        # Bytes, not read_text(): the parser's edge (instrument.parse.source_text) normalises every line ending.
        parsed = parse_markdown(path.read_bytes(), source_name=name)
        report = import_parsed(parsed, slug=DEMO_SLUG, actor=None, source_name=name, is_public=True)
        if report.draft is not None:
            report.draft.title = title
            report.draft.note = note
        db.session.commit()
        yield from (f"Warning: {warning}" for warning in report.warnings)
        yield report.summary()
    yield from load_demo_accounts()
    yield from load_demo_amendments(DEMO_SLUG)
    yield from load_demo_comments(DEMO_SLUG)
    yield from load_demo_consultations(DEMO_SLUG)
