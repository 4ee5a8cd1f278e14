"""The drafter command line: import, export, demo, init-db, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from drafter.extensions import db
from drafter.models import ClauseVersion, Draft, Instrument
from tests.drafter.helpers import instrument_md


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Instrument)),
            db.session.scalar(select(func.count()).select_from(ClauseVersion)),
            db.session.scalar(select(func.count()).select_from(Draft)),
        )


def test_import_then_next_state_then_export(app, runner, tmp_path: Path):
    first = tmp_path / "first.md"
    first.write_text(instrument_md(3), encoding="utf-8")
    result = runner.invoke(args=["import", str(first), "--instrument", "test", "--title", "A Test"])
    assert result.exit_code == 0, result.output
    assert "Draft 1" in result.output
    second = tmp_path / "second.md"
    second.write_text(instrument_md(4), encoding="utf-8")
    result = runner.invoke(args=["import", str(second), "--instrument", "test"])
    assert result.exit_code == 0, result.output
    assert "Draft 2 — 1 added, 0 changed" in result.output

    result = runner.invoke(args=["export", "test", "--format", "md", "--draft", "1"])
    assert result.exit_code == 0
    assert "Article 3" in result.output and "Article 4" not in result.output
    out = tmp_path / "out.html"
    result = runner.invoke(args=["export", "test", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0
    assert "Article 4" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"# Title\n\nJust some prose without any provisions.\n", "no headings"),
        (b"---\ntitle: T\n---\n# T\n\n## Part I\n\n### Article 1\n\nA.\n\n### Article 1\n\nB.\n", "line 12"),
        ("# T\n\n### Article 1\n\nCaf\xe9".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_files_are_refused_with_file_and_line_and_write_nothing(app, runner, tmp_path, content, message):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    before = counts(app)
    result = runner.invoke(args=["import", str(bad), "--instrument", "bad"])
    assert result.exit_code != 0
    assert "bad.md" in result.output
    assert message.lower() in result.output.lower()
    assert "Traceback" not in result.output
    assert counts(app) == before


def test_missing_file_and_bad_slug(app, runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "nope.md")])
    assert result.exit_code != 0 and "nope.md" in result.output
    ok = tmp_path / "ok.md"
    ok.write_text(instrument_md(1), encoding="utf-8")
    result = runner.invoke(args=["import", str(ok), "--instrument", "Not A Slug!"])
    assert result.exit_code != 0 and "--instrument" in result.output


def test_export_unknown_slug_or_draft(app, runner):
    assert runner.invoke(args=["export", "nope"]).exit_code != 0
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["export", "asean-migrant-workers", "--draft", "7"])
    assert result.exit_code != 0 and "no Draft 7" in result.output


def test_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    before = counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert counts(app) == before
    assert before[2] == 2


def test_export_redline_between_drafts(app, runner, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(
        args=["export", "asean-migrant-workers", "--format", "redline-md", "--draft", "2", "--against", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Changes from Draft 1 to Draft 2" in result.output and "{++" in result.output
    out = tmp_path / "r.html"
    result = runner.invoke(
        args=["export", "asean-migrant-workers", "--format", "redline-html", "--against", "1", "-o", str(out)]
    )
    assert result.exit_code == 0
    assert "Changes from Draft 1 to Working draft" in out.read_text(encoding="utf-8")
    missing = runner.invoke(args=["export", "asean-migrant-workers", "--format", "redline-md"])
    assert missing.exit_code == 2 and "--against" in missing.output
    stray = runner.invoke(args=["export", "asean-migrant-workers", "--format", "md", "--against", "1"])
    assert stray.exit_code == 2
