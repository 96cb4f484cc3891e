"""What the notify tests do and read: open a round, run `tracker notify`, who got mail, a mail's two bodies."""

from datetime import date, timedelta

from tests.conftest import Inbox
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.types import utcnow

PLAN_KEY = "tillganglighet-2023"


def open_round(plan, people, *, deadline: date, opened_days_ago: int = 0):
    round_ = followup.open_round(plan, people["strateg"], title="Delårsuppföljning 2024",
                                 deadline=deadline.isoformat(), today=min(today(), deadline))
    round_.opened_at = utcnow() - timedelta(days=opened_days_ago)
    db.session.commit()
    return round_


def notify(app):
    return app.test_cli_runner().invoke(args=["notify"])


def recipients(inbox: Inbox) -> list[str]:
    return sorted(inbox.recipients)


def text_and_html(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())
