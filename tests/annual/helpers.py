"""An agreement's year with what the app holds for it: the world of the agreements' tests."""

from tests.reports.helpers import create_report
from tracker.agreements import services as agreements
from tracker.extensions import db
from tracker.reports import lifecycle
from tracker.reports.bundle import make_bundle


def year_of_plan(plan, year: int = 2024):
    """The plan moved to `year` (the test report's) and the agreement's year it belongs to."""
    plan.year = year
    row = agreements.year_of(plan.agreement, year)
    db.session.commit()
    return row


def add_condition(year, text="Redovisning av hur medlen har använts ska lämnas senast den 30 september 2024.",
                  deadline="2024-09-30", **more):
    condition = agreements.add_condition(year, {"kind": "report", "text": text, "deadline": deadline,
                                                "recipient": "Socialstyrelsen", **more})
    db.session.commit()
    return condition


def sent_report(plan, director, key="tillganglighet-2024"):
    """The test report of `plan`, approved and sent with its bundle: (report, bundle)."""
    report = create_report(plan=plan, key=key)
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director)
    bundle = make_bundle(report, director)
    lifecycle.mark_sent(report, director, bundle=bundle)
    db.session.commit()
    return report, bundle
