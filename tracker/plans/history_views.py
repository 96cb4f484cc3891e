"""The plan's history on the web: its entries, filtered and paged, and restoring a deletion."""

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import SOURCES, kinds
from tracker.access import require_editor
from tracker.pages import date_range_args, is_htmx, render_page_or_fragment
from tracker.parsing import record_id
from tracker.plans import history as services
from tracker.plans.models import Action, Plan
from tracker.plans.views import load_plan
from tracker.users.services import list_divisions

# Named "history" as before this moved from the history package: the endpoints (and their addresses) stay.
bp = Blueprint("history", __name__)


@bp.before_request
@login_required
def _require_login():
    """Everyone may read the history (docs/domain.md, Roles: Läsare reads everything)."""


def _history_filter() -> tuple[services.HistoryFilter, list[str]]:
    """The filter from the query string; what cannot be used is dropped with a notice."""
    notices = []
    kind = request.args.get("typ") or None
    date_from, date_to = date_range_args(notices)
    return services.HistoryFilter(
        action_id=request.args.get("atgard", type=record_id),
        division_id=request.args.get("forvaltning", type=record_id),
        user_id=request.args.get("person", type=record_id),
        kind=kind if kind in kinds() else None,
        date_from=date_from,
        date_to=date_to,
    ), notices


@bp.get("/planer/<key>/historik")
def plan_history(key: str):
    plan = load_plan(key)
    history_filter, notices = _history_filter()
    action = db.session.get(Action, history_filter.action_id) if history_filter.action_id else None
    if action is not None and action.factor.plan_id != plan.id:  # a deleted åtgärd (None) keeps its history
        notices.append("Åtgärden hör till en annan plan; filtret på åtgärd togs bort.")
        history_filter, action = replace(history_filter, action_id=None), None
    page = request.args.get("sida", 1, type=record_id)
    entries, has_more = services.history_page(plan, history_filter, page)
    args = {k: v for k, v in request.args.items() if k not in ("sida", "fler")}
    more_url = url_for("history.plan_history", key=plan.key, **args, sida=page + 1) if has_more else None
    context = dict(
        plan=plan, entries=entries, more_url=more_url, page=page, history_filter=history_filter, action=action,
        divisions=[(d.id, d.name) for d in list_divisions()], people=services.people_in_history(plan), kinds=kinds(),
        sources=SOURCES,
        restored=services.restored_ids(entries), restorable=services.RESTORABLE, notices=notices,
    )
    if is_htmx() and request.args.get("fler"):
        return render_template("plans/_history_entries.html", **context)
    return render_page_or_fragment("plans/history.html", "plans/_history_results.html", **context)


@bp.post("/historik/<int:entry_id>/aterstall")
def restore(entry_id: int):
    entry = db.get_or_404(HistoryEntry, entry_id, description="Historikposten finns inte.")
    require_editor("återställa")
    plan = db.session.get(Plan, entry.plan_id)
    try:
        text = services.restore(entry)
    except ValidationError as error:
        db.session.rollback()
        abort(400, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Klart: {text}.", "info")
    return redirect(url_for("history.plan_history", key=plan.key))
