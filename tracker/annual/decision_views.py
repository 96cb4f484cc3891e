"""The decision register on the web: a year's decisions, their form, deletion with confirmation, the history,
and the beslutsunderlag in Word. Everyone logged in reads; the strateg and the direktör write."""

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from tracker.access import require_editor
from tracker.agreements.models import AgreementYear, Decision
from tracker.annual import decisions as services
from tracker.annual.decision_docx import decision_docx, file_name
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.recorder import SOURCES
from tracker.locking import Conflict, posted_version

bp = Blueprint("decisions", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
@login_required
def _require_login():
    """Everyone logged in reads the decisions (docs/domain.md, Roles: Läsare reads everything)."""


def _require_editor() -> None:
    require_editor("ändra utskottets beslut")


def load_year(year_id: int) -> AgreementYear:
    return db.get_or_404(AgreementYear, year_id, description="Överenskommelsens år finns inte.")


def load_decision(decision_id: int) -> Decision:
    return db.get_or_404(Decision, decision_id, description="Beslutet finns inte.")


def _year_links(year: AgreementYear) -> dict:
    """The breadcrumb's links to the agreements' list and the year's page, where the app has those pages."""
    pages = current_app.view_functions
    return {"index_url": url_for("annual.index") if "annual.index" in pages else None,
            "year_url": url_for("annual.show_year", year_id=year.id) if "annual.show_year" in pages else None}


def _register(year: AgreementYear, errors=None, values=None, status: int = 200):
    documents = services.year_documents(year)
    decisions = services.list_decisions(year)
    return render_template(
        "annual/decisions.html", year=year, decisions=decisions, documents=documents,
        named={d.id: services.named_documents(d, documents) for d in decisions},
        entries=services.decision_history(year), sources=SOURCES, long_date=services.long_date,
        errors=errors or {}, values=values if values is not None else services.form_values(None),
        **_year_links(year)), status


@bp.get("/overenskommelser/<int:year_id>/beslut")
def register(year_id: int):
    return _register(load_year(year_id))


@bp.post("/overenskommelser/<int:year_id>/beslut")
def create(year_id: int):
    year = load_year(year_id)
    _require_editor()
    try:
        decision = services.create_decision(year, services.read_form(year, request.form))
    except ValidationError as error:
        db.session.rollback()
        return _register(year, error.errors, request.form, 400)
    db.session.commit()
    flash(f"Beslutet {_name(decision)} är sparat.", "info")
    return redirect(url_for("decisions.register", year_id=year.id) + f"#beslut-{decision.id}")


def _edit_page(decision: Decision, errors=None, values=None, status: int = 200, stored: Decision | None = None):
    year = decision.agreement_year
    return render_template(
        "annual/decision_edit.html", year=year, decision=decision, documents=services.year_documents(year),
        errors=errors or {}, values=values if values is not None else services.form_values(decision),
        stored=stored, long_date=services.long_date), status


@bp.get("/overenskommelser/beslut/<int:decision_id>/andra")
def edit(decision_id: int):
    decision = load_decision(decision_id)
    _require_editor()
    return _edit_page(decision)


@bp.post("/overenskommelser/beslut/<int:decision_id>")
def update(decision_id: int):
    decision = load_decision(decision_id)
    _require_editor()
    year = decision.agreement_year
    try:
        values = services.read_form(year, request.form)
        services.update_decision(decision, values, posted_version(request.form))
    except ValidationError as error:
        db.session.rollback()
        return _edit_page(decision, error.errors, request.form, 400)
    except Conflict:
        return _conflict(decision_id)
    db.session.commit()
    flash(f"Beslutet {_name(decision)} är sparat.", "info")
    return redirect(url_for("decisions.register", year_id=year.id) + f"#beslut-{decision.id}")


def _conflict(decision_id: int):
    """Someone else saved or deleted the decision after the page was read: nothing is written; the form comes
    back with what was typed, beside what is stored now, and saving again (the stored version) overwrites it."""
    db.session.rollback()
    current = db.session.get(Decision, decision_id)
    if current is None:
        abort(409, "Någon annan har tagit bort beslutet medan du hade sidan öppen, så din ändring är inte sparad.")
    values = {**request.form, "adjusted": request.form.get("adjusted")}
    return _edit_page(current, {"conflict": (
        "Någon annan har ändrat beslutet medan du hade sidan öppen, så din ändring är inte sparad. Det som är "
        "sparat nu står under formuläret; spara igen för att ersätta det med det du skrev.")}, values, 409,
        stored=current)


@bp.get("/overenskommelser/beslut/<int:decision_id>/ta-bort")
def confirm_delete(decision_id: int):
    decision = load_decision(decision_id)
    _require_editor()
    return render_template("annual/decision_delete.html", decision=decision, year=decision.agreement_year,
                           long_date=services.long_date)


@bp.post("/overenskommelser/beslut/<int:decision_id>/ta-bort")
def delete(decision_id: int):
    decision = load_decision(decision_id)
    _require_editor()
    year_id, name = decision.agreement_year_id, _name(decision)
    if not request.form.get("confirm"):
        return render_template("annual/decision_delete.html", decision=decision, year=decision.agreement_year,
                               long_date=services.long_date,
                               error="Kryssa i rutan för att bekräfta att beslutet ska tas bort."), 400
    try:
        services.delete_decision(decision, posted_version(request.form))
    except Conflict:
        db.session.rollback()
        abort(409, "Någon annan har ändrat eller tagit bort beslutet medan du hade sidan öppen, så det är inte "
                   "borttaget. Ladda om sidan och se vad som ändrats.")
    db.session.commit()
    flash(f"Beslutet {name} är borttaget; det finns kvar i historiken.", "info")
    return redirect(url_for("decisions.register", year_id=year_id))


@bp.get("/overenskommelser/beslut/<int:decision_id>/beslutsunderlag.docx")
def download(decision_id: int):
    decision = load_decision(decision_id)
    return send_file(BytesIO(decision_docx(decision)), mimetype=DOCX_MIMETYPE, as_attachment=True,
                     download_name=file_name(decision))


def _name(decision: Decision) -> str:
    return " ".join(filter(None, (decision.paragraph, f"”{decision.title}”")))
