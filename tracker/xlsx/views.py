import re
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from tracker.access import require, require_director, require_editor
from tracker.agreements.choosing import agreement_choices
from tracker.display import counted
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import ReportingRound
from tracker.parsing import year_field
from tracker.history.recorder import acting
from tracker.pages import posted_seen
from tracker.plans import services as plans
from tracker.plans.views import load_plan
from tracker.versions import exports
from tracker.versions.models import Export
from tracker.xlsx.apply import ImportConflict, ImportRefused, apply_import, conflict_message
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import WorkbookError
from tracker.xlsx.models import StagedUpload
from tracker.xlsx import uploads

bp = Blueprint("xlsx", __name__)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


@bp.before_request
@login_required
def _require_editor():
    """Export and import are the strateg's and the direktör's (docs/domain.md, Roles)."""
    require_editor("exportera och importera planer")


def load_export(export_id: int) -> Export:
    export = db.get_or_404(Export, export_id, description="Exporten finns inte.")
    return export


@bp.post("/planer/<key>/export")
def export(key: str):
    plan = load_plan(key)
    record, data = export_plan(plan, current_user, current_app.config["EXPORT_DIR"])
    db.session.commit()
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=record.file_name)


@bp.post("/omgangar/<int:round_id>/export")
def export_round(round_id: int):
    """The plan as a closed round kept its statuses."""
    round_ = db.get_or_404(ReportingRound, round_id, description="Omgången finns inte.")
    if round_.is_open:
        abort(409, "Omgången är öppen; stäng den först, så att statusarna står still.")
    record, data = export_plan(round_.plan, current_user, current_app.config["EXPORT_DIR"],
                                       reporting_round=round_)
    db.session.commit()
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=record.file_name)


@bp.get("/exporter/<int:export_id>")
def download(export_id: int):
    record = load_export(export_id)
    if record.content is None:
        abort(404, f"Filen {record.file_name} fanns inte kvar när exporterna flyttades in i databasen.")
    return send_file(BytesIO(record.content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=record.file_name)


@bp.post("/exporter/<int:export_id>/skickad")
def mark_sent(export_id: int):
    record = load_export(export_id)
    exports.check_exports_seen(record.plan, posted_seen())
    exports.mark_sent(record, current_user)
    db.session.commit()
    flash(f"{record.file_name} är markerad som skickad till Socialstyrelsen.", "info")
    return redirect(url_for("plans.show", key=record.plan.key) + "#exporter")


# --- Import -----------------------------------------------------------------------------


def load_upload(token: str) -> StagedUpload:
    upload = uploads.get_upload(token) if TOKEN.match(token) else None
    if upload is None:
        abort(404, "Importen finns inte längre. Ladda upp filen igen.")
    require(upload.user_id == current_user.id, "Importen laddades upp av någon annan.")
    return upload


def _new_plan_fields(form) -> dict:
    """The new plan's facts from the form; the import service checks them with the rest of the plan's facts.
    ValidationError for a year that is not a year (a digit like ², a number of twenty digits)."""
    fields, errors = {}, {}
    if form.get("agreement", "").strip():
        fields["agreement"] = form["agreement"].strip()
    if form.get("title", "").strip():
        fields["title"] = form["title"].strip()
    if (year := year_field(errors, "year", form.get("year"))) is not None:
        fields["year"] = year
    if errors:
        raise ValidationError(errors)
    return fields


def _preview_page(preview, token, meta, status=200, message=None, errors=None):
    return render_template(
        "xlsx/import_preview.html", preview=preview, token=token, meta=meta, message=message,
        agreements=agreement_choices() if preview.new_plan else [],
        errors=errors or {}, changed=[c for c in preview.changes if c.state != "unchanged"],
    ), status


def _import_form(selected, error=None, status=200, errors=None):
    max_mb = f"{current_app.config['IMPORT_MAX_BYTES'] / 1024 / 1024:g}"
    return render_template("xlsx/import_form.html", plans=plans.list_plans(), agreements=agreement_choices(),
                           selected=selected, error=error,
                           errors=errors or {}, max_mb=max_mb), status


@bp.get("/import")
def import_form():
    return _import_form(request.args.get("plan"))


@bp.post("/import")
def upload():
    upload = request.files.get("file")
    plan_key = (request.form.get("plan") or "").strip() or (request.form.get("new_key") or "").strip() or None
    error = None
    try:
        new_plan = _new_plan_fields(request.form)
    except ValidationError as invalid:
        return _import_form(plan_key, status=400, errors=invalid.errors)
    if upload is None or not upload.filename:
        error = "Välj en Excel-fil (.xlsx) att importera."
    if error is None:
        data = upload.read()
        try:
            preview = preview_import(data, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                              plan_key=plan_key, **new_plan)
        except WorkbookError as workbook_error:
            error = str(workbook_error)
    if error:
        return _import_form(plan_key, error, 400)
    if not preview.clean:
        return _preview_page(preview, None, {"file_name": upload.filename}, 400)
    staged = uploads.stage_upload(current_user, preview.plan_key, upload.filename, data)
    db.session.commit()
    return _preview_page(preview, staged.token, staged)


@bp.post("/import/<token>")
def confirm(token: str):
    meta = load_upload(token)
    data = meta.content
    try:
        new_plan = _new_plan_fields(request.form)
    except ValidationError as invalid:
        preview = preview_import(data, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                          plan_key=meta.plan_key)
        return _preview_page(preview, token, meta, 400, " ".join(invalid.errors.values()), invalid.errors)
    preview = preview_import(data, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                      plan_key=meta.plan_key, **new_plan)
    if not preview.clean:
        return _preview_page(preview, token, meta, 400)
    if saved := preview.saved_since(request.form.get("fingerprint", "")):
        return _preview_page(preview, token, meta, 409, conflict_message(preview, saved))
    left = preview.keep_only(request.form.get("fingerprint", ""))
    keep_approval = request.form.get("approval") == "keep"
    if keep_approval:
        require_director("fastställa en plan, också vid en import")
    try:
        with acting(current_user, "import"):
            plan = apply_import(preview, current_user, remove_missing=request.form.get("missing") == "remove",
                                new_plan=new_plan, keep_approval=keep_approval)
            db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        return _preview_page(preview, token, meta, 400, " ".join(error.errors.values()), error.errors)
    except ImportRefused as refused:
        db.session.rollback()
        return _preview_page(preview, token, meta, 400, str(refused))
    except ImportConflict as conflict:
        db.session.rollback()
        message = conflict_message(preview, conflict.rows)
        preview = preview_import(data, max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                          plan_key=meta.plan_key, **new_plan)
        return _preview_page(preview, token, meta, 409, message)
    file_name = meta.file_name
    uploads.discard_upload(meta)
    db.session.commit()
    flash(f"Importen av {file_name} är sparad: {preview.summary}."
          + (f" {counted(left, 'rad', 'rader')} som någon sparade efter förhandsgranskningen behölls som de sparades, "
             "inte som i filen." if left else ""), "info")
    return redirect(url_for("plans.show", key=plan.key))
