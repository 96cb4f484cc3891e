"""The test form (tests/reports/form.json, in the JSON form of tracker/reports/data/) and reports made of it."""

import json
from datetime import date, datetime, time
from pathlib import Path

from tests.factories import create_agreement
from tracker.clock import LOCAL_ZONE
from tracker.extensions import db
from tracker.reports import services

FORM = Path(__file__).with_name("form.json")


def form_data() -> dict:
    return json.loads(FORM.read_text("utf-8"))


def create_report(*, answers: bool = True, key: str = "tillganglighet-2024", plan=None, **facts):
    """The test form as a report (with its answers, unless told), asking every förvaltning."""
    data = form_data()
    create_agreement(facts.get("agreement") or data["agreement"])
    report = services.create_report(data, answers=answers, key=key, plan_key=plan.key if plan else None, **facts)
    db.session.commit()
    return report


def approve(report, on: date | None = None, director=None):
    """Through review to the direktör's approval (made on `on`, as the demo records one made outside the app)."""
    services.submit_for_review(report)
    at = datetime.combine(on, time(9), LOCAL_ZONE) if on else None
    services.approve(report, director, at=at)
    db.session.commit()
    return report


def all_questions(report) -> list:
    """Every question of the report in the form's order."""
    return [q for view in services.walk(services.load_tree(report)) for q in view.questions]


def question(report, prompt_start: str):
    return next(q for q in all_questions(report) if q.prompt.startswith(prompt_start))
