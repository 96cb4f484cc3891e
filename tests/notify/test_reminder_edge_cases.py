"""The mail runs' edge cases: odd text in names and titles, a mail that cannot be composed, failed manual
reminders, rows no longer due, a recipient refused for good, a silent server, and what the pages say of each."""

import socket
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import Inbox, free_port
from tests.notify.helpers import notify, open_round, recipients, text_and_html
from tracker.clock import today
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.notify import services
from tracker.notify.models import MANUAL, Notification
from tracker.types import utcnow
from tracker.users import services as users
from tracker.vocabulary import NotificationKind

PLAN_KEY = "tillganglighet-2023"


# --- 1. A line break in a name or a title -----------------------------------------------------------------


def test_a_line_break_in_a_name_or_title_does_not_stop_the_run(app, plan, people, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    round_.title = "Delårsuppföljning\n2024"  # written before the services refused it
    people["ph"].name = "Anna\r\nBerg"
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 0, result.output
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "karin.holm@regionhalland.test",
                                 "olof.lind@regionhalland.test"]
    [anna] = inbox.to("anna.berg@regionhalland.test")
    assert anna["To"] == "Anna Berg <anna.berg@regionhalland.test>"
    assert anna["Subject"].startswith("Uppföljningsomgång öppnad: Delårsuppföljning 2024 – sista dag")


def test_a_mail_that_cannot_be_composed_is_released_named_and_the_others_go_out(app, plan, people, inbox):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    people["hs"].email = "karin.holm@regionhalland.test\nBcc: alla@regionhalland.test"  # a broken address
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 1
    assert "Fel: kunde inte skicka till karin.holm@regionhalland.test" in result.output
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "olof.lind@regionhalland.test"]
    [karin] = db.session.scalars(sa.select(Notification).where(Notification.user_id == people["hs"].id)).all()
    assert karin.sent_at is None and karin.claimed_at is None and "inte exakt en giltig adress" in karin.error


def test_control_characters_are_refused_in_round_titles_and_user_names(plan, people):
    with pytest.raises(ValidationError) as refused:
        followup.open_round(plan, people["strateg"], title="Delår\n2024",
                            deadline=(today() + timedelta(days=9)).isoformat(), today=today())
    assert refused.value.errors["title"] == "Rubriken får inte innehålla radbrytningar eller andra styrtecken."
    with pytest.raises(ValidationError) as refused:
        users.create_user(email="ny@regionhalland.test", name="Ny\rAnvändare", role="reader", password=None)
    assert refused.value.errors["name"] == "Namnet får inte innehålla radbrytningar eller andra styrtecken."
    with pytest.raises(ValidationError) as refused:
        users.update_user(people["ph"], name="Anna\tBerg", role="division_contact", division="PH", active=True,
                          acting_user=people["strateg"])
    assert "styrtecken" in refused.value.errors["name"]
    db.session.rollback()


# --- 2. What is waiting, and what no longer will be sent --------------------------------------------------


def test_a_manual_reminder_that_failed_goes_out_on_the_next_run(app, plan, people, login, start_smtp, mail_to):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    port = free_port()
    mail_to(port)  # nothing listens there yet
    client = login(people["strateg"])
    page = client.post(f"/omgangar/{round_.id}/paminn", follow_redirects=True).get_data(as_text=True)
    assert "Kunde inte skickas nu" in page
    assert "skickas vid nästa körning" in page
    back = Inbox()
    start_smtp(back, port=port)
    assert notify(app).exit_code == 0
    manual = db.session.scalars(sa.select(Notification).where(Notification.occasion.startswith(MANUAL))).all()
    assert len(manual) == 2 and all(row.sent_at for row in manual)
    [anna] = back.to("anna.berg@regionhalland.test")
    assert "Påminnelse" in text_and_html(anna)[0] and "är öppnad" in text_and_html(anna)[0]
    assert "Inget att skicka." in notify(app).output


def test_rows_no_longer_due_say_they_will_not_be_sent(app, plan, people, login, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=1), opened_days_ago=30)
    # a 7-day reminder that failed, overtaken by the 1-day one; a row of a contact since deactivated
    db.session.add_all([
        Notification(user_id=people["ph"].id, round_id=round_.id, kind=NotificationKind.REMINDER, occasion="7",
                     count=2, error="SMTPServerDisconnected: Connection unexpectedly closed"),
        Notification(user_id=people["hs_gone"].id, round_id=round_.id, kind=NotificationKind.OPENED, count=1,
                     error="SMTPServerDisconnected: Connection unexpectedly closed"),
    ])
    db.session.commit()
    due = {(n.user.name, n.kind, n.occasion) for n in services.due_notices(today(), (7, 1))}
    assert ("Anna Berg", NotificationKind.REMINDER, "7") not in due
    assert ("Anna Berg", NotificationKind.REMINDER, "1") in due
    page = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert page.count("skickas inte") == 2
    assert "skickas vid nästa körning" not in page


def test_of_several_failed_manual_reminders_only_the_latest_is_due_and_none_after_a_newer_one_went_out(
        app, plan, people, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    now, anna = utcnow(), people["ph"]
    for days_ago in (2, 1):
        day = today() - timedelta(days=days_ago)
        db.session.add(Notification(user_id=anna.id, round_id=round_.id, kind=NotificationKind.REMINDER,
                                    occasion=f"{MANUAL}{day.isoformat()}", count=2, error="OSError: nere",
                                    created_at=now - timedelta(days=days_ago), requested_by_id=people["strateg"].id))
    db.session.commit()
    manual = [n.occasion for n in services.due_notices(today(), (7, 1)) if n.kind is NotificationKind.REMINDER]
    assert manual == [f"{MANUAL}{(today() - timedelta(days=1)).isoformat()}"]
    db.session.add(Notification(user_id=anna.id, round_id=round_.id, kind=NotificationKind.REMINDER, occasion="7",
                                count=2, created_at=now, sent_at=now))
    db.session.commit()
    assert [n for n in services.due_notices(today(), (7, 1)) if n.kind is NotificationKind.REMINDER] == []


# --- 3. The round closed while the page was open ----------------------------------------------------------


def test_bulk_confirmation_in_a_round_closed_meanwhile_says_so(plan, people, login):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "PH")
    client = login(people["ph"])
    followup.close_round(round_, people["strateg"])
    db.session.commit()
    response = client.post(f"/omgangar/{round_.id}/bekrafta", data={"status_id": [status.id]})
    assert response.status_code == 409
    assert "Omgången är stängd." in response.get_data(as_text=True)


# --- 4. A reminder after the deadline ----------------------------------------------------------------------


def test_a_manual_reminder_after_the_deadline_says_how_long_ago_it_was(app, plan, people, login, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=10))
    round_.deadline = today() - timedelta(days=3)
    db.session.commit()
    login(people["strateg"]).post(f"/omgangar/{round_.id}/paminn")
    [anna] = inbox.to("anna.berg@regionhalland.test")
    text, html = text_and_html(anna)
    assert "i dag är sista dag" not in text and "i dag är sista dag" not in html
    assert f"Påminnelse: sista dag var {round_.deadline.isoformat()}, för 3 dagar sedan," in text
    assert "<h2>Påminnelse: sista dag var för 3 dagar sedan</h2>" in html


# --- 5. A recipient the server refuses for good -----------------------------------------------------------


class RefusesOne(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("karin.holm@"):
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_recipient_refused_for_good_is_not_tried_again(app, plan, people, login, start_smtp, mail_to):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    server = RefusesOne()
    mail_to(start_smtp(server).port)
    first = notify(app)
    assert first.exit_code == 1 and "550" in first.output
    assert sorted(server.recipients) == ["anna.berg@regionhalland.test", "olof.lind@regionhalland.test"]
    [karin] = db.session.scalars(sa.select(Notification).where(Notification.user_id == people["hs"].id)).all()
    assert karin.gave_up_at is not None and karin.sent_at is None and "550" in karin.error
    again = notify(app)
    assert again.exit_code == 0 and "Inget att skicka." in again.output
    page = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert "Gick inte att skicka (servern nekade för gott" in page


# --- 6. The web request does not wait for a hanging server long -----------------------------------------


def test_remind_now_gives_up_on_a_silent_server_quickly(app, plan, people, login, mail_to):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does) but never greets
    try:
        mail_to(silent.getsockname()[1])
        app.config["SMTP_WEB_TIMEOUT"] = 1
        started = time.monotonic()
        page = login(people["strateg"]).post(f"/omgangar/{round_.id}/paminn",
                                             follow_redirects=True).get_data(as_text=True)
        assert time.monotonic() - started < 8
        assert "Kunde inte skickas nu" in page and "timed out" in page
    finally:
        silent.close()


# --- 9. Settings -------------------------------------------------------------------------------------


def test_a_port_that_is_no_number_is_named_in_swedish(monkeypatch, tmp_path):
    from tracker import config

    monkeypatch.setenv("TRACKER_SMTP_PORT", "abc")
    with pytest.raises(ValueError, match="TRACKER_SMTP_PORT='abc': ange portnumret som ett heltal"):
        config.from_environment(tmp_path)


def test_no_reminder_days_is_said_in_words(app, plan, people, login, inbox):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    app.config["REMIND_DAYS"] = ()
    try:
        page = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    finally:
        app.config["REMIND_DAYS"] = (7, 1)
    assert "Påminnelser  dagar" not in page
    assert "Inga påminnelser före sista dag är inställda (TRACKER_REMIND_DAYS)." in page


# --- 10. Errors shown only to those who handle them ----------------------------------------------------


def test_smtp_errors_are_shown_to_the_strategist_not_to_everyone(app, plan, people, login, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    db.session.add(Notification(user_id=people["ph"].id, round_id=round_.id, kind=NotificationKind.OPENED,
                                count=2, error="SMTPServerDisconnected: server 10.0.0.7 closed"))
    db.session.commit()
    reader = login(people["reader"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert "Inte skickat ännu" in reader and "10.0.0.7" not in reader
    strateg = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert "SMTPServerDisconnected: server 10.0.0.7 closed" in strateg
