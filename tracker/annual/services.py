"""What the agreements' pages read across plans, versions, reports and indicators: the list of agreements with
their years, one year with everything that belongs to it, the evidence a villkor can be fulfilled with, and
årshjulet. Each reads with a fixed number of queries, however many agreements, years and villkor there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.agreements import services as agreements
from tracker.agreements.models import Agreement, AgreementYear, Condition
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import posted_version
from tracker.followup.models import Indicator, IndicatorValue
from tracker.parsing import date_field, optional_id, text_field
from tracker.plans.models import Plan
from tracker.reports.models import Report, ReportBundle, ReportSending
from tracker.versions.models import PlanVersion


@dataclass
class YearSummary:
    """One year of an agreement as the list shows it."""

    year: AgreementYear
    conditions: int = 0
    fulfilled: int = 0
    late: int = 0
    next_deadline: date | None = None  # the nearest deadline of a villkor not met, passed or not
    plans: list = field(default_factory=list)
    reports: list = field(default_factory=list)


def _by_year(rows) -> dict[tuple[int, int], list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[(row.agreement_id, row.year)].append(row)
    return grouped


def overview(today: date) -> list[tuple[Agreement, list[YearSummary]]]:
    """Every agreement (by name) with its years, newest first: counts of villkor, fulfilled and late, the next
    deadline, and the year's plans and reports."""
    agreements_ = db.session.scalars(sa.select(Agreement).options(so.selectinload(Agreement.years))
                                     .order_by(Agreement.name)).all()
    open_deadline = sa.case((Condition.fulfilled_on.is_(None), Condition.deadline))
    counts = {row.agreement_year_id: row for row in db.session.execute(
        sa.select(Condition.agreement_year_id, sa.func.count().label("total"),
                  sa.func.count(Condition.fulfilled_on).label("fulfilled"),
                  sa.func.sum(sa.case((sa.and_(Condition.fulfilled_on.is_(None), Condition.deadline < today), 1),
                                      else_=0)).label("late"),
                  sa.func.min(open_deadline).label("next_deadline"))
        .group_by(Condition.agreement_year_id))}
    plans = _by_year(db.session.scalars(sa.select(Plan).order_by(Plan.title)))
    reports = _by_year(db.session.scalars(sa.select(Report).order_by(Report.title)))
    result = []
    for agreement in agreements_:
        years = []
        for year in sorted(agreement.years, key=lambda y: y.year, reverse=True):
            summary = YearSummary(year, plans=plans.get((agreement.id, year.year), []),
                                  reports=reports.get((agreement.id, year.year), []))
            if row := counts.get(year.id):
                summary.conditions, summary.fulfilled = row.total, row.fulfilled
                summary.late, summary.next_deadline = row.late or 0, row.next_deadline
            years.append(summary)
        result.append((agreement, years))
    return result


# --- Evidence: what the app holds for a year that can show a villkor met -------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One choice of evidence: "bundle:12", its label, and the day it shows (the sending's, the version's)."""

    value: str
    label: str
    day: date | None
    url_args: tuple = ()  # (endpoint, {arguments}) of the page that shows it


@dataclass
class YearEvidence:
    bundles: list[Evidence] = field(default_factory=list)
    versions: list[Evidence] = field(default_factory=list)
    indicators: list[Evidence] = field(default_factory=list)

    @property
    def all(self) -> list[Evidence]:
        return self.bundles + self.versions + self.indicators

    def get(self, value: str) -> Evidence | None:
        return next((e for e in self.all if e.value == value), None)


def _period_label(value: IndicatorValue | None, unit: str | None) -> str:
    if value is None or value.value is None:
        return "inget utfall ännu"
    number = f"{value.value:g}".replace(".", ",")
    return f"senaste utfall {number}{' ' + unit if unit else ''} ({value.period})"


def year_evidence(plans: list[Plan], reports: list[Report]) -> YearEvidence:
    """The year's sent bundles (with their SHA-256), its plans' fastställda versions marked sent, and its plans'
    indicators with their latest value: three queries."""
    evidence = YearEvidence()
    plan_ids, report_ids = [p.id for p in plans], [r.id for r in reports]
    titles = {p.id: p for p in plans}
    reports_by_id = {r.id: r for r in reports}
    if report_ids:
        for sending, bundle in db.session.execute(
                sa.select(ReportSending, ReportBundle).join(ReportBundle, ReportSending.bundle_id == ReportBundle.id)
                .where(ReportSending.report_id.in_(report_ids)).order_by(ReportSending.sent_on, ReportSending.id)):
            report = reports_by_id[sending.report_id]
            evidence.bundles.append(Evidence(
                f"bundle:{bundle.id}", f"{report.title}: paketet {bundle.file_name}, skickat {sending.sent_on.isoformat()}"
                f" (SHA-256 {bundle.sha256})", sending.sent_on, ("reports.show", {"key": report.key})))
    if plan_ids:
        for version in db.session.scalars(
                sa.select(PlanVersion).options(so.load_only(PlanVersion.id, PlanVersion.plan_id, PlanVersion.number,
                                                            PlanVersion.approved_at, PlanVersion.sent_at))
                .where(PlanVersion.plan_id.in_(plan_ids), PlanVersion.sent_at.is_not(None))
                .order_by(PlanVersion.plan_id, PlanVersion.number)):
            plan = titles[version.plan_id]
            sent = version.sent_at.date()
            evidence.versions.append(Evidence(
                f"version:{version.id}", f"{plan.title}: version {version.number}, fastställd "
                f"{version.approved_at.date().isoformat()}, skickad {sent.isoformat()}", sent,
                ("versions.show_version", {"key": plan.key, "number": version.number})))
        latest = (sa.select(IndicatorValue.indicator_id, sa.func.max(IndicatorValue.period).label("period"))
                  .where(IndicatorValue.value.is_not(None)).group_by(IndicatorValue.indicator_id).subquery())
        for indicator, value in db.session.execute(
                sa.select(Indicator, IndicatorValue).where(Indicator.plan_id.in_(plan_ids))
                .outerjoin(latest, latest.c.indicator_id == Indicator.id)
                .outerjoin(IndicatorValue, sa.and_(IndicatorValue.indicator_id == Indicator.id,
                                                   IndicatorValue.period == latest.c.period))
                .order_by(Indicator.plan_id, Indicator.position, Indicator.id)):
            plan = titles[indicator.plan_id]
            evidence.indicators.append(Evidence(
                f"indicator:{indicator.id}", f"{plan.title}: indikatorn {indicator.name}, "
                f"{_period_label(value, indicator.unit)}", None, ("followup.indicators", {"key": plan.key})))
    return evidence


def evidence_value(condition: Condition) -> str | None:
    """The choice a fulfilled villkor's evidence is among the year's (None: marked with a note only)."""
    for kind, attribute in (("bundle", "evidence_bundle_id"), ("version", "evidence_version_id"),
                            ("indicator", "evidence_indicator_id")):
        if (value := getattr(condition, attribute)) is not None:
            return f"{kind}:{value}"
    return None


# --- One year's page ----------------------------------------------------------------------------------------


@dataclass
class YearPage:
    year: AgreementYear
    plans: list[Plan]
    reports: list[Report]
    evidence: YearEvidence
    later_year: AgreementYear | None  # next year, when it exists


def year_page(year_id: int) -> YearPage | None:
    year = db.session.scalar(
        sa.select(AgreementYear).where(AgreementYear.id == year_id)
        .options(so.joinedload(AgreementYear.agreement), so.selectinload(AgreementYear.funds),
                 so.selectinload(AgreementYear.conditions).joinedload(Condition.fulfilled_by)))
    if year is None:
        return None
    plans, reports = plans_and_reports(year)
    later = db.session.scalar(sa.select(AgreementYear).where(AgreementYear.agreement_id == year.agreement_id,
                                                             AgreementYear.year == year.year + 1))
    return YearPage(year, plans, reports, year_evidence(plans, reports), later)


def plans_and_reports(year: AgreementYear) -> tuple[list[Plan], list[Report]]:
    plans = db.session.scalars(sa.select(Plan).where(Plan.agreement_id == year.agreement_id, Plan.year == year.year)
                               .order_by(Plan.title)).all()
    reports = db.session.scalars(sa.select(Report).where(Report.agreement_id == year.agreement_id,
                                                         Report.year == year.year).order_by(Report.title)).all()
    return list(plans), list(reports)


def fulfil(condition: Condition, user, form, today: date) -> None:
    """"Markera uppfyllt": with evidence the year holds (checked here, whatever the form offered), or with a note;
    on a date not after today. ValidationError names the field; nothing is written then."""
    errors: dict[str, str] = {}
    chosen = (form.get("evidence") or "").strip()
    evidence = None
    if chosen:
        kind, _, raw_id = chosen.partition(":")
        if kind not in ("bundle", "version", "indicator") or optional_id(raw_id) is None:
            errors["evidence"] = "Välj underlaget i listan."
        else:
            evidence = year_evidence(*plans_and_reports(condition.agreement_year)).get(chosen)
            if evidence is None:
                errors["evidence"] = ("Underlaget hör inte till året: välj ett skickat paket, en skickad fastställd "
                                      "version eller en indikator för årets planer och redovisningar.")
    note = text_field(errors, "note", form.get("note"), "Anteckningen", agreements.TEXT_MAX)
    if not chosen and not note and "note" not in errors:
        errors["note"] = "Välj ett underlag, eller skriv en anteckning om hur villkoret uppfylldes."
    on = date_field(errors, "fulfilled_on", form.get("fulfilled_on"), "Datumet")
    if "fulfilled_on" not in errors:
        on = on or (evidence.day if evidence and evidence.day else None)
        if on is None:
            errors["fulfilled_on"] = "Ange när villkoret uppfylldes, som ÅÅÅÅ-MM-DD."
        elif on > today:
            errors["fulfilled_on"] = (f"Datumet {on.isoformat()} har inte kommit ännu; ett villkor markeras uppfyllt "
                                      "när det är uppfyllt.")
    if errors:
        raise ValidationError(errors)
    ids = {"bundle_id": None, "version_id": None, "indicator_id": None}
    if evidence is not None:
        kind, _, raw_id = chosen.partition(":")
        ids[f"{kind}_id"] = int(raw_id)
    agreements.fulfil(condition, user, fulfilled_on=on, note=note, expected_version=posted_version(form), **ids)


# --- Årshjulet ----------------------------------------------------------------------------------------------


@dataclass
class WheelMonth:
    number: int
    name: str
    conditions: list[Condition]


@dataclass
class Wheel:
    year: int
    months: list[WheelMonth]
    years: list[int]  # the years with villkor, and this one: the links to others
    evidence: dict[int, str]  # condition id → what it was fulfilled with


def wheel(year: int, today: date) -> Wheel:
    """Every villkor with a deadline in `year`, across agreements, by month (months without villkor left out)."""
    from tracker.display import MONTHS

    conditions = db.session.scalars(
        sa.select(Condition).where(Condition.deadline >= date(year, 1, 1), Condition.deadline <= date(year, 12, 31))
        .options(so.joinedload(Condition.agreement_year).joinedload(AgreementYear.agreement),
                 so.joinedload(Condition.fulfilled_by))
        .order_by(Condition.deadline, Condition.position, Condition.id)).unique().all()
    by_month = defaultdict(list)
    for condition in conditions:
        by_month[condition.deadline.month].append(condition)
    months = [WheelMonth(m, MONTHS[m - 1], by_month[m]) for m in sorted(by_month)]
    deadline_years = {int(y) for y in db.session.scalars(
        sa.select(sa.extract("year", Condition.deadline)).distinct()) if y is not None}
    return Wheel(year, months, sorted(deadline_years | {year, today.year}), evidence_labels(conditions))


def evidence_labels(conditions: list[Condition]) -> dict[int, str]:
    """What each fulfilled villkor was fulfilled with, in words: three queries, however many (and whatever the
    evidence: the count of queries does not depend on the data)."""
    bundle_ids = {c.evidence_bundle_id for c in conditions if c.evidence_bundle_id}
    version_ids = {c.evidence_version_id for c in conditions if c.evidence_version_id}
    indicator_ids = {c.evidence_indicator_id for c in conditions if c.evidence_indicator_id}
    bundles = {b.id: b for b in db.session.scalars(sa.select(ReportBundle).options(
        so.load_only(ReportBundle.id, ReportBundle.file_name, ReportBundle.sha256)).where(
        ReportBundle.id.in_(bundle_ids)))}
    versions = {row.id: row for row in db.session.execute(
        sa.select(PlanVersion.id, PlanVersion.number, Plan.title).join(Plan, Plan.id == PlanVersion.plan_id)
        .where(PlanVersion.id.in_(version_ids)))}
    indicators = {i.id: i for i in db.session.scalars(sa.select(Indicator).where(
        Indicator.id.in_(indicator_ids)))}
    labels = {}
    for condition in conditions:
        if not condition.is_fulfilled:
            continue
        if (bundle := bundles.get(condition.evidence_bundle_id)) is not None:
            labels[condition.id] = f"paketet {bundle.file_name} (SHA-256 {bundle.sha256})"
        elif (version := versions.get(condition.evidence_version_id)) is not None:
            labels[condition.id] = f"{version.title}, version {version.number}"
        elif (indicator := indicators.get(condition.evidence_indicator_id)) is not None:
            labels[condition.id] = f"indikatorn {indicator.name}"
        else:
            note = condition.fulfilment_note
            labels[condition.id] = f"anteckningen ”{note}”" if note else "en markering utan anteckning"
    return labels
