"""Tests of instrument.parse: headings, structure, keys, metadata, canonical text and errors."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instrument.errors import ParseError
from instrument.parse import canonical_markdown, classify_heading, decode_source, parse_markdown
from instrument.types import ClauseKind

A, P, PRE = ClauseKind.ARTICLE, ClauseKind.PART, ClauseKind.PREAMBLE

DEMO = """\
---
title: ASEAN Framework Instrument on Migrant Workers
short_title: Framework Instrument
---

# ASEAN Framework Instrument on Migrant Workers

## Preamble

The Member States of ASEAN,

Recalling the Cebu Declaration of January 2007,

Have agreed as follows:

## Part I — General provisions

### Article 1 — Objective

1. The objective of this Instrument is to protect the rights of all migrant workers.

2. To that end, it sets out obligations of States of origin and employment.

### Article 2 — Definitions

1. For the purposes of this Instrument:

   (a) "migrant worker" means a person engaged in paid work abroad;

   (b) "State of origin" means the State of nationality.

2. Other terms have their meaning in international law.

## Part II — Rights

### Article 3 — Equal opportunity

Every migrant worker shall have equal access to opportunity.
"""


def keys(parsed):
    return [c.key for c in parsed.clauses]


def by_key(parsed):
    return {c.key: c for c in parsed.clauses}


# --- headings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "number", "heading", "key"),
    [
        ("Art 21", A, "Art 21", "", "Art 21"),
        ("Art 49 (weggefallen)", A, "Art 49", "(weggefallen)", "Art 49"),
        ("Art 1 Gegenstand des Vertrags", A, "Art 1", "Gegenstand des Vertrags", "Art 1"),
        ("§ 2a Register für Erklärungen", A, "§ 2a", "Register für Erklärungen", "§ 2a"),
        ("(XXXX) §§ 3 bis 6 (weggefallen)", A, "§§ 3 bis 6", "(weggefallen)", "§§ 3 bis 6"),
        ("(XXXX) Art 74a und 75 (weggefallen)", A, "Art 74a und 75", "(weggefallen)", "Art 74a und 75"),
        ("Article 5 — Recruitment", A, "Article 5", "Recruitment", "Article 5"),
        ("Article 5 - Recruitment", A, "Article 5", "Recruitment", "Article 5"),
        ("Article 5: Recruitment", A, "Article 5", "Recruitment", "Article 5"),
        ("Article 5. Recruitment", A, "Article 5", "Recruitment", "Article 5"),
        ("Article 5 Recruitment", A, "Article 5", "Recruitment", "Article 5"),
        ("Art. 7 Scope", A, "Art. 7", "Scope", "Art 7"),
        ("Artikel 3", A, "Artikel 3", "", "Artikel 3"),
        ("Buch 1 - Allgemeiner Teil", P, "Buch 1", "Allgemeiner Teil", "Buch 1"),
        ("Abschnitt 1", P, "Abschnitt 1", "", "Abschnitt 1"),
        ("Kapitel I - Grundlagen", P, "Kapitel I", "Grundlagen", "Kapitel I"),
        ("Unterkapitel 1a - Miethöhe", P, "Unterkapitel 1a", "Miethöhe", "Unterkapitel 1a"),
        ("1. Abschnitt - Staatshaushalt", P, "1. Abschnitt", "Staatshaushalt", "1. Abschnitt"),
        ("I. - Die Grundrechte", P, "I.", "Die Grundrechte", "I."),
        ("X a. - Verteidigungsfall", P, "X a.", "Verteidigungsfall", "X a."),
        ("VIIIa. - Gemeinschaftsaufgaben", P, "VIIIa.", "Gemeinschaftsaufgaben", "VIIIa."),
        ("Part I — General provisions", P, "Part I", "General provisions", "Part I"),
        ("Anlage I Bestimmungen über die Währungen", P, "Anlage I", "Bestimmungen über die Währungen", "Anlage I"),
        ("Anhang EV", P, "Anhang EV", "", "Anhang EV"),
        ("Anhang „Gemeinsames Grundverständnis“", P, "Anhang", "„Gemeinsames Grundverständnis“", "Anhang"),
        ("Eingangsformel", PRE, "", "Eingangsformel", "Eingangsformel"),
        ("Präambel", PRE, "", "Präambel", "Präambel"),
        ("**Präambel**", PRE, "", "Präambel", "Präambel"),
        ("Preamble", PRE, "", "Preamble", "preamble"),
        ("Schlußformel", PRE, "", "Schlußformel", "Schlußformel"),
        ("Anlagenverzeichnis", PRE, "", "Anlagenverzeichnis", "Anlagenverzeichnis"),
        ("(XXXX) Protokollerklärungen", PRE, "", "Protokollerklärungen", "Protokollerklärungen"),
        ("(XXXX)", PRE, "", "", "preamble"),
        ("Abschnitt 5 - Meldungen,  Datenschutz", P, "Abschnitt 5", "Meldungen, Datenschutz", "Abschnitt 5"),
    ],
)
def test_classify_heading(text, kind, number, heading, key):
    info = classify_heading(text)
    assert (info.kind, info.number, info.heading, info.key) == (kind, number, heading, key)


def test_words_that_merely_start_like_a_number_word_are_not_provisions():
    assert classify_heading("Arten der Beschäftigung").kind is PRE
    assert classify_heading("Particular cases").kind is PRE


# --- the project convention ---------------------------------------------------------


def test_demo_convention_structure():
    parsed = parse_markdown(DEMO, source_name="demo.md")
    assert parsed.title == "ASEAN Framework Instrument on Migrant Workers"
    assert parsed.metadata == {"short_title": "Framework Instrument"}
    rows = [(c.key, c.kind, c.number, c.heading, c.parent_key, c.depth) for c in parsed.clauses]
    assert rows == [
        ("preamble", PRE, "", "Preamble", None, 0),
        ("Part I", P, "Part I", "General provisions", None, 0),
        ("Article 1", A, "Article 1", "Objective", "Part I", 1),
        ("Article 2", A, "Article 2", "Definitions", "Part I", 1),
        ("Part II", P, "Part II", "Rights", None, 0),
        ("Article 3", A, "Article 3", "Equal opportunity", "Part II", 1),
    ]
    assert [c.line for c in parsed.clauses] == [8, 16, 18, 24, 34, 36]


def test_demo_convention_texts():
    clauses = by_key(parse_markdown(DEMO))
    assert clauses["preamble"].text == (
        "The Member States of ASEAN,\n\nRecalling the Cebu Declaration of January 2007,\n\nHave agreed as follows:"
    )
    # Points indented three spaces come out at the canonical four.
    assert clauses["Article 2"].text == (
        "1. For the purposes of this Instrument:\n\n"
        '    (a) "migrant worker" means a person engaged in paid work abroad;\n\n'
        '    (b) "State of origin" means the State of nationality.\n\n'
        "2. Other terms have their meaning in international law."
    )
    assert clauses["Part I"].text == ""


def test_title_falls_back_to_the_first_h1():
    parsed = parse_markdown("# Model Law\n\n## Article 1\n\nText.\n")
    assert parsed.title == "Model Law"
    assert parsed.metadata == {}


# --- the bundestag/gesetze dialect -------------------------------------------------------

GESETZ = """\
---
Title: Vertrag über die Errichtung des IT-Planungsrats und über die Grundlagen der
  Zusammenarbeit beim Einsatz der Informationstechnologie
jurabk: GGArt91cVtr
layout: default

---

# Vertrag über die Errichtung des IT-Planungsrats (GGArt91cVtr)

Ausfertigungsdatum
:   2009-11-20

Fundstelle
:   BGBl I: 2010, 663

Änderung durch
:   Art. 1 G v. 1.1.2020

Änderung durch
:   Art. 2 G v. 2.2.2021

Stand: Der Vertrag tritt nach seinem § 7 in Kraft

## Präambel

## **Präambel**

Der Bund und die Länder
schließen diesen Vertrag.

## Abschnitt I - Der IT-Planungsrat

### § 1 Einrichtung

(1) Bund und Länder errichten
einen IT-Planungsrat.

(2) Der IT-Planungsrat

1.  koordiniert die Zusammenarbeit,


2.  beschließt Standards für den
    Datenaustausch und

    a)  die Sicherheit,

    b)  die Interoperabilität.



### § 2 (weggefallen)
"""


def test_front_matter_and_definition_list_are_metadata():
    parsed = parse_markdown(GESETZ)
    assert parsed.title == (
        "Vertrag über die Errichtung des IT-Planungsrats und über die Grundlagen der "
        "Zusammenarbeit beim Einsatz der Informationstechnologie"
    )
    assert parsed.metadata == {
        "jurabk": "GGArt91cVtr",
        "layout": "default",
        "Ausfertigungsdatum": "2009-11-20",
        "Fundstelle": "BGBl I: 2010, 663",
        "Änderung durch": "Art. 1 G v. 1.1.2020\nArt. 2 G v. 2.2.2021",
        "Stand": "Der Vertrag tritt nach seinem § 7 in Kraft",
    }
    assert keys(parsed) == ["Präambel", "Abschnitt I", "§ 1", "§ 2"]


def test_repeated_empty_heading_is_one_clause():
    clauses = by_key(parse_markdown(GESETZ))
    assert clauses["Präambel"].text == "Der Bund und die Länder schließen diesen Vertrag."
    assert clauses["Präambel"].line == 25


def test_pandoc_body_is_reflowed_and_nested():
    clauses = by_key(parse_markdown(GESETZ))
    assert clauses["§ 1"].text == (
        "(1) Bund und Länder errichten einen IT-Planungsrat.\n\n"
        "(2) Der IT-Planungsrat\n\n"
        "1. koordiniert die Zusammenarbeit,\n\n"
        "2. beschließt Standards für den Datenaustausch und\n\n"
        "    a) die Sicherheit,\n\n"
        "    b) die Interoperabilität."
    )
    assert clauses["§ 2"].heading == "(weggefallen)"
    assert clauses["§ 2"].text == ""


def test_text_before_the_first_heading_is_a_preamble():
    src = (
        "# Gesetz\n\nAusfertigungsdatum\n:   1896-08-18\n\n"
        "Dieses Gesetz dient\nder Umsetzung.\n\n## § 1 Beginn\n\nText.\n"
    )
    parsed = parse_markdown(src)
    first = parsed.clauses[0]
    assert (first.key, first.kind, first.number, first.heading, first.text, first.line) == (
        "preamble", PRE, "", "", "Dieses Gesetz dient der Umsetzung.", 6,
    )  # fmt: skip
    assert parsed.metadata == {"Ausfertigungsdatum": "1896-08-18"}


def test_untitled_opening_text_does_not_take_the_key_of_a_preamble_heading():
    parsed = parse_markdown("# T\n\nOpening words.\n\n## Preamble\n\nRecitals.\n\n## Article 1\n\nText.\n")
    assert keys(parsed) == ["opening", "preamble", "Article 1"]


def test_a_field_line_without_a_definition_list_stays_text():
    parsed = parse_markdown("# T\n\nNote: this is a preamble.\n\n## Article 1\n\nText.\n")
    assert parsed.metadata == {}
    assert parsed.clauses[0].text == "Note: this is a preamble."


# --- structure and keys ------------------------------------------------------------------


def test_kind_comes_from_the_heading_text_not_its_depth():
    src = """\
# BGB

## Buch 1 - Allgemeiner Teil

### Abschnitt 1 - Personen

#### Titel 1 - Natürliche Personen

##### § 1 Beginn der Rechtsfähigkeit

Text 1.

##### (XXXX) §§ 3 bis 6 (weggefallen)

#### Titel 2 - Juristische Personen

##### Untertitel 1 - Vereine

###### Kapitel 1 - Allgemeine Vorschriften

###### § 21 Nicht wirtschaftlicher Verein

Text 21.

###### Kapitel 2 - Die Miete

###### Unterkapitel 1 - Vereinbarungen

###### § 556 Vereinbarungen über Betriebskosten

Text 556.

###### Unterkapitel 2 - Miethöhe

###### § 557 Mieterhöhungen

###### Kapitel 3 - Pfandrecht

###### § 562 Pfandrecht des Vermieters

##### Untertitel 2 - Stiftungen

##### § 80 Entstehung
"""
    rows = [(c.key, c.kind, c.parent_key, c.depth) for c in parse_markdown(src).clauses]
    assert rows == [
        ("Buch 1", P, None, 0),
        ("Abschnitt 1", P, "Buch 1", 1),
        ("Titel 1", P, "Abschnitt 1", 2),
        ("§ 1", A, "Titel 1", 3),
        ("§§ 3 bis 6", A, "Titel 1", 3),
        ("Titel 2", P, "Abschnitt 1", 2),
        ("Untertitel 1", P, "Titel 2", 3),
        ("Kapitel 1", P, "Untertitel 1", 4),
        ("§ 21", A, "Kapitel 1", 5),
        ("Kapitel 2", P, "Untertitel 1", 4),
        ("Unterkapitel 1", P, "Kapitel 2", 5),
        ("§ 556", A, "Unterkapitel 1", 6),
        ("Unterkapitel 2", P, "Kapitel 2", 5),
        ("§ 557", A, "Unterkapitel 2", 6),
        ("Kapitel 3", P, "Untertitel 1", 4),
        ("§ 562", A, "Kapitel 3", 5),
        ("Untertitel 2", P, "Titel 2", 3),
        ("§ 80", A, "Untertitel 2", 4),
    ]


def test_unnumbered_heading_at_the_same_depth_does_not_take_provisions():
    parsed = parse_markdown("# LobbyRG\n\n## Eingangsformel\n\nDer Bundestag hat:\n\n## § 1 Register\n\nText.\n")
    rows = [(c.key, c.kind, c.parent_key) for c in parsed.clauses]
    assert rows == [("Eingangsformel", PRE, None), ("§ 1", A, None)]


def test_unnumbered_heading_with_headings_inside_is_a_division():
    parsed = parse_markdown("# T\n\n## Final Act\n\nIntro.\n\n### Article 1\n\nText.\n")
    rows = [(c.key, c.kind, c.parent_key) for c in parsed.clauses]
    assert rows == [("Final Act", P, None), ("Article 1", A, "Final Act")]


def test_key_survives_a_change_of_heading():
    old = parse_markdown("# GG\n\n## VI. - Bundesregierung\n\n### Art 49\n\n-\n")
    new = parse_markdown("# GG\n\n## VI. - Bundesregierung\n\n### Art 49 (weggefallen)\n")
    assert keys(old) == keys(new) == ["VI.", "Art 49"]
    assert (old.clauses[1].heading, new.clauses[1].heading) == ("", "(weggefallen)")


def test_numbering_that_restarts_in_an_annex_is_qualified():
    src = """\
# Treaty

## Kapitel I - Grundlagen

### Art 1 Gegenstand

Text.

### Art 2 Grundsätze

Text.

## Anlage I - Leitsätze

### Art 1 Erster Leitsatz

Text.

## Anlage II

### Art 1

Text.

### Abschnitt 1

#### Art 1

Text.
"""
    parsed = parse_markdown(src)
    assert keys(parsed) == [
        "Kapitel I", "Art 1", "Art 2",
        "Anlage I", "Anlage I/Art 1",
        "Anlage II", "Anlage II/Art 1", "Abschnitt 1", "Abschnitt 1/Art 1",
    ]  # fmt: skip
    clause = by_key(parsed)["Anlage I/Art 1"]
    assert (clause.number, clause.heading, clause.parent_key) == ("Art 1", "Erster Leitsatz", "Anlage I")


def test_repeated_division_numbers_are_qualified_by_their_parent():
    src = "# C\n\n## Buch 1\n\n### Abschnitt 1\n\n#### § 1\n\nA.\n\n## Buch 2\n\n### Abschnitt 1\n\n#### § 241\n\nB.\n"
    rows = [(c.key, c.number, c.parent_key) for c in parse_markdown(src).clauses]
    assert rows == [
        ("Buch 1", "Buch 1", None),
        ("Abschnitt 1", "Abschnitt 1", "Buch 1"),
        ("§ 1", "§ 1", "Abschnitt 1"),
        ("Buch 2", "Buch 2", None),
        ("Buch 2/Abschnitt 1", "Abschnitt 1", "Buch 2"),
        ("§ 241", "§ 241", "Buch 2/Abschnitt 1"),
    ]


def test_provision_printed_twice_with_another_heading_keeps_both():
    src = "# TPG\n\n## Abschnitt 1\n\n### § 2 Aufklärung, Register\n\nIn force.\n\n### § 2 Aufklärung\n\nPending.\n"
    clauses = parse_markdown(src).clauses
    assert [(c.key, c.number, c.heading, c.text) for c in clauses[1:]] == [
        ("§ 2", "§ 2", "Aufklärung, Register", "In force."),
        ("§ 2 [2]", "§ 2", "Aufklärung", "Pending."),
    ]


# --- canonical text -----------------------------------------------------------------------


def test_canonical_text_rules():
    src = (
        "\n\n(1) Der Bund hat  die Gesetzgebung\n"
        "über:   \n\n\n\n"
        "1.  die auswärtigen Angelegenheiten\n"
        "    einschließlich des Schutzes;\n"
        "2.  die Staatsangehörigkeit;\n"
        "\tsowie mehr\n"
        "13\\. Juni bleibt Fließtext\n\n\n"
    )
    assert canonical_markdown(src) == (
        "(1) Der Bund hat die Gesetzgebung über:\n\n"
        "1. die auswärtigen Angelegenheiten einschließlich des Schutzes;\n\n"
        "2. die Staatsangehörigkeit; sowie mehr 13\\. Juni bleibt Fließtext"
    )


def test_canonical_text_keeps_nesting_and_normalises_indentation():
    src = "- item\n\n   - three spaces\n\n      - six spaces\n\n  back to two\n\n- top"
    assert canonical_markdown(src) == "- item\n\n    - three spaces\n\n        - six spaces\n\n    back to two\n\n- top"


def test_canonical_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Übertragung von Geweben")
    assert canonical_markdown(decomposed) == "Übertragung von Geweben"
    parsed = parse_markdown(unicodedata.normalize("NFD", "# Gesetz über Gewebe\n\n## § 1 Ärzte\n\nÖffentlich.\n"))
    assert parsed.title == "Gesetz über Gewebe"
    assert (parsed.clauses[0].heading, parsed.clauses[0].text) == ("Ärzte", "Öffentlich.")


def test_canonical_text_accepts_lines():
    assert canonical_markdown(["a", "b", "", "c"]) == "a b\n\nc"
    assert canonical_markdown("") == ""
    assert canonical_markdown("\n \n\t\n") == ""


_PIECE = st.sampled_from([*list("ab (1).-*\t#ÄÁ"), "1. ", "(a) ", "a) ", "    ", "5a. ", "\\. "])
_LINE = st.lists(_PIECE, max_size=12).map("".join)


@given(st.lists(_LINE, max_size=25))
def test_canonical_text_is_idempotent(lines):
    once = canonical_markdown("\n".join(lines))
    assert canonical_markdown(once) == once


# --- bytes and errors -----------------------------------------------------------------------


def test_decode_source_strips_bom_and_parse_accepts_bytes():
    data = "\ufeff# Titel\n\n## § 1 Größe\n\nText.\n".encode()
    assert decode_source(data, "x.md").startswith("# Titel")
    parsed = parse_markdown(data, source_name="x.md")
    assert parsed.title == "Titel"
    assert parsed.clauses[0].key == "§ 1"
    assert parse_markdown("\ufeff# Titel\n\n## § 1\n").title == "Titel"


def test_non_utf8_bytes_name_the_line():
    data = "# Titel\n\n## § 1\n\nGr".encode() + b"\xf6\xdfe\n"
    with pytest.raises(ParseError) as exc:
        decode_source(data, "latin1.md")
    assert exc.value.line == 5
    assert exc.value.source == "latin1.md"
    assert str(exc.value).startswith("latin1.md, line 5: ")
    with pytest.raises(ParseError) as exc:
        parse_markdown(data, source_name="latin1.md")
    assert exc.value.line == 5


@pytest.mark.parametrize("src", ["", "   \n\n\t\n"])
def test_empty_input_is_refused(src):
    with pytest.raises(ParseError) as exc:
        parse_markdown(src, source_name="empty.md")
    assert (exc.value.line, exc.value.source) == (1, "empty.md")


def test_text_without_headings_is_refused():
    with pytest.raises(ParseError) as exc:
        parse_markdown("---\ntitle: T\n---\n\n# T\n\nJust a paragraph.\n", source_name="flat.md")
    assert exc.value.source == "flat.md"
    assert exc.value.line == 5  # the title
    assert "no headings" in exc.value.message


def test_duplicate_key_in_the_same_division_names_the_second_line():
    src = "# T\n\n## Part I\n\n### Article 1 — Scope\n\nA.\n\n### Article 2\n\nB.\n\n### Article 1 — Scope\n\nC.\n"
    with pytest.raises(ParseError) as exc:
        parse_markdown(src, source_name="dup.md")
    assert exc.value.line == 13
    assert "line 5" in exc.value.message
    assert str(exc.value).startswith("dup.md, line 13: 'Article 1' occurs twice")


def test_duplicate_division_is_refused():
    with pytest.raises(ParseError) as exc:
        parse_markdown("# T\n\n## Part I\n\n### Article 1\n\n## Part I\n\n### Article 2\n")
    assert exc.value.line == 7


def test_duplicate_unnumbered_heading_with_text_is_refused():
    with pytest.raises(ParseError) as exc:
        parse_markdown("# T\n\n## Preamble\n\nOne.\n\n## Preamble\n\nTwo.\n")
    assert exc.value.line == 7


def test_key_repeated_at_top_level_after_a_division_is_refused():
    with pytest.raises(ParseError) as exc:
        parse_markdown("# T\n\n## Part I\n\n### Article 1\n\nA.\n\n## Article 1\n\nB.\n")
    assert exc.value.line == 9


def test_unclosed_front_matter_is_refused():
    with pytest.raises(ParseError) as exc:
        parse_markdown("---\ntitle: T\n\n# T\n\n## Article 1\n", source_name="fm.md")
    assert exc.value.line == 1


def test_invalid_front_matter_names_its_line():
    with pytest.raises(ParseError) as exc:
        parse_markdown("---\ntitle: T\nbad: [unclosed\n---\n\n## Article 1\n")
    assert exc.value.line is not None and exc.value.line >= 3
    with pytest.raises(ParseError):
        parse_markdown("---\n- a list\n---\n\n## Article 1\n")


# --- the import edge: source_text -------------------------------------------------

from instrument.parse import source_text  # noqa: E402

#: Every kind of line ending a file may bring (CommonMark's three, and Unicode's NEL, LS and PS).
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r", "NEL": "\u0085", "LS": "\u2028", "PS": "\u2029"}

WRAPPED = """\
---
title: Line Endings
short_title: LE
---

# Line Endings

## Preamble

The Parties,
recalling the Cebu Declaration,

agree as follows.

### Article 1 — Scope

1. This instrument applies to every
   migrant worker and the members of
   the family.

    (a) documented; and

    (b) undocumented.

2. Nothing here limits
   national law.

```
<<<<<<< mine
```
"""


@pytest.mark.parametrize("ending", sorted(LINE_ENDINGS))
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_every_line_ending_gives_the_same_text_and_clauses(ending, as_bytes):
    source = WRAPPED.replace("\n", LINE_ENDINGS[ending])
    raw = source.encode("utf-8") if as_bytes else source
    text, warnings = source_text(raw, "le.md")
    assert text == WRAPPED and warnings == []
    assert parse_markdown(raw, source_name="le.md") == parse_markdown(WRAPPED, source_name="le.md")


def test_source_text_drops_a_bom_and_makes_nfc():
    decomposed = "# Lu\u0323a\u0302t\n\n### Article 1\n\nVie\u0302\u0323t Nam\r\n"
    text, warnings = source_text(b"\xef\xbb\xbf" + decomposed.encode("utf-8"), "vn.md")
    assert text == unicodedata.normalize("NFC", decomposed.replace("\r\n", "\n"))
    assert not text.startswith("\ufeff") and warnings == []


def test_nul_is_dropped_with_a_warning_naming_each_line():
    # Lines counted after CRLF and CR are read as one line ending each.
    raw = "# T\r\n\r\n### Article 1\rOne\x00 line.\r\n\r\nTwo\x00\x00 more e\x00\u0301.\n".encode("utf-8")
    text, warnings = source_text(raw, "nul.md")
    assert "\x00" not in text
    assert text.endswith("Two more \u00e9.\n")  # the accent composes once the NUL is gone
    assert warnings == [
        "nul.md, line 4: a NUL character was dropped",
        "nul.md, line 6: 3 NUL characters were dropped",
    ]
    parsed = parse_markdown(raw, source_name="nul.md")
    assert parsed.warnings == tuple(warnings)
    assert parsed.clauses[0].text == "One line.\n\nTwo more \u00e9."


def test_undecodable_byte_is_placed_on_its_line_whatever_the_line_endings():
    with pytest.raises(ParseError) as err:
        source_text(b"# T\r\r### Article 1\r\rCaf\xe9\r", "old.md")
    assert err.value.line == 5 and "UTF-8" in str(err.value)
    with pytest.raises(ParseError, match="UTF-16"):
        source_text("# T\n".encode("utf-16"), "wide.md")
