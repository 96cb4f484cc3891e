"""Ny plan från föregående år: next year's plan for the same agreement, made from this year's.

It carries the structure (insatsområden, framgångsfaktorer, åtgärder with their owners and responsible
förvaltningar; every status Ej påbörjad, no comment, dates a year on: plans.structure.copy_plan), the contacts,
and the indicators as the same indicators continuing (`Indicator.continues`), so that each series spans the years.
Here, not in plans/, because it copies follow-up rows too (plans do not import followup)."""

import re

import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import Indicator, PlanContact
from tracker.history.recorder import quote, record
from tracker.plans import manage, services, structure
from tracker.plans.models import Plan


def next_year_facts(source: Plan) -> dict[str, str]:
    """The new plan's key and title as the form starts with them: the source's, with its year replaced by the next
    (a key without the year gets it added)."""
    year = source.year + 1
    same_year = re.compile(rf"\b{source.year}\b")
    key = same_year.sub(str(year), source.key)
    title = same_year.sub(str(year), source.title)
    return {"key": key if key != source.key else f"{source.key}-{year}"[:60],
            "title": title if title != source.title else f"{source.title} {year}"}


def plan_of_next_year(source: Plan) -> Plan | None:
    """The plan there already is for the source's agreement the year after, if any."""
    return db.session.scalar(sa.select(Plan).where(Plan.agreement_id == source.agreement_id,
                                                   Plan.year == source.year + 1).order_by(Plan.id).limit(1))


def make_next_year(source: Plan, *, key: str, title: str) -> Plan:
    """Next year's draft plan from `source`. ValidationError for a bad or taken key or title, or when the agreement
    already has a plan that year; Conflict when the source was deleted meanwhile. The caller commits."""
    manage.lock(source)  # a second copy at the same moment waits here, then finds this one's plan
    errors = services.plan_errors((key or "").strip(), title)
    if (existing := plan_of_next_year(source)) is not None:
        errors["plan"] = (f"{source.agreement.name} har redan en plan för {source.year + 1}: {existing.title} "
                          f"({existing.key}).")
    if errors:
        raise ValidationError(errors)
    year = source.year + 1  # its agreement's year is made with the plan (services.create_plan)
    plan = structure.copy_plan(source, key=key.strip(), title=" ".join(title.split()), year=year,
                               agreement=source.agreement)
    # copy_plan adds the framgångsfaktorer in the order it reads them, so the two lists pair up.
    factors = dict(zip((f.id for f in services.load_factors(source)), plan.factors))
    plan.contacts = [PlanContact(name=c.name, phone=c.phone, email=c.email, comment=c.comment, position=c.position)
                     for c in source.contacts]
    plan.indicators = [
        Indicator(area=i.area, name=i.name, target=i.target, unit=i.unit, direction=i.direction,
                  frequency=i.frequency, factor=factors.get(i.factor_id), division_id=i.division_id,
                  position=i.position, continues=i, goals=list(i.goals), target_groups=list(i.target_groups))
        for i in source.indicators
    ]
    db.session.flush()
    record(db.session, plan=source, kind="plan", verb="next_year",
           summary=f"gjorde nästa års plan {quote(plan.title)} ({plan.key}) av planen")
    record(db.session, plan=plan, kind="plan", verb="next_year",
           summary=f"gjordes av förra årets plan {quote(source.title)} ({source.key}): struktur, "
                   f"{len(plan.contacts)} kontaktpersoner och {len(plan.indicators)} indikatorer som fortsätter")
    return plan
