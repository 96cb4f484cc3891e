from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.users.services import list_divisions
from tracker.clock import today
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history import services, versions
from tracker.history.models import HistoryEntry
from tracker.history.recorder import KINDS, SOURCES
from tracker.parsing import optional_id
from tracker.plans import services as plans
from tracker.plans.models import Action, Plan
from tracker.plans.views import load_plan
from tracker.vocabulary import PlanState
from tracker.pages import date_arg, is_htmx, render_page_or_fragment
from tracker.parsing import record_id
from tracker.xlsx.models import Export

bp = Blueprint("history", __name__)


@bp.before_request
@login_required
def _require_login():
    """Everyone may read the history and the versions (DOMAIN.md: Läsare reads everything)."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        abort(403, message)


def _history_filter() -> tuple[services.HistoryFilter, list[str]]:
    """The filter from the query string; what cannot be used is dropped with a notice."""
    notices = []
    kind = request.args.get("typ") or None
    date_from, date_to = date_arg("fran", "från", notices), date_arg("till", "till", notices)
    if date_from and date_to and date_from > date_to:
        notices.append(f"Från-datumet {date_from} ligger efter till-datumet {date_to}: inget kan matcha.")
    return services.HistoryFilter(
        action_id=request.args.get("atgard", type=record_id),
        division_id=request.args.get("forvaltning", type=record_id),
        user_id=request.args.get("person", type=record_id),
        kind=kind if kind in KINDS else None,
        date_from=date_from,
        date_to=date_to,
    ), notices


@bp.get("/planer/<key>/historik")
def plan_history(key: str):
    plan = load_plan(key)
    history_filter, notices = _history_filter()
    page = request.args.get("sida", 1, type=record_id)
    entries, has_more = services.history_page(plan, history_filter, page)
    action = db.session.get(Action, history_filter.action_id) if history_filter.action_id else None
    args = {k: v for k, v in request.args.items() if k not in ("sida", "fler")}
    more_url = url_for("history.plan_history", key=plan.key, **args, sida=page + 1) if has_more else None
    context = dict(
        plan=plan, entries=entries, more_url=more_url, page=page, history_filter=history_filter, action=action,
        divisions=list_divisions(), people=services.people_in_history(plan), kinds=KINDS, sources=SOURCES,
        restored=services.restored_ids(entries), restorable=services.RESTORABLE, notices=notices,
    )
    if is_htmx() and request.args.get("fler"):
        return render_template("history/_entries.html", **context)
    return render_page_or_fragment("history/history.html", "history/_results.html", **context)


@bp.post("/historik/<int:entry_id>/aterstall")
def restore(entry_id: int):
    entry = db.get_or_404(HistoryEntry, entry_id, description="Historikposten finns inte.")
    _require(current_user.can_edit_structure, "Bara strateg och hälso- och sjukvårdsdirektör kan återställa.")
    plan = db.session.get(Plan, entry.plan_id)
    try:
        text = services.restore(entry)
    except ValidationError as error:
        db.session.rollback()
        abort(400, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Klart: {text}.", "info")
    return redirect(url_for("history.plan_history", key=plan.key))


# --- Versions -------------------------------------------------------------------------------


def _versions_page(plan, errors=None, status=200, values=None):
    sent, comparison = versions.changed_since_sent(plan)
    exports = db.session.scalars(
        db.select(Export).where(Export.plan_id == plan.id, Export.version_number.is_not(None))
        .order_by(Export.created_at.desc())
    ).all()
    return render_template("history/versions.html", plan=plan, versions=versions.list_versions(plan), sent=sent,
                           comparison=comparison, exports=exports, errors=errors or {},
                           values=values or {}), status


@bp.get("/planer/<key>/versioner")
def plan_versions(key: str):
    return _versions_page(load_plan(key))


@bp.post("/planer/<key>/faststall")
def approve(key: str):
    plan = load_plan(key)
    _require(current_user.can_approve, "Bara hälso- och sjukvårdsdirektören kan fastställa planen.")
    if not request.form.get("confirm"):
        return _versions_page(plan, {"confirm": "Kryssa i rutan för att bekräfta att du fastställer planen."}, 400,
                              values=request.form)
    try:
        version = versions.approve(plan, current_user, request.form.get("decision"))
    except ValidationError as error:
        db.session.rollback()
        return _versions_page(plan, error.errors, 400, values=request.form)
    db.session.commit()
    flash(f"Version {version.number} är fastställd.", "info")
    return redirect(url_for("history.plan_versions", key=plan.key))


@bp.post("/planer/<key>/revidering")
def start_revision(key: str):
    plan = load_plan(key)
    _require(current_user.can_edit_structure, "Bara strateg och hälso- och sjukvårdsdirektör kan revidera planen.")
    try:
        versions.start_revision(plan)
    except ValidationError as error:
        db.session.rollback()
        abort(400, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Revideringen är påbörjad: utkast till version {plan.version_number}. Den fastställda versionen "
          "finns kvar oförändrad.", "info")
    return redirect(url_for("history.plan_versions", key=plan.key))


def _load_version(plan, number: int):
    version = versions.get_version(plan, number)
    if version is None:
        abort(404, f"Planen har ingen fastställd version {number}.")
    return version


@bp.post("/planer/<key>/versioner/<int:number>/skickad")
def mark_sent(key: str, number: int):
    plan = load_plan(key)
    _require(current_user.can_edit_structure, "Bara strateg och hälso- och sjukvårdsdirektör kan markera versioner.")
    version = _load_version(plan, number)
    export = None
    if request.form.get("export"):
        export = db.session.get(Export, request.form.get("export", type=record_id) or 0)
        if export is None:
            abort(400, "Välj en exporterad fil i listan, eller ingen.")
    try:
        versions.mark_sent(version, current_user, export)
    except ValidationError as error:
        db.session.rollback()
        abort(400, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Version {number} är markerad som skickad till Socialstyrelsen.", "info")
    return redirect(url_for("history.plan_versions", key=plan.key))


@bp.get("/planer/<key>/versioner/<int:number>")
def show_version(key: str, number: int):
    plan = load_plan(key)
    version = _load_version(plan, number)
    view = versions.snapshot_view(version.snapshot, today())
    return render_template("history/version.html", plan=plan, version=version, view=view,
                           plan_filter=plans.PlanFilter(), notices=[], viewer=versions.READ_ONLY)


@bp.get("/planer/<key>/jamfor")
def compare(key: str):
    plan = load_plan(key)
    choices = versions.list_versions(plan)

    def side(value: str | None, default: str):
        value = value or default
        if value == "nu":
            state = (f"fastställd som version {plan.version_number}" if plan.state is PlanState.APPROVED
                     else f"utkast till version {plan.version_number}")
            return "nu", versions.current_snapshot(plan), f"planen nu ({state})"
        if (number := optional_id(value)) is None:
            abort(400, "Välj en version att jämföra.")
        version = _load_version(plan, number)
        return value, version.snapshot, f"version {version.number}"

    default_before = str(choices[0].number) if choices else "nu"
    before_key, before, before_label = side(request.args.get("fran"), default_before)
    after_key, after, after_label = side(request.args.get("till"), "nu")
    comparison = versions.compare(before, after, before_label, after_label)
    return render_template("history/compare.html", plan=plan, versions=choices, comparison=comparison,
                           before_key=before_key, after_key=after_key)
