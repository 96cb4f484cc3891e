"""The redovisning's pages: the report and its answers, the contacts' questions, the form editor, the life cycle,
the Word export and the bundle. Thin: the rules are in the package's modules and on the models; permissions are checked here, on the server."""

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from tracker.access import require_director, require_editor, require_own_division
from tracker.clock import today
from tracker.display import counted
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.recorder import SOURCES
from tracker.pages import (date_arg, is_htmx, posted_seen, redirect_refused, refused_here, render_page_or_fragment,
                           safe_next)
from tracker.parsing import optional_id, record_id
from tracker.agreements.choosing import agreement_choices
from tracker.plans.services import list_plans
from tracker.reports import bundle as bundles
from tracker.locking import Conflict, posted_version
from tracker.reports import answers, creation, form_editing, form_years, lifecycle, offered, queries
from tracker.reports.docx import report_docx
from tracker.reports.models import Report, ReportBundle, ReportContribution, ReportQuestion, ReportSection
from tracker.users.services import list_divisions
from tracker.vocabulary import QuestionKind, ReportState, Role

bp = Blueprint("reports", __name__)
WRITE_REPORT = "skriva redovisningens svar och formulär"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
@login_required
def _require_login():
    """Everyone signed in reads the reports (docs/domain.md, Roles: Läsare reads everything)."""


@bp.app_context_processor
def _awaiting_questions():
    """The navigation's "Mina frågor (N)" for a förvaltningskontakt."""
    def count() -> int:
        if not current_user.is_authenticated or current_user.role is not Role.DIVISION_CONTACT:
            return 0
        return queries.awaiting_count(current_user)

    return {"awaiting_questions": count}


def load_report(key: str, *, for_update: bool = False) -> Report:
    report = queries.get_report(key)
    if report is None:
        abort(404, f"Det finns ingen redovisning med nyckeln {key}.")
    if for_update:
        require_editor(WRITE_REPORT)
    return report


def load_question(question_id: int, *, for_update: bool = False) -> ReportQuestion:
    question = queries.get_question(question_id)
    if question is None:
        abort(404, "Frågan finns inte.")
    if for_update:
        require_editor(WRITE_REPORT, then="Förvaltningarna skriver sina bidrag under Mina frågor.")
    return question


def load_section(section_id: int) -> ReportSection:
    section = queries.get_section(section_id)
    if section is None:
        abort(404, "Avsnittet finns inte.")
    require_editor(WRITE_REPORT)
    return section


def load_contribution(contribution_id: int, *, for_update: bool = False) -> ReportContribution:
    contribution = queries.get_contribution(contribution_id)
    if contribution is None:
        abort(404, "Bidraget finns inte.")
    if for_update:
        require_own_division(contribution.division_id,
                             for_others="Bidragen skrivs av förvaltningskontakterna, var och en för sin egen förvaltning.",
                             for_contacts="Du kan bara skriva bidrag för din egen förvaltning.")
    return contribution


def load_bundle(bundle_id: int) -> ReportBundle:
    """A bundle to download: the report's text and the plan's file as sent, so the editors' only."""
    bundle = bundles.get_bundle(bundle_id)
    if bundle is None:
        abort(404, "Paketet finns inte.")
    require_editor("hämta paketen")
    return bundle


def _version() -> int:
    version = posted_version(request.form)
    if version is None:
        abort(400, "Formuläret saknar versionsnummer. Ladda om sidan och försök igen.")
    return version


def _locked(error: lifecycle.ReportLocked):
    db.session.rollback()
    abort(409, error.message)


def _write(change, respond, *, form=None, on_conflict=None):
    """Run one write of an answer or a contribution and commit it; None then. A refusal of the state, bad input or
    a conflict is rolled back and answered by `respond(code, **state)`, the fragment again with its message;
    `on_conflict` may decide otherwise (None: the conflict was no conflict)."""
    try:
        change()
    except lifecycle.ReportLocked as error:
        db.session.rollback()
        return respond(409, locked=error.message)
    except ValidationError as error:
        db.session.rollback()
        return respond(400, form=form, errors=error.errors)
    except Conflict:
        db.session.rollback()
        return on_conflict() if on_conflict else respond(409, form=form, conflict=True)
    db.session.commit()
    return None


def _back(report: Report, anchor: str = ""):
    return redirect(safe_next(request.form.get("next")) if request.form.get("next")
                    else url_for("reports.show", key=report.key) + anchor)


# --- The list and a new report ------------------------------------------------------------------------


@bp.get("/redovisningar")
def index():
    """The list and Ny redovisning. A GET with `fyll` and a source fills the form in from that source; a GET with
    the form's values (htmx, when the plan changes) draws it again with that plan's versions."""
    values, errors = request.args.to_dict(), {}
    if values.pop("fyll", None) and current_user.can_edit_structure:
        try:
            values = creation.source_facts(values.get("source", ""))
        except ValidationError as error:
            errors = error.errors
    return render_page_or_fragment("reports/index.html", "reports/_new_report.html",
                                   **_index_context(values=values, errors=errors))


def _index_context(**state) -> dict:
    values = state.get("values") or {}
    return {"reports": queries.list_reports(), "forms": creation.shipped_forms(), "agreements": agreement_choices(),
            "plans": [p for p, _ in list_plans()], "values": {}, "errors": {},
            "plan_versions": creation.approved_versions(values.get("plan")), **state}


@bp.post("/redovisningar")
def create():
    require_editor(WRITE_REPORT)
    form = request.form
    year = optional_id(form.get("year"))
    if _versions_of_another_plan(form):
        return _create_refused({"plan_version": VERSIONS_OF_ANOTHER_PLAN})
    try:
        report = creation.create_from_source(
            form.get("source", ""), answers=bool(form.get("answers")), key=form.get("key", "").strip(),
            title=form.get("title", ""), year=year if year is not None else -1,
            agreement=form.get("agreement"), plan_key=form.get("plan") or "",
            plan_version=form.get("plan_version") or "", deadline=form.get("deadline", ""),
            recipient=form.get("recipient", ""))
    except ValidationError as error:
        db.session.rollback()
        return _create_refused(error.errors)
    db.session.commit()
    flash(f"Redovisningen {report.key} är skapad.", "info")
    return redirect(url_for("reports.show", key=report.key))


VERSIONS_OF_ANOTHER_PLAN = ("Versionerna i listan hörde till en annan plan än den du valde nu. Välj en fastställd "
                            "version av den valda planen, eller planen som den är.")


def _versions_of_another_plan(form) -> bool:
    """A version chosen from the list drawn for another plan than the one posted (the plan was changed without
    JavaScript to draw the list again): its number may exist in the new plan too, so it is not taken."""
    return bool(form.get("plan_version")) and form.get("versions_of", "") != form.get("plan", "")


def _create_refused(errors: dict):
    return render_template("reports/index.html", **_index_context(values=request.form, errors=errors)), 400


# --- The report page ------------------------------------------------------------------------------------


def _offered(report: Report) -> dict:
    """What the tracker knows that the form asks: the status table (at a chosen date), result comments, the
    proposal for "Har handlingsplanen uppdaterats …", the plan's contacts."""
    notices: list[str] = []
    at = date_arg("per", "status per datum", notices)
    if report.plan is None:
        return {"status_rows": [], "status_at": at, "results": [], "plan_update": None, "plan_contacts": [],
                "offer_notices": notices}
    return {"status_rows": offered.status_table(report, at, today()), "status_at": at,
            "results": offered.result_comments(report), "plan_update": offered.plan_update(report),
            "plan_contacts": offered.plan_contacts(report), "offer_notices": notices}


def _question_context(question: ReportQuestion, **state) -> dict:
    report = queries.report_of(question)
    return {"report": report, "q": question, "form": None, "errors": {}, "conflict": False, "saved": False,
            "assigned": False, "locked": None, "divisions": list_divisions(), **_offered(report), **state}


@bp.get("/redovisningar/<key>")
def show(key: str):
    """The report page; a life-cycle step refused just before (_transition) has its messages next to its fields."""
    report = load_report(key)
    lifecycle_errors, lifecycle_form = refused_here()
    tree = queries.load_tree(report)
    editor = current_user.can_edit_structure
    # What the life cycle's decisions carry of the page (tracker/seen.py); only where such a form is drawn.
    deciding = (report.state is ReportState.REVIEW and current_user.can_approve) or \
        (report.state is ReportState.SENT and editor)
    seen = {"content": lifecycle.content_digest(report) if deciding else None,
            "bundles": lifecycle.bundles_seen(report) if report.state is ReportState.APPROVED and editor else None}
    other_years = form_years.other_year_texts(report, tree) if editor and report.is_form_editable else []
    return render_template(
        "reports/report.html", report=report, tree=tree, matrix=queries.contribution_matrix(report, tree),
        readiness=queries.readiness(report, tree), other_years=other_years,
        bundles=bundles.list_bundles(report) if editor else [], divisions=list_divisions(), form=None, errors={},
        conflict=False, saved=False, assigned=False, locked=None, walk=queries.walk, seen=seen,
        lifecycle_errors=lifecycle_errors, lifecycle_form=lifecycle_form, **_offered(report))


@bp.post("/redovisningar/<key>/uppgifter")
def update_facts(key: str):
    report = load_report(key, for_update=True)
    form = request.form
    if _versions_of_another_plan(form):
        return render_template("reports/form_editor.html", **_editor_context(
            report, facts_form=form, facts_errors={"plan_version": VERSIONS_OF_ANOTHER_PLAN})), 400
    try:
        creation.update_facts(report, title=form.get("title"), deadline=form.get("deadline"),
                              recipient=form.get("recipient"), plan_key=form.get("plan"),
                              plan_version=form.get("plan_version"), expected_version=_version())
    except lifecycle.ReportLocked as error:
        _locked(error)
    except Conflict:
        db.session.rollback()
        abort(409, "Någon annan har ändrat redovisningens uppgifter medan du redigerade. Ladda om sidan.")
    except ValidationError as error:
        db.session.rollback()
        return render_template("reports/form_editor.html", **_editor_context(report, facts_form=form,
                                                                             facts_errors=error.errors)), 400
    db.session.commit()
    flash("Uppgifterna är sparade.", "info")
    return redirect(url_for("reports.edit_form", key=report.key))


@bp.get("/redovisningar/<key>/historik")
def history(key: str):
    report = load_report(key)
    page = request.args.get("sida", 1, type=record_id)
    entries, has_more = queries.history_page(report, page)
    more_url = url_for("reports.history", key=report.key, sida=page + 1) if has_more else None
    context = dict(report=report, entries=entries, more_url=more_url, sources=SOURCES, restorable=set(),
                   restored=set())
    if is_htmx() and request.args.get("fler"):
        return render_template("plans/_history_entries.html", **context)
    return render_template("reports/history.html", **context)


# --- Replacing last year in the form's texts -------------------------------------------------------------


def _year_context(report: Report, **state) -> dict:
    """The preview of "byt ÅÅÅÅ mot (the report's year)"; a year that is not an earlier one is its error."""
    old_year = request.values.get("fran", "")
    try:
        changes = form_years.year_changes(report, old_year)
        errors = {} if changes else {"fran": f"Inga texter i formuläret nämner {old_year}; inget att byta."}
    except ValidationError as error:
        changes, errors = [], error.errors
    return {"report": report, "old_year": old_year, "changes": changes, "errors": errors,
            "seen": form_years.year_changes_seen(changes), "next": safe_next(request.values.get("next"))
            if request.values.get("next") else url_for("reports.show", key=report.key), **state}


@bp.get("/redovisningar/<key>/byt-ar")
def year_preview(key: str):
    report = load_report(key, for_update=True)
    context = _year_context(report)
    return render_page_or_fragment("reports/year_page.html", "reports/_year_preview.html", **context), \
        400 if context["errors"] else 200


@bp.post("/redovisningar/<key>/byt-ar")
def replace_year(key: str):
    report = load_report(key, for_update=True)
    try:
        changes = form_years.replace_year(report, request.form.get("fran", ""), seen=request.form.get("seen", ""))
    except lifecycle.ReportLocked as error:
        _locked(error)
    except ValidationError as error:
        db.session.rollback()
        return render_page_or_fragment("reports/year_page.html", "reports/_year_preview.html",
                                       **_year_context(report, errors=error.errors)), 400
    db.session.commit()
    flash(f"{counted(len(changes), 'text', 'texter')} i formuläret nämner nu {report.year} i stället för "
          f"{request.form.get('fran')}.", "info")
    return redirect(safe_next(request.form.get("next")) if request.form.get("next")
                    else url_for("reports.show", key=report.key))


# --- Answers --------------------------------------------------------------------------------------------


def _question_response(question: ReportQuestion, code: int = 200, **state):
    context = _question_context(question, **state)
    if is_htmx():
        return render_template("reports/_question.html", **context), code
    return render_template("reports/question_page.html", **context), code


@bp.get("/redovisningar/fragor/<int:question_id>")
def show_question(question_id: int):
    return _question_response(load_question(question_id))


def _answered(question_id: int):
    """The answer to a question saved, or not: its fragment (or, without htmx, back to the report)."""
    def respond(code: int, **state):
        return _question_response(load_question(question_id), code, **state)
    return respond


def _saved_answer(question: ReportQuestion):
    if not is_htmx():
        return _back(queries.report_of(question), f"#question-{question.id}")
    return _question_response(question, saved=True)


@bp.post("/redovisningar/fragor/<int:question_id>/svar")
def save_answer(question_id: int):
    question = load_question(question_id, for_update=True)
    form = request.form.to_dict()
    respond = _answered(question_id)

    def on_conflict():
        stored = load_question(question_id)
        try:
            same = answers.is_stored(stored, answers.answer_values(stored, form))
        except ValidationError:
            same = False
        return None if same else respond(409, form=form, conflict=True)

    refused = _write(lambda: answers.save_answer(question, current_user, form, expected_version=_version()),
                     respond, form=form, on_conflict=on_conflict)
    return refused or _saved_answer(load_question(question_id))


@bp.post("/redovisningar/fragor/<int:question_id>/infoga")
def insert(question_id: int):
    """Insert a contribution, the status table or a förvaltning's result comments into one answer field; or fill
    the contacts table from the plan, or the ja/nej from the plan's versions."""
    question = load_question(question_id, for_update=True)
    source = request.form.get("source", "")
    # with htmx the answer form's fields come along (hx-include): what is typed but not saved is kept
    typed = request.form.to_dict() if request.form.get("typed") else None

    def change():
        lifecycle.check_editable(question)  # before the source is read: a locked report is the answer
        if source == "kontakter":
            form = offered.contacts_text_form(question, offered.plan_contacts(queries.report_of(question)))
            answers.save_answer(question, current_user, form, expected_version=_version())
        elif source == "planversion":
            answers.apply_plan_update(question, current_user, expected_version=_version(), typed=typed)
        else:
            answers.insert_text(question, current_user, request.form.get("target", ""),
                                offered.offered_text(question, source, today()), expected_version=_version(),
                                typed=typed)

    return _write(change, _answered(question_id), form=typed) or _saved_answer(load_question(question_id))


@bp.post("/redovisningar/fragor/<int:question_id>/forvaltningar")
def assign(question_id: int):
    question = load_question(question_id, for_update=True)
    ids = [i for i in (optional_id(v) for v in request.form.getlist("divisions")) if i is not None]
    refused = _write(lambda: answers.assign_divisions(question, ids), _answered(question_id))
    if refused:
        return refused
    question = load_question(question_id)
    if not is_htmx():
        return _back(queries.report_of(question), f"#question-{question.id}")
    return _question_response(question, assigned=True)  # "Sparat" beside "Spara förvaltningarna"


# --- Contributions -----------------------------------------------------------------------------------------


@bp.get("/mina-fragor")
def mine():
    return render_template("reports/mine.html", mine=queries.my_questions(current_user), form=None, errors={},
                           conflict=False, saved=False, locked=None)


def _contribution_response(contribution: ReportContribution, code: int = 200, **state):
    context = {"c": contribution, "q": contribution.question, "form": None, "errors": {}, "conflict": False,
               "saved": False, "locked": None, **state}
    template = "reports/_contribution.html" if is_htmx() else "reports/contribution_page.html"
    return render_template(template, **context), code


@bp.get("/redovisningar/bidrag/<int:contribution_id>")
def show_contribution(contribution_id: int):
    return _contribution_response(load_contribution(contribution_id))


@bp.post("/redovisningar/bidrag/<int:contribution_id>")
def save_contribution(contribution_id: int):
    contribution = load_contribution(contribution_id, for_update=True)
    form = {"text": request.form.get("text", ""), "done": bool(request.form.get("done")),
            "nothing_to_add": bool(request.form.get("nothing_to_add"))}

    def respond(code: int, **state):
        return _contribution_response(load_contribution(contribution_id), code, **state)

    def on_conflict():
        same = answers.contribution_is_stored(load_contribution(contribution_id), **form)
        return None if same else respond(409, form=form, conflict=True)

    refused = _write(lambda: answers.save_contribution(contribution, current_user, expected_version=_version(),
                                                       **form), respond, form=form, on_conflict=on_conflict)
    if refused:
        return refused
    contribution = load_contribution(contribution_id)
    if not is_htmx():
        return redirect(safe_next(request.form.get("next")) if request.form.get("next")
                        else url_for("reports.mine") + f"#contribution-{contribution.id}")
    # the counts that this save changes, out of band: Mina frågor's summary and the navigation's count
    waiting = queries.awaiting_count(current_user)
    counts = (render_template("reports/_mine_lead.html", waiting=waiting, any_mine=True, oob=True)
              + render_template("reports/_awaiting_count.html", waiting=waiting, oob=True))
    fragment, code = _contribution_response(contribution, saved=True)
    return fragment + counts, code


# --- The form editor ------------------------------------------------------------------------------------------


def _editor_context(report: Report, **state) -> dict:
    tree = queries.load_tree(report)
    return {"report": report, "tree": tree, "walk": queries.walk, "kinds": QuestionKind,
            "other_years": form_years.other_year_texts(report, tree) if report.is_form_editable else [],
            # The plans to attach; the one attached stays a choice even when it is archived.
            "plans": [p for p, _ in list_plans()] + ([report.plan] if report.plan and report.plan.is_archived else []),
            "approved_versions": creation.approved_versions,
            "editable": report.is_form_editable, "failed": None,
            "values": {}, "errors": {}, "facts_form": None, "facts_errors": {}, **state}


@bp.get("/redovisningar/<key>/formular")
def edit_form(key: str):
    report = load_report(key, for_update=True)
    return render_template("reports/form_editor.html", **_editor_context(report))


def _edit(report: Report, failed: str, change, anchor: str = ""):
    """Run one change of the form; a refusal is a 409, bad input the editor again with the message at the field."""
    try:
        change()
    except lifecycle.ReportLocked as error:
        _locked(error)
    except ValidationError as error:
        db.session.rollback()
        return render_template("reports/form_editor.html", **_editor_context(
            report, failed=failed, values=request.form, errors=error.errors)), 400
    db.session.commit()
    return redirect(url_for("reports.edit_form", key=report.key) + anchor)


def _section_form() -> dict:
    return {"number": request.form.get("number"), "title": request.form.get("title"),
            "intro": request.form.get("intro")}


def _question_form() -> dict:
    return {name: request.form.get(name) for name in ("kind", "prompt", "prompt_second", "help", "items",
                                                      "asks_divisions")}


@bp.post("/redovisningar/<key>/avsnitt")
def add_section(key: str):
    report = load_report(key, for_update=True)
    return _edit(report, "new-section", lambda: form_editing.add_section(
        report, parent_id=request.form.get("parent_id"), **_section_form()))


@bp.post("/redovisningar/avsnitt/<int:section_id>")
def update_section(section_id: int):
    section = load_section(section_id)
    return _edit(section.report, f"section-{section.id}", lambda: form_editing.update_section(section, **_section_form()),
                 f"#section-{section.id}")


def _direction() -> int:
    return -1 if request.form.get("riktning") == "upp" else 1


@bp.post("/redovisningar/avsnitt/<int:section_id>/flytta")
def move_section(section_id: int):
    section = load_section(section_id)
    return _edit(section.report, f"section-{section.id}", lambda: form_editing.move_section(section, _direction()),
                 f"#section-{section.id}")


@bp.post("/redovisningar/avsnitt/<int:section_id>/ta-bort")
def delete_section(section_id: int):
    section = load_section(section_id)
    return _edit(section.report, f"section-{section.id}", lambda: form_editing.delete_section(section))


@bp.post("/redovisningar/avsnitt/<int:section_id>/fragor")
def add_question(section_id: int):
    section = load_section(section_id)
    return _edit(section.report, f"new-question-{section.id}",
                 lambda: form_editing.add_question(section, **_question_form()), f"#section-{section.id}")


@bp.post("/redovisningar/fragor/<int:question_id>/andra")
def update_question(question_id: int):
    question = load_question(question_id, for_update=True)
    return _edit(queries.report_of(question), f"question-{question.id}",
                 lambda: form_editing.update_question(question, **_question_form()), f"#edit-question-{question.id}")


@bp.post("/redovisningar/fragor/<int:question_id>/flytta")
def move_question(question_id: int):
    question = load_question(question_id, for_update=True)
    return _edit(queries.report_of(question), f"question-{question.id}",
                 lambda: form_editing.move_question(question, _direction()), f"#edit-question-{question.id}")


@bp.post("/redovisningar/fragor/<int:question_id>/ta-bort")
def delete_question(question_id: int):
    question = load_question(question_id, for_update=True)
    section = question.section
    return _edit(section.report, f"question-{question.id}", lambda: form_editing.delete_question(question),
                 f"#section-{section.id}")


# --- The life cycle ---------------------------------------------------------------------------------------------


def _transition(report: Report, change, message: str):
    try:
        change()
    except lifecycle.ReportLocked as error:
        _locked(error)
    except ValidationError as error:
        db.session.rollback()
        return redirect_refused(url_for("reports.show", key=report.key), error.errors, "#livscykel")
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("reports.show", key=report.key) + "#livscykel")


@bp.post("/redovisningar/<key>/granskning")
def submit_for_review(key: str):
    report = load_report(key, for_update=True)
    confirmed = bool(request.form.get("confirm"))

    def change():
        lifecycle.submit_for_review(report)  # the state first: a report in the wrong state is that answer
        lifecycle.check_ready(report, confirmed=confirmed, step="granskas")
    return _transition(report, change, "Redovisningen är klar för granskning av hälso- och sjukvårdsdirektören.")


@bp.post("/redovisningar/<key>/tillbaka")
def back_to_draft(key: str):
    report = load_report(key, for_update=True)
    if report.state is ReportState.APPROVED:  # else a strateg could undo the direktör's godkännande and edit
        require_director("häva sitt godkännande")
    return _transition(report, lambda: lifecycle.back_to_draft(report), "Redovisningen kan skrivas igen.")


@bp.post("/redovisningar/<key>/godkann")
def approve(key: str):
    report = load_report(key)
    require_director("godkänna redovisningen")
    confirmed = bool(request.form.get("confirm"))
    seen = posted_seen()

    def change():
        lifecycle.check_seen(report, seen, refused="den är inte godkänd")
        lifecycle.approve(report, current_user)
        lifecycle.check_ready(report, confirmed=confirmed, step="godkännas")
    return _transition(report, change, "Redovisningen är godkänd; den ändras inte längre.")


@bp.post("/redovisningar/<key>/paket")
def make_bundle(key: str):
    report = load_report(key, for_update=True)
    try:
        bundle = bundles.make_bundle(report, current_user, export_dir=current_app.config["EXPORT_DIR"])
    except lifecycle.ReportLocked as error:
        _locked(error)
    db.session.commit()
    flash(f"Paketet {bundle.file_name} är skapat (SHA-256 {bundle.sha256}).", "info")
    return redirect(url_for("reports.show", key=report.key) + "#paket")


@bp.get("/redovisningar/paket/<int:bundle_id>")
def download_bundle(bundle_id: int):
    bundle = load_bundle(bundle_id)
    return send_file(BytesIO(bundles.bundle_content(bundle)), mimetype="application/zip", as_attachment=True,
                     download_name=bundle.file_name)


@bp.get("/redovisningar/<key>/word")
def export_word(key: str):
    report = load_report(key)
    require_editor("exportera redovisningen")
    return send_file(BytesIO(report_docx(report)), mimetype=DOCX_MIMETYPE, as_attachment=True,
                     download_name=f"{report.key}.docx")


@bp.post("/redovisningar/<key>/skickad")
def mark_sent(key: str):
    report = load_report(key, for_update=True)
    bundle = bundles.get_bundle(optional_id(request.form.get("bundle")) or 0)
    if bundle is None:
        abort(400, "Välj paketet som skickades; skapa ett paket av den godkända redovisningen först.")
    seen = posted_seen()

    def change():
        lifecycle.check_bundles_seen(report, seen)
        lifecycle.mark_sent(report, current_user, bundle=bundle, sent_on=request.form.get("sent_on"),
                            note=request.form.get("note"))
    return _transition(report, change, "Redovisningen är markerad som skickad till Socialstyrelsen.")


@bp.post("/redovisningar/<key>/komplettering")
def reopen(key: str):
    report = load_report(key, for_update=True)
    ids = [i for i in (optional_id(v) for v in request.form.getlist("questions")) if i is not None]
    seen = posted_seen()

    def change():
        lifecycle.check_seen(report, seen, refused="ingen fråga är öppnad för komplettering")
        lifecycle.reopen(report, ids)
    return _transition(report, change,
                       "Komplettering: de valda frågorna kan ändras; skicka sedan redovisningen igen.")
