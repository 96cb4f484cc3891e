from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from tracker.clock import today
from tracker.display import counted
from tracker.errors import NotAllowed, ValidationError
from tracker.extensions import db
from tracker.followup import charts, services
from tracker.followup.models import Indicator, IndicatorValue, ReportingRound
from tracker.history.services import HistoryFilter, history_page
from tracker.notify import services as notify
from tracker.pages import is_htmx, posted_seen, require, require_own_division, safe_next
from tracker.plans import services as plans
from tracker.plans.mine import mine_page
from tracker.plans.models import DivisionStatus
from tracker.plans.views import load_plan
from tracker.users.models import Division
from tracker.users.services import list_divisions
from tracker.vocabulary import PlanState, Role
from tracker.xlsx.export import export_plan
from tracker.xlsx.views import XLSX_MIMETYPE

bp = Blueprint("followup", __name__)


@bp.before_request
@login_required
def _require_login():
    """Everyone reads the follow-up; the routes that change something check their own permission."""


@bp.get("/planer/<key>/oversikt")
def dashboard(key: str):
    plan = load_plan(key)
    figures = services.dashboard(plan, today(), current_app.config["STALE_DAYS"])
    recent, _ = history_page(plan, HistoryFilter(), 1)
    return render_template("followup/dashboard.html", plan=plan, figures=figures, recent=recent[:10],
                           stacked=charts.stacked, summary=plans.plan_summary(plan),
                           round=services.open_round_of(plan), overdue=plans.OVERDUE, stale=plans.STALE)


INDICATOR_FIELDS = ("name", "area", "target", "unit", "direction", "frequency", "factor_id", "division_id")


def _indicators_page(plan, status=200, **context):
    views = services.indicator_views(plan)
    trends = {v.indicator.id: charts.trend([x.value for x in v.series if x.value is not None], v.indicator.target)
              for v in views}
    groups: dict[str, list] = {}  # by område, in the plan's order
    for view in views:
        groups.setdefault(view.indicator.area or "Övriga", []).append(view)
    context = {"groups": groups, "errors": {}, "values": {}, "failed": None, "indicator_errors": {},
               "indicator_values": {},
               "editing": None, **context}
    return render_template("followup/indicators.html", plan=plan, views=views, trends=trends,
                           can_enter=lambda i: services.can_enter_values(current_user, i),
                           can_edit=current_user.can_edit_structure and plan.state is PlanState.DRAFT,
                           factor_choices=[(f.id, f.title) for f in plan.factors],
                           division_choices=[(d.id, d.name) for d in list_divisions()], **context), status


@bp.get("/planer/<key>/indikatorer")
def indicators(key: str):
    return _indicators_page(load_plan(key))


@bp.post("/indikatorer/<int:indicator_id>/utfall")
def record_value(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id, description="Indikatorn finns inte.")
    if not services.can_enter_values(current_user, indicator):
        abort(403, "Utfall registreras av strateg, direktör eller den ansvariga förvaltningens kontakt.")
    plan = plans.get_plan_by_id(indicator.plan_id)
    form = {k: request.form.get(k) for k in ("period", "value", "comment")}
    try:
        services.record_value(indicator, today=today(), **form)
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
    if not services.can_enter_values(current_user, indicator):
        abort(403, "Utfall ändras av strateg, direktör eller den ansvariga förvaltningens kontakt.")
    plan, period = plans.get_plan_by_id(indicator.plan_id), entry.period
    services.delete_value(entry)
    db.session.commit()
    flash(f"Utfallet för {period} är borttaget från ”{indicator.name}”; registrera det rätta om det ska rättas. "
          "Historiken visar vad det var.", "info")
    return redirect(url_for("followup.indicators", key=plan.key) + f"#indicator-{indicator.id}")


# --- Reporting rounds ---------------------------------------------------------------------------


def _rounds_page(plan, status=200, errors=None, values=None):
    rounds = services.list_rounds(plan)
    current = services.open_round_of(plan)
    mail, mail_problem = notify.mail_status()
    progress = services.progress(current) if current else []
    return render_template("followup/rounds.html", plan=plan, rounds=rounds, current=current,
                           progress=progress, progress_seen=services.progress_seen(progress) if current else None,
                           today=today(),
                           notifications=notify.notifications_of(current) if current else [],
                           due_keys=notify.due_keys(current, today(), current_app.config["REMIND_DAYS"])
                           if current else set(),
                           mail=mail, mail_problem=mail_problem,
                           errors=errors or {}, values=values or {}), status


@bp.get("/planer/<key>/omgangar")
def rounds(key: str):
    return _rounds_page(load_plan(key))


@bp.post("/planer/<key>/omgangar")
def open_round(key: str):
    plan = load_plan(key)
    if not current_user.can_edit_structure:
        abort(403, "Bara strateg och hälso- och sjukvårdsdirektör öppnar uppföljningsomgångar.")
    form = {"title": request.form.get("title"), "deadline": request.form.get("deadline")}
    try:
        round_ = services.open_round(plan, current_user, today=today(), **form)
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
    if not current_user.can_edit_structure:
        abort(403, "Bara strateg och hälso- och sjukvårdsdirektör stänger uppföljningsomgångar.")
    seen = posted_seen()
    if not request.form.get("confirm"):
        return _rounds_page(round_.plan, 400, {"confirm": "Kryssa i rutan för att bekräfta att omgången stängs."})
    try:
        services.close_round(round_, current_user, seen=seen)
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
    previous = services.previous_round(round_)
    return render_template("followup/round.html", plan=round_.plan, round=round_, previous=previous,
                           differences=services.compare_rounds(previous, round_) if previous else None,
                           notifications=notify.notifications_of(round_), due_keys=set())


@bp.get("/omgangar/<int:round_id>/kvar/<int:division_id>")
def round_left(round_id: int, division_id: int):
    """What an open round still waits for from one förvaltning (the round page's "Kvar")."""
    round_ = _load_round(round_id)
    division = db.get_or_404(Division, division_id, description="Förvaltningen finns inte.")
    if not round_.is_open:
        return redirect(url_for("followup.show_round", round_id=round_.id))
    return render_template("followup/round_left.html", plan=round_.plan, round=round_, division=division,
                           statuses=services.left_statuses(round_, division_id=division.id, with_updaters=True),
                           total=services.division_total(round_, division.id))


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
        confirmed = services.confirm_unchanged_many(round_, current_user, **choice)
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
    return redirect(url_for("plans.mine", plan=plan_key))


@bp.post("/omgangar/<int:round_id>/bekrafta/<int:status_id>")
def confirm_unchanged(round_id: int, status_id: int):
    round_ = _load_round(round_id)
    division_status = _load_round_status(round_, status_id)
    if not round_.is_open:
        abort(409, "Omgången är stängd.")
    services.confirm(round_, division_status, current_user, unchanged=True)
    db.session.commit()
    if not is_htmx():  # back to the list as it was filtered, at the row, which says it is confirmed
        back = safe_next(request.form.get("next") or url_for("plans.mine"))
        return redirect(f"{back}#my-{division_status.id}")
    mine = next(m for m in services.my_open_rounds(current_user) if m.round.id == round_.id)
    return render_template("followup/_confirm_response.html", ds=division_status, my_round=mine)


def _load_indicator(indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id, description="Indikatorn finns inte.")
    if not current_user.can_edit_structure:
        abort(403, "Bara strateg och hälso- och sjukvårdsdirektör ändrar indikatorerna.")
    return indicator


def _indicator_form() -> dict:
    return {name: request.form.get(name) for name in INDICATOR_FIELDS}


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
    if not current_user.can_edit_structure:
        abort(403, "Bara strateg och hälso- och sjukvårdsdirektör ändrar indikatorerna.")
    return _save_indicator(plan, lambda: services.create_indicator(plan, **_indicator_form()), "new", "tillagd")


@bp.post("/indikatorer/<int:indicator_id>")
def update_indicator(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    plan = plans.get_plan_by_id(indicator.plan_id)
    return _save_indicator(plan, lambda: services.update_indicator(indicator, plan, **_indicator_form()),
                           indicator_id, "ändrad")


@bp.post("/indikatorer/<int:indicator_id>/ta-bort")
def delete_indicator(indicator_id: int):
    indicator = _load_indicator(indicator_id)
    plan = plans.get_plan_by_id(indicator.plan_id)
    name = indicator.name
    services.delete_indicator(indicator)
    db.session.commit()
    flash(f"Indikatorn ”{name}” är borttagen; den finns kvar i historiken.", "info")
    return redirect(url_for("followup.indicators", key=plan.key))


@bp.post("/omgangar/<int:round_id>/export")
def export_round(round_id: int):
    round_ = _load_round(round_id)
    if not current_user.can_edit_structure:
        abort(403, "Bara strateg och hälso- och sjukvårdsdirektör exporterar planer.")
    if round_.is_open:
        abort(409, "Omgången är öppen; stäng den först, så att statusarna står still.")
    record, data = export_plan(round_.plan, current_user, current_app.config["EXPORT_DIR"], reporting_round=round_)
    db.session.commit()
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=record.file_name)
