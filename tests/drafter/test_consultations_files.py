"""An input's attached file lives exactly as long as its row: stored with it, gone with it, kept if either fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Input, Instrument
from drafter.services import attachments
from drafter.services.consultations import operations as consultation_operations
from drafter.services.errors import Conflict, InvalidInput
from tests.drafter.accounts_helpers import row_counts
from tests.drafter.amendments_helpers import add_instrument, add_people, user
from tests.drafter.consultations_helpers import record_workshop

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(app_ctx):
    found = add_people()
    add_instrument("t", articles=3)
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def workshop(people):
    found = record_workshop(
        db.session.scalar(select(Instrument).where(Instrument.slug == "t")), user(people.secretariat)
    )
    db.session.commit()
    return found


def add_with_file(people, consultation, folder: Path, *, organisation_ids=None, content: bytes = PDF) -> Input:
    return consultation_operations.add_input(
        consultation,
        consultation_operations.InputData(
            kind="submission",
            title="With a file",
            organisation_ids=[people.mfa_org] if organisation_ids is None else organisation_ids,
        ),
        actor=user(people.secretariat),
        upload=attachments.Upload(io.BytesIO(content), "paper.pdf", folder),
    )


def test_a_committed_input_keeps_its_file(people, folder):
    item = add_with_file(people, workshop(people), folder)
    db.session.commit()
    [stored] = stored_files(folder)
    assert stored.name == item.attachment_key and stored.read_bytes() == PDF


def test_an_input_rolled_back_after_its_file_was_stored_leaves_no_file_and_no_row(people, folder):
    consultation = workshop(people)
    before = row_counts()
    add_with_file(people, consultation, folder)
    assert len(stored_files(folder)) == 1  # stored with the row, before the commit
    db.session.rollback()  # as the edge does for any failure after the flush
    assert stored_files(folder) == []
    assert row_counts() == before


def test_a_file_stored_inside_a_released_savepoint_goes_when_the_outer_transaction_fails(people, folder):
    consultation = workshop(people)
    with db.session.begin_nested():
        add_with_file(people, consultation, folder)
    assert len(stored_files(folder)) == 1
    db.session.rollback()
    assert stored_files(folder) == []


@pytest.mark.parametrize(
    ("organisation_ids", "content", "field"),
    [([], PDF, "organisations"), ([999_999], PDF, "organisations"), (None, b"", "attachment")],
)
def test_a_refused_input_stores_no_file_and_writes_nothing(people, folder, organisation_ids, content, field):
    consultation = workshop(people)
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        add_with_file(people, consultation, folder, organisation_ids=organisation_ids, content=content)
    assert refused.value.field == field
    db.session.rollback()
    assert stored_files(folder) == []
    assert row_counts() == before


def test_a_deleted_inputs_file_goes_once_the_deletion_is_committed(people, folder):
    item = add_with_file(people, workshop(people), folder)
    db.session.commit()
    [stored] = stored_files(folder)
    consultation_operations.delete_input(item, actor=user(people.secretariat), folder=folder)
    assert stored.exists()  # not yet committed
    db.session.commit()
    assert stored_files(folder) == []


def test_a_deletion_rolled_back_keeps_the_file(people, folder):
    item = add_with_file(people, workshop(people), folder)
    db.session.commit()
    [stored] = stored_files(folder)
    consultation_operations.delete_input(item, actor=user(people.secretariat), folder=folder)
    db.session.rollback()
    assert stored.exists()


def test_an_input_that_may_not_be_deleted_keeps_its_file(people, folder):
    item = add_with_file(people, workshop(people), folder)
    consultation_operations.set_disposition(item, "noted", actor=user(people.secretariat), reason="Outside the scope.")
    db.session.commit()
    [stored] = stored_files(folder)
    with pytest.raises(Conflict):
        consultation_operations.delete_input(item, actor=user(people.secretariat), folder=folder)
    db.session.rollback()
    assert stored.exists()
