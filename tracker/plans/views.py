from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.users.services import list_divisions
from tracker.clock import today
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import services as followup
from tracker.followup.services import my_open_rounds
from tracker.plans import services
from tracker.plans.mine import mine_page
from tracker.plans.models import DivisionStatus, Plan
from tracker.vocabulary import PlanState, Status
from tracker.xlsx.export import exports_seen, list_exports
from tracker.pages import is_htmx, keep_place, redirect_to_saved, render_page_or_fragment, require_own_division
from tracker.parsing import record_id

bp = Blueprint("plans", __name__)


@bp.before_request
@login_required
def _require_login():
    """Every page of the tracker needs a logged-in user."""


def load_plan(key: str) -> Plan:
    plan = services.get_plan(key)
    if plan is None:
        abort(404, f"Det finns ingen plan med nyckeln {key}.")
    return plan


def load_status(status_id: int, *, for_update: bool = False) -> DivisionStatus:
    """The status row, 404 when missing and 403 when the user may not change it."""
    division_status = services.get_division_status(status_id)
    if division_status is None:
        abort(404, "Statusraden finns inte.")
    if for_update:
        require_own_division(division_status.division_id,
                             for_others="Status sätts av förvaltningskontakterna, var och en för sin egen förvaltning.",
                             for_contacts="Du kan bara ändra status för din egen förvaltnings åtgärder.")
    return division_status


@bp.get("/")
def home():
    return redirect(url_for("plans.index"))


@bp.get("/planer")
def index():
    archived = bool(request.args.get("arkiverade"))
    return render_template("plans/index.html", plans=services.list_plans(archived=archived), archived=archived)


def _plan_filter(divisions) -> tuple[services.PlanFilter, list[str]]:
    """The filter from the query string; unknown values are dropped with a notice."""
    notices = []
    division_id = request.args.get("division", type=record_id)
    if request.args.get("division") and division_id is None:
        notices.append("Okänd förvaltning i filtret; filtret på förvaltning togs bort.")
    if division_id and division_id not in {d.id for d in divisions}:
        notices.append("Den valda förvaltningen finns inte längre; filtret på förvaltning togs bort.")
        division_id = None
    status = request.args.get("status") or None
    if status and status not in (services.OVERDUE, services.STALE) and status not in {s.value for s in Status}:
        notices.append("Okänd status i filtret; filtret på status togs bort.")
        status = None
    text = " ".join(request.args.get("q", "").split())[:200]
    return services.PlanFilter(division_id, status, text, current_app.config["STALE_DAYS"]), notices


@bp.get("/planer/<key>")
def show(key: str):
    plan = load_plan(key)
    divisions = list_divisions()
    plan_filter, notices = _plan_filter(divisions)
    editing = bool(request.args.get("redigera")) and current_user.can_edit_structure and \
        plan.state is PlanState.DRAFT
    view = services.plan_view(plan, plan_filter, today(), keep_empty=editing)
    exports = list_exports(plan) if current_user.can_edit_structure and not is_htmx() else []
    return render_page_or_fragment(
        "plans/plan.html",
        "plans/_plan_body.html",
        view=view,
        plan=plan,
        divisions=divisions,
        plan_filter=plan_filter,
        notices=notices,
        overdue=services.OVERDUE,
        stale=services.STALE,
        exports=exports,
        exports_seen=exports_seen(plan) if exports else None,
        history_url=url_for("history.plan_history", key=plan.key),
        editing=editing,
    )


@bp.get("/mina-atgarder")
def mine():
    return mine_page(request.args.get("plan"))


@bp.get("/status/<int:status_id>")
def edit_status(status_id: int):
    division_status = load_status(status_id)
    view = "mine" if request.args.get("view") == "mine" else "plan"
    if not is_htmx():
        return render_template("plans/status_edit.html", **_cell_context(division_status, view))
    return _status_response(division_status, view)


@bp.post("/status/<int:status_id>")
def update_status(status_id: int):
    division_status = load_status(status_id, for_update=True)
    view = "mine" if request.form.get("view") == "mine" else "plan"
    form = {"status": request.form.get("status"), "comment": request.form.get("comment", "")}
    try:
        expected_version = record_id(request.form.get("version", ""))
    except ValueError:
        abort(400, "Formuläret saknar versionsnummer. Ladda om sidan och försök igen.")
    # Mina åtgärder's answer shows the row's round: read once, before the save, which brings it up to date.
    my_rounds = my_open_rounds(current_user) if view == "mine" and is_htmx() else None
    try:
        followup.update_status(division_status, current_user, expected_version=expected_version,
                               my_rounds=my_rounds, **form)
    except ValidationError as error:
        db.session.rollback()
        return _status_response(load_status(status_id), view, form=form, errors=error.errors), 400
    except services.StatusConflict:
        db.session.rollback()
        stored = load_status(status_id)
        if not services.is_stored(stored, **form):
            return _status_response(stored, view, form=form, conflict=True), 409
        division_status = stored  # the other save stored just this: nothing to resolve
        my_rounds = None  # read before the other save was committed
    else:
        db.session.commit()
    if not is_htmx():
        if view == "mine":  # Mina åtgärder is ordered by what is left: the saved row stays where it was read
            keep_place(division_status.id, request.form.get("place"))
        return redirect_to_saved(request.form.get("next"), f"status-{division_status.id}",
                                 f"my-{division_status.id}" if view == "mine" else None)
    return _status_response(division_status, view, saved=True, my_rounds=my_rounds)


def _cell_context(division_status: DivisionStatus, view: str, **state) -> dict:
    return {"ds": division_status, "view": view, "form": None, "errors": {}, "conflict": False, "saved": False,
            **state}


def _status_response(division_status: DivisionStatus, view: str, my_rounds=None, **state) -> str:
    """The status cell; for htmx also the roll-ups around it, swapped out of band (`my_rounds`: the user's open
    rounds, when read already)."""
    action = division_status.action
    context = _cell_context(division_status, view, **state)
    if not is_htmx():
        return render_template("plans/status_edit.html", **context)
    if state.get("saved"):
        context["oob_action"] = action
        if view == "mine":  # the row's round confirmation and the banner's count follow the update
            rounds = my_open_rounds(current_user) if my_rounds is None else my_rounds
            context["oob_round"] = next((m for m in rounds if m.round.plan_id == action.factor.plan_id), None)
        if view == "plan":
            factor = action.factor
            plan_summary, factor_summary = services.plan_and_factor_summary(factor)
            context.update(oob_factor=(factor, factor_summary), oob_plan=(factor.plan, plan_summary))
    return render_template("plans/_status_response.html", **context)
