"""The agreements on the web: the list, a year's page with its facts, medel, villkor and their fulfilment, next
year from this one, and årshjulet. Everyone logged in reads; the strateg and the direktör write. Every form
works without JavaScript: a refused one comes back on its page with the messages at its fields (400)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.access import require_editor
from tracker.agreements import services as agreements
from tracker.agreements.models import Agreement, Condition, Funds
from tracker.annual import services as annual
from tracker.clock import today
from tracker.display import format_amount_input, format_kronor, long_date
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import Conflict, posted_version
from tracker.parsing import year_field
from tracker.vocabulary import ConditionKind

bp = Blueprint("annual", __name__)

CHANGED = ("Någon annan har ändrat eller tagit bort det här sedan du läste sidan. Sidan visar nu det som är sparat; "
           "gör din ändring igen om den behövs.")


@bp.before_request
@login_required
def _require_login():
    """Everyone may read the agreements (docs/domain.md, Roles: Läsare reads everything)."""


@bp.app_template_filter("kronor")
def _kronor(amount):
    return format_kronor(amount)


@bp.app_template_filter("amount_input")
def _amount_input(amount):
    return format_amount_input(amount)


@bp.app_template_filter("long_date")
def _long_date(day):
    return long_date(day)


def _manage() -> None:
    require_editor("ändra överenskommelser")


# --- The list -----------------------------------------------------------------------------------------------


def _index_page(refused: dict | None = None, status: int = 200):
    return render_template("annual/index.html", agreements=annual.overview(today()), today=today(),
                           refused=refused or {}), status


@bp.get("/overenskommelser")
def index():
    return _index_page()


def _refused(form_id: str, error: ValidationError) -> dict:
    db.session.rollback()
    return {"form": form_id, "errors": error.errors, "values": request.form}


@bp.post("/overenskommelser/ny")
def create_agreement():
    _manage()
    try:
        agreement = agreements.create_agreement(request.form.get("name"))
    except ValidationError as error:
        return _index_page(_refused("new-agreement", error), 400)
    db.session.commit()
    flash(f"Överenskommelsen ”{agreement.name}” är skapad. Lägg till dess första år.", "info")
    return redirect(url_for("annual.index", _anchor=f"agreement-{agreement.id}"))


def _agreement(agreement_id: int) -> Agreement:
    return db.get_or_404(Agreement, agreement_id, description="Överenskommelsen finns inte.")


@bp.post("/overenskommelser/avtal/<int:agreement_id>/namn")
def rename_agreement(agreement_id: int):
    agreement = _agreement(agreement_id)
    _manage()
    try:
        agreements.rename_agreement(agreement, request.form.get("name"))
    except ValidationError as error:
        return _index_page(_refused(f"rename-{agreement_id}", error), 400)
    db.session.commit()
    flash(f"Överenskommelsen heter nu ”{agreement.name}”.", "info")
    return redirect(url_for("annual.index", _anchor=f"agreement-{agreement.id}"))


@bp.post("/overenskommelser/avtal/<int:agreement_id>/ar")
def add_year(agreement_id: int):
    agreement = _agreement(agreement_id)
    _manage()
    errors: dict[str, str] = {}
    year = year_field(errors, "year", request.form.get("year"))
    if year is None and not errors:
        errors["year"] = "Ange året med fyra siffror, t.ex. 2025."
    if errors:
        return _index_page(_refused(f"year-{agreement_id}", ValidationError(errors)), 400)
    row = agreements.year_of(agreement, year)
    db.session.commit()
    return redirect(url_for("annual.show_year", year_id=row.id))


# --- A year -------------------------------------------------------------------------------------------------


def _year_page(year_id: int, refused: dict | None = None, status: int = 200, conflict: str | None = None):
    page = annual.year_page(year_id)
    if page is None:
        abort(404, "Året finns inte.")
    return render_template("annual/year.html", page=page, year=page.year, today=today(), refused=refused or {},
                           kinds=ConditionKind.choices(), conflict=conflict,
                           evidence_labels=annual.evidence_labels(page.year.conditions)), status


def _year(year_id: int):
    year = agreements.get_year(year_id)
    if year is None:
        abort(404, "Året finns inte.")
    return year


def _saved(year_id: int, anchor: str, message: str = "Sparat."):
    flash(message, "info")
    return redirect(url_for("annual.show_year", year_id=year_id, _anchor=anchor))


@bp.get("/overenskommelser/<int:year_id>")
def show_year(year_id: int):
    return _year_page(year_id)


@bp.post("/overenskommelser/<int:year_id>/uppgifter")
def update_year(year_id: int):
    year = _year(year_id)
    _manage()
    try:
        agreements.update_year(year, request.form, posted_version(request.form))
    except ValidationError as error:
        return _year_page(year_id, _refused("facts", error), 400)
    except Conflict:
        db.session.rollback()
        return _year_page(year_id, status=409, conflict=CHANGED)
    db.session.commit()
    return _saved(year_id, "facts", "Årets uppgifter är sparade.")


@bp.post("/overenskommelser/<int:year_id>/medel")
def add_funds(year_id: int):
    year = _year(year_id)
    _manage()
    try:
        funds = agreements.add_funds(year, request.form)
    except ValidationError as error:
        return _year_page(year_id, _refused("new-funds", error), 400)
    db.session.commit()
    return _saved(year_id, f"funds-{funds.id}", f"Medlen ”{funds.label}” är tillagda.")


def _funds(funds_id: int) -> Funds:
    return db.get_or_404(Funds, funds_id, description="Delen av medlen finns inte.")


@bp.post("/overenskommelser/medel/<int:funds_id>")
def update_funds(funds_id: int):
    funds = _funds(funds_id)
    _manage()
    year_id = funds.agreement_year_id
    try:
        agreements.update_funds(funds, request.form)
    except ValidationError as error:
        return _year_page(year_id, _refused(f"funds-{funds_id}", error), 400)
    db.session.commit()
    return _saved(year_id, f"funds-{funds_id}")


@bp.post("/overenskommelser/medel/<int:funds_id>/ta-bort")
def delete_funds(funds_id: int):
    funds = _funds(funds_id)
    _manage()
    year_id, label = funds.agreement_year_id, funds.label
    agreements.delete_funds(funds)
    db.session.commit()
    return _saved(year_id, "funds", f"Medlen ”{label}” är borttagna.")


@bp.post("/overenskommelser/<int:year_id>/villkor")
def add_condition(year_id: int):
    year = _year(year_id)
    _manage()
    try:
        condition = agreements.add_condition(year, request.form)
    except ValidationError as error:
        return _year_page(year_id, _refused("new-condition", error), 400)
    db.session.commit()
    return _saved(year_id, f"condition-{condition.id}", "Villkoret är tillagt.")


def _condition(condition_id: int) -> Condition:
    return db.get_or_404(Condition, condition_id, description="Villkoret finns inte.")


def _condition_write(condition_id: int, form_id: str, write, message: str, anchor: str | None = None):
    """A change to one villkor: refused at its form's fields (400) or as changed since read (409); saved, back to
    the year's page at the villkor (or at `anchor`)."""
    condition = _condition(condition_id)
    _manage()
    year_id = condition.agreement_year_id
    try:
        write(condition)
    except ValidationError as error:
        return _year_page(year_id, _refused(form_id, error), 400)
    except Conflict:
        db.session.rollback()
        return _year_page(year_id, status=409, conflict=CHANGED)
    db.session.commit()
    return _saved(year_id, anchor or f"condition-{condition_id}", message)


@bp.post("/overenskommelser/villkor/<int:condition_id>")
def update_condition(condition_id: int):
    return _condition_write(condition_id, f"condition-{condition_id}", lambda condition: agreements.update_condition(
        condition, request.form, posted_version(request.form)), "Villkoret är sparat.")


@bp.post("/overenskommelser/villkor/<int:condition_id>/ta-bort")
def delete_condition(condition_id: int):
    return _condition_write(condition_id, f"condition-{condition_id}", lambda condition: agreements.delete_condition(
        condition, posted_version(request.form)), "Villkoret är borttaget.", anchor="conditions")


@bp.post("/overenskommelser/villkor/<int:condition_id>/uppfyllt")
def fulfil(condition_id: int):
    return _condition_write(condition_id, f"fulfil-{condition_id}", lambda condition: annual.fulfil(
        condition, current_user, request.form, today()), "Villkoret är markerat som uppfyllt.")


@bp.post("/overenskommelser/villkor/<int:condition_id>/ej-uppfyllt")
def undo_fulfilment(condition_id: int):
    return _condition_write(condition_id, f"fulfil-{condition_id}", lambda condition: agreements.undo_fulfilment(
        condition, posted_version(request.form)), "Villkoret är inte längre markerat som uppfyllt.")


@bp.post("/overenskommelser/<int:year_id>/nytt-ar")
def next_year(year_id: int):
    year = _year(year_id)
    _manage()
    try:
        following = agreements.next_year(year)
    except ValidationError as error:
        return _year_page(year_id, _refused("next-year", error), 400)
    db.session.commit()
    flash(f"{following.label} är skapat från {year.year}: {len(following.conditions)} villkor med sista dag ett år "
          "senare, inga uppfyllda. Fyll i årets medel och diarienummer när de är kända.", "info")
    return redirect(url_for("annual.show_year", year_id=following.id))


# --- Årshjulet ----------------------------------------------------------------------------------------------


@bp.get("/arshjul")
def wheel():
    notices = []
    chosen = today().year
    if request.args.get("ar"):
        errors: dict[str, str] = {}
        chosen = year_field(errors, "ar", request.args.get("ar")) or today().year
        if errors:
            notices.append(errors["ar"] + f" Årshjulet visar {chosen}.")
    return render_template("annual/wheel.html", wheel=annual.wheel(chosen, today()), today=today(), notices=notices)
