"""Sending mail through the region's SMTP server (smtplib): the settings, and one connection per run."""

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import urlsplit

from tracker.parsing import NotOneAddress, one_address

TIMEOUT_SECONDS = 30  # tracker notify, run by cron: a slow server may take its time


def is_permanent(error: Exception) -> bool:
    """The server refused this mail for good (RFC 5321: a 5xx reply to its recipient or its content, or a
    feature the mail needs that the server lacks): sending it again gives the same answer. A refused login or
    sender is the settings' fault, not the mail's: those are tried again once the settings are right."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


class BadRecipient(Exception):
    """A stored address that is not exactly one (saved before addresses were checked): nothing is sent to it."""


def recipient(name: str, email: str) -> Address:
    """The To header's one address, built from the stored address alone: an address that is not exactly one
    (`a@x,b@y` would reach both) raises BadRecipient, in Swedish, and nobody is mailed."""
    try:
        one_address(email)
    except NotOneAddress:
        raise BadRecipient(f"E-postadressen för {name} är inte exakt en giltig adress, så inget skickades till den. "
                           "Rätta den under Administration → Användare.") from None
    return Address(display_name=name, addr_spec=email)


class MailNotConfigured(Exception):
    """The SMTP host is set but something mail needs is not; the message says what, in Swedish."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    base_url: str  # the links in the mails lead here

    @classmethod
    def from_config(cls, config) -> "MailSettings | None":
        """None when mail is off (no TRACKER_SMTP_HOST)."""
        if not config.get("SMTP_HOST"):
            return None
        missing = [name for name, key in (("TRACKER_MAIL_FROM", "MAIL_FROM"), ("TRACKER_BASE_URL", "BASE_URL"))
                   if not config.get(key)]
        if missing:
            raise MailNotConfigured(f"E-post är påslagen (TRACKER_SMTP_HOST) men {' och '.join(missing)} saknas: "
                                    "avsändaren och adressen som länkarna leder till.")
        if urlsplit(config["BASE_URL"]).scheme not in ("http", "https"):
            raise MailNotConfigured(f"TRACKER_BASE_URL={config['BASE_URL']} är ingen http- eller https-adress.")
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), config.get("SMTP_USER", ""),
                   config.get("SMTP_PASSWORD", ""), bool(config.get("SMTP_STARTTLS")), config["MAIL_FROM"],
                   config["BASE_URL"].rstrip("/"))

    def describe(self) -> str:
        """For the administratör's page: where mail goes, without the password."""
        extras = [part for part in ("STARTTLS" if self.starttls else "", f"inloggning som {self.user}" if self.user
                                    else "") if part]
        return f"{self.host}:{self.port}" + (f" ({', '.join(extras)})" if extras else "") + f", från {self.sender}"


class Mailer:
    """One SMTP connection, opened at the first mail and opened again after the server dropped it. A server that
    cannot be reached at all is not tried again for every further mail of the run (each try could take the whole
    timeout): they fail with the same error. `send` returns only once the server has accepted the mail."""

    def __init__(self, settings: MailSettings, timeout: float = TIMEOUT_SECONDS):
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: Exception | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self._drop()

    def send(self, message: EmailMessage) -> None:
        """Raises smtplib.SMTPException or OSError when the server is unreachable or refuses the mail."""
        if self._unreachable is not None:
            raise self._unreachable
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                self._unreachable = error
                raise
        try:  # one recipient: refused, it raises SMTPRecipientsRefused (never a partial refusal)
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError):
            self._drop()
            raise

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
        try:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
