"""Build the benchmark record in a database and stop: ``python benchmarks/record.py TARGET``.

The record is the one :mod:`benchmarks.run` measures (the demo, the
synthetic negotiation of :mod:`benchmarks.synthetic` and the imported civil
code), left in place so that other tools can be run on it, ``drafter check``
first of all (CI does so)::

    python benchmarks/record.py /tmp/record.sqlite3
    DATABASE_URL=sqlite:////tmp/record.sqlite3 drafter check

TARGET is a SQLite file (made afresh; an existing one is refused) or a
database URL; a PostgreSQL database that has tables is refused unless
``--wipe`` is given.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import run, synthetic  # noqa: E402
from drafter.extensions import db  # noqa: E402

#: The civil code in $DRAFTER_CORPUS (or ../shared/corpus), where the tests find the corpus.
CIVIL_CODE = Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus")) / "large" / run.CIVIL_CODE.name


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("target")
@click.option("--wipe", is_flag=True, help="Empty a PostgreSQL database even if it has tables.")
@click.option("--clauses", default=synthetic.Scale.clauses, show_default=True)
@click.option("--drafts", default=synthetic.Scale.drafts, show_default=True)
@click.option("--comments", default=synthetic.Scale.comments, show_default=True)
@click.option("--amendments", default=synthetic.Scale.amendments, show_default=True)
@click.option("--inputs", default=synthetic.Scale.inputs, show_default=True)
@click.option(
    "--civil-code",
    type=click.Path(path_type=Path),
    default=CIVIL_CODE,
    show_default=True,
    help="A large real text to import as well (left out when the file is absent).",
)
def main(
    target: str, wipe: bool, clauses: int, drafts: int, comments: int, amendments: int, inputs: int, civil_code: Path
) -> None:
    """Build the benchmark record in TARGET (a new SQLite file, or a database URL)."""
    from drafter.config import database_url

    if "://" in target:
        url = database_url(target)
    else:
        path = Path(target).resolve()
        if path.exists():
            raise click.ClickException(f"{path} exists; the record is built in a new file")
        url = f"sqlite:///{path}"
    scale = synthetic.Scale(clauses=clauses, drafts=drafts, comments=comments, amendments=amendments, inputs=inputs)
    app = run.make_app(url)
    run.prepare(app, wipe=wipe)
    run.populate(app, scale, civil_code)
    with app.app_context():
        db.engine.dispose()
    click.echo(f"Benchmark record ready in {target}")


if __name__ == "__main__":
    main()
