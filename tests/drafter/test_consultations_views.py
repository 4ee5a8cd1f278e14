"""Consultation pages: recording, written inputs, attachments, answers, links, withdrawing and deleting.

Requests and database checks run in separate app contexts (see
``tests/drafter/accounts_helpers.py``); ``in_db`` runs a builder in its own.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Consultation, Disposition, Input
from drafter.services.consultations import operations as consultation_operations
from drafter.services.consultations import queries as consultation_queries
from drafter.services.drafts import publish_draft
from tests.drafter.accounts_helpers import row_counts
from tests.drafter.amendments_helpers import accept, clause, instrument_named, propose, user
from tests.drafter.consultations_helpers import record_call, record_workshop, secretariat_edit
from tests.drafter.helpers import import_text, in_db, instrument_md, signed_in, text_of


@pytest.fixture
def people(make_people):
    return make_people(slug="t", articles=3, public=True)


def counts(app) -> dict:
    with app.app_context():
        return row_counts()


def make_call(app, people, open_days: int = 30) -> int:
    def build():
        call = record_call(instrument_named(), user(people.secretariat), open_days=open_days)
        return call.id

    return in_db(app, build)


def make_input(app, people, *, title="Fair recruitment", organisations=None) -> int:
    def build():
        workshop = db.session.scalar(select(Consultation).where(Consultation.title == "Regional workshop"))
        if workshop is None:
            workshop = record_workshop(instrument_named(), user(people.secretariat))
        item = consultation_operations.add_input(
            workshop,
            consultation_operations.InputData(
                kind="recommendation",
                title=title,
                summary="Employers pay.",
                organisation_ids=organisations or [people.mfa_org],
            ),
            actor=user(people.secretariat),
        )
        return item.id

    return in_db(app, build)


def uploads(app) -> list[Path]:
    folder = Path(app.config["INSTANCE_UPLOADS"])
    return sorted(folder.iterdir()) if folder.exists() else []


def docx_bytes(
    main_type: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
) -> bytes:
    """A minimal Word package (only the parts the check looks at)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- recording consultations -------------------------------------------------------------------


def test_secretariat_records_a_consultation_through_the_form(app, client, people):
    response = signed_in(app, people.secretariat, client).post(
        "/i/t/consultations/new",
        data={
            "title": "National consultation in Manila",
            "kind": "national_consultation",
            "starts_on": "2007-09-10",
            "ends_on": "2007-09-11",
            "place": "Manila",
            "organiser": str(people.mfa_org),
            "summary": "Two *days*.",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "National consultation in Manila" in page and "10–11 Sep 2007" in page and "Migrant Forum in Asia" in page
    assert "<em>days</em>" in page


def test_a_consultation_ending_before_it_starts_is_a_form_error(app, client, people):
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(
        "/i/t/consultations/new",
        data={"title": "Backwards", "kind": "regional_workshop", "starts_on": "2007-09-10", "ends_on": "2007-09-01"},
    )
    assert response.status_code == 400 and "The last day is before the first day." in text_of(response)
    assert counts(app) == before


def test_stakeholders_may_not_record_consultations(app, client, people):
    assert signed_in(app, people.mfa, client).get("/i/t/consultations/new").status_code == 403


# --- written inputs and attachments ---------------------------------------------------------------


def test_a_stakeholder_sends_a_written_input_with_a_pdf_and_only_signed_in_users_download_it(app, client, people):
    call = make_call(app, people)
    page = text_of(signed_in(app, people.mfa, client).get(f"/i/t/consultations/{call}/"))
    assert "Send a written input" in page
    response = client.post(
        f"/i/t/consultations/{call}/inputs/new",
        data={
            "kind": "submission",
            "title": "Our submission",
            "summary": "See the paper.",
            "organisations": [str(people.asetuc_org)],
            "attachment": (io.BytesIO(PDF), "../../etc/Our paper.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    item = in_db(app, lambda: db.session.scalar(select(Input).where(Input.title == "Our submission")))
    assert item.via_call and item.attachment_name == "Our paper.pdf" and item.attachment_size == len(PDF)
    [stored] = uploads(app)
    assert stored.name == item.attachment_key and stored.read_bytes() == PDF and "paper" not in stored.name
    organisations = in_db(app, lambda: [o.id for o in db.session.get(Input, item.id).organisations])
    assert organisations == [people.mfa_org]

    download = client.get(f"/i/t/inputs/{item.id}/attachment")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Our paper.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    assert "sandbox" in download.headers["Content-Security-Policy"]

    anonymous = app.test_client()
    refused = anonymous.get(f"/i/t/inputs/{item.id}/attachment")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    page = text_of(anonymous.get(f"/i/t/inputs/{item.id}/"))  # the instrument is public: the page is readable
    assert "Our submission" in page and "sign in</a> to download" in page
    assert f"/inputs/{item.id}/attachment" not in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "photo.pdf", "this file is none of them"),
        (PDF, "notes.docx", "name it with .pdf"),
        (docx_bytes("application/vnd.ms-word.document.macroEnabled.main+xml"), "macro.docx", "none of them"),
        (b"plain words\x00hidden", "notes.txt", "none of them"),
        (b"", "empty.txt", "The file is empty."),
        (b"x" * 2000, "big.txt", "larger than"),
    ],
)
def test_attachments_of_the_wrong_type_or_too_big_are_refused_and_nothing_is_kept(
    app, client, people, content, name, message
):
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    workshop_input = make_input(app, people)  # the consultation, so the form has somewhere to go
    consultation_id = in_db(app, lambda: db.session.get(Input, workshop_input).consultation_id)
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(
        f"/i/t/consultations/{consultation_id}/inputs/new",
        data={
            "kind": "submission",
            "title": "With a file",
            "organisations": [str(people.mfa_org)],
            "attachment": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert counts(app) == before
    assert uploads(app) == []


def test_an_input_refused_after_its_file_was_accepted_keeps_no_file(app, client, people):
    workshop_input = make_input(app, people)
    consultation_id = in_db(app, lambda: db.session.get(Input, workshop_input).consultation_id)
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(
        f"/i/t/consultations/{consultation_id}/inputs/new",
        data={"kind": "submission", "title": "No organisation", "attachment": (io.BytesIO(PDF), "paper.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Name the organisation or organisations that made this input." in text_of(response)
    assert counts(app) == before
    assert uploads(app) == []


@pytest.mark.parametrize(
    ("content", "name", "mimetype"),
    [
        (docx_bytes(), "brief.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Ngôn ngữ và quyền\r\nของแรงงาน\n".encode(), "notes.md", "text/plain"),
    ],
)
def test_word_documents_and_plain_text_are_accepted(app, client, people, content, name, mimetype):
    call = make_call(app, people)
    response = signed_in(app, people.mfa, client).post(
        f"/i/t/consultations/{call}/inputs/new",
        data={"kind": "submission", "title": "With a file", "attachment": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    item_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    download = client.get(f"/i/t/inputs/{item_id}/attachment")
    assert download.data == content and download.mimetype == mimetype


@pytest.mark.parametrize(
    ("content", "sent", "kept", "fallback"),
    [
        (PDF, "ข้อเสนอ.pdf", "ข้อเสนอ.pdf", "attachment.pdf"),
        ("សំណើ".encode(), "សំណើ.txt", "សំណើ.txt", "attachment.txt"),
        (docx_bytes(), "提案.docx", "提案.docx", "attachment.docx"),
        (PDF, "Đề xuất.pdf", "Đề xuất.pdf", "De xuat.pdf"),
        (PDF, "De\u0300 xua\u0302\u0301t.pdf", "Dè xuất.pdf", "De xuat.pdf"),  # decomposed (macOS) -> NFC
        (PDF, "/home/mfa/ការស្នើ \u202eflow.PDF", "ការស្នើ flow.PDF", "flow.PDF"),
    ],
)
def test_attachments_keep_their_names_in_any_script_and_download_under_them(
    app, client, people, content, sent, kept, fallback
):
    call = make_call(app, people)
    response = signed_in(app, people.mfa, client).post(
        f"/i/t/consultations/{call}/inputs/new",
        data={"kind": "submission", "title": "With a file", "attachment": (io.BytesIO(content), sent)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    item_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    item = in_db(app, lambda: db.session.get(Input, item_id))
    assert item.attachment_name == kept
    [stored] = uploads(app)
    assert stored.name == item.attachment_key and stored.name.isascii()
    assert stored.suffix == Path(kept).suffix.lower()

    download = client.get(f"/i/t/inputs/{item_id}/attachment")
    assert download.status_code == 200 and download.data == content
    disposition = download.headers["Content-Disposition"]
    assert disposition.isascii()
    kind, *pairs = [part.strip() for part in disposition.split(";")]
    params = {key: value.strip('"') for key, _, value in (pair.partition("=") for pair in pairs)}
    assert kind == "attachment" and params["filename"] == fallback
    charset, _, encoded = params["filename*"].partition("''")
    assert charset == "UTF-8" and unquote(encoded) == kept


def test_written_inputs_only_while_the_call_is_open_and_never_to_events(app, client, people):
    closed = make_call(app, people, open_days=-1)
    signed_in(app, people.mfa, client)
    assert client.get(f"/i/t/consultations/{closed}/inputs/new").status_code == 403
    before = counts(app)
    assert (
        client.post(f"/i/t/consultations/{closed}/inputs/new", data={"kind": "submission", "title": "Late"}).status_code
        == 403
    )
    workshop = in_db(app, lambda: db.session.get(Input, make_input(app, people)).consultation_id)
    before = counts(app)
    assert (
        client.post(f"/i/t/consultations/{workshop}/inputs/new", data={"kind": "submission", "title": "No"}).status_code
        == 403
    )
    assert counts(app) == before
    assert "Send a written input" not in text_of(client.get(f"/i/t/consultations/{closed}/"))


# --- answers, links, withdrawing, deleting -------------------------------------------------------


def test_not_reflected_without_a_reason_is_a_form_error_and_nothing_changes(app, client, people):
    item = make_input(app, people)
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(
        f"/i/t/inputs/{item}/disposition", data={"disposition": "not_reflected", "reason": " "}
    )
    assert response.status_code == 400 and "Explain why the input is not reflected" in text_of(response)
    assert counts(app) == before
    assert in_db(app, lambda: db.session.get(Input, item).disposition) is Disposition.PENDING
    response = client.post(
        f"/i/t/inputs/{item}/disposition", data={"disposition": "not_reflected", "reason": "No agreement."}
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/i/t/inputs/{item}/"))
    assert "Not reflected" in page and "No agreement." in page


def test_reflected_without_evidence_is_a_form_error(app, client, people):
    item = make_input(app, people)
    response = signed_in(app, people.secretariat, client).post(
        f"/i/t/inputs/{item}/disposition", data={"disposition": "reflected"}
    )
    assert response.status_code == 400 and "No version of the text cites this input yet" in text_of(response)


def test_linking_a_clause_of_another_instrument_through_the_page_is_refused(app, client, people):
    in_db(app, import_text, instrument_md(2), "other")
    item = make_input(app, people)
    foreign = in_db(app, lambda: clause("Article 1", slug="other").id)
    before = counts(app)
    signed_in(app, people.secretariat, client)
    for value in (str(foreign), "article-1-of-nowhere"):
        response = client.post(f"/i/t/inputs/{item}/links", data={"target": "clause", "op": "add", "value": value})
        assert response.status_code == 400
    assert "That clause belongs to another instrument." in text_of(
        client.post(f"/i/t/inputs/{item}/links", data={"target": "clause", "op": "add", "value": str(foreign)})
    )
    assert counts(app) == before
    ok = client.post(f"/i/t/inputs/{item}/links", data={"target": "clause", "op": "add", "value": "article-2"})
    assert ok.status_code == 302
    assert in_db(app, lambda: [c.key for c in db.session.get(Input, item).clauses]) == ["Article 2"]


def test_the_fate_page_shows_the_versions_an_input_shaped_with_redline_links(app, client, people):
    item = make_input(app, people)
    amendment_id = in_db(app, propose, people.mfa, "1. The Parties shall give effect to obligation number 1 at once.")

    def link_and_accept():
        consultation_operations.link_amendment(
            db.session.get(Input, item), db.session.get(Amendment, amendment_id), actor=user(people.secretariat)
        )
        db.session.commit()
        accept(amendment_id, people.secretariat)

    in_db(app, link_and_accept)
    signed_in(app, people.asetuc, client)
    # Until the next draft is published, version 2 is the secretariat's alone.
    assert "version 2" not in text_of(client.get(f"/i/t/inputs/{item}/"))
    in_db(app, lambda: publish_draft(instrument_named(), actor=None))
    page = text_of(client.get(f"/i/t/inputs/{item}/"))
    assert "Article 1, version 2: where its words are" in page
    assert "/i/t/c/article-1/provenance?version=2" in page
    assert "/i/t/c/article-1/compare/?from=1&amp;to=2" in page
    assert f"/i/t/amendments/{amendment_id}/" in page
    anonymous = text_of(app.test_client().get(f"/i/t/inputs/{item}/"))
    assert "sign in</a> to see amendments" in anonymous and f"/i/t/amendments/{amendment_id}/" not in anonymous


def test_deleting_a_cited_input_is_409_and_nothing_is_lost(app, client, people):
    item = make_input(app, people)

    def cite():
        edit = secretariat_edit(clause("Article 2"), user(people.secretariat), "good faith", "good faith, openly")
        consultation_operations.cite_in_version(db.session.get(Input, item), edit, actor=user(people.secretariat))
        db.session.commit()

    in_db(app, cite)
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(f"/i/t/inputs/{item}/delete")
    assert response.status_code == 409 and "Withdraw it instead" in text_of(response)
    assert counts(app) == before
    # An uncited, pending one goes, its file with it.
    fresh = make_input(app, people, title="Recorded twice")
    assert client.post(f"/i/t/inputs/{fresh}/delete").status_code == 302
    assert in_db(app, lambda: db.session.get(Input, fresh)) is None


def test_withdrawing_is_for_the_organisation_that_made_the_input(app, client, people):
    item = make_input(app, people)
    assert signed_in(app, people.asetuc, client).post(f"/i/t/inputs/{item}/withdraw").status_code == 403
    other = app.test_client()
    response = signed_in(app, people.mfa_colleague, other).post(
        f"/i/t/inputs/{item}/withdraw", data={"reason": "Merged."}
    )
    assert response.status_code == 302
    assert in_db(app, lambda: db.session.get(Input, item).disposition) is Disposition.WITHDRAWN


def test_proposers_choose_the_inputs_their_amendment_cites(app, client, people):
    item = make_input(app, people)
    amendment_id = in_db(app, propose, people.mfa, "1. The Parties shall act at once.")
    page = text_of(signed_in(app, people.mfa, client).get(f"/i/t/amendments/{amendment_id}/inputs"))
    assert "Fair recruitment" in page and 'type="checkbox"' in page
    assert client.post(f"/i/t/amendments/{amendment_id}/inputs", data={"inputs": [str(item)]}).status_code == 302
    assert in_db(
        app, lambda: [i.id for i in consultation_queries.inputs_cited_by(db.session.get(Amendment, amendment_id))]
    ) == [item]
    stranger = signed_in(app, people.asetuc, app.test_client())
    assert "Fair recruitment" in text_of(stranger.get(f"/i/t/amendments/{amendment_id}/inputs"))
    assert stranger.post(f"/i/t/amendments/{amendment_id}/inputs", data={"inputs": []}).status_code == 403


def test_unciting_the_last_evidence_on_the_amendment_page_is_an_error_under_the_inputs(app, client, people):
    item = make_input(app, people)
    amendment_id = in_db(app, propose, people.mfa, "1. The Parties shall act at once, openly.")

    def link_accept_and_answer():
        consultation_operations.link_amendment(
            db.session.get(Input, item), db.session.get(Amendment, amendment_id), actor=user(people.secretariat)
        )
        db.session.commit()
        accept(amendment_id, people.secretariat)
        consultation_operations.set_disposition(
            db.session.get(Input, item), "reflected", actor=user(people.secretariat)
        )
        db.session.commit()

    in_db(app, link_accept_and_answer)
    before = counts(app)
    response = signed_in(app, people.secretariat, client).post(f"/i/t/amendments/{amendment_id}/inputs", data={})
    assert response.status_code == 400
    assert "Change the disposition first." in text_of(response)
    assert counts(app) == before


# --- pages stay cheap -------------------------------------------------------------------------------


def _many_inputs(app, people, n: int) -> int:
    def build():
        workshop = record_workshop(instrument_named(), user(people.secretariat), title=f"Workshop with {n}")
        for k in range(n):
            item = consultation_operations.add_input(
                workshop,
                consultation_operations.InputData(
                    kind="recommendation", title=f"Input {k}", organisation_ids=[people.mfa_org, people.asetuc_org]
                ),
                actor=user(people.secretariat),
            )
            consultation_operations.link_clause(item, clause(f"Article {1 + k % 3}"), actor=user(people.secretariat))
        db.session.commit()
        return workshop.id

    return in_db(app, build)


def test_the_consultation_page_runs_the_same_queries_for_3_or_30_inputs(app, client, people, count_queries):
    signed_in(app, people.mfa, client)
    figures = []
    for n in (3, 30):
        consultation_id = _many_inputs(app, people, n)
        with count_queries() as counter:
            response = client.get(f"/i/t/consultations/{consultation_id}/")
        assert response.status_code == 200 and f"Input {n - 1}" in text_of(response)
        figures.append(counter.count)
    assert figures[0] == figures[1], figures
