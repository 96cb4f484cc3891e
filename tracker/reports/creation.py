"""A new redovisning: from a form shipped with the app (tracker/reports/data/*.json) or as a copy of an earlier
report, the facts it starts with, and the facts changed later (title, deadline, recipient, plan and version)."""

import json
import re
from datetime import date
from importlib import resources

from tracker.agreements.choosing import choose_agreement
from tracker.agreements.services import find_agreement, year_of
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import expect_version, flush_versioned
from tracker.parsing import (
    YEARS, address_field, clean_text, date_field, key_field, optional_id, required_text,
)
from tracker.plans.models import Plan
from tracker.plans.services import get_plan
from tracker.reports.form_editing import question_kind
from tracker.reports.lifecycle import check_form_editable
from tracker.reports.models import (
    CONTRIBUTED_KINDS, TITLE_MAX, Report, ReportContactRow, ReportContribution, ReportItem, ReportQuestion,
    ReportSection,
)
from tracker.reports.queries import active_divisions, get_report, questions_of, report_data
from tracker.versions import services as versions
from tracker.vocabulary import QuestionKind


RESERVED_KEYS = {"ny", "fragor", "avsnitt", "bidrag", "paket"}


def shipped_forms() -> list[tuple[str, str]]:
    """(name, title) of the forms shipped with the app (tracker/reports/data/*.json)."""
    folder = resources.files("tracker.reports").joinpath("data")
    if not folder.is_dir():
        return []
    forms = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            forms.append((entry.name[:-5], json.loads(entry.read_text("utf-8"))["title"]))
    return forms


def read_shipped_form(name: str) -> dict:
    if name not in {n for n, _ in shipped_forms()}:
        raise ValidationError({"source": f"Det finns inget formulär {name}."})
    return json.loads(resources.files("tracker.reports").joinpath("data", f"{name}.json").read_text("utf-8"))


def report_errors(*, key, title, year) -> dict[str, str]:
    errors = {}
    if not (key or "").strip():
        errors["key"] = "Ange en nyckel för redovisningen, t.ex. tillganglighet-2025."
    else:
        key = key_field(errors, "key", key, reserved=RESERVED_KEYS, example="tillganglighet-2025")
        if "key" not in errors and get_report(key):
            errors["key"] = f"Det finns redan en redovisning med nyckeln {key}."
    _report_title(errors, title)
    if not isinstance(year, int) or year not in YEARS:
        errors["year"] = "Ange året som redovisas, t.ex. 2025."
    return errors


def _report_title(errors: dict, value) -> str | None:
    return required_text(errors, "title", value, "Titeln", TITLE_MAX, "Ange redovisningens titel.")


def _plan_and_version(errors: dict, plan_key: str | None, plan_version) -> tuple[Plan | None, int | None]:
    plan = get_plan(plan_key) if plan_key else None
    if plan_key and plan is None:
        errors["plan"] = f"Det finns ingen plan med nyckeln {plan_key}."
    number = None
    if plan_version not in (None, ""):
        number = optional_id(plan_version)
        if plan is None:
            errors["plan_version"] = "Välj först planen som versionen hör till."
        elif number is None or versions.get_version(plan, number) is None:
            have = ", ".join(str(v.number) for v in reversed(versions.list_versions(plan))) or "inga ännu"
            errors["plan_version"] = (f"Planen {plan.key} har ingen fastställd version {plan_version} "
                                      f"(fastställda: {have}).")
    return plan, number


def create_report(data: dict, *, answers: bool, key: str | None = None, title: str | None = None,
                  year: int | None = None, agreement: str | None = None, plan_key: str | None = None,
                  plan_version=None, deadline=None, recipient: str | None = None,
                  ask_divisions: bool = True) -> Report:
    """A report with the form (and, if `answers`, the answers) of `data`, a report in the JSON form of
    tracker/reports/data/; key, title, year, agreement, plan, deadline and recipient override the data's."""
    key = key if key is not None else data["key"]
    title = title if title is not None else data["title"]
    year = year if year is not None else data["year"]
    errors = report_errors(key=key, title=title, year=year)
    # One of the agreements there are: the form's select gives its id, a form's data its name.
    agreement = choose_agreement(errors, "agreement", agreement if agreement is not None else data["agreement"])
    plan, number = _plan_and_version(errors, plan_key if plan_key is not None else data.get("plan"),
                                     plan_version if plan_version is not None else data.get("plan_version"))
    deadline = date_field(errors, "deadline", deadline if deadline is not None else data.get("deadline"), "Sista dag")
    recipient = address_field(errors, "recipient", recipient if recipient is not None else data.get("recipient"))
    if errors:
        raise ValidationError(errors)
    year_of(agreement, year)
    report = Report(key=key.strip(), agreement=agreement, year=year,
                    title=title.strip(), region=data.get("region") or "Region Halland", deadline=deadline,
                    recipient=recipient, registry_number=data.get("registry_number"), plan=plan,
                    plan_version=number, guidance=data.get("guidance"),
                    cover_letter=data.get("cover_letter") if answers else None)
    db.session.add(report)
    for position, section in enumerate(data["sections"]):
        _add_section(report, None, section, position, answers)
    if ask_divisions:
        ask_every_division(report)
    db.session.flush()
    return report


def _add_section(report: Report, parent: ReportSection | None, data: dict, position: int, answers: bool) -> None:
    section = ReportSection(parent=parent, number=data.get("number"), title=data["title"], intro=data.get("intro"),
                            position=position)
    report.sections.append(section)
    for n, question in enumerate(data.get("questions", [])):
        section.questions.append(_question(question, n, answers))
    for n, child in enumerate(data.get("sections", [])):
        _add_section(report, section, child, n, answers)


def _question(data: dict, position: int, answers: bool) -> ReportQuestion:
    errors: dict[str, str] = {}
    kind = question_kind(errors, data.get("kind"))
    if errors:
        raise ValidationError(errors)
    question = ReportQuestion(kind=kind, prompt=data.get("prompt") or "", prompt_second=data.get("prompt_second"),
                              help=data.get("help"), position=position,
                              asks_divisions=bool(data.get("asks_divisions")) and kind in CONTRIBUTED_KINDS)
    if kind is QuestionKind.INSATSER:
        question.items = [ReportItem(name=i["name"], position=n,
                                     answer=i.get("answer") if answers else None,
                                     answer_second=i.get("answer_second") if answers else None)
                          for n, i in enumerate(data.get("items", []))]
    if not answers:
        return question
    question.answer = data.get("comment") if kind is QuestionKind.YES_NO else data.get("answer")
    if kind is QuestionKind.YES_NO:
        question.answer_yes = data.get("answer")
    question.answer_second = data.get("answer_second")
    if kind is QuestionKind.CONTACTS:
        question.contacts = [ReportContactRow(position=n, name=r["name"], phone=r.get("phone"), email=r.get("email"),
                                              comment=r.get("comment")) for n, r in enumerate(data.get("rows", []))]
    return question


def ask_every_division(report: Report) -> None:
    """The default: every active förvaltning is asked for the questions the form asks of them (`asks_divisions`:
    their medel, results and insatser; not a ja/nej, the contacts or a free comment, which are the region's)."""
    active = active_divisions()
    for question in questions_of(report):
        if question.asks_divisions:
            have = {c.division_id for c in question.contributions}
            question.contributions += [ReportContribution(division=d) for d in active if d.id not in have]


def create_from_source(source: str, *, answers: bool, **facts) -> Report:
    """`source` is "form:NAME" (a shipped form, answers dropped) or "report:KEY" (a copy of that report, with or
    without its answers). Every problem is reported at once, the source's with the facts'."""
    kind, _, name = (source or "").partition(":")
    data, errors = None, {}
    if kind == "form" and name in {n for n, _ in shipped_forms()}:
        data, answers = read_shipped_form(name), False
        data.update(plan=None, plan_version=None, registry_number=None)  # the form's own year's; chosen anew
    elif kind == "report" and (original := get_report(name)) is not None:
        data = report_data(original)
        data.update(deadline=None, registry_number=None, plan_version=None)
    elif kind in ("form", "report"):
        errors["source"] = f"Det finns {'inget formulär' if kind == 'form' else 'ingen redovisning'} {name}."
    else:
        errors["source"] = "Välj ett formulär eller en redovisning att utgå från."
    if data is None:
        errors.update(report_errors(key=facts.get("key"), title=facts.get("title"), year=facts.get("year")))
        raise ValidationError(errors)
    return create_report(data, answers=answers, **facts)


def _year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def source_facts(source: str) -> dict[str, str]:
    """The facts a new report from `source` ("form:NAME" or "report:KEY") starts with, as the form posts them:
    the source's, a year on (the year in the key and the title, the deadline a year later), its agreement,
    recipient and plan (if there is such a plan here). The version is chosen anew: the plan's fastställda
    versions of that time are not next year's."""
    kind, _, name = (source or "").partition(":")
    if kind == "form" and name in {n for n, _ in shipped_forms()}:
        data = read_shipped_form(name)
        plan = get_plan(data["plan"]) if data.get("plan") else None
        facts = {"key": data["key"], "title": data["title"], "year": data["year"], "agreement": data["agreement"],
                 "deadline": date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
                 "recipient": data.get("recipient")}
    elif kind == "report" and (original := get_report(name)) is not None:
        plan = original.plan
        facts = {"key": original.key, "title": original.title, "year": original.year,
                 "agreement": original.agreement.name, "deadline": original.deadline,
                 "recipient": original.recipient}
    else:
        raise ValidationError({"source": "Välj ett formulär eller en redovisning att utgå från."})
    year = facts["year"] + 1
    same_year = re.compile(rf"\b{facts['year']}\b")
    agreement = find_agreement(facts["agreement"] or "")  # the select's choice: the same agreement, if it is here
    key = same_year.sub(str(year), facts["key"])
    return {"source": source, "key": key if key != facts["key"] else f"{key}-{year}",
            "title": same_year.sub(str(year), facts["title"]), "year": str(year),
            "agreement": str(agreement.id) if agreement else "",
            "deadline": _year_later(facts["deadline"]).isoformat() if facts["deadline"] else "",
            "recipient": facts["recipient"] or "", "plan": plan.key if plan else "", "plan_version": ""}


def approved_versions(plan_key: str | None) -> list:
    """The fastställda versions of the plan named, the latest first (the choices beside "planen som den är")."""
    plan = get_plan(plan_key) if plan_key else None
    return versions.list_versions(plan) if plan else []


def update_facts(report: Report, *, title, deadline, recipient, plan_key, plan_version,
                 expected_version: int | None) -> None:
    errors: dict[str, str] = {}
    title = _report_title(errors, title)
    deadline = date_field(errors, "deadline", deadline, "Sista dag")
    recipient = address_field(errors, "recipient", recipient)
    plan, number = _plan_and_version(errors, clean_text(plan_key), clean_text(plan_version))
    if errors:
        raise ValidationError(errors)
    check_form_editable(report)
    expect_version(report, expected_version)
    report.title, report.deadline, report.recipient = title, deadline, recipient
    report.plan, report.plan_version = plan, number
    flush_versioned()
