"""The ``drafter`` command group (also ``flask --app drafter ...``)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask.cli import run_command as flask_run_command
from sqlalchemy import func, select
from werkzeug.serving import is_running_from_reloader

from drafter.cli_users import create_user_command
from drafter.extensions import db
from drafter.mail import PUBLIC_URL_MISSING
from drafter.models import Amendment, ClauseVersion, Draft, Instrument
from drafter.services.errors import Refused
from instrument.errors import InstrumentError, ParseError
from instrument.matching import clause_uid
from instrument.text import nfc

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


def migrations_dir() -> str:
    """Path of the Alembic migrations folder (see :func:`drafter.resource_dir`)."""
    from drafter import resource_dir

    return str(resource_dir("migrations"))


def upgrade_schema() -> None:
    """Create or upgrade the database schema to the newest migration (idempotent)."""
    from flask_migrate import upgrade

    upgrade(directory=migrations_dir())


def slug_for(path: Path) -> str:
    """Derive an instrument slug from a file name ("gg_v3_2022-01-28.md" -> "gg-v3-2022-01-28")."""
    return clause_uid(path.stem)[:80]


def read_instrument(data: bytes, name: str):
    """Parse a legal text file: Akoma Ntoso XML (a ``.xml`` name, or an ``akomaNtoso`` root near the start) or Markdown.

    :param data: the file's bytes.
    :param name: the file's name, for the format and for messages.
    :returns: a :class:`~instrument.types.ParsedInstrument`, with the warnings of reading it.
    :raises ParseError: for unreadable input.
    """
    from instrument.parse import parse_markdown
    from instrument.parse_akn import parse_akn

    head = data[:4096]
    if name.lower().endswith(".xml") or b"<akomaNtoso" in head or b":akomaNtoso" in head:
        return parse_akn(data, source_name=name)
    # The bytes go in whole: the parser decodes and normalises them (instrument.parse.source_text).
    return parse_markdown(data, source_name=name)


def import_file(path: Path, *, slug: str | None, title: str | None, is_public: bool | None = None):
    """Parse ``path`` (Markdown or Akoma Ntoso, see :func:`read_instrument`) and store it
    (see :func:`drafter.services.imports.import_parsed`); commit once.

    :returns: the :class:`~drafter.services.imports.ImportReport`.
    :raises ParseError: for unreadable input; nothing is written.
    """
    from drafter.services.imports import import_parsed

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc
    parsed = read_instrument(data, str(path))
    if title is not None:
        title = nfc(title)  # a command-line argument is text entering too
    try:
        report = import_parsed(
            parsed, slug=slug or slug_for(path), actor=None, title=title, source_name=path.name, is_public=is_public
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade_schema()
    if db.engine.dialect.name == "sqlite":
        # SQLite keeps no planner statistics by itself (PostgreSQL's autovacuum does): without
        # them it may walk an instrument's comments through a two-column index, in date order,
        # where the one-column index reads them in table order, several times faster.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--instrument", "slug", help="Slug of the instrument; an existing one gets the text as its next draft.")
@click.option("--title", help="Title of the instrument (default: from the file).")
@with_appcontext
def import_command(path: Path, slug: str | None, title: str | None) -> None:
    """Import a legal text (Markdown, or Akoma Ntoso XML) as a new instrument or as the next draft of one."""
    if slug is not None and not _valid_slug(slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens (at most 80)", param_hint="--instrument")
    try:
        report = import_file(path, slug=slug, title=title)
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from exc
    except Refused as exc:  # an adopted instrument takes no further draft
        raise click.ClickException(exc.message) from exc
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(report.summary())


EXPORT_FORMATS = [
    "md", "html", "docx", "pdf", "akn",
    "redline-md", "redline-html", "redline-docx", "redline-pdf",
    "synoptic-docx", "synoptic-csv",
]  # fmt: skip


class _EchoWarnings(logging.Handler):
    """Shows the exporters' warnings (characters dropped, for instance) on standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Warning: {record.getMessage()}", err=True)


@contextmanager
def _export_warnings_shown() -> Iterator[None]:
    logger = logging.getLogger("instrument.export")
    handler = _EchoWarnings(logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False  # shown once, here, not again by the root logger
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _Progress:
    """A click progress bar over the clauses, opened at the first report (when the total is known)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="md",
    show_default=True,
    help="md/html/docx/pdf/akn: a clean draft (akn: Akoma Ntoso XML); redline-*: the changes from --against "
    "to --draft (redline-docx: Word tracked changes); synoptic-*: the table of amendments to the draft.",
)
@click.option("--draft", "number", type=int, help="Draft number (default: the current text).")
@click.option("--against", "against", type=int, help="For redlines: the older draft to compare with.")
@click.option("--line-numbers", is_flag=True, help="For docx: number the lines of the text.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default: standard output)."
)
@with_appcontext
def export_command(
    slug: str, fmt: str, number: int | None, against: int | None, line_numbers: bool, output: Path | None
) -> None:
    """Export a clean draft, a redline between two drafts, or the synoptic table of a draft.

    Word and PDF files are bytes: give -o FILE, or redirect standard output
    to a file. Writing to a file shows a progress bar over the clauses.
    """
    from drafter.services.exports import export_clean, export_redline, export_synoptic

    instrument = db.session.scalar(select(Instrument).where(Instrument.slug == slug))
    if instrument is None:
        raise click.ClickException(f"no instrument called {slug!r}")

    def draft_number(n: int | None) -> Draft | None:
        if n is None:
            return None
        draft = db.session.scalar(select(Draft).where(Draft.instrument_id == instrument.id, Draft.number == n))
        if draft is None:
            raise click.ClickException(f"{slug} has no Draft {n}")
        return draft

    draft = draft_number(number)
    if against is not None and not fmt.startswith("redline-"):
        raise click.UsageError("--against is only for the redline formats")
    if line_numbers and fmt != "docx":
        raise click.UsageError("--line-numbers is only for --format docx")
    progress = _Progress(f"Exporting {fmt}") if output is not None else None
    try:
        with _export_warnings_shown():
            if fmt.startswith("redline-"):
                if against is None:
                    raise click.UsageError("a redline needs --against N, the older draft")
                result = export_redline(instrument, draft_number(against), draft, fmt.removeprefix("redline-"),
                                        progress=progress)  # fmt: skip
            elif fmt.startswith("synoptic-"):
                result = export_synoptic(instrument, draft, fmt.removeprefix("synoptic-"), progress=progress)
            else:
                result = export_clean(instrument, draft, fmt, line_numbers=line_numbers, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if output is None:
        if isinstance(result.content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(result.content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(result.content)
    else:
        output.write_bytes(result.data)
        click.echo(f"Wrote {output} ({len(result.data):,} bytes)", err=True)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the database if needed and load the demo instrument (idempotent)."""
    from drafter.demo import load_demo

    upgrade_schema()
    for line in load_demo():
        click.echo(line)


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Verify the stored record and print what is wrong; exit status 1 if anything is.

    The rules are those of :mod:`drafter.integrity`: no conflict markers in
    any version, text in NFC without control characters, one draft entry per
    live clause, accepted amendments linked to the versions they made, version
    parents in the same clause. Run it after an upgrade (after ``drafter init-db``).
    """
    from sqlalchemy import inspect

    from drafter.integrity import RULES

    if not inspect(db.engine).has_table(ClauseVersion.__tablename__):
        raise click.ClickException(
            f"{db.engine.url.render_as_string(hide_password=True)} holds no Drafter record; run drafter init-db first"
        )
    problems = 0
    for rule in RULES:
        for finding in rule():
            click.echo(str(finding))
            problems += 1
    checked = ", ".join(
        _count(db.session.scalar(select(func.count()).select_from(model)) or 0, noun)
        for model, noun in ((Instrument, "instrument"), (Draft, "draft"), (ClauseVersion, "clause version"),
                            (Amendment, "amendment"))
    )  # fmt: skip
    if problems:
        click.echo(f"{_count(problems, 'problem')} found (checked {checked})", err=True)
        sys.exit(1)
    click.echo(f"The record is sound: {len(RULES)} rules checked on {checked}.")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _valid_slug(slug: str) -> bool:
    return 0 < len(slug) <= 80 and clause_uid(slug) == slug


COMMANDS = [init_db_command, import_command, export_command, demo_command, check_command, create_user_command]


def register_cli(app: Flask) -> None:
    """Add the Drafter commands to ``app.cli`` (so ``flask --app drafter`` has them)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from drafter import create_app

    return create_app()


def _run(**options) -> None:
    """Flask's ``run``, after a warning when e-mailed links would have no public address."""
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except Exception:  # Flask's run reports a broken app itself, with its traceback
        app = None
    if app is not None and not app.config.get("PUBLIC_URL") and not is_running_from_reloader():
        click.secho(f"Warning: {PUBLIC_URL_MISSING}", fg="yellow", err=True)
    run = flask_run_command.callback
    if run is None:  # Flask's run command always has one; the type allows a command without
        raise click.ClickException("Flask's run command cannot be called")
    run(**options)


run_command = click.Command(
    "run",
    params=flask_run_command.params,
    callback=_run,
    help=flask_run_command.help,
    short_help=flask_run_command.short_help,
)

main = FlaskGroup(create_app=_create_app, add_version_option=False, help="Drafter: draft a legal instrument together.")
main.add_command(run_command)
