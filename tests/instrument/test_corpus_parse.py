"""instrument.parse on the real legal texts of shared/corpus (bundestag-gesetze/ and large/)."""

from __future__ import annotations

import re

import pytest

from instrument.parse import parse_markdown
from instrument.text import comparison_form
from instrument.types import ClauseKind, ParsedInstrument

pytestmark = pytest.mark.corpus

# A provision heading as the bundestag/gesetze converter writes it, counted
# line by line like `grep -cE '^#{2,6} (\(XXXX\) )?(§|Art )'`.
PROVISION_LINE = re.compile(r"^#{2,6} (?:\(XXXX\) )?(?:§|Art )", re.MULTILINE)


@pytest.fixture(scope="module")
def parsed(corpus) -> dict[str, ParsedInstrument]:
    """Every Markdown file of the two folders, parsed once, by file name."""
    paths = sorted((corpus / "bundestag-gesetze").glob("*.md")) + sorted((corpus / "large").glob("*.md"))
    return {p.name: parse_markdown(p.read_text(encoding="utf-8"), source_name=p.name) for p in paths}


def get(parsed: dict[str, ParsedInstrument], prefix: str) -> dict[str, object]:
    """Clauses by key of the one file whose name starts with ``prefix`` ("gg_v3_")."""
    (name,) = [n for n in parsed if n.startswith(prefix)]
    return {c.key: c for c in parsed[name].clauses}


def changed_keys(old: dict, new: dict) -> set[str]:
    return {k for k in old.keys() & new.keys() if comparison_form(old[k].text) != comparison_form(new[k].text)}


def test_every_file_parses(parsed):
    assert len(parsed) == 22
    for name, instrument in parsed.items():
        assert instrument.title, name
        assert "Ausfertigungsdatum" in instrument.metadata, name
        assert instrument.clauses, name


def test_provision_counts_match_the_headings(parsed, corpus):
    for name, instrument in parsed.items():
        folder = "large" if name.startswith("bgb") else "bundestag-gesetze"
        expected = len(PROVISION_LINE.findall((corpus / folder / name).read_text(encoding="utf-8")))
        articles = [c for c in instrument.clauses if c.kind is ClauseKind.ARTICLE]
        assert len(articles) == expected, name


@pytest.mark.parametrize(
    ("prefix", "articles"),
    [
        # 195 or 200 "### Art N" headings plus "### (XXXX) Art 74a und 75 (weggefallen)".
        ("gg_v1_", 196),
        ("gg_v3_", 201),
        # 2,527 "§ N" headings at depths 4-6, 26 of them grouped ranges with "(XXXX)".
        ("bgb_v1_", 2527),
        ("bgb_v3_", 2527),
        # 29 "### Art" in the chapters plus 9 "#### Art" under the two Abschnitte of chapter V.
        ("wwsuvtr_", 38),
        # 54 sections, § 2 printed twice (in force and as amended from March 2022).
        ("tpg_v6_", 55),
        ("lobbyrg_", 10),
        ("vig_v1_", 6),
    ],
)
def test_provision_counts_checked_by_hand(parsed, prefix, articles):
    clauses = get(parsed, prefix).values()
    assert sum(c.kind is ClauseKind.ARTICLE for c in clauses) == articles


def test_keys_are_unique_and_parents_come_first(parsed):
    for name, instrument in parsed.items():
        keys = [c.key for c in instrument.clauses]
        assert len(keys) == len(set(keys)), name
        seen: dict[str, ClauseKind] = {}
        for c in instrument.clauses:
            if c.parent_key is not None:
                assert seen.get(c.parent_key) is ClauseKind.PART, (name, c.key)
            seen[c.key] = c.kind


def test_grundgesetz_structure(parsed):
    gg = get(parsed, "gg_v3_")
    assert list(gg)[:4] == ["Eingangsformel", "Präambel", "I.", "Art 1"]
    assert (gg["I."].heading, gg["Art 1"].parent_key, gg["Art 1"].depth) == ("Die Grundrechte", "I.", 1)
    assert gg["Art 74a und 75"].heading == "(weggefallen)"
    assert gg["Art 1"].text.startswith("(1) Die Würde des Menschen ist unantastbar. Sie zu achten")
    assert "  " not in gg["Eingangsformel"].text  # the run of 14 spaces is gone


def test_gg_v2_to_v3_changed_articles(parsed):
    old, new = get(parsed, "gg_v2_"), get(parsed, "gg_v3_")
    # Checked against `diff gg_v2 gg_v3`. The corpus README, counting changed lines,
    # also names Art 73 and 74: there only indentation and a blank line changed.
    # Art 49, 59a and 142a lost their body "-" when "(weggefallen)" moved into the heading.
    assert changed_keys(old, new) == {
        "Art 21", "Art 49", "Art 59a", "Art 72", "Art 90", "Art 91b", "Art 91c",
        "Art 104a", "Art 104b", "Art 105", "Art 106", "Art 107", "Art 108", "Art 109a",
        "Art 114", "Art 125b", "Art 125c", "Art 142a", "Art 143d",
    }  # fmt: skip
    assert new.keys() - old.keys() == {"Art 104c", "Art 104d", "Art 143e", "Art 143f", "Art 143g"}
    assert old.keys() - new.keys() == set()


def test_gg_v1_to_v2_changes_only_article_93(parsed):
    assert changed_keys(get(parsed, "gg_v1_"), get(parsed, "gg_v2_")) == {"Art 93"}


def test_repealed_article_keeps_its_key(parsed):
    old, new = get(parsed, "gg_v2_"), get(parsed, "gg_v3_")
    assert (old["Art 49"].number, old["Art 49"].heading, old["Art 49"].text) == ("Art 49", "", "-")
    assert (new["Art 49"].number, new["Art 49"].heading, new["Art 49"].text) == ("Art 49", "(weggefallen)", "")


def test_tpg_v3_to_v4_is_whitespace_only(parsed):
    old, new = get(parsed, "tpg_v3_"), get(parsed, "tpg_v4_")
    assert old.keys() == new.keys()
    assert changed_keys(old, new) == set()
    assert [c.heading for c in old.values()] == [c.heading for c in new.values()]


def test_tpg_v6_to_v7_section_2_retitled(parsed):
    old, new = get(parsed, "tpg_v6_"), get(parsed, "tpg_v7_")
    assert "§ 2" in old and "§ 2" in new
    assert old["§ 2"].heading != new["§ 2"].heading
    assert old["§ 2"].heading.endswith("Organ- und Gewebespenderegister, Organ- und Gewebespendeausweise")
    # v6 also printed the version that v7 puts in force.
    assert comparison_form(old["§ 2 [2]"].text) == comparison_form(new["§ 2"].text)
    assert old["§ 2 [2]"].heading == new["§ 2"].heading
    assert changed_keys(old, new) == {"§ 2", "§ 4", "§ 7", "§ 14", "§ 19"}


def test_vig_v3_to_v4_is_metadata_only(parsed):
    old, new = parsed_pair(parsed, "vig_v3_", "vig_v4_")
    assert [(c.key, c.heading, c.text) for c in old.clauses] == [(c.key, c.heading, c.text) for c in new.clauses]
    assert old.metadata["Neugefasst durch"] == "Bek. v. 17.10.2012 I 2166"
    assert new.metadata["Neugefasst durch"] == "Bek. v. 17.10.2012 I 2166, 2725"


def parsed_pair(parsed, a: str, b: str) -> tuple[ParsedInstrument, ParsedInstrument]:
    (na,) = [n for n in parsed if n.startswith(a)]
    (nb,) = [n for n in parsed if n.startswith(b)]
    return parsed[na], parsed[nb]


def test_bgb_small_amendments(parsed):
    # Checked against `diff`: v1 -> v2 changes one word in § 453, v2 -> v3 rewrites § 309 No. 9.
    v1, v2, v3 = get(parsed, "bgb_v1_"), get(parsed, "bgb_v2_"), get(parsed, "bgb_v3_")
    assert changed_keys(v1, v2) == {"§ 453"}
    assert changed_keys(v2, v3) == {"§ 309"}


def test_bgb_structure(parsed):
    bgb = get(parsed, "bgb_v1_")
    assert bgb["preamble"].text.startswith("Dieses Gesetz dient der Umsetzung folgender Richtlinien:")
    chain, key = [], "§ 556"
    while key is not None:
        chain.append(bgb[key].number)
        key = bgb[key].parent_key
    assert chain == ["§ 556", "Unterkapitel 1", "Kapitel 2", "Untertitel 2", "Titel 5", "Abschnitt 8", "Buch 2"]
    assert bgb["§§ 3 bis 6"].heading == "(weggefallen)"
    assert bgb["§§ 3 bis 6"].parent_key == "Titel 1"
    assert sum(c.kind is ClauseKind.PART and c.number == "Abschnitt 1" for c in bgb.values()) == 5


def test_treaty_structure(parsed):
    treaty = get(parsed, "wwsuvtr_")
    first = next(iter(treaty.values()))
    assert (first.key, first.kind, first.heading) == ("preamble", ClauseKind.PREAMBLE, "")
    assert first.text.startswith("Die Hohen Vertragschließenden Seiten")
    assert (treaty["Art 26"].parent_key, treaty["1. Abschnitt"].parent_key) == ("1. Abschnitt", "Kapitel V")
    assert treaty["Art 1"].heading == "Gegenstand des Vertrags"
    assert treaty["Anlage IX"].kind is ClauseKind.PART
    assert treaty["Anlagenverzeichnis"].kind is ClauseKind.PREAMBLE
    assert treaty["Protokollerklärungen"].kind is ClauseKind.PREAMBLE


def test_it_staatsvertrag_repeated_preamble_heading(parsed):
    old, new = parsed_pair(parsed, "it-staatsvertrag_ggart91cvtr_v1_", "it-staatsvertrag_ggart91cvtr_v2_")
    preambles = [c for c in new.clauses if c.key == "Präambel"]
    assert len(preambles) == 1
    assert preambles[0].text.startswith("* Das Land Baden-Württemberg,")
    assert new.metadata["Stand"].startswith("Der Vertrag tritt nach seinem § 7")
    assert [c.key for c in old.clauses if c.kind is ClauseKind.ARTICLE] == [f"§ {n}" for n in range(1, 8)]
