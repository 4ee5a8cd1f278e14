"""One way to refuse: each kind of service refusal gets its answer at the edge, and nothing is kept."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from drafter import permissions
from drafter.extensions import db
from drafter.models import Organisation, OrganisationType
from drafter.permissions import Audience
from drafter.services.errors import Conflict, InvalidInput, NotFound, NotPermitted, Refused
from drafter.views.refusals import refusals_on


class _Form(FlaskForm):
    name = StringField()


@pytest.fixture
def raising(app, monkeypatch):
    """``app`` with a route that writes a row, then raises the refusal named in the path."""
    rules = {**permissions.RULES, "refuse": {"POST": Audience.EVERYONE}, "form_page": {"POST": Audience.EVERYONE}}
    monkeypatch.setattr(permissions, "RULES", rules)
    kinds = {"not-found": NotFound, "not-permitted": NotPermitted, "conflict": Conflict, "invalid": InvalidInput}

    @app.post("/_refuse/<kind>")
    def refuse(kind: str):
        db.session.add(Organisation(name=f"Written before the refusal ({kind})", type=OrganisationType.NGO))
        db.session.flush()
        raise kinds[kind]("The reason, in words.", next_step="What to do now.")

    @app.post("/_form")
    def form_page():
        form = _Form()
        with refusals_on(form):
            db.session.add(Organisation(name="Written before the form refusal", type=OrganisationType.NGO))
            db.session.flush()
            raise InvalidInput("That name is taken.", field="name")
        with refusals_on(form):
            raise InvalidInput("Something about the whole form.")
        return {"name": form.name.errors, "form": form.form_errors}, 400 if form.errors else 200

    return app


@pytest.mark.parametrize(
    ("kind", "status"), [("not-found", 404), ("not-permitted", 403), ("conflict", 409), ("invalid", 400)]
)
def test_each_kind_of_refusal_has_its_answer_and_keeps_nothing(raising, kind, status):
    response = raising.test_client().post(f"/_refuse/{kind}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "The reason, in words." in page and "What to do now." in page
    with raising.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.name.like("Written before%"))) is None


def test_a_refusal_on_a_form_becomes_an_error_under_its_field(raising):
    response = raising.test_client().post("/_form", data={"name": "MFA"})
    assert response.status_code == 400
    assert response.get_json() == {"name": ["That name is taken."], "form": ["Something about the whole form."]}
    with raising.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.name.like("Written before%"))) is None


def test_every_kind_is_a_refusal_with_no_http_status():
    for kind in (NotFound, NotPermitted, Conflict, InvalidInput):
        exc = kind("message", field="f")
        assert isinstance(exc, Refused) and not hasattr(exc, "status")
        assert (exc.message, exc.field) == ("message", "f")


def test_with_fields_only_a_refusal_naming_no_field_of_the_form_goes_to_the_edge(app, monkeypatch):
    # A page that shows no form-wide errors must not swallow the message: it gets the error page instead.
    rules = {**permissions.RULES, "fields_only": {"POST": Audience.EVERYONE}}
    monkeypatch.setattr(permissions, "RULES", rules)

    @app.post("/_fields_only/<field>")
    def fields_only(field: str):
        form = _Form()
        with refusals_on(form, fields_only=True):
            db.session.add(Organisation(name="Written before the refusal (fields only)", type=OrganisationType.NGO))
            db.session.flush()
            raise InvalidInput("Not about what was typed.", field=None if field == "none" else field)
        return {"name": form.name.errors, "form": form.form_errors}, 400 if form.errors else 200

    client = app.test_client()
    on_field = client.post("/_fields_only/name", data={"name": "MFA"})
    assert on_field.status_code == 400
    assert on_field.get_json() == {"name": ["Not about what was typed."], "form": []}
    for elsewhere in ("none", "version_id"):
        response = client.post(f"/_fields_only/{elsewhere}", data={"name": "MFA"})
        assert response.status_code == 400 and response.is_json is False
        assert "Not about what was typed." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.name.like("Written before%"))) is None
