"""What the tracker offers the report's writer: the plan update proposed from the version sent, and the status
table now and on a past day."""

from datetime import date


from tests.reports.helpers import create_report, question
from tracker import clock
from tracker.extensions import db
from tracker.reports import answers, offered
from tracker.versions import services as versions
from tracker.vocabulary import Role, Status


def test_the_plan_update_is_proposed_from_the_sent_version(divisions, make_plan, make_user):
    director = make_user(Role.DIRECTOR)
    plan = make_plan()
    versions.approve(plan, director, "RS231576")
    versions.mark_sent(versions.get_version(plan, 1), director)
    report = create_report(plan=plan)
    asked = question(report, "Har handlingsplanen uppdaterats")
    assert asked.asks_if_plan_updated
    proposal = offered.plan_update(report)
    assert proposal.sent_version == 1 and not proposal.changed
    answers.apply_plan_update(asked, director, expected_version=asked.version_id)
    assert asked.answer_yes is False


def test_the_proposed_comment_does_not_repeat_the_ja_and_counts_in_swedish():
    from datetime import date

    one = offered.PlanUpdate(sent_version=1, sent_on=date(2024, 3, 15), changed=True, changes=1)
    assert one.text == "Handlingsplanen har ändrats sedan version 1, som skickades 2024-03-15: 1 ändring."
    assert offered.PlanUpdate(1, date(2024, 3, 15), True, 3).text.endswith(": 3 ändringar.")


def test_status_table_today_and_at_a_past_date(divisions, make_plan, make_user, app):
    from tracker.followup import status as followup
    contact = make_user(Role.DIVISION_CONTACT, "HS")
    plan = make_plan(actions=[{"divisions": ["HS"]}])
    report = create_report(plan=plan)
    status = plan.factors[0].actions[0].statuses[0]
    followup.save_status(status, contact, status="done", comment="Klart i Halmstad",
                         expected_version=status.version_id)
    db.session.commit()
    now = offered.status_table(report)
    assert now[0].summary.status is Status.DONE
    before = offered.status_table(report, at=date(2000, 1, 1), today=clock.today())
    assert before[0].summary.status is Status.NOT_STARTED
    results = offered.result_comments(report)
    assert results[0].division == "Hallands sjukhus" and "Klart i Halmstad" in results[0].text
