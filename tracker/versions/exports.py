"""The plan's exported workbooks, kept with their checksum: listing them, what a page listed of them, and marking
the one that went to Socialstyrelsen (which sends the fastställd version it holds). Writing a workbook is the
Excel attachment's (tracker/xlsx/export.py)."""

import sqlalchemy as sa

from tracker.display import format_datetime
from tracker.errors import ChangedSinceSeen
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.seen import digest
from tracker.types import utcnow
from tracker.users.models import User
from tracker.versions.models import Export
from tracker.versions.services import get_version
from tracker.versions.services import mark_sent as mark_version_sent


def add_with_free_name(model, base: str, suffix: str, fields: dict):
    """A kept file named base.xlsx, or base-2.xlsx, … : the unique file name is the check (each try in a savepoint),
    so two exports (or report bundles) made in the same second, by any server process, never take the same name."""
    n = 1
    while True:
        kept = model(file_name=f"{base}{suffix}" if n == 1 else f"{base}-{n}{suffix}", **fields)
        try:
            with db.session.begin_nested():
                db.session.add(kept)
            return kept
        except sa.exc.IntegrityError:
            n += 1  # the name is taken; the savepoint's rollback took this try out of the session


def list_exports(plan: Plan) -> list[Export]:
    return db.session.scalars(
        sa.select(Export).where(Export.plan_id == plan.id).order_by(Export.created_at.desc(), Export.id.desc())
    ).all()


def exports_seen(plan: Plan, version_number: int | None = None) -> str:
    """The exports a page lists to mark one as sent (the plan's, or one fastställd version's), as its form carries
    them: a newer export since makes the page stale, for the user may have sent that one."""
    query = sa.select(Export.id).where(Export.plan_id == plan.id).order_by(Export.id)
    if version_number is not None:
        query = query.where(Export.version_number == version_number)
    return digest(db.session.scalars(query).all())


def check_exports_seen(plan: Plan, seen: str, version_number: int | None = None) -> None:
    if exports_seen(plan, version_number) != seen:
        where = (("versions.plan_versions", {"key": plan.key}) if version_number is not None
                 else ("plans.show", {"key": plan.key, "_anchor": "exporter"}))
        raise ChangedSinceSeen("Planen har exporterats igen sedan du öppnade sidan, så inget markerades som skickat: "
                               "kontrollera vilken fil som gick till Socialstyrelsen och markera den i den "
                               "uppdaterade listan.", where, "Exporterna nu")


def mark_sent(export: Export, user: User | None) -> Export:
    """The file went to Socialstyrelsen; when it holds a fastställd version, that version was sent too."""
    if export.sent_at is not None:
        raise ChangedSinceSeen(f"{export.file_name} är redan markerad som skickad ({format_datetime(export.sent_at)}); "
                               "den markerades medan din sida var öppen.",
                               ("plans.show", {"key": export.plan.key, "_anchor": "exporter"}), "Exporterna nu")
    export.sent_at = utcnow()
    export.sent_by = user
    version = get_version(export.plan, export.version_number) if export.version_number else None
    if version is not None and version.sent_at is None:
        mark_version_sent(version, user, export)
    db.session.flush()
    return export
