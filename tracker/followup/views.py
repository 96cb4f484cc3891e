from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from tracker.access import require, require_editor, require_own_division
from tracker.clock import today
from tracker.display import counted
from tracker.errors import NotAllowed, ValidationError
from tracker.extensions import db
from tracker.followup import charts
from tracker.followup import indicators as indicator_services
from tracker.followup import rounds as round_services
from tracker.followup.dashboard import dashboard as dashboard_figures
from tracker.followup.mine import mine_page
from tracker.followup.models import Indicator, IndicatorValue, ReportingRound
from tracker.followup.status import save_status
from tracker.plans.history import HistoryFilter, history_page
from tracker.locking import Conflict, posted_version
from tracker.pages import is_htmx, keep_place, posted_seen, redirect_to_saved, safe_next
from tracker.plans import services as plans
from tracker.plans.models import DivisionStatus
from tracker.plans.views import load_plan
from tracker.strategy import services as strategy
from tracker.users.models import Division
from tracker.users.services import list_divisions
from tracker.vocabulary import PlanState, Role

bp = Blueprint("followup", __name__)


@bp.before_request
@login_required
def _require_login():
    """Everyone reads the follow-up; the routes that change something check their own permission."""


@bp.get("/planer/<key>/oversikt")
def dashboard(key: str):
    plan = load_plan(key)
    figures = dashboard_figures(plan, today(), current_app.config["STALE_DAYS"])
    recent, _ = history_page(plan, HistoryFilter(), 1)
    return render_template("followup/dashboard.html", plan=plan, figures=figures, recent=recent[:10],
                           stacked=charts.stacked, summary=plans.plan_summary(plan),
                           round=round_services.open_round_of(plan), overdue=plans.OVERDUE, stale=plans.STALE)


INDICATOR_FIELDS = ("name", "area", "target", "unit", "direction", "frequency", "factor_id", "division_id")


def _indicators_page(plan, status=200, **context):
    views = indicator_services.indicator_views(plan)
    trends = {v.indicator.id: charts.trend([x.value for x in v.series if x.value is not None], v.indicator.target)
              for v in views}
    groups: dict[str, list] = {}  # by område, in the plan's order
    for view in views:
        groups.setdefault(view.indicator.area or "Övriga", []).append(view)
    context = {"groups": groups, "errors": {}, "values": {}, "failed": None, "indicator_errors": {},
               "indicator_values": {},
               "editing": None, **context}
    goals = _strategy_goals()
    return render_template("followup/indicators.html", plan=plan, views=views, trends=trends,
                           can_enter=lambda i: indicator_services.can_enter_values(current_user, i),
                           can_edit=current_user.can_edit_structure and plan.state is PlanState.DRAFT,
                           strategy_goals=goals, target_groups=strategy.target_groups() if goals else [],
                           factor_choices=[(f.id, f.title) for f in plan.factors],
                           division_choices=[(d.id, d.name) for d in list_divisions()], **context), status


def _strategy_goals():
    """The current strategy's delmål an indicator can be linked to; none before a strategy is entered."""
    try:
        return strategy.current_strategy().goals
    except strategy.NoStrategy:
        return []


@bp.get("/planer/<key>/indikatorer")
def indicators(key: str):
    return _indicators_page(load_plan(key))


@bp.post("/indikatorer/<int:indicator_id>/utfall")
def record_value(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id, description="Indikatorn finns inte.")
    require(indicator_services.can_enter_values(current_user, indicator),
            "Utfall registreras av strateg, direktör eller den ansvariga förvaltningens kontakt.")
    plan = plans.get_plan_by_id(indicator.plan_id)
    form = {k: request.form.get(k) for k in ("period", "value", "value_women", "value_men", "comment")}
    try:
        indicator_services.record_value(indicator, today=today(), **form)
    except ValidationError as error:
        db.session.rollback()
        return _indicators_page(plan, 400, errors=error.errors, values=form, failed=indicator.id)
    db.session.commit()
    flash(f"Utfallet för {form['period']} är registrerat för ”{indicator.name}”.", "info")
    return redirect(url_for("followup.indicators", key=plan.key) + f"#indicator-{indicator.id}")


@bp.post("/utfall/<int:value_id>/ta-bort")
def delete_value(value_id: int):
    entry = db.get_or_404(IndicatorValue, value_id, description="Utfallet finns inte.")
    indicator = entry.indicator
    require(indicator_services.can_enter_values(current_user, indicator),
            "Utfall ändras av strateg, direktör eller den ansvariga förvaltningens kontakt.")
    plan, period = plans.get_plan_by_id(indicator.plan_id), entry.period
    indicator_services.delete_value(entry)
    db.session.commit()
    flash(f"Utfallet för {period} är borttaget från ”{indicator.name}”; registrera det rätta om det ska rättas. "
          "Historiken visar vad det var.", "info")
    return redirect(url_for("followup.indicators", key=plan.key) + f"#indicator-{indicator.id}")


# --- Reporting rounds ---------------------------------------------------------------------------


# What other packages show on a round's page, each a function of the round giving the page's context: the
# notices mailed about it (registered by notify, which follows the rounds; the follow-up imports none of them).
ROUND_PAGE_PARTS: list[Callable[[ReportingRound | None], dict]] = []


def _round_parts(round_: ReportingRound | None) -> dict:
    context = {"notifications": [], "due_keys": set(), "mail": None, "mail_problem": None}
    for part in ROUND_PAGE_PARTS:
        context.update(part(round_))
    return context


def _rounds_page(plan, status=200, errors=None, values=None):
    current = round_services.open_round_of(plan)
    progress = round_services.progress(current) if current else []
    return render_template("followup/rounds.html", plan=plan, rounds=round_services.list_rounds(plan), current=current,
                           progress=progress, progress_seen=round_services.progress_seen(progress) if current else None,
                           today=today(), **_round_parts(current),
                           errors=errors or {}, values=values or {}), status


@bp.get("/planer/<key>/omgangar")
def rounds(key: str):
    return _rounds_page(load_plan(key))


@bp.post("/planer/<key>/omgangar")
def open_round(key: str):
    plan = load_plan(key)
    require_editor("öppna uppföljningsomgångar")
    form = {"title": request.form.get("title"), "deadline": request.form.get("deadline")}
    try:
        round_ = round_services.open_round(plan, current_user, today=today(), **form)
    except ValidationError as error:
        db.session.rollback()
        return _rounds_page(plan, 400, error.errors, form)
    db.session.commit()
    flash(f"Omgången ”{round_.title}” är öppen till och med {round_.deadline}.", "info")
    return redirect(url_for("followup.rounds", key=plan.key))


def _load_round(round_id: int) -> ReportingRound:
    round_ = db.get_or_404(ReportingRound, round_id, description="Omgången finns inte.")
    return round_


def _load_round_status(round_: ReportingRound, status_id: int) -> DivisionStatus:
    """A status row to confirm in the round: 404 unless in the round's plan, 403 unless the user's förvaltning's."""
    division_status = db.session.get(DivisionStatus, status_id)
    if division_status is None or division_status.action.factor.plan_id != round_.plan_id:
        abort(404, "Statusraden finns inte i omgångens plan.")
    require_own_division(division_status.division_id,
                         for_others="Status bekräftas av förvaltningskontakterna, var och en för sin egen förvaltning.",
                         for_contacts="Du kan bara bekräfta din egen förvaltnings åtgärder.")
    return division_status


@bp.post("/omgangar/<int:round_id>/stang")
def close_round(round_id: int):
    round_ = _load_round(round_id)
    require_editor("stänga uppföljningsomgångar")
    seen = posted_seen()
    if not request.form.get("confirm"):
        return _rounds_page(round_.plan, 400, {"confirm": "Kryssa i rutan för att bekräfta att omgången stängs."})
    try:
        round_services.close_round(round_, current_user, seen=seen)
    except ValidationError as error:
        db.session.rollback()
        abort(400, error.errors["round"])
    db.session.commit()
    flash(f"Omgången ”{round_.title}” är stängd; statusarna är sparade som de var.", "info")
    return redirect(url_for("followup.show_round", round_id=round_.id))


@bp.get("/omgangar/<int:round_id>")
def show_round(round_id: int):
    round_ = _load_round(round_id)
    if round_.is_open:
        return redirect(url_for("followup.rounds", key=round_.plan.key))
    previous = round_services.previous_round(round_)
    return render_template("followup/round.html", plan=round_.plan, round=round_, previous=previous,
                           differences=round_services.compare_rounds(previous, round_) if previous else None,
                           **_round_parts(round_))


@bp.get("/omgangar/<int:round_id>/kvar/<int:division_id>")
def round_left(round_id: int, division_id: int):
    """What an open round still waits for from one förvaltning (the round page's "Kvar")."""
    round_ = _load_round(round_id)
    division = db.get_or_404(Division, division_id, description="Förvaltningen finns inte.")
    if not round_.is_open:
        return redirect(url_for("followup.show_round", round_id=round_.id))
    return render_template("followup/round_left.html", plan=round_.plan, round=round_, division=division,
                           statuses=round_services.left_statuses(round_, division_id=division.id, with_updaters=True),
                           total=round_services.division_total(round_, division.id))


@bp.post("/omgangar/<int:round_id>/bekrafta")
def confirm_many(round_id: int):
    """Several rows as "Oförändrad" at once on Mina åtgärder: those picked, or all left in one framgångsfaktor."""
    round_ = _load_round(round_id)
    require(current_user.role is Role.DIVISION_CONTACT,
            "Status bekräftas av förvaltningskontakterna, var och en för sin egen förvaltning.")
    if not round_.is_open:  # closed since the page was loaded: its form is no longer drawn
        abort(409, "Omgången är stängd.")
    plan_key = request.form.get("plan") or None
    if request.form.get("scope") == "factor":
        choice = {"factor_id": request.form.get("factor_id", "")}
    else:
        choice = {"status_ids": request.form.getlist("status_id")}
    try:
        confirmed = round_services.confirm_unchanged_many(round_, current_user, **choice)
        db.session.commit()
    except NotAllowed as error:
        db.session.rollback()
        abort(403, str(error))
    except ValidationError as error:
        db.session.rollback()
        return mine_page(plan_key, bulk_errors={round_.id: next(iter(error.errors.values()))}), 400
    except IntegrityError:  # a double click: the other request confirmed them a moment ago, which is the same
        db.session.rollback()
        confirmed = None
    if confirmed is None:
        done = "Åtgärderna var redan bekräftade."
    else:
        done = (f"{counted(confirmed, 'åtgärd är bekräftad', 'åtgärder är bekräftade')} som oförändrade i "
                f"{round_.title}.")
    if is_htmx():  # the same message, by the round's form in the list it swaps
        return mine_page(plan_key, bulk_done={round_.id: done})
    flash(done, "info")
    return redirect(url_for("followup.mine", plan=plan_key))


@bp.post("/omgangar/<int:round_id>/bekrafta/<int:status_id>")
def confirm_unchanged(round_id: int, status_id: int):
    round_ = _load_round(round_id)
    division_status = _load_round_status(round_, status_id)
    if not round_.is_open:
        abort(409, "Omgången är stängd.")
    round_services.confirm(round_, division_status, current_user, unchanged=True)
    db.session.commit()
    if not is_htmx():  # back to the list as it was filtered, at the row, which says it is confirmed
        back = safe_next(request.form.get("next") or url_for("followup.mine"))
        return redirect(f"{back}#my-{division_status.id}")
    mine = next(m for m in round_services.my_open_rounds(current_user) if m.round.id == round_.id)
    return render_template("followup/_confirm_response.html", ds=division_status, my_round=mine)


def _load_indicator(indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id, description="Indikatorn finns inte.")
    require_editor("ändra indikatorerna")
    return indicator


def _indicator_form() -> dict:
    form = {name: request.form.get(name) for name in INDICATOR_FIELDS}
    if request.form.get("links") == "1":  # the form offered the strategy's delmål and target groups
        form["goal_ids"] = request.form.getlist("goals")
        form["group_ids"] = request.form.getlist("target_groups")
    return form


def _save_indicator(plan, operation, editing, done: str):
    """Run `operation`; a ValidationError brings the page back with the messages by the form."""
    try:
        indicator = operation()
    except ValidationError as error:
        db.session.rollback()
        return _indicators_page(plan, 400, indicator_errors=error.errors, indicator_values=_indicator_form(),
                                editing=editing)
    db.session.commit()
    flash(f"Indikatorn ”{indicator.name}” är {done}.", "info")
    return redirect(url_for("followup.indicators", key=plan.key) + f"#indicator-{indicator.id}")


@bp.post("/planer/<key>/indikatorer")
def create_indicator(key: str):
    plan = load_plan(key)
    require_editor("ändra indikatorerna")
    return _save_indicator(plan, lambda: indicator_services.create_indicator(plan, **_indicator_form()), "new", "tillagd")


@bp.post("/indikatorer/<int:indicator_id>")
def update_indicator(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    plan = plans.get_plan_by_id(indicator.plan_id)
    return _save_indicator(plan, lambda: indicator_services.update_indicator(indicator, plan, **_indicator_form()),
                           indicator_id, "ändrad")


@bp.post("/indikatorer/<int:indicator_id>/ta-bort")
def delete_indicator(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    plan = plans.get_plan_by_id(indicator.plan_id)
    name = indicator.name
    indicator_services.delete_indicator(indicator)
    db.session.commit()
    flash(f"Indikatorn ”{name}” är borttagen; den finns kvar i historiken.", "info")
    return redirect(url_for("followup.indicators", key=plan.key))


# --- A förvaltning's status of an åtgärd, and Mina åtgärder ------------------------------------------


def load_status(status_id: int, *, for_update: bool = False) -> DivisionStatus:
    """The status row, 404 when missing and 403 when the user may not change it."""
    division_status = plans.get_division_status(status_id)
    if division_status is None:
        abort(404, "Statusraden finns inte.")
    if for_update:
        require_own_division(division_status.division_id,
                             for_others="Status sätts av förvaltningskontakterna, var och en för sin egen förvaltning.",
                             for_contacts="Du kan bara ändra status för din egen förvaltnings åtgärder.")
    return division_status


@bp.get("/mina-atgarder")
def mine():
    return mine_page(request.args.get("plan"))


@bp.get("/status/<int:status_id>")
def edit_status(status_id: int):
    division_status = load_status(status_id)
    view = "mine" if request.args.get("view") == "mine" else "plan"
    if not is_htmx():
        return render_template("followup/status_edit.html", **_cell_context(division_status, view))
    return _status_response(division_status, view)


@bp.post("/status/<int:status_id>")
def update_status(status_id: int):
    division_status = load_status(status_id, for_update=True)
    view = "mine" if request.form.get("view") == "mine" else "plan"
    form = {"status": request.form.get("status"), "comment": request.form.get("comment", "")}
    expected_version = posted_version(request.form)
    if expected_version is None:
        abort(400, "Formuläret saknar versionsnummer. Ladda om sidan och försök igen.")
    # Mina åtgärder's answer shows the row's round: read once, before the save, which brings it up to date.
    my_rounds = round_services.my_open_rounds(current_user) if view == "mine" and is_htmx() else None
    try:
        save_status(division_status, current_user, expected_version=expected_version, my_rounds=my_rounds, **form)
    except ValidationError as error:
        db.session.rollback()
        return _status_response(load_status(status_id), view, form=form, errors=error.errors), 400
    except Conflict:
        db.session.rollback()
        stored = load_status(status_id)
        if not plans.is_stored(stored, **form):
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
        return render_template("followup/status_edit.html", **context)
    if state.get("saved"):
        context["oob_action"] = action
        if view == "mine":  # the row's round confirmation and the banner's count follow the update
            rounds = round_services.my_open_rounds(current_user) if my_rounds is None else my_rounds
            context["oob_round"] = next((m for m in rounds if m.round.plan_id == action.factor.plan_id), None)
        if view == "plan":
            factor = action.factor
            plan_summary, factor_summary = plans.plan_and_factor_summary(factor)
            context.update(oob_factor=(factor, factor_summary), oob_plan=(factor.plan, plan_summary))
    return render_template("followup/_status_response.html", **context)
