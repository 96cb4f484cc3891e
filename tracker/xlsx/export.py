"""Export of the Excel attachment: the workbook of a plan or a fastställd version, kept in the database with its
checksum (and, when TRACKER_EXPORT_DIR is set, also as a file there). The kept exports, which one was sent, are
tracker/versions/exports.py."""

import hashlib
import json
import logging
from pathlib import Path

from tracker.clock import LOCAL_ZONE
from tracker.files import create_private
from tracker.plans.models import Plan
from tracker.types import utcnow
from tracker.users.models import User
from tracker.users.services import list_divisions
from tracker.versions.exports import add_with_free_name
from tracker.versions.models import Export
from tracker.versions.services import get_version, list_versions
from tracker.versions.snapshot import plan_snapshot
from tracker.vocabulary import PlanState
from tracker.xlsx.rows import rows_from_snapshot
from tracker.xlsx.workbook import build_workbook, workbook_bytes

logger = logging.getLogger(__name__)


def with_round_statuses(snapshot: dict, round_) -> dict:
    """The plan snapshot with each status as a closed reporting round kept it."""
    kept = {(row["action_id"], row["division_id"]): row for row in round_.snapshot or []}
    for factor in snapshot["factors"]:
        for action in factor["actions"]:
            for status in action["statuses"]:
                row = kept.get((action["id"], status["division_id"]))
                if row is not None:
                    status["status"], status["comment"] = row["status"], row["comment"]
    closed = round_.closed_at.astimezone(LOCAL_ZONE)
    snapshot["meta"]["version_label"] += f", statusar enligt {round_.title} (stängd {closed:%Y-%m-%d})"
    return snapshot


def export_plan(plan: Plan, user: User | None, export_dir: str | Path | None = None, *,
                version: int | None = None, reporting_round=None) -> tuple[Export, bytes]:
    """Write the workbook of the current plan or of a fastställd version (with the statuses of a closed
    reporting round, if given) and keep it with its checksum; a copy goes to export_dir when one is given.
    ValueError for a version that does not exist."""
    number = version if version is not None else (plan.version_number if plan.state is PlanState.APPROVED else None)
    stored = get_version(plan, number) if number is not None else None
    if version is not None and stored is None:
        numbers = ", ".join(str(v.number) for v in reversed(list_versions(plan))) or "inga ännu"
        raise ValueError(f"Planen {plan.key} har ingen fastställd version {version}. Fastställda versioner: {numbers}.")
    approved = None
    if stored is not None:
        approved = f"{stored.approved_at.astimezone(LOCAL_ZONE):%Y-%m-%d} av {stored.approved_by_name}"
        if stored.decision:
            approved += f" ({stored.decision})"
    snapshot = dict(stored.snapshot) if version is not None else plan_snapshot(plan)
    if reporting_round is not None:
        snapshot = with_round_statuses(json.loads(json.dumps(snapshot)), reporting_round)
    rows = rows_from_snapshot(snapshot, approved)
    now = utcnow()
    local = now.astimezone(LOCAL_ZONE)
    # The dropdown offers the förvaltningar that take on åtgärder, and those the plan already names.
    named = {s["division"] for s in rows.statuses}
    choices = [d.name for d in list_divisions() if d.active or d.name in named]
    data = workbook_bytes(build_workbook(rows, choices, local))
    label = f"version-{number}" if number is not None else f"utkast-v{plan.version_number}"
    if reporting_round is not None:
        label += f"_omgang-{reporting_round.id}"
    export = add_with_free_name(Export, f"{plan.key}_{label}_{local:%Y%m%d-%H%M%S}", ".xlsx", dict(
        plan=plan, version_label=rows.meta["version"], version_number=number, sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), content=data, created_by=user, created_at=now))
    if export_dir:
        _write_copy(Path(export_dir), export.file_name, data)
    return export, data


def _write_copy(directory: Path, name: str, data: bytes) -> None:
    """The optional copy under TRACKER_EXPORT_DIR; a file already there is never written over. Readable by its
    owner only: the workbook names the plan's contacts with their e-mail addresses and phone numbers."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        create_private(directory / name, data)
    except FileExistsError:
        logger.warning("export copy not written: %s already exists in %s", name, directory)
