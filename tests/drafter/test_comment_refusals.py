"""The comment use cases refuse with the refusal kinds (no HTTP status), each with its field where it has one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Comment, OrganisationType, Role
from drafter.services.comments import operations
from drafter.services.comments.operations import latest_draft_holding
from drafter.services.errors import Conflict, InvalidInput, NotPermitted, Refused
from tests.drafter.accounts_helpers import add_org, add_user
from tests.drafter.helpers import import_text, instrument_md


@pytest.fixture
def ctx(app):
    """An app context with an author, another delegate, the secretariat and one open comment of the author's."""
    with app.app_context():
        ngo = add_org("Migrant Forum in Asia", OrganisationType.NGO)
        secretariat_org = add_org("Task Force", OrganisationType.SECRETARIAT)
        author = add_user("author@example.org", organisation=ngo)
        other = add_user("other@example.org", organisation=ngo)
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT, organisation=secretariat_org)
        import_text(instrument_md(2), "refusals", public=False)
        clause = db.session.scalars(select(Clause).order_by(Clause.position)).first()
        comment = operations.post(
            author=author,
            clause=clause,
            version=clause.current_version,
            draft=latest_draft_holding(clause.current_version),
            body="First.",
        )
        db.session.commit()
        yield {"author": author, "other": other, "secretariat": secretariat, "clause": clause, "comment": comment}


def _refusal(call) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    db.session.rollback()
    assert not hasattr(caught.value, "status")
    return caught.value


def test_each_refusal_is_its_kind_with_its_field(ctx):
    author, other, secretariat = ctx["author"], ctx["other"], ctx["secretariat"]
    clause, comment = ctx["clause"], ctx["comment"]
    version = clause.current_version
    cases = [
        (
            lambda: operations.post(
                author=author, clause=clause, version=version, draft=latest_draft_holding(version), body=" "
            ),
            InvalidInput,
            "body",
        ),
        (
            lambda: operations.post(
                author=author,
                clause=clause,
                version=version,
                draft=latest_draft_holding(version),
                body="x",
                quote="no such words",
            ),
            InvalidInput,
            "quote",
        ),
        (lambda: operations.edit(comment, actor=other, body="Mine now."), NotPermitted, None),
        (lambda: operations.edit(comment, actor=author, body=""), InvalidInput, "body"),
        (lambda: operations.resolve(comment, actor=other), NotPermitted, None),
        (lambda: operations.hide(comment, actor=author, reason="Off topic."), NotPermitted, None),
        (lambda: operations.hide(comment, actor=secretariat, reason="  "), InvalidInput, "reason"),
    ]
    for call, kind, field in cases:
        refusal = _refusal(call)
        assert type(refusal) is kind and refusal.field == field, refusal.message
    assert db.session.scalar(select(Comment.id).where(Comment.id != comment.id)) is None


def test_a_state_that_no_longer_allows_it_is_a_conflict(ctx):
    author, secretariat, comment = ctx["author"], ctx["secretariat"], ctx["comment"]
    operations.resolve(comment, actor=author)
    db.session.commit()
    assert type(_refusal(lambda: operations.resolve(comment, actor=author))) is Conflict
    assert type(_refusal(lambda: operations.edit(comment, actor=author, body="Later."))) is Conflict
    operations.hide(comment, actor=secretariat, reason="Off topic.")
    db.session.commit()
    assert type(_refusal(lambda: operations.hide(comment, actor=secretariat, reason="Again."))) is Conflict
    assert type(_refusal(lambda: operations.reply(comment, author=author, body="Still there?"))) is Conflict
