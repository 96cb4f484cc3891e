"""The demo's agreements and years from the sources (docs/sources 000, 001, 002, 004), verbatim: their facts,
medel, villkor and the utskott's decisions (data/agreements.json). Where a source gives no date or amount, none
is stored. A year that already holds facts, medel, villkor or decisions is left as it is, so `tracker demo` can
run again. The villkor a demo report's sending meets are marked fulfilled by it, on the day it was sent."""

import json
from importlib import resources

from tracker.agreements.models import Agreement, Condition, Decision, Funds
from tracker.agreements.services import find_agreement, year_of
from tracker.display import counted, parse_date
from tracker.extensions import db
from tracker.reports.models import Report
from tracker.vocabulary import ConditionKind

import sqlalchemy as sa


def read_agreements() -> list[dict]:
    return json.loads(resources.files("tracker.demo").joinpath("data", "agreements.json").read_text("utf-8"))["years"]


def load_agreements() -> list[str]:
    """Create what is missing; one line per year done or left alone."""
    lines = []
    for data in read_agreements():
        agreement = find_agreement(data["agreement"])
        if agreement is None:
            agreement = Agreement(name=data["agreement"])
            db.session.add(agreement)
            db.session.flush()
            lines.append(f"Överenskommelsen {agreement.name} är skapad.")
        year = year_of(agreement, data["year"])
        if set(data) == {"agreement", "year"}:
            continue  # the source gives nothing of the year but its plan
        if year.title or year.description or year.funds or year.conditions or year.decisions:
            lines.append(f"{year.label} har redan uppgifter; de lämnas orörda.")
            continue
        _fill(year, data)
        db.session.flush()
        lines.append(f"{year.label} är inläst: {counted(len(year.funds), 'del', 'delar')} av medlen, "
                     f"{len(year.conditions)} villkor, {len(year.decisions)} beslut.")
    return lines


def _report(key: str | None) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.key == key)) if key else None


def _fill(year, data: dict) -> None:
    year.title, year.parties = data.get("title"), data.get("parties")
    year.registry_number, year.description = data.get("registry_number"), data.get("description")
    year.total_funds, year.region_share = data.get("total_funds"), data.get("region_share")
    year.funds = [Funds(position=position, label=f["label"], amount=f.get("amount"), description=f.get("description"))
                  for position, f in enumerate(data.get("funds", []))]
    year.conditions = [_condition(position, c) for position, c in enumerate(data.get("conditions", []))]
    year.decisions = [_decision(d) for d in data.get("decisions", [])]


def _condition(position: int, data: dict) -> Condition:
    condition = Condition(position=position, kind=ConditionKind(data["kind"]), text=data["text"],
                          deadline=parse_date(data["deadline"]), recipient=data.get("recipient"),
                          amount=data.get("amount"))
    report = _report(data.get("fulfilled_by"))
    if report is not None and report.sendings:
        sending = report.sendings[0]
        condition.fulfilled_on = sending.sent_on
        condition.evidence_bundle_id = sending.bundle_id  # the demo's sendings carry no bundle: then none
        plan = f" med handlingsplanen ”{report.plan.title}” bifogad" if report.plan else ""
        condition.fulfilment_note = (f"Redovisningen ”{report.title}”{plan} är skickad till Socialstyrelsen "
                                     f"{sending.sent_on.isoformat()}.")
    return condition


def _decision(data: dict) -> Decision:
    report = _report(data.get("report"))
    return Decision(
        organ=data.get("organ") or Decision.organ.default.arg, paragraph=data.get("paragraph"),
        decided_on=parse_date(data.get("decided_on")), registry_number=data.get("registry_number"),
        title=data["title"], matter=data.get("matter"), proposal="\n".join(data.get("proposal", [])) or None,
        other_documents="\n".join(data.get("documents", [])) or None,
        dispatched_to="\n".join(data.get("dispatched_to", [])) or None, adjusted=data.get("adjusted", False),
        report_id=report.id if report else None)
