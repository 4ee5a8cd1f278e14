"""Tests of instrument.export.markdown: clean drafts that parse back to the same clauses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from instrument.export.markdown import heading_line, to_markdown
from instrument.parse import parse_markdown
from instrument.types import ClauseKind, ParsedClause

DEMO_DIR = Path(__file__).resolve().parents[2] / "drafter" / "demo"

DEMO = """\
---
title: "ASEAN Framework Instrument: a model"
short_title: Framework Instrument
---

# ASEAN Framework Instrument: a model

## Preamble

The Member States of ASEAN,

Recalling the Cebu Declaration of January 2007,
and its paragraph 22,

Have agreed as follows:

## Part I — General provisions

### Article 1 — Objective

1. The objective of this Instrument is to protect the rights of all migrant workers.

2. To that end, it sets out obligations.

### Article 2 — Definitions

1. For the purposes of this Instrument:

   (a) "migrant worker" means a person engaged in paid work abroad;

   (b) "State of origin" means the State of nationality.

## Part II — Rights

### Article 3

Every migrant worker shall have equal access to opportunity.

## Final clause

Done at Cebu.
"""


def fields(clauses):
    return [(c.key, c.kind, c.number, c.heading, c.text, c.parent_key, c.depth) for c in clauses]


def round_trip(parsed, **kwargs):
    return parse_markdown(to_markdown(parsed.title, parsed.clauses, metadata=parsed.metadata, **kwargs))


def clause(key, kind=ClauseKind.ARTICLE, number="", heading="", text="", parent=None, depth=0):
    return ParsedClause(key, kind, number, heading, text, parent, depth)


def test_demo_style_round_trip():
    parsed = parse_markdown(DEMO)
    again = round_trip(parsed)
    assert fields(again.clauses) == fields(parsed.clauses)
    assert again.title == parsed.title == "ASEAN Framework Instrument: a model"
    assert again.metadata == parsed.metadata == {"short_title": "Framework Instrument"}


def test_demo_style_output():
    parsed = parse_markdown(DEMO)
    out = to_markdown(parsed.title, parsed.clauses)
    assert out == (
        "---\n"
        "title: 'ASEAN Framework Instrument: a model'\n"
        "---\n\n"
        "# ASEAN Framework Instrument: a model\n\n"
        "## Preamble\n\n"
        "The Member States of ASEAN,\n\n"
        "Recalling the Cebu Declaration of January 2007, and its paragraph 22,\n\n"
        "Have agreed as follows:\n\n"
        "## Part I — General provisions\n\n"
        "### Article 1 — Objective\n\n"
        "1. The objective of this Instrument is to protect the rights of all migrant workers.\n\n"
        "2. To that end, it sets out obligations.\n\n"
        "### Article 2 — Definitions\n\n"
        "1. For the purposes of this Instrument:\n\n"
        '    (a) "migrant worker" means a person engaged in paid work abroad;\n\n'
        '    (b) "State of origin" means the State of nationality.\n\n'
        "## Part II — Rights\n\n"
        "### Article 3\n\n"
        "Every migrant worker shall have equal access to opportunity.\n\n"
        "## Final clause\n\n"
        "Done at Cebu.\n"
    )


@pytest.mark.parametrize("name", ["draft1.md", "draft2.md"])
def test_demo_instrument_round_trip(name):
    parsed = parse_markdown((DEMO_DIR / name).read_text(encoding="utf-8"), source_name=name)
    again = round_trip(parsed)
    assert fields(again.clauses) == fields(parsed.clauses)
    assert (again.title, again.metadata) == (parsed.title, parsed.metadata)


def test_front_matter_keeps_values_as_strings_and_adds_subtitle():
    out = to_markdown(
        "Model: law",
        [clause("Article 1", number="Article 1", text="Text.")],
        metadata={"published": "2007-08-01", "flag": "yes", "title": "ignored", "Fundstelle": "BGBl I: 2010, 663"},
        subtitle="Draft 2 — Revised",
    )
    front = yaml.safe_load(out.split("---\n")[1])
    assert front == {
        "title": "Model: law",
        "subtitle": "Draft 2 — Revised",
        "published": "2007-08-01",
        "flag": "yes",
        "Fundstelle": "BGBl I: 2010, 663",
    }
    again = parse_markdown(out)
    assert again.title == "Model: law"
    assert again.metadata == {
        "subtitle": "Draft 2 — Revised",
        "published": "2007-08-01",
        "flag": "yes",
        "Fundstelle": "BGBl I: 2010, 663",
    }
    assert out.endswith("\n# Model: law\n\n## Article 1\n\nText.\n")


def test_heading_levels_follow_depth_and_stop_at_six():
    assert heading_line(clause("Part I", ClauseKind.PART, "Part I", "General")) == "## Part I — General"
    assert heading_line(clause("Article 1", number="Article 1", parent="Part I", depth=1)) == "### Article 1"
    assert heading_line(clause("preamble", ClauseKind.PREAMBLE, heading="Preamble")) == "## Preamble"
    deep = clause("§ 556", number="§ 556", heading="Betriebskosten", depth=6)
    assert heading_line(deep) == "###### § 556 — Betriebskosten"
    assert heading_line(clause("x", ClauseKind.PREAMBLE)) == "## x"


def test_untitled_opening_text_is_written_without_heading():
    src = "# Gesetz\n\nDieses Gesetz dient\nder Umsetzung.\n\n## § 1 Beginn\n\nText.\n"
    parsed = parse_markdown(src)
    out = to_markdown(parsed.title, parsed.clauses)
    assert "# Gesetz\n\nDieses Gesetz dient der Umsetzung.\n\n## § 1 — Beginn\n\nText.\n" in out
    assert fields(parse_markdown(out).clauses) == fields(parsed.clauses)


def test_deep_structure_round_trip_with_capped_levels():
    src = """\
# BGB

## Buch 2 - Schuldrecht

### Abschnitt 8 - Einzelne Schuldverhältnisse

#### Titel 5 - Mietvertrag

##### Untertitel 2 - Mietverhältnisse über Wohnraum

###### Kapitel 2 - Die Miete

###### Unterkapitel 1 - Vereinbarungen über die Miete

###### § 556 Vereinbarungen über Betriebskosten

(1) Die Vertragsparteien können vereinbaren.

###### Unterkapitel 2 - Regelungen über die Miethöhe

###### § 557 Mieterhöhungen

###### Kapitel 3 - Pfandrecht des Vermieters

###### § 562 Pfandrecht

##### Untertitel 3 - Andere Sachen

###### § 578 Mietverhältnisse über Grundstücke
"""
    parsed = parse_markdown(src)
    assert max(c.depth for c in parsed.clauses) == 6
    out = to_markdown(parsed.title, parsed.clauses)
    assert "###### § 556 — Vereinbarungen über Betriebskosten" in out
    assert fields(parse_markdown(out).clauses) == fields(parsed.clauses)


@pytest.mark.corpus
def test_every_corpus_file_round_trips(corpus):
    files = sorted((corpus / "bundestag-gesetze").glob("*.md")) + sorted((corpus / "large").glob("*.md"))
    assert len(files) == 22
    failures = []
    for path in files:
        parsed = parse_markdown(path.read_text(encoding="utf-8"), source_name=path.name)
        again = round_trip(parsed)
        if fields(again.clauses) != fields(parsed.clauses):
            failures.append(f"{path.name}: clauses differ")
        if (again.title, again.metadata) != (parsed.title, parsed.metadata):
            failures.append(f"{path.name}: title or metadata differ")
    assert failures == []
