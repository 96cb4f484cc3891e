"""Faults of the mail server, each played by a real SMTP server (aiosmtpd on 127.0.0.1) that misbehaves: what is
marked, the exit status, the message, and that the corrected setting or a good day then delivers, once, with the
Message-ID the notice got at its first attempt."""

import asyncio
import ipaddress
import ssl
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import Inbox, free_port
from tests.notify.helpers import Answers, notify, open_round
from tracker.clock import today
from tracker.extensions import db
from tracker.notify.models import Notification

CONTACTS = ["anna.berg@regionhalland.test", "karin.holm@regionhalland.test", "olof.lind@regionhalland.test"]


def notifications() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def message_ids(inbox: Inbox) -> dict[str, list[str]]:
    """Each recipient's mails' Message-IDs, in the order received."""
    ids: dict[str, list[str]] = {}
    for message in inbox.messages:
        ids.setdefault(message["To"].addresses[0].addr_spec, []).append(message["Message-ID"].strip())
    return ids


@pytest.fixture
def untrusted_tls(tmp_path) -> ssl.SSLContext:
    """A server's TLS with a certificate that no one issued: the handshake fails the client's check."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


# --- The settings' faults: the run ends at once, exit 2, nothing marked -------------------------------------

CONFIGURATION_FAULTS = {
    "no STARTTLS": ({}, {"SMTP_STARTTLS": True}, {"SMTP_STARTTLS": False},
                    "E-postservern 127.0.0.1:{port} erbjuder inte STARTTLS, som TRACKER_SMTP_STARTTLS kräver."),
    "TLS handshake": ({"tls": True}, {"SMTP_STARTTLS": True}, {"SMTP_STARTTLS": False},
                      "Krypteringen (STARTTLS, TRACKER_SMTP_STARTTLS) mot e-postservern 127.0.0.1:{port} "
                      "misslyckades (SSLCertVerificationError"),
    "no AUTH": ({}, {"SMTP_USER": "tracker", "SMTP_PASSWORD": "hemligt"}, {"SMTP_USER": ""},
                "Inloggningen som tracker (TRACKER_SMTP_USER) hos e-postservern 127.0.0.1:{port} misslyckades "
                "(SMTPNotSupportedError: SMTP AUTH extension not supported by server.)"),
    "nothing listens": (None, {}, {}, "E-postservern 127.0.0.1:{port} går inte att nå (ConnectionRefusedError"),
}


@pytest.mark.parametrize("fault", CONFIGURATION_FAULTS)
def test_a_setting_the_server_cannot_meet_ends_the_run_marks_nothing_and_the_corrected_one_delivers(
        fault, app, plan, people, start_smtp, mail_to, untrusted_tls):
    server, wrong, corrected, message = CONFIGURATION_FAULTS[fault]
    open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = Inbox()
    port = free_port() if server is None else start_smtp(
        relay, **({"tls_context": untrusted_tls} if server.get("tls") else {})).port
    mail_to(port)
    app.config.update(wrong)

    failed = notify(app)
    assert failed.exit_code == 2
    assert "Fel: " + message.format(port=port) in failed.output
    assert "Inget har skickats; allt skickas vid första körningen efter rättelsen." in failed.output
    assert relay.messages == [] and notifications() == []  # not sent, not failed, not given up: not the mails' fault
    assert notify(app).exit_code == 2  # and so on every run until the setting is corrected

    app.config.update(corrected)
    if server is None:
        start_smtp(relay, port=port)
    delivered = notify(app)
    assert delivered.exit_code == 0, delivered.output
    assert sorted(relay.recipients) == CONTACTS
    assert all(row.sent_at and row.message_id for row in notifications())


def test_a_strategists_reminder_now_against_a_wrong_setting_waits_for_the_correction(app, plan, people, login,
                                                                                   start_smtp, mail_to):
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = Inbox()
    mail_to(start_smtp(relay).port)
    app.config["SMTP_STARTTLS"] = True
    page = login(people["strateg"]).post(f"/omgangar/{round_.id}/paminn", follow_redirects=True).get_data(
        as_text=True)
    assert ("Kunde inte skickas nu, skickas vid nästa körning av tracker notify när inställningen är rättad: "
            "E-postservern 127.0.0.1:") in page and "TRACKER_SMTP_STARTTLS" in page
    kept = notifications()
    assert len(kept) == 2 and all(r.error and not r.sent_at and not r.gave_up_at and not r.claimed_at for r in kept)
    app.config["SMTP_STARTTLS"] = False
    assert notify(app).exit_code == 0
    assert sorted(relay.recipients) == CONTACTS and all(row.sent_at for row in notifications())


# --- One mail's faults: 5xx to its recipient or content is for good; the rest is tried again ----------------


@pytest.mark.parametrize(("hook", "answer", "for_good"), [
    ("RCPT", "450 4.2.1 Brevlådan är upptagen, försök senare", False),
    ("RCPT", "550 5.1.1 Mottagaren finns inte", True),
    ("DATA", "451 4.3.0 Tillfälligt fel, försök senare", False),
    ("DATA", "554 5.6.0 Innehållet nekas", True),
])
def test_only_a_5xx_to_the_recipient_or_the_content_gives_a_notice_up(hook, answer, for_good, app, plan, people,
                                                                      start_smtp, mail_to):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = Answers(hook, answer)
    mail_to(start_smtp(relay).port)
    first = notify(app)
    assert first.exit_code == 1 and answer.split()[0] in first.output
    rows = notifications()
    assert len(rows) == 3 and not any(r.sent_at for r in rows) and all(answer.split()[0] in r.error for r in rows)
    assert all(bool(r.gave_up_at) is for_good and r.claimed_at is None for r in rows)

    relay.answer = None
    again = notify(app)
    assert again.exit_code == 0
    assert sorted(relay.recipients) == ([] if for_good else CONTACTS)


# --- Taken but not answered: tried again with the same Message-ID, so the copy can be dropped ---------------


class AnswersLate(Inbox):
    """Takes each mail, then answers the end of its data after `delay` seconds."""

    delay = 1.0

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


class HangsUpAfterData(Inbox):
    """Takes each mail and, while `hang_up`, closes the connection instead of answering."""

    hang_up = True

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.hang_up:
            server.transport.close()
        return answer


def assert_taken_but_not_recorded(result, relay: Inbox) -> dict[str, list[str]]:
    assert result.exit_code == 1
    assert "0 skickade, 3 misslyckades." in result.output and "skickas vid nästa körning" in result.output
    assert sorted(relay.recipients) == CONTACTS  # the server has them all
    rows = notifications()
    assert not any(r.sent_at or r.gave_up_at or r.claimed_at for r in rows) and all(r.error for r in rows)
    first = message_ids(relay)
    assert {r.user.email: [r.message_id] for r in rows} == first
    return first


def assert_sent_again_with_the_same_message_ids(app, relay: Inbox, first: dict[str, list[str]]) -> None:
    again = notify(app)
    assert again.exit_code == 0, again.output
    assert message_ids(relay) == {address: ids * 2 for address, ids in first.items()}
    assert all(row.sent_at for row in notifications())
    assert "Inget att skicka." in notify(app).output


def test_a_server_slower_than_the_data_timeout_gets_the_same_message_id_again(app, plan, people, start_smtp,
                                                                             mail_to):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = AnswersLate()
    mail_to(start_smtp(relay).port)
    # the commands' wait long enough, the answer to the mail's end not: the DATA phase has its own
    app.config.update(SMTP_TIMEOUT=30, SMTP_DATA_TIMEOUT=0.3)
    first = assert_taken_but_not_recorded(notify(app), relay)

    app.config.update(SMTP_TIMEOUT=0.3, SMTP_DATA_TIMEOUT=3)  # waiting longer for the answer than it takes
    assert_sent_again_with_the_same_message_ids(app, relay, first)


def test_a_server_hanging_up_after_taking_the_mail_gets_the_same_message_id_again(app, plan, people, start_smtp,
                                                                                 mail_to):
    open_round(plan, people, deadline=today() + timedelta(days=30))
    relay = HangsUpAfterData()
    mail_to(start_smtp(relay).port)
    first = assert_taken_but_not_recorded(notify(app), relay)
    assert all("SMTPServerDisconnected" in row.error for row in notifications())

    relay.hang_up = False
    assert_sent_again_with_the_same_message_ids(app, relay, first)


def test_a_notice_tried_before_goes_in_its_own_mail_beside_new_ones(app, plan, people, start_smtp, mail_to):
    """A reminder due since the failed opening mail: the opening goes again as that mail (its Message-ID), the
    reminder in a new one: a copy of the first is dropped, the news is not."""
    round_ = open_round(plan, people, deadline=today() + timedelta(days=30), opened_days_ago=30)
    relay = HangsUpAfterData()
    mail_to(start_smtp(relay).port)
    first = assert_taken_but_not_recorded(notify(app), relay)

    round_.deadline = today() + timedelta(days=7)
    db.session.commit()
    relay.hang_up = False
    assert notify(app).exit_code == 0
    anna = message_ids(relay)["anna.berg@regionhalland.test"]
    assert anna[:2] == first["anna.berg@regionhalland.test"] * 2 and len(anna) == 3 and anna[2] != anna[0]
    assert "Påminnelse" in relay.to("anna.berg@regionhalland.test")[2]["Subject"]


def test_the_waits_are_rfc_5321_minutes_and_refused_in_swedish_when_no_number(monkeypatch, tmp_path):
    from tracker import config

    for name in ("TRACKER_SMTP_TIMEOUT", "TRACKER_SMTP_DATA_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment(tmp_path)
    assert (settings["SMTP_TIMEOUT"], settings["SMTP_DATA_TIMEOUT"]) == (5 * 60, 10 * 60)
    monkeypatch.setenv("TRACKER_SMTP_DATA_TIMEOUT", "0")
    with pytest.raises(config.ConfigError, match="TRACKER_SMTP_DATA_TIMEOUT='0': ange antal sekunder som ett positivt tal"):
        config.from_environment(tmp_path)
