"""`tracker demo`: Region Halland's two real plans (from the seeds), the förvaltningar, demo users."""

import json
from datetime import datetime, time
from importlib import resources

import sqlalchemy as sa

from tracker.agreements.models import Agreement
from tracker.agreements.services import find_agreement
from tracker.demo.agreements import load_agreements
from tracker.display import parse_date
from tracker.clock import LOCAL_ZONE
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.versions.services import approve
from tracker.plans import services as plans
from tracker.reports import creation, lifecycle, queries
from tracker.users.models import Division, User
from tracker.users.services import find_user_by_email
from tracker.demo.strategy import load_strategy
from tracker.followup.models import Indicator, IndicatorValue, PlanContact
from tracker.vocabulary import Direction, Horizon, Role, Status

DEMO_PASSWORD = "demo-halland"
PLAN_FILES = ("tillganglighet-2023.json", "gonv-2021.json")
REPORTS = ("tillganglighet-2024", "gonv-2020")  # tracker/reports/data/, after the plans they attach

DIVISIONS = [
    ("Hallands sjukhus", "HS"),
    ("Psykiatri Halland", "PH"),
    ("Närsjukvården", "NSV"),
    ("Ambulans, Diagnostik och Hälsa", "ADH"),
    ("Regionkontoret", "RK"),
]

# (email, name, role, division short name); the README lists these accounts.
USERS = [
    ("lasare@demo.local", "Lena Lindqvist", Role.READER, None),
    ("kontakt.hs@demo.local", "Karin Holm", Role.DIVISION_CONTACT, "HS"),
    ("kontakt.ph@demo.local", "Omar Said", Role.DIVISION_CONTACT, "PH"),
    ("kontakt.nsv@demo.local", "Eva Berg", Role.DIVISION_CONTACT, "NSV"),
    ("kontakt.adh@demo.local", "Jonas Ek", Role.DIVISION_CONTACT, "ADH"),
    ("kontakt.rk@demo.local", "Sara Nilsson", Role.DIVISION_CONTACT, "RK"),
    ("strateg@demo.local", "Maria Strand", Role.STRATEGIST, None),
    ("direktor@demo.local", "Peter Dahl", Role.DIRECTOR, None),
    ("admin@demo.local", "Ali Karimi", Role.ADMIN, None),
]


def read_plan_data(file_name: str) -> dict:
    return json.loads(resources.files("tracker.demo").joinpath("data", file_name).read_text("utf-8"))


def other_users() -> list[str]:
    """The addresses of the users that are not the demo's: those at any address but the demo accounts' own
    (demo.local is reserved, no real mailbox; the demo never changes an account that exists)."""
    demo_addresses = [email for email, *_ in USERS]
    return db.session.scalars(sa.select(User.email).where(sa.func.lower(User.email).not_in(demo_addresses))
                              .order_by(User.email)).all()


def _others_text(others: list[str]) -> str:
    named = ", ".join(others[:3]) + (f" och {len(others) - 3} till" if len(others) > 3 else "")
    return f"Databasen har {len(others)} användare som inte är demoanvändare ({named})"


def load_demo(also_users: bool = False) -> list[str]:
    """Create what is missing; return one line per thing done. The demo accounts' password is public and one of
    them is an administratör: a database with users of its own (a real one) is refused, nothing written, unless
    `also_users`."""
    report = []
    if others := other_users():
        if not also_users:
            raise ValidationError({"users": f"{_others_text(others)}: demon lägger bara in sina konton, med det "
                                            f"kända lösenordet {DEMO_PASSWORD} (ett av dem administratör), i en "
                                            "databas för demo. Kör tracker demo mot en tom databas."})
        report.append(f"Varning: {_others_text(others)}. Demokontona läggs ändå in, med lösenordet {DEMO_PASSWORD} "
                      "(ett av dem administratör): ta bort dem innan databasen används på riktigt.")
    divisions = _divisions(report)
    users = _users(divisions, report)
    contacts = {u.division_id: u for u in users if u.role is Role.DIVISION_CONTACT}
    for file_name in PLAN_FILES:
        data = read_plan_data(file_name)
        if plans.get_plan(data["key"]):
            report.append(f"Planen {data['key']} finns redan; den lämnas orörd.")
            continue
        plan = _plan(data, {d.name: d for d in divisions}, contacts)
        actions = sum(len(f.actions) for f in plan.factors)
        report.append(f"Planen {plan.key} är inläst: {len(plan.factors)} framgångsfaktorer, {actions} åtgärder.")
        if approved := data.get("approved"):
            db.session.flush()
            approve(plan, None, approved.get("decision"), approved_by_name=approved["by"],
                    approved_at=datetime.combine(parse_date(approved["on"]), time(10, 0), LOCAL_ZONE))
            report.append(f"Planen {plan.key} är fastställd som version 1 ({approved['on']}, {approved['by']}).")
    db.session.flush()
    for key in REPORTS:
        report.append(_report(creation.read_shipped_form(key)))
    db.session.flush()
    report.extend(load_agreements())  # after the reports: their sendings meet the villkor
    report.extend(load_strategy())
    return report


def _report(data: dict) -> str:
    """The real report with Region Halland's answers, verbatim; marked as sent on the day it was, when it was.
    Written outside the app, so no förvaltning is asked for contributions."""
    if queries.get_report(data["key"]):
        return f"Redovisningen {data['key']} finns redan; den lämnas orörd."
    agreement_named(data["agreement"])
    report = creation.create_report(data, answers=True, ask_divisions=False)
    if not data.get("sent_at"):
        return f"Redovisningen {report.key} är inläst ({len(report.sections)} avsnitt)."
    sent_on = parse_date(data["sent_at"])
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, None, at=datetime.combine(sent_on, time(9, 0), LOCAL_ZONE))
    lifecycle.mark_sent(report, None, bundle=None, sent_on=sent_on, name="Region Halland")
    return f"Redovisningen {report.key} är inläst och markerad som skickad {sent_on.isoformat()}."


def _divisions(report: list[str]) -> list[Division]:
    existing = {d.name: d for d in db.session.scalars(sa.select(Division))}
    for position, (name, short_name) in enumerate(DIVISIONS):
        if name not in existing:
            existing[name] = Division(name=name, short_name=short_name, position=position)
            db.session.add(existing[name])
            report.append(f"Förvaltningen {name} är skapad.")
    db.session.flush()
    return sorted(existing.values(), key=lambda d: (d.position, d.name))


def _users(divisions: list[Division], report: list[str]) -> list[User]:
    by_short_name = {d.short_name: d for d in divisions}
    users = []
    for email, name, role, division in USERS:
        user = find_user_by_email(email)
        if user is None:
            user = User(email=email, name=name, role=role, division=by_short_name.get(division))
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            report.append(f"Demoanvändaren {email} ({role.label}) är skapad.")
        users.append(user)
    db.session.flush()
    return users


def agreement_named(name: str) -> Agreement:
    """The demo's agreement called `name` (however spelt), added the first time the demo needs it."""
    agreement = find_agreement(name)
    if agreement is None:
        agreement = Agreement(name=name)
        db.session.add(agreement)
        db.session.flush()
    return agreement


def _plan(data: dict, divisions: dict[str, Division], contacts: dict[int, User]):
    plan = plans.create_plan(
        key=data["key"], agreement=agreement_named(data["agreement"]), title=data["title"], year=data["year"],
        registry_number=data.get("registry_number"),
    )
    for area_data in data["areas"]:
        area = plans.add_area(plan, code=area_data.get("code"), title=area_data["title"])
        for factor_data in area_data["factors"]:
            factor = plans.add_factor(
                plan, area=area, title=factor_data["title"], description=factor_data.get("description")
            )
            for a in factor_data["actions"]:
                action = plans.add_action(
                    factor,
                    divisions=[divisions[s["division"]] for s in a["statuses"]],
                    ref=a["ref"], title=a["title"], description=a.get("description"),
                    expected_result=a.get("expected_result"),
                    horizon=Horizon(a["horizon"]) if a.get("horizon") else None,
                    start_date=parse_date(a.get("start")), due_date=parse_date(a.get("due")), owner=a.get("owner"),
                )
                for row, s in zip(action.statuses, a["statuses"]):
                    row.status = Status(s["status"])
                    row.comment = s.get("comment")
                    if s.get("updated_on"):
                        # A working-day afternoon, so that demo times look like real edits.
                        row.updated_at = datetime.combine(parse_date(s["updated_on"]), time(14, 5), LOCAL_ZONE)
                        row.updated_by = contacts.get(row.division.id)
    plan.contacts = [
        PlanContact(name=c["name"], phone=c.get("phone"), email=c.get("email"), comment=c.get("comment"),
                    position=position)
        for position, c in enumerate(data.get("contacts", []))
    ]
    plan.indicators = [
        Indicator(
            area=i.get("area"), name=i["name"], target=i.get("target"), unit=i.get("unit"),
            direction=Direction.from_label(i["direction"]) if i.get("direction") else None, position=position,
            division=divisions.get(i.get("division")),
            values=[IndicatorValue(period=v["period"], value=v.get("value"), comment=v.get("comment"))
                    for v in i.get("values", [])],
        )
        for position, i in enumerate(data.get("indicators", []))
    ]
    return plan
