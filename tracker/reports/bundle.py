"""The bundle sent to Socialstyrelsen: one zip with the report (Word), the plan's Excel attachment for the
attached version (made by the plan's own export, and kept among its exports) and a manifest with the SHA-256
of each, who made it and when. Kept in the database, as exports are."""

import hashlib
import io
import json
import zipfile

import sqlalchemy as sa

from tracker.clock import LOCAL_ZONE
from tracker.extensions import db
from tracker.reports.docx import report_docx
from tracker.reports.models import Report, ReportBundle
from tracker.reports.lifecycle import check_bundle
from tracker.types import utcnow
from tracker.users.models import User
from tracker.versions.exports import add_with_free_name
from tracker.xlsx.export import export_plan

MANIFEST = "manifest.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_bundle(report: Report, user: User | None, *, name: str | None = None, export_dir=None) -> ReportBundle:
    """Zip the report and its attachments now; `name` says who when no user does it (the command line).
    Only of an approved (or sent) report: ReportLocked otherwise."""
    check_bundle(report)
    now = utcnow()
    local = now.astimezone(LOCAL_ZONE)
    made_by = user.name if user else (name or "kommandorad")
    files = [(f"{report.key}.docx", report_docx(report), "Redovisningen")]
    export = None
    if report.plan is not None:
        export, workbook = export_plan(report.plan, user, export_dir, version=report.plan_version)
        files.append((export.file_name, workbook, f"Handlingsplanen, {export.version_label}"))
    manifest = {
        "report": report.key, "title": report.title, "region": report.region, "state": report.state.label,
        "plan": report.plan.key if report.plan else None, "plan_version": report.plan_version,
        "made_by": made_by, "made_at": local.isoformat(timespec="seconds"),
        "files": [{"name": file_name, "what": what, "size": len(data), "sha256": _sha256(data)}
                  for file_name, data, what in files],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, data, _ in files:
            archive.writestr(file_name, data)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    content = buffer.getvalue()
    return add_with_free_name(ReportBundle, f"{report.key}_redovisning_{local:%Y%m%d-%H%M%S}", ".zip", dict(
        report_id=report.id, sha256=_sha256(content), size=len(content), manifest=manifest, export=export,
        created_by=user, created_at=now, content=content))


def list_bundles(report: Report) -> list[ReportBundle]:
    return db.session.scalars(sa.select(ReportBundle).where(ReportBundle.report_id == report.id)
                              .order_by(ReportBundle.created_at.desc(), ReportBundle.id.desc())).all()


def get_bundle(bundle_id: int) -> ReportBundle | None:
    return db.session.get(ReportBundle, bundle_id)


def bundle_content(bundle: ReportBundle) -> bytes:
    return db.session.scalar(sa.select(ReportBundle.content).where(ReportBundle.id == bundle.id))
