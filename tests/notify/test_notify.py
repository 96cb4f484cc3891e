"""`tracker notify` against a real SMTP server (aiosmtpd on 127.0.0.1): who gets what, once."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import BASE_URL, Inbox
from tests.notify.helpers import PLAN_KEY, notify, open_round, recipients, text_and_html
from tracker.clock import LOCAL_ZONE, today
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.notify import services
from tracker.notify.models import Notification
from tracker.types import utcnow
from tracker.vocabulary import NotificationKind, Role

def test_a_round_opened_reaches_each_active_contact_with_åtgärder_once(app, plan, people, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    result = notify(app)
    assert result.exit_code == 0, result.output
    # not the inactive contact, not Närsjukvården (no åtgärd in the plan), not strateg, direktör or läsare
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "karin.holm@regionhalland.test",
                                 "olof.lind@regionhalland.test"]
    [anna] = inbox.to("anna.berg@regionhalland.test")
    deadline = round_.deadline.isoformat()
    assert anna["Subject"] == f"Uppföljningsomgång öppnad: Delårsuppföljning 2024 – sista dag {deadline}"
    assert anna["From"] == "Handlingsplaner <handlingsplaner@regionhalland.test>"
    assert anna["To"] == "Anna Berg <anna.berg@regionhalland.test>"
    text, html = text_and_html(anna)
    assert "Hej Anna Berg!" in text
    assert (f"Uppföljningsomgången ”Delårsuppföljning 2024” i Handlingsplan för ökad tillgänglighet 2023 är öppnad. "
            f"Sista dag är {deadline}.") in text
    assert "2 av 2 åtgärder för Psykiatri Halland väntar" in text
    assert f"Mina åtgärder: {BASE_URL}/mina-atgarder?plan={PLAN_KEY}" in text
    assert f'<a href="{BASE_URL}/mina-atgarder?plan={PLAN_KEY}">Mina åtgärder i Handlingsplan' in html
    assert f"{BASE_URL}/konto/paminnelser" in text
    [karin] = inbox.to("karin.holm@regionhalland.test")
    assert "1 av 1 åtgärd för Hallands sjukhus väntar" in text_and_html(karin)[0]
    assert "3 skickade, 0 misslyckades." in result.output

    again = notify(app)
    assert again.exit_code == 0 and "Inget att skicka." in again.output
    assert len(inbox.messages) == 3
    rows = db.session.scalars(sa.select(Notification)).all()
    assert {(r.user.email, r.kind) for r in rows} == {(m, NotificationKind.OPENED) for m in recipients(inbox)}
    assert all(r.sent_at and r.round_id == round_.id for r in rows)


def test_one_mail_per_person_with_the_opening_and_a_reminder_none_to_the_done(app, plan, people, inbox,
                                                                           login):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=5), opened_days_ago=30)
    hs_status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "HS")
    followup.confirm(round_, hs_status, people["hs"], unchanged=True)  # Hallands sjukhus is done
    db.session.commit()
    assert notify(app).exit_code == 0
    [anna] = inbox.to("anna.berg@regionhalland.test")
    assert anna["Subject"] == "Handlingsplaner: 2 ärenden om uppföljningsomgångar"
    text, html = text_and_html(anna)
    assert "är öppnad" in text
    assert (f"Påminnelse: 5 dagar kvar till sista dag ({round_.deadline.isoformat()}) i uppföljningsomgången "
            "”Delårsuppföljning 2024” (Handlingsplan för ökad tillgänglighet 2023).") in text
    assert "2 av 2 åtgärder för Psykiatri Halland är ännu inte bekräftade." in text
    assert "<h2>Påminnelse: 5 dagar kvar</h2>" in html
    [olof] = inbox.to("olof.lind@regionhalland.test")  # reminders off: the opening only
    assert olof["Subject"].startswith("Uppföljningsomgång öppnad") and "Påminnelse:" not in text_and_html(olof)[0]
    [karin] = inbox.to("karin.holm@regionhalland.test")  # done: the opening, no reminder
    assert "Allt för Hallands sjukhus är redan bekräftat. Tack!" in text_and_html(karin)[0]
    assert len(inbox.messages) == 3

    assert "Inget att skicka." in notify(app).output  # the 7-day reminder went out once
    # The day before the deadline: the 1-day reminder, to Anna alone.
    last_day = services.due_notices(round_.deadline - timedelta(days=1), (7, 1))
    assert [(n.user.name, n.kind, n.occasion, n.count) for n in last_day] == [
        ("Anna Berg", NotificationKind.REMINDER, "1", 2)]
    delivery = services.deliver(last_day, services.mail_settings(), round_.deadline - timedelta(days=1), utcnow())
    assert [u.name for u, _ in delivery.sent] == ["Anna Berg"]
    assert inbox.to("anna.berg@regionhalland.test")[-1]["Subject"] == (
        "Påminnelse: 2 åtgärder kvar att bekräfta i Delårsuppföljning 2024")

    page = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert "Utskick" in page and "Påminnelse 7 dagar före sista dag" in page and "Påminnelse 1 dagar" in page
    assert "Anna Berg (Psykiatri Halland)" in page and "Inte skickat ännu" not in page


def test_after_the_deadline_the_strategists_hear_who_is_late_on_what(app, plan, people, inbox):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=10))
    round_.deadline = today() - timedelta(days=1)
    db.session.commit()
    assert notify(app).exit_code == 0
    # active strateger who want reminders; no opening mail to contacts after the deadline; not the direktör
    assert recipients(inbox) == ["strateg@regionhalland.test"]
    [report] = inbox.messages
    assert report["Subject"] == "Försenade i Delårsuppföljning 2024: 3 åtgärder inte bekräftade"
    text, html = text_and_html(report)
    divisions = {d.short_name: d for d in [s.division for s in plan.factors[0].actions[0].statuses]}
    assert (f"Psykiatri Halland: 2 åtgärder kvar – {BASE_URL}/omgangar/{round_.id}/kvar/{divisions['PH'].id}"
            in text)
    assert "FF01-A01 Tillgänglighetskoordinatorer på varje BUP-enhet" in text
    assert "FF01-A02 En väg in för barn och unga med psykisk ohälsa" in text
    assert f"Hallands sjukhus: 1 åtgärd kvar – {BASE_URL}/omgangar/{round_.id}/kvar/{divisions['HS'].id}" in text
    assert f'href="{BASE_URL}/omgangar/{round_.id}/kvar/{divisions["PH"].id}"' in html
    assert f"Omgången: {BASE_URL}/planer/{PLAN_KEY}/omgangar" in text
    assert "Inget att skicka." in notify(app).output


class StopsAtSecondMail(Inbox):
    """Accepts the first mail, then stops listening and answers the second with 421 (closing down), as a
    server going down in the middle of a run."""

    controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.messages:
            self.controller.server.close()
            return "421 4.3.2 Servern stängs av"
        return await super().handle_DATA(server, session, envelope)


def test_smtp_server_down_during_a_run_then_up_again_nothing_lost_nothing_twice(app, plan, people, start_smtp,
                                                                                 mail_to):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    dying = StopsAtSecondMail()
    dying.controller = start_smtp(dying)
    port = dying.controller.port
    mail_to(port)

    first = notify(app)
    assert first.exit_code == 1
    assert len(dying.messages) == 1
    delivered = dying.messages[0]["To"].addresses[0].addr_spec
    failed = {"anna.berg@regionhalland.test", "karin.holm@regionhalland.test", "olof.lind@regionhalland.test"}
    failed.remove(delivered)
    for address in failed:
        assert f"Fel: kunde inte skicka till {address}" in first.output
    assert "1 skickade, 2 misslyckades." in first.output
    rows = db.session.scalars(sa.select(Notification)).all()
    assert sorted(r.user.email for r in rows if r.sent_at) == [delivered]
    assert all(r.error and r.claimed_at is None for r in rows if not r.sent_at)

    dying.controller.stop()
    back = Inbox()
    start_smtp(back, port=port)
    second = notify(app)
    assert second.exit_code == 0, second.output
    assert sorted(back.recipients) == sorted(failed)  # the missing ones, and not the one already sent
    assert "Inget att skicka." in notify(app).output
    assert len(back.messages) == 2


def test_with_mail_off_nothing_is_sent_or_recorded_and_the_admin_page_says_so(app, plan, people, login,
                                                                              make_user):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    result = notify(app)
    assert result.exit_code == 0
    assert "E-post är avstängd (TRACKER_SMTP_HOST är inte satt): inget skickas." in result.output
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    admin = login(make_user(Role.ADMIN))
    assert "E-post är avstängd" in admin.get("/admin/anvandare").get_data(as_text=True)
    rounds_page = login(people["strateg"]).get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    assert "Skicka påminnelse nu" not in rounds_page and "E-post är avstängd" in rounds_page


def test_half_configured_mail_is_an_error_naming_what_is_missing(app, plan, mail_to):
    mail_to(25)
    app.config["MAIL_FROM"] = ""
    result = notify(app)
    assert result.exit_code == 2
    assert "TRACKER_MAIL_FROM saknas" in result.output


def test_admin_page_says_where_mail_goes(inbox, make_user, login):
    page = login(make_user(Role.ADMIN)).get("/admin/anvandare").get_data(as_text=True)
    assert "E-post är på" in page and "från Handlingsplaner &lt;handlingsplaner@regionhalland.test&gt;" in page


def test_the_strategist_sends_a_reminder_now_once_a_day(app, plan, people, inbox, login):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    client = login(people["strateg"])
    assert "Skicka påminnelse nu" in client.get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    response = client.post(f"/omgangar/{round_.id}/paminn", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Påminnelse skickad till 2 personer: Karin Holm, Anna Berg." in page
    assert "Har stängt av påminnelser: Olof Lind." in page
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "karin.holm@regionhalland.test"]
    assert inbox.to("anna.berg@regionhalland.test")[0]["Subject"] == (
        "Påminnelse: 2 åtgärder kvar att bekräfta i Delårsuppföljning 2024")
    assert "Påminnelse, skickad av Sara Strand" in page
    again = client.post(f"/omgangar/{round_.id}/paminn", follow_redirects=True).get_data(as_text=True)
    assert "Påminnelse skickad till 0 personer." in again and "Redan påminda i dag: Karin Holm, Anna Berg." in again
    assert len(inbox.messages) == 2
    # the reminder sent by hand does not stand in for the opening mail
    assert notify(app).exit_code == 0
    assert len(inbox.messages) == 5


def test_a_user_turns_reminders_off_and_on(people, login):
    client = login(people["ph"])
    assert "Nej, inga påminnelser" in client.get("/konto/paminnelser").get_data(as_text=True)
    assert client.post("/konto/paminnelser", data={"reminders": "off"}).status_code == 302
    db.session.expire_all()
    assert people["ph"].wants_reminders is False
    refused = client.post("/konto/paminnelser", data={"reminders": "kanske"})
    assert refused.status_code == 400
    assert "Välj om du vill ha påminnelser eller inte." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert people["ph"].wants_reminders is False


@pytest.mark.parametrize(("days_left", "opened_days_before", "expected"), [
    (10, 30, None), (7, 30, 7), (5, 30, 7), (1, 30, 1), (0, 30, 1), (-1, 30, None),
    (5, 6, None),  # opened after the 7-day mark: the opening mail is the news; the 1-day reminder comes later
    (1, 6, 1),
])
def test_the_reminder_due_on_a_day(days_left, opened_days_before, expected):
    from tracker.followup.models import ReportingRound

    deadline = date(2024, 9, 15)
    opened = datetime.combine(deadline - timedelta(days=opened_days_before), datetime.min.time(), LOCAL_ZONE)
    round_ = ReportingRound(deadline=deadline, opened_at=opened)
    assert services.reminder_day(round_, deadline - timedelta(days=days_left), (7, 1)) == expected


def test_a_notice_claimed_by_a_run_that_died_after_sending_goes_out_again_after_the_claim_timeout(app, plan, people,
                                                                                                  inbox):
    """The crash window: the server accepted the mail but the record was never written. While the claim is fresh
    (another run may be sending it) nothing is sent; once it is older than CLAIM_TIMEOUT the mail goes again."""
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    db.session.add(Notification(user_id=people["ph"].id, round_id=round_.id, kind=NotificationKind.OPENED,
                                occasion="", count=2, claimed_at=utcnow()))
    db.session.commit()
    assert notify(app).exit_code == 0
    assert "anna.berg@regionhalland.test" not in inbox.recipients and len(inbox.messages) == 2
    claim = db.session.scalar(sa.select(Notification).where(Notification.user_id == people["ph"].id))
    claim.claimed_at = utcnow() - services.CLAIM_TIMEOUT - timedelta(minutes=1)
    db.session.commit()
    assert notify(app).exit_code == 0
    assert inbox.recipients.count("anna.berg@regionhalland.test") == 1
    db.session.expire_all()
    assert claim.sent_at is not None
    assert "Inget att skicka." in notify(app).output


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a test server on 127.0.0.1
def test_the_server_login_is_used_and_a_wrong_password_is_named_and_retried_next_run(app, plan, people,
                                                                                    start_smtp, mail_to):
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        given = (bytes(auth_data.login), bytes(auth_data.password))
        return AuthResult(success=given == (b"tracker", b"hemligt-losenord"), handled=False)

    open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = Inbox()
    controller = start_smtp(relay, authenticator=authenticator, auth_required=True, auth_require_tls=False)
    mail_to(controller.port)
    app.config.update(SMTP_USER="tracker", SMTP_PASSWORD="fel")
    refused = notify(app)
    assert refused.exit_code == 2
    assert (f"Fel: E-postservern 127.0.0.1:{controller.port} nekade inloggningen som tracker (SMTPAuthenticationError: "
            "(535") in refused.output and "Kontrollera TRACKER_SMTP_USER och TRACKER_SMTP_PASSWORD." in refused.output
    # the settings' fault, not the mails': nothing claimed, failed or given up
    assert relay.messages == [] and db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    app.config["SMTP_PASSWORD"] = "hemligt-losenord"
    assert notify(app).exit_code == 0
    assert len(relay.messages) == 3


@pytest.mark.parametrize("stored", ["karin.holm@regionhalland.test,eve@annanstans.test",
                                    "karin.holm@regionhalland.test>,<eve@annanstans.test"])
def test_an_address_stored_with_two_recipients_is_not_mailed_but_named(app, plan, people, inbox, stored):
    """Saved the old way, before addresses were checked: the run skips it, names it, and mails the others."""
    open_round(plan, people, deadline=today() + timedelta(days=30))
    people["hs"].email = stored
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 1
    assert (f"Fel: kunde inte skicka till {stored}: BadRecipient: E-postadressen för Karin Holm är inte exakt en "
            "giltig adress") in result.output
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "olof.lind@regionhalland.test"]
    assert all("annanstans" not in message["To"] for message in inbox.messages)
    [karin] = db.session.scalars(sa.select(Notification).where(Notification.user_id == people["hs"].id)).all()
    assert karin.sent_at is None and "Rätta den under Administration → Användare" in karin.error
