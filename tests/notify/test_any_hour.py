"""The days that matter are Swedish days, at any hour and on the days the clocks change: at 23:40 UTC it is the
next day in Sweden, and the last Sundays of March and October 2026 have 23 and 25 hours (Europe/Stockholm)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tracker.clock import today
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.notify.models import Notification
from tracker.types import utcnow
from tracker.vocabulary import NotificationKind, Role

MOMENTS = [  # the moment (UTC), and the Swedish day it falls on
    ("2026-06-15T23:40:00+00:00", date(2026, 6, 16)),  # a summer night, 01:40 in Sweden
    ("2026-12-15T23:40:00+00:00", date(2026, 12, 16)),  # a winter night, 00:40
    ("2026-03-28T23:40:00+00:00", date(2026, 3, 29)),  # the night the clocks go forward
    ("2026-03-29T22:40:00+00:00", date(2026, 3, 30)),  # the first evening of summer time: Monday already
    ("2026-10-24T23:40:00+00:00", date(2026, 10, 25)),  # the night the clocks go back
    ("2026-10-25T23:40:00+00:00", date(2026, 10, 26)),  # the first evening of winter time: Monday already
]


def notices_sent() -> set[tuple[str, NotificationKind, str]]:
    db.session.expire_all()
    return {(row.user.email, row.kind, row.occasion) for row in db.session.scalars(
        sa.select(Notification).where(Notification.sent_at.is_not(None)))}


@pytest.mark.parametrize(("moment", "swedish_day"), MOMENTS)
def test_deadlines_reminders_overdue_flags_and_the_late_report_follow_the_swedish_day(
        moment, swedish_day, app, make_plan, make_user, login, inbox):
    with time_machine.travel(moment, tick=False):
        assert today() == swedish_day
        contact = make_user(Role.DIVISION_CONTACT, "PH", email="anna.berg@regionhalland.test")
        strateg = make_user(Role.STRATEGIST, email="strateg@regionhalland.test")
        plan = make_plan(actions=[
            {"title": "Klar senast i går", "divisions": ["PH"], "due_date": swedish_day - timedelta(days=1)},
            {"title": "Klar senast i dag", "divisions": ["PH"], "due_date": swedish_day},
        ])
        due_yesterday, due_today = (action.statuses[0] for action in plan.factors[0].actions)

        # Mina åtgärder flags an åtgärd from the Swedish day after its due date
        page = login(contact).get("/mina-atgarder").get_data(as_text=True)
        assert (f'<span id="my-{due_yesterday.id}-overdue" class="action-status"><span class="flag-overdue">'
                "Passerat slutdatum</span>") in page
        assert f'<span id="my-{due_today.id}-overdue" class="action-status"></span>' in page

        # a round's last day may be the Swedish today, not yesterday
        with pytest.raises(ValidationError) as refused:
            followup.open_round(plan, strateg, title="Delårsuppföljning", today=today(),
                                deadline=(swedish_day - timedelta(days=1)).isoformat())
        assert refused.value.errors["deadline"] == f"Sista dag ({swedish_day - timedelta(days=1)}) har redan passerat."
        db.session.rollback()
        round_ = followup.open_round(plan, strateg, title="Delårsuppföljning", today=today(),
                                     deadline=swedish_day.isoformat())
        round_.deadline, round_.opened_at = swedish_day + timedelta(days=7), utcnow() - timedelta(days=30)
        db.session.commit()

        # TRACKER_REMIND_DAYS=7,1: the reminder 7 Swedish days before the last day
        assert app.config["REMIND_DAYS"] == (7, 1)
        assert app.test_cli_runner().invoke(args=["notify"]).exit_code == 0
        assert notices_sent() == {(contact.email, NotificationKind.OPENED, ""),
                                  (contact.email, NotificationKind.REMINDER, "7")}

        # the last day is today in Sweden: the 1-day reminder, and nobody is late yet
        round_.deadline = swedish_day
        db.session.commit()
        assert app.test_cli_runner().invoke(args=["notify"]).exit_code == 0
        assert (contact.email, NotificationKind.REMINDER, "1") in notices_sent()
        assert not any(kind is NotificationKind.LATE for _, kind, _ in notices_sent())

        # the last day was yesterday in Sweden: the strateg hears who is late
        round_.deadline = swedish_day - timedelta(days=1)
        db.session.commit()
        assert app.test_cli_runner().invoke(args=["notify"]).exit_code == 0
        assert (strateg.email, NotificationKind.LATE, "") in notices_sent()
        [late] = inbox.to(strateg.email)
        assert late["Subject"] == "Försenade i Delårsuppföljning: 2 åtgärder inte bekräftade"
