"""The secretariat's pages of a draft's life: its consultation periods, declaring the final text,
and the instrument's settings (time zone, public or private)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from drafter import policies
from drafter.extensions import db
from drafter.forms.drafts import FinalForm, PeriodsForm, SettingsForm
from drafter.models import Instrument
from drafter.services import drafts as draft_service
from drafter.services import visibility
from drafter.services.amendments import queries as amendment_queries
from drafter.services.errors import Conflict
from drafter.services.timezones import zone_label, zone_of
from drafter.views.loaders import get_draft_or_404, get_instrument_or_404
from drafter.views.refusals import refusals_on

bp = Blueprint("drafts", __name__)


def managed_instrument(slug: str) -> Instrument:
    """The instrument ``slug``, for the secretariat only.

    :raises NotFound: (404) for an unknown instrument.
    :raises Forbidden: (403) for anyone who may not manage it.
    """
    instrument = get_instrument_or_404(slug)
    if not policies.can_manage(current_user, instrument):
        abort(403, "Only the secretariat manages drafts and settings.")
    return instrument


@bp.route("/i/<slug>/drafts/<int:number>/phases", methods=["GET", "POST"])
def phases(slug: str, number: int):
    """The secretariat changes the comment and amendment periods of a published draft.

    :raises Conflict: (409) for a final draft, whose periods never change.
    """
    instrument = managed_instrument(slug)
    draft = get_draft_or_404(instrument, number)
    if draft.is_final:
        raise Conflict(
            f"Draft {draft.number} is the final text: its periods no longer change.",
            next_step="The final text can be read, compared and downloaded.",
        )
    zone = zone_of(instrument)
    form = PeriodsForm()
    if form.validate_on_submit():
        with refusals_on(form):
            changed = draft_service.change_periods(draft, form.periods(zone), actor=current_user._get_current_object())
            db.session.commit()
            flash(
                f"The periods of Draft {number} are changed." if changed else "Nothing changed.",
                "success",
            )
            return redirect(url_for("instruments.draft", slug=slug, number=number))
    elif not form.is_submitted():
        form.fill_from(draft, zone)
    history = draft_service.period_changes(instrument, [draft]).get(draft.id, [])
    return render_template(
        "drafts/phases.html",
        instrument=instrument,
        draft=draft,
        form=form,
        zone_label=zone_label(instrument),
        history=history,
    ), 400 if form.errors else 200


@bp.route("/i/<slug>/drafts/<int:number>/final", methods=["GET", "POST"])
def final(slug: str, number: int):
    """The secretariat declares a draft the final, adopted text, after confirming.

    :raises Conflict: (409) when the instrument already has a final text or a later draft exists.
    """
    instrument = managed_instrument(slug)
    draft = get_draft_or_404(instrument, number)
    form = FinalForm()
    if form.validate_on_submit():
        draft_service.declare_final(draft, actor=current_user._get_current_object())
        db.session.commit()
        flash(f"Draft {number} is the final text.", "success")
        return redirect(url_for("instruments.draft", slug=slug, number=number))
    latest = visibility.latest_draft(instrument)
    return render_template(
        "drafts/final.html",
        instrument=instrument,
        draft=draft,
        form=form,
        latest=latest,
        # What adoption leaves behind for good: working-draft changes never published, open amendments.
        unpublished=draft_service.unpublished_changes(instrument, draft),
        open_amendments=amendment_queries.state_counts(instrument),
        final=draft_service.final_draft(instrument),
    ), 400 if form.errors else 200


@bp.route("/i/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    """The secretariat sets the instrument's time zone and whether it is public."""
    instrument = managed_instrument(slug)
    form = SettingsForm(obj=instrument)
    if form.validate_on_submit():
        with refusals_on(form):
            changed = draft_service.change_settings(
                instrument,
                time_zone=form.time_zone.data,
                is_public=form.is_public.data,
                actor=current_user._get_current_object(),
            )
            db.session.commit()
            flash("The settings are saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("drafts.settings", slug=slug))
    return render_template("drafts/settings.html", instrument=instrument, form=form), 400 if form.errors else 200
