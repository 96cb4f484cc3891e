"""Hantera planen: the strateg's and the direktör's page for a plan as a whole (its facts, archiving, deleting a
draft). The operations are in manage.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.access import require_editor
from tracker.agreements.choosing import agreement_choices
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import Conflict, posted_version
from tracker.plans import manage
from tracker.plans.models import Plan
from tracker.plans.views import load_plan

bp = Blueprint("manage", __name__)



@bp.before_request
@login_required
def _require_login():
    """Managing a plan is the strateg's and the direktör's; each route says so."""


def _load(key: str):
    plan = load_plan(key)
    require_editor("hantera planer")
    return plan


def _reloaded(plan_id: int):
    """The plan as stored now, after a refused write; 409 when someone deleted it meanwhile."""
    stored = db.session.get(Plan, plan_id, populate_existing=True)
    if stored is None:
        abort(409, manage.GONE)
    return stored


def _page(plan, *, values=None, errors=None, message=None, status=200):
    values = values or {"title": plan.title, "agreement": plan.agreement_id, "year": plan.year}
    return render_template("plans/manage.html", plan=plan, values=values, errors=errors or {}, message=message,
                           agreements=agreement_choices(), refusal=manage.deletion_refusal(plan)), status


@bp.get("/planer/<key>/hantera")
def show(key: str):
    return _page(_load(key))


@bp.post("/planer/<key>/hantera")
def update(key: str):
    plan = _load(key)
    plan_id = plan.id
    form = {name: request.form.get(name, "") for name in ("title", "agreement", "year")}
    try:
        manage.update_facts(plan, **form, expected_version=posted_version(request.form))
    except ValidationError as error:
        db.session.rollback()
        return _page(plan, values=form, errors=error.errors, status=400)
    except Conflict as conflict:
        db.session.rollback()
        return _page(_reloaded(plan_id), values=form, message=str(conflict), status=409)
    db.session.commit()
    flash("Planens uppgifter är sparade.", "info")
    return redirect(url_for("manage.show", key=plan.key))


def _set_archived(key: str, archived: bool):
    plan = _load(key)
    plan_id = plan.id
    try:
        manage.set_archived(plan, archived, expected_version=posted_version(request.form))
    except (ValidationError, Conflict) as refused:
        db.session.rollback()
        plan = _reloaded(plan_id)
        message = next(iter(refused.errors.values())) if isinstance(refused, ValidationError) else str(refused)
        return _page(plan, message=message, status=409)
    db.session.commit()
    flash(f"Planen är {'arkiverad: den syns inte längre i listorna men finns kvar' if archived else 'framtagen ur arkivet'}.",
          "info")
    return redirect(url_for("manage.show", key=plan.key))


@bp.post("/planer/<key>/arkivera")
def archive(key: str):
    return _set_archived(key, True)


@bp.post("/planer/<key>/ta-fram")
def unarchive(key: str):
    return _set_archived(key, False)


def _delete_page(plan, *, message=None, error=None, status=200):
    return render_template("plans/delete.html", plan=plan, refusal=manage.deletion_refusal(plan),
                           held=manage.contents(plan), message=message, error=error), status


@bp.get("/planer/<key>/ta-bort")
def confirm_delete(key: str):
    return _delete_page(_load(key))


@bp.post("/planer/<key>/ta-bort")
def delete(key: str):
    plan = _load(key)
    if not request.form.get("confirm"):
        return _delete_page(plan, error="Kryssa i rutan för att bekräfta att planen ska tas bort.", status=400)
    title = plan.title
    try:
        manage.delete_plan(plan)
    except ValidationError as error:
        db.session.rollback()
        return _delete_page(plan, message=error.errors["plan"], status=409)
    except Conflict as conflict:  # deleted by someone else a moment ago
        db.session.rollback()
        abort(409, str(conflict))
    db.session.commit()
    flash(f"Planen {title} är borttagen. Borttagningen finns i historiken.", "info")
    return redirect(url_for("plans.index"))
