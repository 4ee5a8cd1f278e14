"""Service refusals on a form page: the form again, with the message under its field.

Every other refusal goes up to the one handler in :mod:`drafter.errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_wtf import FlaskForm

from drafter.extensions import db
from drafter.services.errors import InvalidInput


@contextmanager
def refusals_on(form: FlaskForm, *, fallback: str | None = None, fields_only: bool = False) -> Iterator[None]:
    """Turn an :class:`~drafter.services.errors.InvalidInput` raised inside the block into a form error.

    The session is rolled back and the message is added to the errors of the
    field the refusal names (or, when it names none or a field the form does
    not have, to the field ``fallback`` or else to ``form.form_errors``); the
    view then shows the form again, typically with status 400 when
    ``form.errors`` is not empty. Other refusals pass through to the edge.

    Usage::

        if form.validate_on_submit():
            with refusals_on(form):
                service.change(...)
                db.session.commit()
                return redirect(...)
        return render_template(..., form=form), 400 if form.errors else 200

    :param form: the submitted form.
    :param fallback: the name of the field that shows refusals naming no field of the form, or ``None``.
    :param fields_only: pass an ``InvalidInput`` that names no field of ``form``
        (and no ``fallback``) on to the edge (the error page with its message)
        instead of adding it to ``form.form_errors``: for a page that shows no
        form-wide errors, or whose form concerns hidden inputs the visitor
        cannot correct.
    :raises drafter.services.errors.Refused: any refusal but ``InvalidInput``
        (and, with ``fields_only``, an ``InvalidInput`` naming no field of ``form``).
    """
    try:
        yield
    except InvalidInput as exc:
        field = form._fields.get(exc.field) if exc.field else None
        if field is None and fallback is not None:
            field = form._fields.get(fallback)
        if field is None and fields_only:
            raise
        db.session.rollback()
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
