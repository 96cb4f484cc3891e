from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.users.services import list_divisions
from tracker.clock import today
from tracker.plans import services
from tracker.plans.models import Plan
from tracker.vocabulary import PlanState, Status
from tracker.pages import render_page_or_fragment
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
        history_url=url_for("history.plan_history", key=plan.key),
        editing=editing,
    )
