"""The ``drafter`` command group (also ``flask --app drafter ...``)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from drafter.cli_users import create_user_command
from drafter.extensions import db
from drafter.models import Draft, Instrument
from instrument.errors import InstrumentError, ParseError
from instrument.matching import clause_uid

def migrations_dir() -> str:
    """Path of the Alembic migrations folder (at the repository root)."""
    return str(Path(__file__).resolve().parent.parent / "migrations")


def upgrade_schema() -> None:
    """Create or upgrade the database schema to the newest migration (idempotent)."""
    from flask_migrate import upgrade

    upgrade(directory=migrations_dir())


def slug_for(path: Path) -> str:
    """Derive an instrument slug from a file name ("gg_v3_2022-01-28.md" -> "gg-v3-2022-01-28")."""
    return clause_uid(path.stem)[:80]


def import_file(path: Path, *, slug: str | None, title: str | None, is_public: bool | None = None):
    """Parse ``path`` and store it (see :func:`drafter.services.imports.import_parsed`); commit once.

    :returns: the :class:`~drafter.services.imports.ImportReport`.
    :raises ParseError: for unreadable input; nothing is written.
    """
    from drafter.services.imports import import_parsed
    from instrument.parse import decode_source, parse_markdown

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc
    parsed = parse_markdown(decode_source(data, str(path)), source_name=str(path))
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
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--instrument", "slug", help="Slug of the instrument; an existing one gets the text as its next draft.")
@click.option("--title", help="Title of the instrument (default: from the file).")
@with_appcontext
def import_command(path: Path, slug: str | None, title: str | None) -> None:
    """Import a Markdown legal text as a new instrument or as the next draft of one."""
    if slug is not None and not _valid_slug(slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens (at most 80)", param_hint="--instrument")
    try:
        report = import_file(path, slug=slug, title=title)
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())


@click.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "redline-md", "redline-html"]),
    default="md",
    show_default=True,
    help="md/html: a clean draft; redline-md/redline-html: the changes from --against to --draft.",
)
@click.option("--draft", "number", type=int, help="Draft number (default: the current text).")
@click.option("--against", "against", type=int, help="For redlines: the older draft to compare with.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default: standard output).")
@with_appcontext
def export_command(slug: str, fmt: str, number: int | None, against: int | None, output: Path | None) -> None:
    """Export a clean draft of an instrument, or a redline between two drafts."""
    from drafter.services.exports import export_clean, export_redline

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
    if fmt.startswith("redline-"):
        if against is None:
            raise click.UsageError("a redline needs --against N, the older draft")
        result = export_redline(instrument, draft_number(against), draft, fmt.removeprefix("redline-"))
    else:
        if against is not None:
            raise click.UsageError("--against is only for the redline formats")
        result = export_clean(instrument, draft, fmt)
    if output is None:
        sys.stdout.write(result.content)
    else:
        output.write_text(result.content, encoding="utf-8")
        click.echo(f"Wrote {output} ({len(result.content.encode('utf-8')):,} bytes)", err=True)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the database if needed and load the demo instrument (idempotent)."""
    from drafter.demo import load_demo

    upgrade_schema()
    for line in load_demo():
        click.echo(line)


def _valid_slug(slug: str) -> bool:
    return 0 < len(slug) <= 80 and clause_uid(slug) == slug


COMMANDS = [init_db_command, import_command, export_command, demo_command, create_user_command]


def register_cli(app: Flask) -> None:
    """Add the Drafter commands to ``app.cli`` (so ``flask --app drafter`` has them)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from drafter import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_version_option=False, help="Drafter: draft a legal instrument together.")
