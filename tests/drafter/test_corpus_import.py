"""Importing the real legal texts in ../shared/corpus, and their later versions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from drafter.cli import import_file
from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Instrument
from drafter.services import drafts

pytestmark = pytest.mark.corpus

# A provision heading as the corpus writes it: "### Art 21", "##### § 2a ...", "(XXXX) §§ 3 bis 6".
PROVISION = re.compile(r"^#{2,6} (?:\(XXXX\) )?(?:Art\.? \d|Artikel \d|§)", re.M)


def provisions_in(path) -> int:
    return len(PROVISION.findall(path.read_text(encoding="utf-8")))


def article_count(instrument) -> int:
    return sum(1 for r in drafts.current_state(instrument) if r.clause.kind.value == "article")


def files(corpus):
    return sorted((corpus / "bundestag-gesetze").glob("*.md")) + sorted((corpus / "large").glob("*.md"))


def test_every_markdown_file_imports_with_its_provisions(app_ctx, corpus):
    paths = files(corpus)
    assert len(paths) == 22
    for path in paths:
        report = import_file(path, slug=None, title=None)
        expected = provisions_in(path)
        assert expected > 0, path.name
        assert article_count(report.instrument) == expected, path.name
        assert report.draft.number == 1


def test_gg_v2_to_v3_versions_exactly_the_changed_articles(app_ctx, corpus):
    base = corpus / "bundestag-gesetze"
    import_file(base / "gg_v2_2012-08-06_166018c1.md", slug="gg", title=None)
    versions_before = db.session.scalar(select(func.count()).select_from(ClauseVersion))
    report = import_file(base / "gg_v3_2022-01-28_5710c0a6.md", slug="gg", title=None)
    changed = {
        "Art 21",
        "Art 49",
        "Art 59a",
        "Art 72",
        "Art 90",
        "Art 91b",
        "Art 91c",
        "Art 104a",
        "Art 104b",
        "Art 105",
        "Art 106",
        "Art 107",
        "Art 108",
        "Art 109a",
        "Art 114",
        "Art 125b",
        "Art 125c",
        "Art 142a",
        "Art 143d",
    }
    added = {"Art 104c", "Art 104d", "Art 143e", "Art 143f", "Art 143g"}
    assert set(report.changed) == changed
    assert set(report.added) == added
    assert report.deleted == [] and report.renumbered == []
    assert report.draft.number == 2
    versions_after = db.session.scalar(select(func.count()).select_from(ClauseVersion))
    assert versions_after - versions_before == len(changed) + len(added)
    # A repealed article keeps its identity; its heading now says so.
    art49 = db.session.scalar(select(Clause).where(Clause.key == "Art 49"))
    assert [v.heading for v in art49.versions] == ["", "(weggefallen)"]


def test_tpg_v3_to_v4_whitespace_only_makes_no_version(app_ctx, corpus):
    base = corpus / "bundestag-gesetze"
    import_file(base / "tpg_v3_2012-09-11_f6a582eb.md", slug="tpg", title=None)
    before = db.session.scalar(select(func.count()).select_from(ClauseVersion))
    report = import_file(base / "tpg_v4_2012-10-18_e3c6d7fe.md", slug="tpg", title=None)
    assert report.changed == [] and report.added == [] and report.deleted == []
    assert db.session.scalar(select(func.count()).select_from(ClauseVersion)) == before


def test_tpg_v6_to_v7_section_2_keeps_its_identity(app_ctx, corpus):
    base = corpus / "bundestag-gesetze"
    import_file(base / "tpg_v6_2022-01-28_5710c0a6.md", slug="tpg", title=None)
    uid = db.session.scalar(select(Clause.uid).where(Clause.key == "§ 2"))
    report = import_file(base / "tpg_v7_2022-03-03_faba4c77.md", slug="tpg", title=None)
    # v6 carries § 2 twice (the text in force and the reformed one announced for 1.3.2022);
    # v7 has only the reformed one. § 2 is matched by its number, its repeat is deleted,
    # and § 2a (byte-identical in both files) is not touched.
    assert "§ 2" in report.changed and "§ 2a" not in report.changed
    assert report.deleted == ["§ 2 [2]"] and report.renumbered == []
    clause = db.session.scalar(select(Clause).where(Clause.uid == uid))
    assert clause.key == "§ 2" and len(clause.versions) == 2
    assert clause.versions[0].heading != clause.versions[1].heading


def test_large_code_v1_to_v3(app_ctx, corpus):
    large = corpus / "large"
    first = import_file(large / "bgb_v1_2022-01-28_5710c0a6.md", slug="bgb", title=None)
    report = import_file(large / "bgb_v3_2022-03-03_faba4c77.md", slug="bgb", title=None)
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "bgb"))
    assert article_count(instrument) == provisions_in(large / "bgb_v3_2022-03-03_faba4c77.md")
    # A real amendment inside 1.5 MB: a few provisions change, the rest stays as it was.
    assert 0 < len(report.changed) < 100
    assert report.unchanged > len(first.added) - 150
