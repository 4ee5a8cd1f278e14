"""Time accepting an amendment through the service, on a 10 KB clause and on the civil code, and print the figures.

Usage: ``python benchmarks/amendments.py [runs]`` (default 5). Uses a
throwaway SQLite database (or ``$DATABASE_URL``, whose tables are dropped
and made again). Set ``DRAFTER_CORPUS`` if the corpus is not in
``../shared/corpus``.

Two clauses, both from the 1.5 MB civil code
(``large/bgb_v1_2022-01-28_5710c0a6.md``):

* a 10 KB clause: an instrument of one article whose text is the first
  10,000 characters of the code's provisions, cut at a paragraph break
  (the same text as ``benchmarks/merge.py``);
* the largest provision of the whole code, imported as it is (every one of
  its clauses becomes a clause of the instrument).

For each, three timings of :func:`drafter.services.amendments.decisions.decide`
(accept), each the median of ``runs`` runs, measured from the call to the
flush of its last row (the commit is left out; each run is rolled back so
that every run starts from the same state, and the merge cache is emptied):

* *same base*: the amendment was written on the current text (no merge);
* *three-way*: the secretariat edited four other words of the clause after
  the amendment was written, so the accept merges base -> proposed onto
  base -> current, verifies the result and writes it;
* *conflict*: both replaced the same word differently; the accept stops
  with :class:`~drafter.services.amendments.decisions.AmendmentConflict` and writes nothing.

No assertion: the figures are for people to read.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from drafter import create_app  # noqa: E402
from drafter.extensions import db  # noqa: E402

CORPUS = Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))
CODE = "large/bgb_v1_2022-01-28_5710c0a6.md"


def _merge_benchmark():
    """The edit helpers of ``benchmarks/merge.py`` (the same edits, so the figures compare)."""
    spec = importlib.util.spec_from_file_location("merge_benchmark", ROOT / "benchmarks" / "merge.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_accept(clause_id: int, proposed: str, current: str | None, runs: int) -> tuple[float, str]:
    """Median ms of accepting an amendment on ``clause_id``, and what happened.

    :param proposed: the amendment's text, written on the clause's current text.
    :param current: the text the secretariat saves after the amendment was
        written (``None``: nothing, the amendment is on the current text).
    """
    from drafter.models import Clause, Role, User, VersionCause
    from drafter.services import versions
    from drafter.services.amendments import decisions, operations, queries

    secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
    delegate = db.session.scalar(select(User).where(User.role == Role.STAKEHOLDER))
    times, outcome = [], ""
    for _ in range(runs):
        clause = db.session.get(Clause, clause_id)
        amendment = operations.propose(
            clause,
            actor=delegate,
            kind="modify",
            base_version_id=clause.current_version_id,
            rationale="Benchmark.",
            text=proposed,
            submit=True,
        )
        if current is not None:
            base = clause.current_version
            versions.add_version(
                clause,
                number=base.number,
                heading=base.heading,
                text=current,
                cause=VersionCause.EDIT,
                actor=secretariat,
            )
        db.session.flush()
        queries.cached_merge.cache_clear()
        start = time.perf_counter()
        try:
            result = decisions.decide(amendment, actor=secretariat, outcome="accepted")
            db.session.flush()
            outcome = f"{result.state.value}, version {result.version.seq}" + (" (merged)" if result.merged else "")
        except decisions.AmendmentConflict as exc:
            outcome = f"conflict: {len(exc.merge.conflicts)} place(s)"
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(times), outcome


def main(argv: list[str]) -> None:
    """Import the texts, then print one line per clause and case."""
    runs = int(argv[1]) if len(argv) > 1 else 5
    bench = _merge_benchmark()
    from drafter.models import Clause, Instrument, OrganisationType, Role, UserState
    from drafter.services import accounts
    from drafter.services.imports import import_parsed
    from instrument.parse import parse_markdown

    source = (CORPUS / CODE).read_text(encoding="utf-8")
    clauses = parse_markdown(source, source_name=CODE).clauses
    joined = "\n\n".join(c.text for c in clauses if c.text)
    ten_kb = joined[: joined.rfind("\n\n", 0, 10_000)]

    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = accounts.create_organisation(
            accounts.NewOrganisation("Bench NGO", OrganisationType.NGO, "XX"), actor=None
        )
        sec = accounts.create_organisation(
            accounts.NewOrganisation("Bench secretariat", OrganisationType.SECRETARIAT, "XX"), actor=None
        )
        for email, role, organisation in (
            ("sec@bench.example", Role.SECRETARIAT, sec),
            ("ngo@bench.example", Role.STAKEHOLDER, org),
        ):
            accounts.create_user(
                email=email,
                name=email,
                password=accounts.generate_password(),
                organisation=organisation,
                role=role,
                actor=None,
                state=UserState.ACTIVE,
            )
        small = f"# Ten kilobytes\n\n## Article 1 — One long clause\n\n{ten_kb}\n"
        import_parsed(parse_markdown(small, source_name="10kb.md"), slug="ten-kb", actor=None)
        start = time.perf_counter()
        report = import_parsed(parse_markdown(source, source_name=CODE), slug="code", actor=None)
        db.session.commit()
        print(f"civil code imported: {len(report.added):,} clauses in {time.perf_counter() - start:,.1f} s")

        def clause_of(slug: str, largest: bool) -> Clause:
            rows = db.session.scalars(
                select(Clause).join(Instrument, Instrument.id == Clause.instrument_id).where(Instrument.slug == slug)
            ).all()
            return max(rows, key=lambda c: len(c.current_version.text)) if largest else rows[-1]

        targets = [
            ("10 KB clause", clause_of("ten-kb", False)),
            ("civil code, largest provision", clause_of("code", True)),
        ]
        print(f"{'clause':42s} {'chars':>8s} {'case':>10s} {'accept ms':>10s}  outcome")
        for label, clause in targets:
            text = clause.current_version.text
            label = f"{label} ({clause.key})"
            proposed, current = bench.sides(text, seed=len(text))
            first, second = bench.clashing(text)
            for case, amended, edited in (
                ("same base", proposed, None),
                ("three-way", proposed, current),
                ("conflict", first, second),
            ):
                ms, outcome = time_accept(clause.id, amended, edited, runs)
                print(f"{label:42s} {len(text):8,d} {case:>10s} {ms:10.1f}  {outcome}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
