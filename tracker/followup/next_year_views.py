"""Ny plan från föregående år, on the web: the form with the new plan's key and title, and its creation
(next_year.py)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.access import require_editor
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import next_year
from tracker.locking import Conflict
from tracker.plans.views import load_plan

bp = Blueprint("next_year", __name__)



@bp.before_request
@login_required
def _require_login():
    """Making next year's plan is the strateg's and the direktör's."""


def _page(source, values, errors=None, status=200):
    return render_template("followup/next_year.html", source=source, plan=source, values=values,
                           errors=errors or {}, existing=next_year.plan_of_next_year(source)), status


@bp.get("/planer/<key>/nytt-ar")
def form(key: str):
    source = load_plan(key)
    require_editor("göra nästa års plan")
    return _page(source, next_year.next_year_facts(source))


@bp.post("/planer/<key>/nytt-ar")
def create(key: str):
    source = load_plan(key)
    require_editor("göra nästa års plan")
    values = {name: request.form.get(name, "") for name in ("key", "title")}
    try:
        plan = next_year.make_next_year(source, **values)
    except ValidationError as error:
        db.session.rollback()
        return _page(source, values, error.errors, 400)
    except Conflict as conflict:  # the source deleted a moment ago
        db.session.rollback()
        abort(409, str(conflict))
    db.session.commit()
    flash(f"Planen {plan.title} är skapad av {source.title}. Statusarna börjar som Ej påbörjad.", "info")
    return redirect(url_for("plans.show", key=plan.key))
