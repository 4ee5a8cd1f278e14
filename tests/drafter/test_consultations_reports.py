"""The disposition register, the traceability matrix, response reports (HTML, CSV) and a draft's sources."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Consultation, Disposition, Input
from drafter.services import traceability
from drafter.services.consultations import operations as consultation_operations
from drafter.services.drafts import publish_draft
from tests.drafter.amendments_helpers import accept, clause, instrument_named, propose, user
from tests.drafter.consultations_helpers import record_workshop, secretariat_edit
from tests.drafter.helpers import in_db, signed_in, text_of


@pytest.fixture
def people(make_people):
    return make_people(slug="t", articles=3, public=True)


def add(
    people, title: str, orgs, *, consultation: str = "Regional workshop", clauses=(), disposition=None, reason=""
) -> int:
    """An input at ``consultation`` (recorded on first use) by ``orgs``, linked and answered as asked; flushed."""
    sec = user(people.secretariat)
    workshop = db.session.scalar(select(Consultation).where(Consultation.title == consultation))
    if workshop is None:
        workshop = record_workshop(instrument_named(), sec, title=consultation)
    item = consultation_operations.add_input(
        workshop,
        consultation_operations.InputData(kind="recommendation", title=title, organisation_ids=list(orgs)),
        actor=sec,
    )
    for key in clauses:
        consultation_operations.link_clause(item, clause(key), actor=sec)
    if disposition:
        consultation_operations.set_disposition(item, disposition, actor=sec, reason=reason)
    db.session.flush()
    return item.id


def scene(people) -> dict:
    """Inputs in every state, amendments decided every way, an edit citing an input."""
    sec = user(people.secretariat)
    ids = {
        "fees": add(people, '=HYPERLINK("http://evil.example","Fees")', [people.mfa_org], clauses=["Article 1"]),
        "scope": add(
            people, "Work plan", [people.asetuc_org], disposition="noted", reason="+1 for the work plan, not the text."
        ),
        "no": add(
            people,
            "Regional court",
            [people.asetuc_org, people.mmn_org],
            clauses=["Article 3"],
            disposition="not_reflected",
            reason="Not agreed.",
        ),
        "call": add(people, "Written input", [people.mfa_org], consultation="Written call"),
    }
    accepted = propose(people.mfa, "1. The Parties shall give effect to obligation number 1 at once.")
    consultation_operations.link_amendment(
        db.session.get(Input, ids["fees"]), db.session.get(Amendment, accepted), actor=sec
    )
    db.session.commit()
    accept(accepted, people.secretariat)
    consultation_operations.set_disposition(
        db.session.get(Input, ids["fees"]), "reflected", actor=user(people.secretariat)
    )
    rejected = propose(
        people.asetuc,
        "1. The Parties shall give effect to obligation number 2 slowly.",
        key="Article 2",
        sponsor_ids=[people.mfa_org],
    )
    accept(rejected, people.secretariat, outcome="rejected", reason="@SUM(A1:A9) would break the balance.")
    open_one = propose(people.mfa, "1. The Parties shall give effect to obligation number 3 fully.", key="Article 3")
    draft = propose(people.mfa, "1. Private draft.", key="Article 3", submit=False)
    edit = secretariat_edit(clause("Article 2"), user(people.secretariat), "good faith", "good faith, openly")
    consultation_operations.cite_in_version(db.session.get(Input, ids["call"]), edit, actor=user(people.secretariat))
    ids.update(accepted=accepted, rejected=rejected, open=open_one, draft=draft, edit=edit.id)
    return ids


# --- the register -----------------------------------------------------------------------------


def test_the_register_lists_inputs_and_decided_amendments_in_one_set_of_states(app, client, people):
    ids = in_db(app, scene, people)
    page = text_of(signed_in(app, people.asetuc, client).get("/i/t/register"))
    for words in (
        "Work plan",
        "Regional court",
        "Written input",
        f"Amendment {ids['accepted']}",
        f"Amendment {ids['rejected']}",
        f"Amendment {ids['open']}",
        "@SUM(A1:A9) would break the balance.",
    ):
        assert words in page
    assert f"Amendment {ids['draft']}<" not in page  # drafts are private to their organisation

    def entries(**filters):
        with app.app_context():
            page = traceability.register(instrument_named(), traceability.RegisterFilters(**filters))
            return [(e.input.title if e.input else e.amendment.id, e.disposition.value) for e in page.items]

    assert entries() == [
        ('=HYPERLINK("http://evil.example","Fees")', "reflected"),
        ("Work plan", "noted"),
        ("Regional court", "not_reflected"),
        ("Written input", "pending"),
        (ids["accepted"], "reflected"),
        (ids["rejected"], "not_reflected"),
        (ids["open"], "pending"),
    ]
    assert entries(disposition=Disposition.NOT_REFLECTED) == [
        ("Regional court", "not_reflected"),
        (ids["rejected"], "not_reflected"),
    ]
    assert [e for e, _ in entries(organisation_id=people.mfa_org)] == [
        '=HYPERLINK("http://evil.example","Fees")',
        "Written input",
        ids["accepted"],
        ids["rejected"],
        ids["open"],
    ]  # the rejected amendment is co-sponsored by MFA
    assert [e for e, _ in entries(what="amendments")] == [ids["accepted"], ids["rejected"], ids["open"]]
    assert [e for e, _ in entries(amendments_visible=False)] == [
        '=HYPERLINK("http://evil.example","Fees")',
        "Work plan",
        "Regional court",
        "Written input",
    ]
    with app.app_context():
        counts = traceability.register_counts(instrument_named(), traceability.RegisterFilters())
    assert counts[Disposition.PENDING] == 2 and counts[Disposition.NOT_REFLECTED] == 2
    assert counts[Disposition.REFLECTED] == 2 and counts[Disposition.NOTED] == 1


def test_anonymous_readers_see_inputs_but_no_amendments(app, client, people):
    ids = in_db(app, scene, people)
    page = text_of(client.get("/i/t/register"))
    assert (
        "Regional court" in page
        and f"Amendment {ids['rejected']}" not in page
        and "Sign in</a> to see the amendments" in page
    )


@pytest.mark.parametrize("query", ["disposition=maybe", "organisation=abc", "what=everything", "page=-1"])
def test_bad_filters_are_400(app, client, people, query):
    assert client.get(f"/i/t/register?{query}").status_code == 400


def test_the_register_is_paginated_and_its_queries_do_not_grow(app, client, people, count_queries):
    signed_in(app, people.mfa, client)
    figures = []
    for total in (5, 40):
        in_db(
            app,
            lambda total=total: [
                add(people, f"Input {k}", [people.mfa_org, people.asetuc_org], clauses=["Article 1"])
                for k in range(5 if figures else 0, total)
            ],
        )
        with count_queries() as counter:
            response = client.get("/i/t/register")
        figures.append(counter.count)
        assert response.status_code == 200
    assert figures[0] == figures[1], figures
    page = text_of(response)
    assert "Input 24" in page and "Input 25" not in page and "Page 1 of 2" in page
    assert "Input 25" in text_of(client.get("/i/t/register?page=2"))


# --- the matrix ---------------------------------------------------------------------------------


def test_the_matrix_shows_concerns_and_reflections_and_filters(app, client, people):
    ids = in_db(app, scene, people)
    with app.app_context():
        m = traceability.matrix(instrument_named())
        keys = [c.key for c in m.clauses]
        assert keys == ["Article 1", "Article 2", "Article 3"]
        by_key = {c.key: c.id for c in m.clauses}
        fees = m.cells[(ids["fees"], by_key["Article 1"])]
        assert fees.concerns and [v.seq for v in fees.versions] == [2]
        written = m.cells[(ids["call"], by_key["Article 2"])]
        assert not written.concerns and [v.id for v in written.versions] == [ids["edit"]]
        assert (ids["scope"], by_key["Article 1"]) not in m.cells
        only = traceability.matrix(
            instrument_named(), organisation_id=people.asetuc_org, disposition=Disposition.NOT_REFLECTED
        )
        assert [i.title for i in only.page.items] == ["Regional court"] and [c.key for c in only.clauses] == [
            "Article 3"
        ]
        call = db.session.scalar(select(Consultation).where(Consultation.title == "Written call"))
        assert [i.title for i in traceability.matrix(instrument_named(), consultation_id=call.id).page.items] == [
            "Written input"
        ]
    # Version 2 is not published yet: readers find no link to it; the secretariat does.
    page = text_of(client.get("/i/t/matrix"))
    assert "/i/t/c/article-1/provenance?version=2" not in page and "reflected in Article 1 version 2" not in page
    page = text_of(signed_in(app, people.secretariat).get("/i/t/matrix"))
    assert "/i/t/c/article-1/provenance?version=2" in page and "reflected in Article 1 version 2" in page
    in_db(app, lambda: publish_draft(instrument_named(), actor=None))
    page = text_of(client.get("/i/t/matrix"))
    assert "/i/t/c/article-1/provenance?version=2" in page and "reflected in Article 1 version 2" in page


def test_the_matrix_runs_the_same_queries_for_few_or_many_inputs(app, client, people, count_queries):
    figures = []
    for total in (3, 30):
        in_db(
            app,
            lambda total=total: [
                add(people, f"Input {k}", [people.mfa_org], clauses=[f"Article {1 + k % 3}"])
                for k in range(3 if figures else 0, total)
            ],
        )
        with count_queries() as counter:
            assert client.get("/i/t/matrix").status_code == 200
        figures.append(counter.count)
    assert figures[0] == figures[1], figures


# --- response reports ----------------------------------------------------------------------------


def test_an_organisations_report_lists_its_inputs_and_amendments_with_reasons(app, client, people):
    ids = in_db(app, scene, people)
    page = text_of(signed_in(app, people.mfa, client).get(f"/i/t/organisations/{people.asetuc_org}/report"))
    assert "Work plan" in page and "+1 for the work plan, not the text." in page
    assert "Regional court" in page and "with Mekong Migrant Network" in page and "Not agreed." in page
    assert f"Amendment {ids['rejected']}" in page and "@SUM(A1:A9) would break the balance." in page
    assert "Written input" not in page  # MFA's
    mfa = text_of(client.get(f"/i/t/organisations/{people.mfa_org}/report"))
    assert "Co-sponsored (proposed by ASETUC)" in mfa
    listing = text_of(client.get("/i/t/organisations/"))
    assert "ASETUC" in listing and f"/i/t/organisations/{people.asetuc_org}/report.csv" in listing


def test_the_csv_report_is_formula_safe(app, client, people):
    ids = in_db(app, scene, people)
    response = signed_in(app, people.mfa, client).get(f"/i/t/organisations/{people.mfa_org}/report.csv")
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == traceability.REPORT_HEADER
    by_title = {r[2]: r for r in rows[1:]}
    fees = by_title['\'=HYPERLINK("http://evil.example","Fees")']
    # Version 2 is in the working draft only: the report names it once it is published.
    assert fees[0] == "Input" and fees[7] == "Reflected" and fees[11] == ""
    in_db(app, lambda: publish_draft(instrument_named(), actor=None))
    body = client.get(f"/i/t/organisations/{people.mfa_org}/report.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body[1:])))
    fees = {r[2]: r for r in rows[1:]}['\'=HYPERLINK("http://evil.example","Fees")']
    assert fees[11] == "Article 1 version 2"
    rejected = next(r for r in rows if r[0] == "Amendment" and r[1] == str(ids["rejected"]))
    assert rejected[6] == "co-sponsored" and rejected[9] == "'@SUM(A1:A9) would break the balance."
    # No cell of the file starts with a character a spreadsheet would run.
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    asetuc = list(
        csv.reader(
            io.StringIO(client.get(f"/i/t/organisations/{people.asetuc_org}/report.csv").get_data(as_text=True)[1:])
        )
    )
    assert any(r[9] == "'+1 for the work plan, not the text." for r in asetuc)
    anonymous = list(
        csv.reader(
            io.StringIO(
                app.test_client().get(f"/i/t/organisations/{people.mfa_org}/report.csv").get_data(as_text=True)[1:]
            )
        )
    )
    assert {r[0] for r in anonymous[1:]} == {"Input"}


def test_the_word_report_has_the_same_rows_as_the_csv(app, client, people):
    from docx import Document

    in_db(app, scene, people)
    client = signed_in(app, people.mfa, client)
    response = client.get(f"/i/t/organisations/{people.mfa_org}/report.docx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.docx"')
    table = Document(io.BytesIO(response.data)).tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(f"/i/t/organisations/{people.mfa_org}/report.csv").get_data(as_text=True)[1:])
        )
    )
    assert cells[0] == traceability.REPORT_HEADER
    assert len(cells) == len(csv_rows)
    # The Word table keeps the text as written: no apostrophe in front of "=".
    assert any(c.startswith("=HYPERLINK") for row in cells for c in row)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("＝1", "'＝1"), ("plain", "plain"), (None, "")],
)
def test_csv_cells(value, cell):
    assert traceability.csv_cell(value) == cell


def test_unknown_organisation_is_404(app, client, people):
    assert client.get("/i/t/organisations/999999/report").status_code == 404


# --- sources of a draft ------------------------------------------------------------------------------


def test_a_drafts_sources_list_the_inputs_reflected_up_to_that_draft(app, client, people):
    in_db(app, scene, people)

    def publish():
        publish_draft(instrument_named(), actor=user(people.secretariat), title="After the workshop")
        db.session.commit()

    in_db(app, publish)
    second = text_of(client.get("/i/t/drafts/2/sources"))
    assert "Reflected in its text" in second and "/i/t/c/article-1/provenance?version=2" in second
    assert "Written input" in second and "Regional court" in second  # reflected in Article 2; concerns Article 3
    first = text_of(client.get("/i/t/drafts/1/sources"))
    assert "Reflected in its text" not in first  # Draft 1 predates both changes
    assert "Regional court" in first and "=HYPERLINK" in first  # they concern clauses of Draft 1
    assert client.get("/i/t/drafts/9/sources").status_code == 404


# --- every page stays cheap ------------------------------------------------------------------------


def _grow(people, start: int, end: int) -> None:
    """Inputs ``start``..``end`` - 1, each motivating an accepted amendment of Article 1; a hub input cites them all."""
    sec = user(people.secretariat)
    hub = db.session.scalar(select(Input).where(Input.title == "Hub"))
    if hub is None:
        hub = db.session.get(Input, add(people, "Hub", [people.mfa_org], clauses=["Article 1"]))
    for k in range(start, end):
        item = db.session.get(
            Input, add(people, f"Input {k}", [people.mfa_org, people.asetuc_org], clauses=[f"Article {1 + k % 3}"])
        )
        amendment_id = propose(
            people.mfa if k % 2 else people.asetuc,
            f"1. The Parties shall give effect to obligation number 1, step {k}.",
            sponsor_ids=[people.mmn_org],
        )
        amendment = db.session.get(Amendment, amendment_id)
        consultation_operations.link_amendment(item, amendment, actor=sec)
        consultation_operations.link_amendment(hub, amendment, actor=sec)
        db.session.commit()
        accept(amendment_id, people.secretariat)
        consultation_operations.set_disposition(
            db.session.get(Input, item.id), "reflected", actor=user(people.secretariat)
        )
        db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/i/t/inputs/{hub}/",
        "/i/t/register",
        "/i/t/register?what=amendments",
        "/i/t/matrix",
        "/i/t/consultations/",
        "/i/t/organisations/",
        "/i/t/organisations/{mfa}/report",
        "/i/t/organisations/{mfa}/report.csv",
        "/i/t/drafts/1/sources",
        "/i/t/c/article-1/provenance",
    ],
)
def test_pages_run_the_same_number_of_queries_at_two_sizes(app, client, people, count_queries, path):
    signed_in(app, people.secretariat, client)
    figures = []
    for start, end in ((0, 3), (3, 12)):
        in_db(app, _grow, people, start, end)
        hub = in_db(app, lambda: db.session.scalar(select(Input.id).where(Input.title == "Hub")))
        url = path.format(hub=hub, mfa=people.mfa_org)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        figures.append(counter.count)
    assert figures[0] == figures[1], (path, figures)
