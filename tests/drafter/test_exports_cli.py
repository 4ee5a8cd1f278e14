"""drafter export in every format, and drafter import of Akoma Ntoso files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from sqlalchemy import select, update

from drafter.extensions import db
from drafter.models import Clause, ClauseVersion, Instrument, VersionCause
from drafter.services import drafts
from drafter.services.versions import add_version
from instrument.parse import parse_markdown
from instrument.text import comparison_form
from tests.drafter.helpers import committed, import_text, instrument_md

SLUG = "asean-migrant-workers"
DEMO = Path(__file__).resolve().parents[2] / "drafter" / "demo"


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--format", "docx", "--draft", "2"], lambda data: docx.Document(io.BytesIO(data)).paragraphs[0].text.startswith("ASEAN")),
        (["--format", "docx", "--line-numbers"], lambda data: b"lnNumType" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")),
        (["--format", "pdf", "--draft", "1"], lambda data: data.startswith(b"%PDF-")),
        (["--format", "akn", "--draft", "2"], lambda data: b"http://docs.oasis-open.org/legaldocml/ns/akn/3.0" in data),
        (["--format", "redline-docx", "--draft", "2", "--against", "1"], lambda data: b"w:ins" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")),
        (["--format", "redline-pdf", "--against", "1"], lambda data: data.startswith(b"%PDF-")),
        (["--format", "synoptic-docx", "--draft", "2"], lambda data: len(docx.Document(io.BytesIO(data)).tables) == 1),
        (["--format", "synoptic-csv", "--draft", "2"], lambda data: data.startswith("\ufeffClause,".encode())),
    ],
)  # fmt: skip
def test_export_every_format_to_a_file(runner, demo, tmp_path, args, check):
    out = tmp_path / "out.bin"
    result = runner.invoke(args=["export", SLUG, *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stderr
    assert check(out.read_bytes())


def test_binary_formats_go_to_standard_output_as_bytes(runner, demo):
    result = runner.invoke(args=["export", SLUG, "--format", "docx", "--draft", "1"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"PK\x03\x04")
    docx.Document(io.BytesIO(result.stdout_bytes))


def test_bad_option_combinations(runner, demo):
    assert "--line-numbers is only for --format docx" in runner.invoke(
        args=["export", SLUG, "--format", "pdf", "--line-numbers"]).output  # fmt: skip
    assert "--against is only for the redline formats" in runner.invoke(
        args=["export", SLUG, "--format", "synoptic-csv", "--against", "1"]).output  # fmt: skip
    assert runner.invoke(args=["export", SLUG, "--format", "redline-docx"]).exit_code != 0


def test_progress_bar_and_warnings_on_standard_error(app, runner, tmp_path, monkeypatch):
    with committed(app):
        import_text(instrument_md(3), "ctl")
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        version = add_version(clause, number="Article 2", heading="Scope and definitions", text="1. Text.",
                              cause=VersionCause.EDIT, actor=None, base_version_id=clause.current_version_id)  # fmt: skip
        # A record stored before the write path dropped control characters: the export still cleans it.
        db.session.execute(
            update(ClauseVersion)
            .where(ClauseVersion.id == version.id)
            .values(heading="Scope\vand definitions", text="1. Text\x01.")
        )
        db.session.commit()
    # click draws the bar only on a terminal; pretend standard error is one.
    monkeypatch.setattr("click._termui_impl.isatty", lambda stream: True)
    out = tmp_path / "ctl.docx"
    result = runner.invoke(args=["export", "ctl", "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exporting docx" in result.stderr and "100%" in result.stderr
    assert ("Warning: DOCX export: Article 2: 1 vertical tab became a line break; 1 U+0001 character dropped"
            in result.stderr)  # fmt: skip
    assert out.stat().st_size > 0


def test_import_akoma_ntoso_round_trip_of_the_demo(app, runner, demo, tmp_path):
    xml = tmp_path / "draft2.xml"
    assert runner.invoke(args=["export", SLUG, "--format", "akn", "--draft", "2", "-o", str(xml)]).exit_code == 0
    result = runner.invoke(args=["import", str(xml), "--instrument", "from-akn"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        original = {c.key: c for c in parse_markdown((DEMO / "draft2.md").read_text(encoding="utf-8")).clauses}
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "from-akn"))
        rows = drafts.current_state(instrument)
        assert [r.key for r in rows] == list(original)
        for row in rows:
            assert row.version.heading == original[row.key].heading
            assert row.version.text == original[row.key].text
        assert (
            instrument.title
            == "ASEAN Framework Instrument on the Protection and Promotion of the Rights of Migrant Workers"
        )


@pytest.mark.corpus
def test_import_legaldocml_profile(app, runner, corpus):
    path = corpus / "ris-norms-legaldocml" / "lobbyrg_2021-s818_original_regelungstext-verkuendung-1.xml"
    result = runner.invoke(args=["import", str(path), "--instrument", "lobbyrg"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == "lobbyrg"))
        keys = [r.key for r in drafts.current_state(instrument)]
        assert [k for k in keys if k.startswith("§")] == [f"§ {n}" for n in range(1, 11)]
        first = next(r for r in drafts.current_state(instrument) if r.key == "§ 1")
        assert comparison_form(first.version.text).startswith("(1) Dieses Gesetz gilt für die Interessenvertretung")


def test_import_refuses_broken_xml_without_writing(app, runner, tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text("<akomaNtoso><act><body><article>", encoding="utf-8")
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code != 0 and "not well-formed XML" in result.output
    with app.app_context():
        assert db.session.scalar(select(Instrument)) is None
