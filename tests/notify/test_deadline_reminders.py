"""`tracker notify` reminds the strateger of the agreements' villkor before their deadlines, against a real SMTP
server: once per villkor and deadline (again when the deadline moves), not of fulfilled ones, a temporary refusal
tried again with the same Message-ID, a permanent one given up, and never twice by two runs."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import BASE_URL
from tests.notify.helpers import Answers, notify, text_and_html
from tracker.agreements import services as agreements
from tracker.clock import today
from tracker.display import long_date
from tracker.extensions import db
from tracker.notify.models import DeadlineReminder
from tracker.types import utcnow
from tracker.vocabulary import Role

TEXT = "Redovisning av hur medlen har använts ska lämnas senast den 30 september 2024."


@pytest.fixture
def strateger(make_user):
    return {
        "sara": make_user(Role.STRATEGIST, email="strateg@regionhalland.test", name="Sara Strand"),
        "tove": make_user(Role.STRATEGIST, email="tyst.strateg@regionhalland.test", name="Tove Tyst",
                          wants_reminders=False),
        "gunnar": make_user(Role.STRATEGIST, email="gammal.strateg@regionhalland.test", name="Gunnar Gammal",
                            active=False),
        "director": make_user(Role.DIRECTOR, email="direktor@regionhalland.test"),
        "contact": make_user(Role.DIVISION_CONTACT, "PH", email="anna.berg@regionhalland.test"),
    }


@pytest.fixture
def year(make_plan):
    plan = make_plan()
    row = agreements.year_of(plan.agreement, 2024)
    db.session.commit()
    return row


def condition(year, days: int, text: str = TEXT, **more):
    row = agreements.add_condition(year, {"kind": "report", "text": text,
                                          "deadline": (today() + timedelta(days=days)).isoformat(),
                                          "recipient": "Socialstyrelsen", "amount": "1 237 500 000", **more})
    db.session.commit()
    return row


def reminders() -> list[DeadlineReminder]:
    db.session.expire_all()
    return db.session.scalars(sa.select(DeadlineReminder).order_by(DeadlineReminder.id)).all()


def test_the_strateger_are_reminded_once_per_deadline_of_villkor_due_within_the_days(app, strateger, year, inbox):
    due = condition(year, 10)
    condition(year, 30, text="Ett villkor långt fram.")  # after TRACKER_DEADLINE_REMIND_DAYS (14)
    condition(year, -1, text="Ett villkor som har passerat.")  # late: årshjulet shows it, no reminder
    met = condition(year, 3, text="Ett uppfyllt villkor.")
    agreements.fulfil(met, strateger["sara"], fulfilled_on=today(), note="Klart.", expected_version=None)
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 0, result.output
    assert sorted(inbox.recipients) == ["strateg@regionhalland.test"]  # not the quiet, the gone, the direktör
    [mail] = inbox.messages
    deadline = long_date(due.deadline)
    assert mail["Subject"] == f"Villkor i Ökad tillgänglighet 2024: sista dag {deadline}"
    text, html = text_and_html(mail)
    assert f"Ökad tillgänglighet 2024: 10 dagar kvar till sista dag {deadline}." in text
    assert f"Lämna redovisning: {TEXT}" in text and "Mottagare: Socialstyrelsen" in text
    assert "Belopp: 1\u202f237\u202f500\u202f000\u00a0kr" in text
    assert f"Villkoret: {BASE_URL}/overenskommelser/{year.id}#condition-{due.id}" in text
    assert f'<a href="{BASE_URL}/overenskommelser/{year.id}#condition-{due.id}">' in html
    assert f"Skickat till strateg@regionhalland.test: Villkor före sista dag (Ökad tillgänglighet 2024, {deadline})" \
        in result.output
    assert "1 skickade, 0 misslyckades." in result.output
    assert [(r.condition_id, r.user.email, r.deadline, bool(r.sent_at)) for r in reminders()] == [
        (due.id, "strateg@regionhalland.test", due.deadline, True)]

    assert "Inget att skicka." in notify(app).output  # once per deadline
    agreements.update_condition(due, {"kind": "report", "text": TEXT, "recipient": "Socialstyrelsen",
                                      "deadline": (today() + timedelta(days=12)).isoformat()}, None)
    db.session.commit()
    again = notify(app)  # the deadline moved: reminded again
    assert again.exit_code == 0 and "1 skickade" in again.output
    assert len(inbox.messages) == 2 and len(reminders()) == 2


def test_several_villkor_due_go_in_one_mail(app, strateger, year, inbox):
    condition(year, 0, text="Nulägesrapport till SKL.")
    condition(year, 14, text="Redovisning till Socialstyrelsen.")
    assert notify(app).exit_code == 0
    [mail] = inbox.messages
    assert mail["Subject"] == "Handlingsplaner: 2 villkor med sista dag snart"
    text, _ = text_and_html(mail)
    assert "i dag är sista dag" in text and "14 dagar kvar" in text


@pytest.mark.parametrize(("answer", "for_good"), [("450 4.2.1 Brevlådan är upptagen, försök senare", False),
                                                  ("550 5.1.1 Mottagaren finns inte", True)])
def test_a_temporary_refusal_is_tried_again_with_the_same_message_id_a_permanent_one_given_up(
        app, strateger, year, start_smtp, mail_to, answer, for_good):
    condition(year, 5)
    relay = Answers("RCPT", answer)
    mail_to(start_smtp(relay).port)
    first = notify(app)
    assert first.exit_code == 1 and answer.split()[0] in first.output
    [row] = reminders()
    assert row.sent_at is None and row.claimed_at is None and answer.split()[0] in row.error
    assert bool(row.gave_up_at) is for_good
    message_id = row.message_id
    relay.answer = None
    again = notify(app)
    assert again.exit_code == 0, again.output
    if for_good:
        assert relay.messages == [] and "Inget att skicka." in again.output
    else:
        [mail] = relay.messages
        assert mail["Message-ID"].strip() == message_id and reminders()[0].sent_at


def test_a_reminder_claimed_by_a_run_under_way_is_not_sent_by_another(app, strateger, year, inbox):
    due = condition(year, 5)
    db.session.add(DeadlineReminder(condition_id=due.id, user_id=strateger["sara"].id, deadline=due.deadline,
                                    claimed_at=utcnow()))
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 0 and inbox.messages == []
    assert "0 skickade" in result.output


def test_the_days_before_are_a_setting(app, strateger, year, inbox):
    condition(year, 20)
    app.config["DEADLINE_REMIND_DAYS"] = 30
    try:
        assert notify(app).exit_code == 0
    finally:
        app.config["DEADLINE_REMIND_DAYS"] = 14
    assert inbox.recipients == ["strateg@regionhalland.test"]


def test_the_setting_is_refused_in_swedish_when_no_number(monkeypatch):
    from tracker.config import ConfigError, _deadline_days

    assert _deadline_days("7") == 7
    with pytest.raises(ConfigError, match="TRACKER_DEADLINE_REMIND_DAYS='två veckor': ange hur många hela dagar"):
        _deadline_days("två veckor")
