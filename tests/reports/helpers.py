"""The test form (tests/reports/form.json, in the JSON form of tracker/reports/data/) and reports made of it; the
real 2024 form (tracker/reports/data/tillganglighet-2024.json) and its copy for 2025."""

import json
from datetime import date, datetime, time
from pathlib import Path

from tests.factories import create_agreement
from tracker.clock import LOCAL_ZONE
from tracker.extensions import db
from tracker.reports import creation, lifecycle, queries
from tracker.vocabulary import QuestionKind

FORM = Path(__file__).with_name("form.json")


def form_data() -> dict:
    return json.loads(FORM.read_text("utf-8"))


def create_report(*, answers: bool = True, key: str = "tillganglighet-2024", plan=None, **facts):
    """The test form as a report (with its answers, unless told), asking every förvaltning."""
    data = form_data()
    create_agreement(facts.get("agreement") or data["agreement"])
    report = creation.create_report(data, answers=answers, key=key, plan_key=plan.key if plan else None, **facts)
    db.session.commit()
    return report


def approve(report, on: date | None = None, director=None):
    """Through review to the direktör's approval (made on `on`, as the demo records one made outside the app)."""
    lifecycle.submit_for_review(report)
    at = datetime.combine(on, time(9), LOCAL_ZONE) if on else None
    lifecycle.approve(report, director, at=at)
    db.session.commit()
    return report


def all_questions(report) -> list:
    """Every question of the report in the form's order."""
    return [q for view in queries.walk(queries.load_tree(report)) for q in view.questions]


def question(report, prompt_start: str):
    return next(q for q in all_questions(report) if q.prompt.startswith(prompt_start))


def form_2024():
    """The 2024 report with its answers, without its plan (tillganglighet-2023, not made here)."""
    report = creation.create_report(creation.read_shipped_form("tillganglighet-2024"), answers=True, plan_key="")
    db.session.commit()
    return report


def prompt(report, section_number: str, kind: QuestionKind | None = None, start: str = ""):
    """The question of section `section_number` (of that kind, its prompt starting so)."""
    return next(q for q in all_questions(report) if q.section.number == section_number
                and (kind is None or q.kind is kind) and q.prompt.startswith(start))


def contribution_of(question, short_name: str):
    return next(c for c in question.contributions if c.division.short_name == short_name)


def a_2025_copy(key: str = "tillganglighet-2025"):
    report = creation.create_from_source("report:tillganglighet-2024", answers=False, key=key, year=2025,
                                         title="Redovisning av överenskommelsen om ökad tillgänglighet 2025")
    db.session.commit()
    return report
