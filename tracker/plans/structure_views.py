"""The views of structure.py: the strateg's editor of areas, framgångsfaktorer and åtgärder, in place on the
plan page.

Forms come as fragments for htmx and as pages of their own without JavaScript. A form with
errors comes back in place (400), keeping what was typed; after a change the plan body is
rendered again in edit mode (htmx retargets #plan-body), or the browser is redirected to it.
"""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.exceptions import Conflict as HTTPConflict

from tracker.access import require_editor
from tracker.agreements.choosing import agreement_choices
from tracker.users.services import list_divisions
from tracker.clock import today
from tracker.display import counted
from tracker.error_pages import http_error
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.services import last_change
from tracker.locking import Conflict, posted_version
from tracker.plans import fields as plan_fields
from tracker.plans import services, structure
from tracker.plans.models import Action, Area, FormToken, Plan, SuccessFactor
from tracker.plans.views import load_plan
from tracker.vocabulary import PlanState
from tracker.pages import is_htmx
from tracker.parsing import record_id
from tracker.strategy import services as strategy

bp = Blueprint("editor", __name__)


@bp.context_processor
def _described_fields():
    """The editor's labels are the fields' own (tracker/plans/fields.py), as the history and comparison name them."""
    return {"fields": plan_fields}

ACTION_FIELDS = plan_fields.ACTION.only("title", "description", "expected_result", "horizon", "start_date", "due_date",
                                        "owner").names


@bp.errorhandler(Conflict)
def _conflict(error):
    """A move or a deletion of what someone else changed or deleted since the page was loaded: nothing is
    written, and the user sees the plan as it is now before trying again."""
    db.session.rollback()
    return http_error(HTTPConflict("Någon annan har ändrat eller tagit bort en åtgärd här medan du hade sidan öppen, "
                                   "så din ändring är inte gjord. Ladda om sidan, se vad som ändrats och försök igen."))


@bp.before_request
@login_required
def _require_editor():
    require_editor("ändra planens struktur")


def _load(model, object_id: int, what: str, *, key: str | None = None):
    """The item and its plan: 404 when missing, or when not in the plan `key` that the address names."""
    item = db.get_or_404(model, object_id, description=f"{what} finns inte.")
    plan = item if isinstance(item, Plan) else (item.factor.plan if isinstance(item, Action) else item.plan)
    if key is not None and plan.key != key:
        abort(404, f"{what} finns inte i planen {key}.")
    if plan.state is PlanState.APPROVED:
        abort(409, f"Planen är fastställd (version {plan.version_number}); dess struktur ändras inte. "
                   "Starta en revidering för att ändra den.")
    return item, plan


def _direction() -> int:
    return -1 if request.form.get("riktning") == "upp" else 1


def _moved(plan: Plan, moved: bool, focus: str, name: str):
    notice = None if moved else f"{name} står redan {'först' if _direction() < 0 else 'sist'}."
    return _changed(plan, focus, notice)


def edit_context(plan: Plan) -> dict:
    """What the plan body needs in edit mode."""
    return {"plan": plan, "plan_filter": services.PlanFilter(), "notices": [], "editing": True,
            "view": services.plan_view(plan, services.PlanFilter(), today(), keep_empty=True),
            "history_url": url_for("history.plan_history", key=plan.key),
            "active_divisions": list_divisions(active_only=True)}


def _changed(plan: Plan, focus: str | None = None, notice: str | None = None):
    """After a change: the plan body again, scrolled to what changed (with a notice when nothing could)."""
    db.session.commit()
    if not is_htmx():
        if notice:
            flash(notice, "info")
        return redirect(url_for("plans.show", key=plan.key, redigera=1) + (f"#{focus}" if focus else ""))
    html = render_template("plans/_plan_body.html", **{**edit_context(plan), "notices": [notice] if notice else []})
    swap = f"innerHTML show:#{focus}:top" if focus else "innerHTML"
    return html, 200, {"HX-Retarget": "#plan-body", "HX-Reswap": swap}


def _save(plan: Plan, operation, focus: str, template: str, **context):
    """Run `operation`; a ValidationError brings the form back in place with the messages."""
    try:
        item = operation()
    except ValidationError as error:
        db.session.rollback()
        return _form(template, plan, 400, errors=error.errors, **context)
    return _changed(plan, f"{focus}-{item.id}")


def _form_token() -> str | None:
    token = request.form.get("token") or None
    if token and len(token) > FormToken.token.type.length:
        abort(400, "Formulärets engångskod är för lång; den kommer inte från den här sidan. Ladda om sidan och "
                   "försök igen.")
    return token


def _create(plan: Plan, model: type, create, focus: str, template: str, **context):
    """`_save` of a new item, once per form (`create(token)` claims the form's one-time token): the same form
    posted again (a double click on Spara) gets the plan with what the first post created, not a copy of it."""
    token = _form_token()
    try:
        return _save(plan, lambda: create(token), focus, template, token=token, **context)
    except structure.FormUsed:
        db.session.rollback()
    item = structure.created_with(token, model)
    return _changed(plan, f"{focus}-{item.id}" if item else None)


def _strategy_goals():
    """The current strategy's delmål an åtgärd can be linked to; none before a strategy is entered."""
    try:
        return strategy.current_strategy().goals
    except strategy.NoStrategy:
        return []


def _form(template: str, plan: Plan, status: int = 200, **context):
    """A form as a fragment for htmx, or in a page of its own without JavaScript."""
    action = context.get("action")
    # The active förvaltningar, and any inactive one the åtgärd already has (so that it is not dropped unseen).
    choices = [d for d in list_divisions()
               if d.active or (action is not None and any(s.division_id == d.id for s in action.statuses))]
    # A new item's form carries a one-time token, the posted one when the form comes back with errors: see _create.
    token = context.pop("token", None) or secrets.token_urlsafe(24)
    goals = _strategy_goals()
    context = {"plan": plan, "errors": {}, "values": {}, "active_divisions": choices, "token": token,
               "strategy_goals": goals, "target_groups": strategy.target_groups() if goals else [],
               "factor_options": [(f.id, f.title) for f in plan.factors],
               "area_options": [(a.id, a.heading) for a in plan.areas], **context}
    if is_htmx():
        return render_template(template, **context), status
    return render_template("plans/edit_page.html", fragment=template, **context), status


# --- Åtgärder ------------------------------------------------------------------------------


def _action_form() -> dict:
    form = {name: request.form.get(name) for name in ACTION_FIELDS}
    form["division_ids"] = request.form.getlist("divisions")
    if request.form.get("links") == "1":  # the form offered the strategy's delmål and target groups
        form["goal_ids"] = request.form.getlist("goals")
        form["group_ids"] = request.form.getlist("target_groups")
    return form


def _action_values(action: Action) -> dict:
    return {"title": action.title, "description": action.description or "",
            "expected_result": action.expected_result or "", "horizon": action.horizon.value if action.horizon else "",
            "start_date": action.start_date.isoformat() if action.start_date else "",
            "due_date": action.due_date.isoformat() if action.due_date else "", "owner": action.owner or "",
            "division_ids": [str(s.division_id) for s in action.statuses], "factor_id": str(action.factor_id),
            "goal_ids": [str(g.id) for g in action.goals], "group_ids": [str(g.id) for g in action.target_groups]}


def _posted_values() -> dict:
    form = _action_form()
    return {**form, "factor_id": request.form.get("factor_id"),
            "goal_ids": form.get("goal_ids", []), "group_ids": form.get("group_ids", [])}


@bp.get("/planer/<key>/atgarder/ny")
def new_action(key: str):
    factor, plan = _load(SuccessFactor, request.args.get("faktor", type=record_id) or 0, "Framgångsfaktorn", key=key)
    return _form("plans/_action_form.html", plan, factor=factor, action=None,
                 values={"factor_id": str(factor.id), "division_ids": []})


@bp.post("/planer/<key>/atgarder")
def create_action(key: str):
    factor, plan = _load(SuccessFactor, request.form.get("factor_id", type=record_id) or 0, "Framgångsfaktorn",
                         key=key)
    return _create(plan, Action, lambda token: structure.create_action(factor, token=token, **_action_form()),
                   "action", "plans/_action_form.html", factor=factor, action=None, values=_posted_values())


@bp.get("/atgarder/<int:action_id>/redigera")
def edit_action(action_id: int):
    action, plan = _load(Action, action_id, "Åtgärden")
    return _form("plans/_action_form.html", plan, factor=action.factor, action=action, values=_action_values(action),
                 version=action.version_id)


@bp.post("/atgarder/<int:action_id>")
def update_action(action_id: int):
    action, plan = _load(Action, action_id, "Åtgärden")
    target = None
    if request.form.get("factor_id", type=record_id) not in (None, action.factor_id):
        target, _ = _load(SuccessFactor, request.form.get("factor_id", type=record_id), "Framgångsfaktorn")
        if target.plan_id != plan.id:
            abort(400, "Framgångsfaktorn hör till en annan plan.")
    version = posted_version(request.form) or 0
    try:
        structure.update_action(action, expected_version=version, factor=target,
                                confirm_removal=request.form.get("confirm_removal") == "1", **_action_form())
    except structure.NeedsConfirmation as error:
        db.session.rollback()
        return _form("plans/_action_form.html", plan, 400, factor=action.factor, action=action,
                     values=_posted_values(), errors=error.errors, version=version, confirm=True)
    except ValidationError as error:
        db.session.rollback()
        return _form("plans/_action_form.html", plan, 400, factor=action.factor, action=action,
                     values=_posted_values(), errors=error.errors, version=version)
    except Conflict:
        db.session.rollback()
        action = db.session.get(Action, action_id)
        if action is None:
            abort(409, "Åtgärden har tagits bort av någon annan medan du redigerade den; dina ändringar är inte "
                       "sparade. Den kan återställas från planens historik.")
        return _form("plans/_action_form.html", plan, 409, factor=action.factor, action=action,
                     values=_posted_values(), version=action.version_id, conflict=_action_values(action),
                     saved_by=last_change("action", action.id))
    return _changed(plan, f"action-{action.id}")


@bp.post("/atgarder/<int:action_id>/flytta")
def move_action(action_id: int):
    action, plan = _load(Action, action_id, "Åtgärden")
    return _moved(plan, structure.move_action(action, _direction()), f"action-{action.id}", f"Åtgärden {action.ref}")


@bp.get("/atgarder/<int:action_id>/ta-bort")
def confirm_delete_action(action_id: int):
    action, plan = _load(Action, action_id, "Åtgärden")
    with_content = structure.with_content(action.statuses)
    message = (f"Ta bort åtgärden {action.ref} ”{action.title}” med "
               f"{counted(len(action.statuses), 'ansvarig förvaltning', 'ansvariga förvaltningar')}"
               + (f", varav {len(with_content)} med status eller kommentar" if with_content else "") + "?")
    return _form("plans/_confirm.html", plan, message=message, box_id=f"action-{action.id}",
                 url=url_for("editor.delete_action", action_id=action.id))


@bp.post("/atgarder/<int:action_id>/ta-bort")
def delete_action(action_id: int):
    action, plan = _load(Action, action_id, "Åtgärden")
    factor_id = action.factor_id
    structure.delete_action(action)
    return _changed(plan, f"factor-{factor_id}")


# --- Framgångsfaktorer ------------------------------------------------------------------------


def _factor_form() -> dict:
    return {"title": request.form.get("title"), "description": request.form.get("description"),
            "area_id": request.form.get("area_id") or None}


@bp.get("/planer/<key>/faktorer/ny")
def new_factor(key: str):
    plan = load_plan(key)
    _load(Plan, plan.id, "Planen")
    return _form("plans/_factor_form.html", plan, factor=None,
                 values={"area_id": request.args.get("omrade", "")})


@bp.post("/planer/<key>/faktorer")
def create_factor(key: str):
    _, plan = _load(Plan, load_plan(key).id, "Planen")
    return _create(plan, SuccessFactor, lambda token: structure.create_factor(plan, token=token, **_factor_form()),
                   "factor", "plans/_factor_form.html", factor=None, values=_factor_form())


@bp.get("/faktorer/<int:factor_id>/redigera")
def edit_factor(factor_id: int):
    factor, plan = _load(SuccessFactor, factor_id, "Framgångsfaktorn")
    values = {"title": factor.title, "description": factor.description or "", "area_id": str(factor.area_id or "")}
    return _form("plans/_factor_form.html", plan, factor=factor, values=values)


@bp.post("/faktorer/<int:factor_id>")
def update_factor(factor_id: int):
    factor, plan = _load(SuccessFactor, factor_id, "Framgångsfaktorn")
    return _save(plan, lambda: structure.update_factor(factor, **_factor_form()), "factor",
                 "plans/_factor_form.html", factor=factor, values=_factor_form())


@bp.post("/faktorer/<int:factor_id>/flytta")
def move_factor(factor_id: int):
    factor, plan = _load(SuccessFactor, factor_id, "Framgångsfaktorn")
    return _moved(plan, structure.move_factor(factor, _direction()), f"factor-{factor.id}",
                  f"Framgångsfaktorn ”{factor.title}”")


@bp.get("/faktorer/<int:factor_id>/ta-bort")
def confirm_delete_factor(factor_id: int):
    factor, plan = _load(SuccessFactor, factor_id, "Framgångsfaktorn")
    statuses = sum(len(a.statuses) for a in factor.actions)
    message = (f"Ta bort framgångsfaktorn ”{factor.title}”"
               + (f" med {len(factor.actions)} åtgärder och {statuses} statusar" if factor.actions else "") + "?"
               + " Den kan återställas från historiken.")
    return _form("plans/_confirm.html", plan, message=message, box_id=f"factor-{factor.id}",
                 url=url_for("editor.delete_factor", factor_id=factor.id))


@bp.post("/faktorer/<int:factor_id>/ta-bort")
def delete_factor(factor_id: int):
    factor, plan = _load(SuccessFactor, factor_id, "Framgångsfaktorn")
    structure.delete_factor(factor)
    return _changed(plan)


# --- Insatsområden -----------------------------------------------------------------------------


def _area_form() -> dict:
    return {"title": request.form.get("title"), "code": request.form.get("code")}


@bp.get("/planer/<key>/omraden/ny")
def new_area(key: str):
    _, plan = _load(Plan, load_plan(key).id, "Planen")
    return _form("plans/_area_form.html", plan, area=None)


@bp.post("/planer/<key>/omraden")
def create_area(key: str):
    _, plan = _load(Plan, load_plan(key).id, "Planen")
    return _create(plan, Area, lambda token: structure.create_area(plan, token=token, **_area_form()), "area",
                   "plans/_area_form.html", area=None, values=_area_form())


@bp.get("/omraden/<int:area_id>/redigera")
def edit_area(area_id: int):
    area, plan = _load(Area, area_id, "Insatsområdet")
    return _form("plans/_area_form.html", plan, area=area, values={"title": area.title, "code": area.code or ""})


@bp.post("/omraden/<int:area_id>")
def update_area(area_id: int):
    area, plan = _load(Area, area_id, "Insatsområdet")
    return _save(plan, lambda: structure.update_area(area, **_area_form()), "area", "plans/_area_form.html",
                 area=area, values=_area_form())


@bp.post("/omraden/<int:area_id>/flytta")
def move_area(area_id: int):
    area, plan = _load(Area, area_id, "Insatsområdet")
    return _moved(plan, structure.move_area(area, _direction()), f"area-{area.id}", f"Insatsområdet {area.heading}")


@bp.post("/omraden/<int:area_id>/ta-bort")
def delete_area(area_id: int):
    area, plan = _load(Area, area_id, "Insatsområdet")
    try:
        structure.delete_area(area)
    except ValidationError as error:
        db.session.rollback()
        abort(400, error.errors["area"])
    return _changed(plan)


# --- New plans ----------------------------------------------------------------------------------


def _plan_form() -> dict:
    return {name: (request.form.get(name) or "").strip()
            for name in ("key", "title", "year", "agreement", "registry_number", "copy_of")}


def _new_plan_page(values: dict, errors: dict, status: int = 200):
    options = [(plan.key, f"{plan.title} ({plan.key})") for plan, _ in services.list_plans()]
    return render_template("plans/new_plan.html", copy_options=options, agreements=agreement_choices(),
                           values=values, errors=errors), status


@bp.get("/planer/ny")
def new_plan():
    return _new_plan_page({}, {})


@bp.post("/planer/ny")
def create_plan():
    values = _plan_form()
    source = services.get_plan(values["copy_of"]) if values["copy_of"] else None
    try:
        plan = structure.new_plan(source=source, **{k: v for k, v in values.items() if k != "copy_of"})
    except ValidationError as error:
        db.session.rollback()
        return _new_plan_page(values, error.errors, 400)
    db.session.commit()
    return redirect(url_for("plans.show", key=plan.key, redigera=1))
