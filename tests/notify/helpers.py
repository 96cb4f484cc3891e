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


class Answers(Inbox):
    """Answers RCPT or DATA with `answer` (an SMTP reply) while it is set."""

    def __init__(self, hook: str, answer: str):
        super().__init__()
        self.hook, self.answer = hook, answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hook == "RCPT" and self.answer:
            return self.answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hook == "DATA" and self.answer:
            return self.answer
        return await super().handle_DATA(server, session, envelope)
