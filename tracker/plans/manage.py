"""Managing a plan as a whole: correcting its title, agreement and year, archiving it out of the default lists (and
back), and deleting a draft that was never fastställd. Each change is in the plan's history; each is refused
with a Swedish message when the plan changed since the page was read (tracker/locking.py)."""

import sqlalchemy as sa

from tracker.agreements.choosing import choose_agreement
from tracker.agreements.services import year_of
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.recorder import quote, record
from tracker.locking import Conflict, expect_version, flush_versioned
from tracker.parsing import year_field
from tracker.plans.models import Action, Area, Plan, SuccessFactor
from tracker.types import utcnow

TITLE_MAX = 300
CHANGED = "Någon annan har ändrat planen sedan du öppnade sidan. Se hur den ser ut nu och gör ändringen igen."
GONE = "Planen har tagits bort av någon annan."

# What lies above this package and keeps a plan: its fastställda versions and the reports that attach it, read by
# table name (plans do not import versions or reports).
_VERSIONS = sa.table("plan_version", sa.column("plan_id"))
_REPORTS = sa.table("report", sa.column("plan_id"), sa.column("key"))


def lock(plan: Plan) -> None:
    """Hold the plan's row until the commit and read it again, for a decision by what the plan holds (its versions,
    its reports, its structure): a writer at the same moment waits, then sees what this one did. Conflict when
    the plan was deleted meanwhile."""
    table = Plan.__table__
    if db.session.execute(sa.update(table).where(table.c.id == plan.id).values(id=table.c.id)).rowcount != 1:
        raise Conflict(GONE)
    db.session.refresh(plan)


def update_facts(plan: Plan, *, title, agreement, year, expected_version: int | None) -> Plan:
    """Correct the plan's title, its agreement (one there is) and year; the agreement's year is made if it is new.
    ValidationError for bad input, Conflict when someone changed the plan since `expected_version`."""
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = "Ange planens titel."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Titeln får ha högst {TITLE_MAX} tecken; den har {len(title)}."
    chosen = choose_agreement(errors, "agreement", agreement)
    year_value = year_field(errors, "year", year)
    if year_value is None and "year" not in errors:
        errors["year"] = "Ange året med fyra siffror, t.ex. 2025."
    if errors:
        raise ValidationError(errors)
    expect_version(plan, expected_version)
    if chosen.id != plan.agreement_id or year_value != plan.year:
        year_of(chosen, year_value)
    plan.title, plan.year = title, year_value
    if chosen.id != plan.agreement_id:
        plan.agreement = chosen
    _flush(plan)
    return plan


def set_archived(plan: Plan, archived: bool, *, expected_version: int | None) -> Plan:
    """Take the plan out of the default lists (or bring it back); its pages stay, saying Arkiverad."""
    if plan.is_archived == archived:
        raise ValidationError({"plan": f"Planen är redan {'arkiverad' if archived else 'framtagen ur arkivet'}."})
    expect_version(plan, expected_version)
    plan.archived_at = utcnow() if archived else None
    _flush(plan)
    return plan


def _flush(plan: Plan) -> None:
    try:
        flush_versioned()
    except Conflict as conflict:
        raise Conflict(CHANGED) from conflict


def deletion_refusal(plan: Plan) -> str | None:
    """Why the plan may not be deleted, or None: only a draft that was never fastställd and that no report
    attaches is deleted; another is kept for its history (archive it instead)."""
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(_VERSIONS)
                                 .where(_VERSIONS.c.plan_id == plan.id))
    if versions:
        return (f"Planen {plan.key} har fastställts ({versions} version{'er' if versions > 1 else ''}) och tas inte "
                "bort: den är ett beslut som ska finnas kvar. Arkivera den i stället.")
    reports = db.session.scalars(sa.select(_REPORTS.c.key).where(_REPORTS.c.plan_id == plan.id)).all()
    if reports:
        return (f"Planen {plan.key} är bifogad till redovisningen {', '.join(reports)} och tas inte bort. "
                "Arkivera den i stället.")
    return None


def contents(plan: Plan) -> dict[str, int]:
    """What a deletion takes along, as the confirmation tells it."""
    factors = sa.select(SuccessFactor.id).where(SuccessFactor.plan_id == plan.id)
    return {
        "areas": db.session.scalar(sa.select(sa.func.count(Area.id)).where(Area.plan_id == plan.id)),
        "factors": db.session.scalar(sa.select(sa.func.count()).select_from(factors.subquery())),
        "actions": db.session.scalar(sa.select(sa.func.count(Action.id)).where(Action.factor_id.in_(factors))),
    }


def delete_plan(plan: Plan) -> None:
    """Delete a draft never fastställd, with everything in it, as one entry in the history (the entry outlives the
    plan). ValidationError with the reason for a plan that is kept; Conflict if it is already gone."""
    lock(plan)  # a fastställande or a new report at the same moment waits, and is then seen
    if refusal := deletion_refusal(plan):
        raise ValidationError({"plan": refusal})
    held = contents(plan)
    record(db.session, plan=plan, kind="plan", verb="deleted",
           summary=f"tog bort planen {quote(plan.title)} ({plan.key}), ett utkast som aldrig fastställts",
           changes=[["Överenskommelse", plan.agreement.name, "–"], ["År", str(plan.year), "–"],
                    ["Insatsområden", str(held["areas"]), "–"], ["Framgångsfaktorer", str(held["factors"]), "–"],
                    ["Åtgärder", str(held["actions"]), "–"]])
    # The database removes the plan's rows with it (ON DELETE CASCADE): one entry for the plan, not one per row.
    db.session.execute(sa.delete(Plan.__table__).where(Plan.__table__.c.id == plan.id))
    db.session.expunge(plan)
