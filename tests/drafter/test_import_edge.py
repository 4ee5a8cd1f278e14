"""Text entering through files (``drafter import``, the demo loader) is normalised once, at the edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

import drafter.demo
from drafter.demo import DEMO_SLUG, DRAFTS, load_demo
from drafter.extensions import db
from drafter.models import Draft, Instrument
from drafter.services import drafts
from instrument.parse import parse_markdown
from tests.drafter.helpers import instrument_md

LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r", "NEL": "\u0085", "LS": "\u2028", "PS": "\u2029"}

# Hard wraps, nested points and a conflict-marker lookalike: every rule that reads lines is exercised.
WRAPPED_ARTICLE = """
### Article 9 — Families

1. This instrument applies to every
   migrant worker and the members of
   the family.

    (a) documented; and

    (b) undocumented.

```
<<<<<<< mine
```
"""


def current_texts(slug: str) -> list[tuple[str, str, str, str]]:
    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    return [(r.key, r.version.number, r.version.heading, r.version.text) for r in drafts.current_state(instrument)]


@pytest.mark.parametrize("ending", sorted(LINE_ENDINGS))
def test_cli_import_reads_every_line_ending_as_one(app, runner, tmp_path: Path, ending):
    text = instrument_md(3, title="Line Endings") + WRAPPED_ARTICLE
    lf, other = tmp_path / "lf.md", tmp_path / "other.md"
    lf.write_bytes(text.encode("utf-8"))
    other.write_bytes(text.replace("\n", LINE_ENDINGS[ending]).encode("utf-8"))
    for path, slug in ((lf, "lf"), (other, "other")):
        result = runner.invoke(args=["import", str(path), "--instrument", slug])
        assert result.exit_code == 0, result.output
        assert "Warning" not in result.output
    with app.app_context():
        expected = current_texts("lf")
        assert current_texts("other") == expected
        assert "\r" not in str(expected) and "the members of the family." in expected[-1][3]
    # The same text with other line endings is no change: no new draft.
    result = runner.invoke(args=["import", str(other), "--instrument", "lf"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 2


def test_cli_import_warns_of_each_dropped_nul_with_its_line(app, runner, tmp_path: Path):
    text = instrument_md(2).replace("obligation number 2", "obligation\x00 number 2")
    line = text.split("\n").index(next(s for s in text.split("\n") if "\x00" in s)) + 1
    path = tmp_path / "nul.md"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = runner.invoke(args=["import", str(path), "--instrument", "nul"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Warning: {path}, line {line}: a NUL character was dropped"
    with app.app_context():
        texts = [t for *_, t in current_texts("nul")]
        assert "obligation number 2" in texts[-1] and not any("\x00" in t for t in texts)


def test_cli_import_title_option_is_nfc(app, runner, tmp_path: Path):
    path = tmp_path / "t.md"
    path.write_text(instrument_md(1), encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--instrument", "t", "--title", "Vie\u0302\u0323t Nam"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Instrument.title)) == "Vi\u1ec7t Nam"


@pytest.mark.parametrize("ending", ["CRLF", "CR", "NEL", "LS", "PS"])
def test_demo_loader_reads_every_line_ending_as_one(app, tmp_path: Path, monkeypatch, ending):
    for name, *_ in DRAFTS:
        source = (drafter.demo.DEMO_DIR / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(source.replace("\n", LINE_ENDINGS[ending]).encode("utf-8"))
    monkeypatch.setattr(drafter.demo, "DEMO_DIR", tmp_path)
    with app.app_context():
        lines = list(load_demo())
        assert not any(line.startswith("Warning") for line in lines)
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == DEMO_SLUG))
        for number, (name, *_) in enumerate(DRAFTS, start=1):
            # Each published draft holds exactly the clauses of its LF file.
            expected = parse_markdown((Path(drafter.demo.__file__).parent / name).read_bytes(), source_name=name)
            draft = db.session.scalar(select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == number))
            assert [(r.key, r.version.heading, r.version.text) for r in drafts.draft_state(draft)] == [
                (c.key, c.heading, c.text) for c in expected.clauses
            ]


@pytest.mark.corpus
def test_akoma_ntoso_import_then_export_keeps_the_files_eids(app, runner, tmp_path: Path, corpus):
    from lxml import etree

    source = corpus / "ris-norms-legaldocml" / "lobbyrg_2021-s818_original_regelungstext-verkuendung-1.xml"
    result = runner.invoke(args=["import", str(source), "--instrument", "lobbyrg"])
    assert result.exit_code == 0, result.output

    def eids(path: Path, names: set[str] | None = None) -> dict[str, str]:
        root = etree.parse(str(path)).getroot()
        return {
            e.get("eId"): etree.QName(e).localname
            for e in root.iter()
            if isinstance(e.tag, str) and e.get("eId") and (names is None or etree.QName(e).localname in names)
        }

    # Articles, their paragraphs and the items of lists (written as points).
    wanted = eids(source, {"article", "paragraph", "item"})
    assert len(wanted) > 60
    out = tmp_path / "out.xml"
    for number in ("1", None):  # the published draft and the current text
        args = ["export", "lobbyrg", "--format", "akn", "-o", str(out)] + (["--draft", number] if number else [])
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        exported = eids(out)
        assert wanted.keys() <= exported.keys()
        assert {exported[e] for e in wanted if wanted[e] == "article"} == {"article"}

    # The same file again changes nothing, and an edited text keeps the eIds of what it still holds.
    result = runner.invoke(args=["import", str(source), "--instrument", "lobbyrg"])
    assert "nothing changed" in result.output
    edited = tmp_path / "edited.xml"
    edited.write_bytes(source.read_bytes().replace(b"Anwendungsbereich</akn:heading>", b"Geltung</akn:heading>"))
    result = runner.invoke(args=["import", str(edited), "--instrument", "lobbyrg"])
    assert result.exit_code == 0 and "Draft 2 — 0 added, 1 changed" in result.output, result.output
    assert runner.invoke(args=["export", "lobbyrg", "--format", "akn", "-o", str(out)]).exit_code == 0
    assert wanted.keys() <= eids(out).keys()


@pytest.mark.corpus
@pytest.mark.parametrize("ending", ["CRLF", "CR"])
def test_cli_import_of_akoma_ntoso_reads_crlf_and_cr_as_lf(app, runner, tmp_path: Path, corpus, ending):
    """Between markup XML allows only CR and LF; NEL, U+2028 and U+2029 inside text are in tests/instrument."""
    source = corpus / "ris-norms-legaldocml" / "lobbyrg_2021-s818_original_regelungstext-verkuendung-1.xml"
    other = tmp_path / "other.xml"
    other.write_bytes(source.read_bytes().replace(b"\n", LINE_ENDINGS[ending].encode()))
    for path, slug in ((source, "lf"), (other, "other")):
        result = runner.invoke(args=["import", str(path), "--instrument", slug])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert current_texts("other") == current_texts("lf")
