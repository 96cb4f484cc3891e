"""What is due to whom about the reporting rounds, one mail per person per run, and the record that makes
every notice go out once.

Each notice has a key (person, round, kind, occasion), unique in the database. Before its mail is sent the
notice is claimed and given its mail's Message-ID, and committed; once the SMTP server has accepted the mail it
is marked sent, and committed.
- The server unusable as the settings say (unreachable, no STARTTLS, a failed TLS handshake, the login refused):
  the run ends before claiming anything (MailConfigurationError); the first run after the correction sends all.
- The server refusing for now (4xx), not answering in time, or dropping the connection: the claim is released
  with the error; the next run sends the notice again, with the same Message-ID.
- The server refusing the mail for good (5xx to its recipient or content): given up, with the reason; not tried
  again (the round page says so).
- Two runs at once: the second cannot claim what the first holds (the key is unique, and a claim younger than
  CLAIM_TIMEOUT is left alone), so nothing goes out twice.
- A crash between the server's acceptance and the record: the claim stays, and after CLAIM_TIMEOUT the next
  run sends that one mail again. Never lost; at worst one mail reaches the server twice, with one Message-ID,
  so that a receiving system that keeps track drops the copy.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker.clock import local_date
from tracker.display import counted
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.models import ReportingRound
from tracker.notify.mail import Mailer, MailNotConfigured, MailSettings, describe, is_permanent, recipient
from tracker.notify.models import MANUAL, Notification
from tracker.parsing import one_line
from tracker.plans.models import DivisionStatus
from tracker.users.models import Division, User
from tracker.vocabulary import NotificationKind, Role

CLAIM_TIMEOUT = timedelta(minutes=15)
ERROR_MAX = 300


@dataclass
class LateDivision:
    division: Division
    statuses: list[DivisionStatus]


@dataclass
class Notice:
    """One thing to tell one person about one round; several go into one mail."""

    user: User
    round: ReportingRound
    kind: NotificationKind
    occasion: str = ""
    count: int = 0  # the åtgärder it is about: the förvaltning's unconfirmed ones, or all late ones
    total: int = 0  # the förvaltning's åtgärder in the round's plan
    division: Division | None = None
    late: list[LateDivision] = field(default_factory=list)  # the late report: what each förvaltning has left
    requested_by: User | None = None

    @property
    def key(self) -> tuple:
        return (self.user.id, self.round.id, self.kind, self.occasion)


def mail_settings() -> MailSettings | None:
    """The app's mail settings; None when mail is off. Raises MailNotConfigured when half set."""
    return MailSettings.from_config(current_app.config)


def mail_status() -> tuple[MailSettings | None, str | None]:
    """For the pages: the settings (None when off) and what is wrong with them, if anything."""
    try:
        return mail_settings(), None
    except MailNotConfigured as error:
        return None, str(error)


# --- What is due ------------------------------------------------------------------------------


def reminder_day(round_: ReportingRound, today: date, remind_days: tuple[int, ...]) -> int | None:
    """The reminder due now: the nearest of `remind_days` whose day has come (a run that missed a day catches
    up with one mail, not several). A reminder day that had passed when the round was opened is skipped: the
    opening mail says as much."""
    days_left = (round_.deadline - today).days
    if days_left < 0:
        return None
    opened_on = local_date(round_.opened_at)
    due = [d for d in remind_days if days_left <= d and opened_on < round_.deadline - timedelta(days=d)]
    return min(due) if due else None


def _contacts_by_division() -> dict[int, list[User]]:
    contacts = defaultdict(list)
    for user in db.session.scalars(sa.select(User).where(
            User.active, User.role == Role.DIVISION_CONTACT, User.division_id.is_not(None))
            .options(so.joinedload(User.division)).order_by(User.email)):
        contacts[user.division_id].append(user)
    return contacts


def _done_keys(rounds: list[ReportingRound]) -> set[tuple]:
    """The notices sent, or given up because the server refused them for good."""
    return {tuple(row) for row in db.session.execute(
        sa.select(Notification.user_id, Notification.round_id, Notification.kind, Notification.occasion)
        .where(Notification.round_id.in_([r.id for r in rounds]),
               sa.or_(Notification.sent_at.is_not(None), Notification.gave_up_at.is_not(None))))}


def _pending_manual(rounds: list[ReportingRound]) -> dict[int, list[Notification]]:
    """Reminders a strateg sent from the round page that could not go out then, by round: for each person the
    latest one, unless a reminder reached them after it was asked for (then it would tell them nothing new)."""
    latest: dict[tuple, Notification] = {}
    last_sent: dict[tuple, datetime] = {}
    for row in db.session.scalars(sa.select(Notification).where(
            Notification.round_id.in_([r.id for r in rounds]), Notification.kind == NotificationKind.REMINDER)
            .options(so.joinedload(Notification.requested_by)).order_by(Notification.created_at, Notification.id)):
        person = (row.user_id, row.round_id)
        if row.occasion.startswith(MANUAL):
            latest[person] = row
        if row.sent_at and (person not in last_sent or row.sent_at > last_sent[person]):
            last_sent[person] = row.sent_at
    rows = defaultdict(list)
    for person, row in latest.items():
        if row.sent_at is None and row.gave_up_at is None and not (
                person in last_sent and last_sent[person] >= row.created_at):
            rows[row.round_id].append(row)
    return rows


def _late_report(round_: ReportingRound) -> list[LateDivision]:
    by_division: dict[int, LateDivision] = {}
    for status in followup.left_statuses(round_):
        by_division.setdefault(status.division_id, LateDivision(status.division, [])).statuses.append(status)
    return list(by_division.values())


def due_notices(today: date, remind_days: tuple[int, ...],
                rounds: list[ReportingRound] | None = None) -> list[Notice]:
    """Everything not yet sent about the open rounds (or those of `rounds` that are open):
    - until the deadline, each active förvaltningskontakt with åtgärder in the plan hears that the round is open;
    - on the reminder days, those whose förvaltning has unconfirmed åtgärder get a reminder with the count,
      unless they turned reminders off;
    - after the deadline, while the round stays open, each active strateg who wants reminders hears who is late
      on what (the direktör does not: the round page and the Översikt show it);
    - a reminder sent from the round page that could not go out then, while its contact is still active, wants
      reminders, has something left and gets no scheduled reminder about the round in this run.
    A notice that is no longer due (a reminder day overtaken by the next, a contact deactivated, a round closed)
    is not sent; the round page says so."""
    if rounds is None:
        rounds = db.session.scalars(sa.select(ReportingRound).where(ReportingRound.closed_at.is_(None))
                                    .options(so.joinedload(ReportingRound.plan))
                                    .order_by(ReportingRound.deadline)).all()
    rounds = [r for r in rounds if r.is_open]
    if not rounds:
        return []
    contacts = _contacts_by_division()
    strategists = db.session.scalars(sa.select(User).where(User.active, User.role == Role.STRATEGIST,
                                                           User.wants_reminders).order_by(User.email)).all()
    manual = _pending_manual(rounds)
    notices, manual_notices = [], []
    for round_ in rounds:
        progress = followup.progress(round_)
        manual_notices += _manual_still_due(round_, progress, contacts, manual[round_.id])
        if today <= round_.deadline:
            day = reminder_day(round_, today, remind_days)
            for item in progress:
                for user in contacts.get(item.division.id, []):
                    notices.append(Notice(user, round_, NotificationKind.OPENED, count=item.left, total=item.total,
                                          division=item.division))
                    if day is not None and item.left and user.wants_reminders:
                        notices.append(Notice(user, round_, NotificationKind.REMINDER, str(day), item.left,
                                              item.total, item.division))
        elif any(item.left for item in progress):
            late = _late_report(round_)
            left = sum(len(d.statuses) for d in late)
            notices += [Notice(user, round_, NotificationKind.LATE, count=left, late=late) for user in strategists]
    done = _done_keys(rounds)
    notices = [n for n in notices if n.key not in done]
    reminded = {(n.user.id, n.round.id) for n in notices if n.kind is NotificationKind.REMINDER}
    return notices + [n for n in manual_notices if (n.user.id, n.round.id) not in reminded]


def _manual_still_due(round_: ReportingRound, progress: list, contacts: dict[int, list[User]],
                      rows: list[Notification]) -> list[Notice]:
    if not rows:
        return []
    by_division = {item.division.id: item for item in progress}
    active = {user.id: user for users in contacts.values() for user in users}
    notices = []
    for row in rows:
        user = active.get(row.user_id)
        item = by_division.get(user.division_id) if user else None
        if item is None or not item.left or not user.wants_reminders:
            continue
        notices.append(Notice(user, round_, NotificationKind.REMINDER, row.occasion, item.left, item.total,
                              item.division, requested_by=row.requested_by))
    return notices


@dataclass
class ManualReminders:
    notices: list[Notice]
    opted_out: list[User]  # contacts with something left who turned reminders off
    already: list[User]  # reminded from the round page today already


def manual_reminders(round_: ReportingRound, requested_by: User, today: date) -> ManualReminders:
    """"Skicka påminnelse nu" on the round page: a reminder to each contact whose förvaltning has something left,
    at most one a day."""
    occasion = f"{MANUAL}{today.isoformat()}"
    contacts = _contacts_by_division()
    sent = _done_keys([round_])
    result = ManualReminders([], [], [])
    for item in followup.progress(round_):
        if not item.left:
            continue
        for user in contacts.get(item.division.id, []):
            notice = Notice(user, round_, NotificationKind.REMINDER, occasion, item.left, item.total, item.division,
                            requested_by=requested_by)
            if not user.wants_reminders:
                result.opted_out.append(user)
            elif notice.key in sent:
                result.already.append(user)
            else:
                result.notices.append(notice)
    return result


# --- Sending ----------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: list[tuple[User, list[Notice]]] = field(default_factory=list)
    failed: list[tuple[User, str]] = field(default_factory=list)  # tried again on the next run
    gave_up: list[tuple[User, str]] = field(default_factory=list)  # refused for good: not tried again


def deliver(notices: list[Notice], settings: MailSettings, today: date, now: datetime,
            timeout: float | None = None) -> Delivery:
    """One mail per person with all their notices (two when a mail tried before goes again beside new notices:
    it keeps its Message-ID). Commits per mail (see the module's docstring): the record must say what the SMTP
    server accepted, whatever happens to the rest of the run. `timeout`: seconds to wait for the server (the
    web's short one; tracker notify takes the settings'). Raises MailConfigurationError, with nothing claimed,
    when the server cannot be used as the settings say."""
    by_user = _by_person(notices)
    delivery = Delivery()
    if not by_user:
        return delivery
    domain = urlsplit(settings.base_url).hostname
    with Mailer(settings, timeout) as mailer:
        mailer.connect()
        for user_notices in by_user.values():
            user = user_notices[0].user
            for claimed in _by_message_id(_stamp(_claim(user_notices, now), domain)):
                rows = [row for _, row in claimed]
                try:
                    mailer.send(compose(user, [notice for notice, _ in claimed], settings, today,
                                        rows[0].message_id))
                except Exception as error:  # noqa: BLE001 - whatever fails for one mail, the others still go
                    reason = _reason(error)
                    permanent = is_permanent(error)
                    finish(rows, error=reason, gave_up_at=now if permanent else None)
                    (delivery.gave_up if permanent else delivery.failed).append((user, reason))
                    continue
                finish(rows, sent_at=now)
                delivery.sent.append((user, [notice for notice, _ in claimed]))
    return delivery


def keep_for_next_run(notices: list[Notice], now: datetime, reason: str) -> None:
    """Notices that could not go out because the server cannot be used as the settings say: recorded unsent with
    the reason, for the next run (a reminder a strateg sent from the round page exists only as its record)."""
    for user_notices in _by_person(notices).values():
        finish([row for _, row in _claim(user_notices, now)], error=reason[:ERROR_MAX])


def _by_person(notices: list[Notice]) -> dict[int, list[Notice]]:
    by_user: dict[int, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_user[notice.user.id].append(notice)
    return by_user


def _reason(error: Exception) -> str:
    return describe(error)[:ERROR_MAX]


def _by_message_id(claimed: list[tuple[Notice, Notification]]) -> list[list[tuple[Notice, Notification]]]:
    """The person's claimed notices, one list per mail: those tried before together go again as that mail."""
    mails: dict[str, list] = {}
    for notice, row in claimed:
        mails.setdefault(row.message_id, []).append((notice, row))
    return list(mails.values())


def claim(model, notices: list, now: datetime, *, key, new=lambda notice: {}, again=lambda notice: {}) -> list:
    """Claim the records of those `notices` that no one sent, no run gave up and no live run holds; the others are
    skipped (a live run sends them). `model` is the record (the rounds' Notification, the deadlines'
    DeadlineReminder); `key(notice)` its unique columns, `new(notice)` more columns of a new record and
    `again(notice)` what a retry updates. If another run inserted one of them meanwhile (the unique key), none are
    claimed: everything claimed here is rolled back, and that run or the next one sends them."""
    claimed = []
    try:
        for notice in notices:
            row = db.session.scalar(sa.select(model).filter_by(**key(notice)))
            if row is None:
                row = model(**key(notice), **new(notice), claimed_at=now)
                db.session.add(row)
                db.session.flush()
            else:  # tried before: failed (released), or claimed by a run that stopped before recording
                taken = db.session.execute(
                    sa.update(model)
                    .where(model.id == row.id, model.sent_at.is_(None), model.gave_up_at.is_(None),
                           sa.or_(model.claimed_at.is_(None), model.claimed_at < now - CLAIM_TIMEOUT))
                    .values(claimed_at=now, **again(notice))
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not taken:
                    continue
                db.session.refresh(row)  # the session keeps objects across commits (expire_on_commit off)
            claimed.append((notice, row))
        db.session.commit()
    except IntegrityError:  # another run claimed one of them in the meantime: it sends them
        db.session.rollback()
        return []
    return claimed


def _claim(notices: list[Notice], now: datetime) -> list[tuple[Notice, Notification]]:
    """The person's round notices, claimed (see `claim`)."""
    return claim(
        Notification, notices, now,
        key=lambda notice: dict(zip(("user_id", "round_id", "kind", "occasion"), notice.key)),
        new=lambda notice: {"count": notice.count,
                            "requested_by_id": notice.requested_by.id if notice.requested_by else None},
        again=lambda notice: {"count": notice.count})


def _stamp(claimed: list[tuple[Notice, Notification]], domain: str | None) -> list[tuple[Notice, Notification]]:
    """Those of the claimed notices never tried get one new Message-ID, committed before the mail is sent: every
    later attempt reuses it."""
    new_id = make_msgid(domain=domain)
    for _, row in claimed:
        row.message_id = row.message_id or new_id
    db.session.commit()
    return claimed


def finish(rows: list, *, sent_at: datetime | None = None, error: str | None = None,
           gave_up_at: datetime | None = None) -> None:
    """Sent; or released with the error, for the next run (or given up, when refused for good). The rows are a
    mail's claimed records: the rounds' Notification or the deadlines' DeadlineReminder."""
    for row in rows:
        row.sent_at, row.error, row.gave_up_at = sent_at, error, gave_up_at
        if error:
            row.claimed_at = None
    db.session.commit()


# --- The mail ---------------------------------------------------------------------------------


def external_link(base_url: str, endpoint: str, **values) -> str:
    """The address of a page of the app under TRACKER_BASE_URL, with no request to build it from."""
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def subject(notices: list[Notice]) -> str:
    if len(notices) > 1:
        return f"Handlingsplaner: {counted(len(notices), 'ärende', 'ärenden')} om uppföljningsomgångar"
    notice = notices[0]
    title = notice.round.title
    if notice.kind is NotificationKind.OPENED:
        return f"Uppföljningsomgång öppnad: {title} – sista dag {notice.round.deadline.isoformat()}"
    if notice.kind is NotificationKind.REMINDER:
        return f"Påminnelse: {counted(notice.count, 'åtgärd', 'åtgärder')} kvar att bekräfta i {title}"
    return f"Försenade i {title}: {counted(notice.count, 'åtgärd', 'åtgärder')} inte bekräftade"


def compose(user: User, notices: list[Notice], settings: MailSettings, today: date,
            message_id: str) -> EmailMessage:
    """The person's one mail: plain text with an HTML alternative, in Swedish, with links to the app."""
    context = {"user": user, "notices": notices, "today": today, "Kind": NotificationKind,
               "link": lambda endpoint, **values: external_link(settings.base_url, endpoint, **values)}
    message = EmailMessage()
    message["Subject"] = one_line(subject(notices))
    message["From"] = settings.sender
    message["To"] = recipient(one_line(user.name), user.email)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a machine
    # Rendered by the templates alone: a mail depends on no request (the command line has none).
    templates = current_app.jinja_env
    message.set_content(templates.get_template("notify/mail.txt").render(**context))
    message.add_alternative(templates.get_template("notify/mail.html").render(**context), subtype="html")
    return message


# --- What the round page shows --------------------------------------------------------------


def notifications_of(round_: ReportingRound) -> list[Notification]:
    """Who was notified about the round and when (and what is waiting for the next run), newest first."""
    return db.session.scalars(
        sa.select(Notification).where(Notification.round_id == round_.id)
        .options(so.joinedload(Notification.user).joinedload(User.division), so.joinedload(Notification.requested_by))
        .order_by(Notification.sent_at.is_(None).desc(), Notification.sent_at.desc(), Notification.id.desc())
    ).all()


def due_keys(round_: ReportingRound, today: date, remind_days: tuple[int, ...]) -> set[tuple]:
    """The round's notices the next run of `tracker notify` would send: an unsent row not among them is no
    longer due and will not be sent."""
    return {notice.key for notice in due_notices(today, remind_days, rounds=[round_])}


# --- The user's own choice ------------------------------------------------------------------


def set_wants_reminders(user: User, choice: str | None) -> bool:
    """"on" or "off" from the form; reminders and late reports follow it, a round's opening mail comes anyway."""
    if choice not in ("on", "off"):
        raise ValidationError({"reminders": "Välj om du vill ha påminnelser eller inte."})
    user.wants_reminders = choice == "on"
    db.session.flush()
    return user.wants_reminders
