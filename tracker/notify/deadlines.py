"""Reminders of the agreements' villkor: each active strateg who wants reminders is mailed before a villkor's
deadline (TRACKER_DEADLINE_REMIND_DAYS days before, 14 by default), once per villkor and deadline — a deadline
moved is reminded of again —, never of a villkor already fulfilled. One mail per strateg per run with all their
villkor due.

The record (DeadlineReminder, unique per villkor, person and deadline) is kept as the rounds' Notification is
(see tracker/notify/services.py): claimed and given its Message-ID before the mail is sent, marked sent when the
server has accepted it; released with the error on a temporary failure (sent by the next run, with the same
Message-ID), given up on a permanent one; a claim younger than CLAIM_TIMEOUT is left to the run that holds it."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from tracker.agreements.models import AgreementYear, Condition
from tracker.display import counted, format_kronor, long_date
from tracker.extensions import db
from tracker.notify.mail import Mailer, MailSettings, describe, is_permanent, recipient
from tracker.notify.models import DeadlineReminder
from tracker.notify.services import ERROR_MAX, claim, external_link, finish, one_line
from tracker.users.models import User
from tracker.vocabulary import Role


@dataclass
class DeadlineNotice:
    """One villkor to remind one strateg of."""

    user: User
    condition: Condition

    @property
    def key(self) -> tuple:
        return (self.condition.id, self.user.id, self.condition.deadline)


@dataclass
class DeadlineDelivery:
    sent: list[tuple[User, list[DeadlineNotice]]] = field(default_factory=list)
    failed: list[tuple[User, str]] = field(default_factory=list)  # tried again on the next run
    gave_up: list[tuple[User, str]] = field(default_factory=list)  # refused for good: not tried again


def due_deadline_notices(today: date, days_before: int) -> list[DeadlineNotice]:
    """The villkor not fulfilled whose deadline is from today to `days_before` days on, for each active strateg
    who wants reminders, less those sent (or given up) for that deadline."""
    conditions = db.session.scalars(
        sa.select(Condition).where(Condition.fulfilled_on.is_(None), Condition.deadline >= today,
                                   Condition.deadline <= today + timedelta(days=days_before))
        .options(so.joinedload(Condition.agreement_year).joinedload(AgreementYear.agreement))
        .order_by(Condition.deadline, Condition.id)).all()
    if not conditions:
        return []
    strategists = db.session.scalars(sa.select(User).where(
        User.active, User.role == Role.STRATEGIST, User.wants_reminders).order_by(User.email)).all()
    done = {tuple(row) for row in db.session.execute(
        sa.select(DeadlineReminder.condition_id, DeadlineReminder.user_id, DeadlineReminder.deadline)
        .where(DeadlineReminder.condition_id.in_([c.id for c in conditions]),
               sa.or_(DeadlineReminder.sent_at.is_not(None), DeadlineReminder.gave_up_at.is_not(None))))}
    notices = [DeadlineNotice(user, condition) for user in strategists for condition in conditions]
    return [n for n in notices if n.key not in done]


def deliver_deadlines(notices: list[DeadlineNotice], settings: MailSettings, today: date, now: datetime,
                      timeout: float | None = None) -> DeadlineDelivery:
    """One mail per strateg with their villkor due (two when one tried before goes again beside new ones: it keeps
    its Message-ID). Commits per mail. Raises MailConfigurationError, with nothing claimed, when the server cannot
    be used as the settings say."""
    delivery = DeadlineDelivery()
    by_user: dict[int, list[DeadlineNotice]] = defaultdict(list)
    for notice in notices:
        by_user[notice.user.id].append(notice)
    if not by_user:
        return delivery
    domain = urlsplit(settings.base_url).hostname
    with Mailer(settings, timeout) as mailer:
        mailer.connect()
        for user_notices in by_user.values():
            user = user_notices[0].user
            claimed = _claim(user_notices, now)
            new_id = make_msgid(domain=domain)
            for _, row in claimed:
                row.message_id = row.message_id or new_id
            db.session.commit()
            mails: dict[str, list] = {}
            for notice, row in claimed:
                mails.setdefault(row.message_id, []).append((notice, row))
            for mail in mails.values():
                rows = [row for _, row in mail]
                try:
                    mailer.send(compose(user, [notice for notice, _ in mail], settings, today, rows[0].message_id))
                except Exception as error:  # noqa: BLE001 - whatever fails for one mail, the others still go
                    reason = describe(error)[:ERROR_MAX]
                    permanent = is_permanent(error)
                    finish(rows, error=reason, gave_up_at=now if permanent else None)
                    (delivery.gave_up if permanent else delivery.failed).append((user, reason))
                    continue
                finish(rows, sent_at=now)
                delivery.sent.append((user, [notice for notice, _ in mail]))
    return delivery


def _claim(notices: list[DeadlineNotice], now: datetime) -> list[tuple[DeadlineNotice, DeadlineReminder]]:
    """The person's deadline reminders, claimed as the rounds' notices are (services.claim): once per villkor,
    person and deadline."""
    return claim(DeadlineReminder, notices, now,
                 key=lambda notice: dict(zip(("condition_id", "user_id", "deadline"), notice.key)))


def subject(notices: list[DeadlineNotice]) -> str:
    if len(notices) > 1:
        return f"Handlingsplaner: {counted(len(notices), 'villkor', 'villkor')} med sista dag snart"
    condition = notices[0].condition
    return f"Villkor i {condition.agreement_year.label}: sista dag {long_date(condition.deadline)}"


def compose(user: User, notices: list[DeadlineNotice], settings: MailSettings, today: date,
            message_id: str) -> EmailMessage:
    """The strateg's one mail about the villkor due: plain text with an HTML alternative, links to each year."""

    def year_link(condition: Condition) -> str:
        return (external_link(settings.base_url, "annual.show_year", year_id=condition.agreement_year_id)
                + f"#condition-{condition.id}")

    context = {"user": user, "notices": notices, "today": today, "year_link": year_link, "long_date": long_date,
               "kronor": format_kronor,
               "link": lambda endpoint, **values: external_link(settings.base_url, endpoint, **values)}
    message = EmailMessage()
    message["Subject"] = one_line(subject(notices))
    message["From"] = settings.sender
    message["To"] = recipient(one_line(user.name), user.email)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    templates = current_app.jinja_env
    message.set_content(templates.get_template("notify/deadline_mail.txt").render(**context))
    message.add_alternative(templates.get_template("notify/deadline_mail.html").render(**context), subtype="html")
    return message
