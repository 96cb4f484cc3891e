"""Sending mail through the region's SMTP server (smtplib): the settings, and one connection per run."""

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import urlsplit

from tracker.parsing import NotOneAddress, one_address


def is_permanent(error: Exception) -> bool:
    """The server refused this mail for good (RFC 5321: a 5xx reply to its recipient or its content): sending it
    again gives the same answer. Anything else (a 4xx, a timeout, a dropped connection) may pass next time."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


class MailConfigurationError(Exception):
    """The server cannot be used as the settings say (unreachable, no STARTTLS, a failed TLS handshake, the login
    refused): no mail goes out until an operator corrects what the Swedish message names; no mail is at fault."""


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
    timeout: float  # seconds for the greeting, EHLO, STARTTLS, AUTH, MAIL and RCPT
    data_timeout: float  # seconds from DATA to the server's answer to the end of the mail

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
                   config["BASE_URL"].rstrip("/"), config["SMTP_TIMEOUT"], config["SMTP_DATA_TIMEOUT"])

    def describe(self) -> str:
        """For the administratör's page: where mail goes, without the password."""
        extras = [part for part in ("STARTTLS" if self.starttls else "", f"inloggning som {self.user}" if self.user
                                    else "") if part]
        return f"{self.host}:{self.port}" + (f" ({', '.join(extras)})" if extras else "") + f", från {self.sender}"


class _Connection(smtplib.SMTP):
    """smtplib's connection, waiting `data_timeout` from DATA to the server's answer to the end of the mail."""

    def __init__(self, host: str, port: int, timeout: float, data_timeout: float):
        self.data_timeout = data_timeout
        super().__init__(host, port, timeout=timeout)

    def data(self, msg):
        self.sock.settimeout(self.data_timeout)
        try:
            return super().data(msg)
        finally:
            if self.sock is not None:  # smtplib closes the socket when the server hangs up
                self.sock.settimeout(self.timeout)


class Mailer:
    """One SMTP connection, opened by `connect` at the start of a run and opened again after the server dropped
    it. The first connection tells whether the settings work: if not, `connect` raises MailConfigurationError and
    the run sends nothing. A server that worked and then cannot be reached is not tried again for every further
    mail of the run (each try could take the whole timeout): they fail with the same error. `send` returns only
    once the server has accepted the mail. `timeout`, when given, is every wait's (the web's short one)."""

    def __init__(self, settings: MailSettings, timeout: float | None = None):
        self.settings = settings
        self.timeout = timeout or settings.timeout
        self.data_timeout = timeout or settings.data_timeout
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: Exception | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self._drop()

    def connect(self) -> None:
        """Raises MailConfigurationError, naming the setting to correct."""
        self._smtp = self._connect()

    def send(self, message: EmailMessage) -> None:
        """Raises smtplib.SMTPException, OSError or MailConfigurationError when the server is unreachable or
        refuses the mail."""
        if self._unreachable is not None:
            raise self._unreachable
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except MailConfigurationError as error:
                self._unreachable = error
                raise
        try:  # one recipient: refused, it raises SMTPRecipientsRefused (never a partial refusal)
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError):
            self._drop()
            raise

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        server = f"{settings.host}:{settings.port}"
        try:
            smtp = _Connection(settings.host, settings.port, self.timeout, self.data_timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise MailConfigurationError(
                f"E-postservern {server} går inte att nå ({describe(error)}). Kontrollera TRACKER_SMTP_HOST och "
                "TRACKER_SMTP_PORT (587 för STARTTLS; port 465, med TLS från start, stöds inte), att servern är "
                "igång och att brandväggen släpper fram anslutningen.") from error
        try:
            if settings.starttls:
                self._starttls(smtp, server)
            if settings.user:
                self._login(smtp, server)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _starttls(self, smtp: smtplib.SMTP, server: str) -> None:
        try:
            smtp.starttls(context=ssl.create_default_context())
        except smtplib.SMTPNotSupportedError as error:
            raise MailConfigurationError(
                f"E-postservern {server} erbjuder inte STARTTLS, som TRACKER_SMTP_STARTTLS kräver. Ange en server "
                "eller port (TRACKER_SMTP_HOST, TRACKER_SMTP_PORT) som krypterar, eller sätt "
                "TRACKER_SMTP_STARTTLS=0 för en server som tar emot okrypterat.") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailConfigurationError(
                f"Krypteringen (STARTTLS, TRACKER_SMTP_STARTTLS) mot e-postservern {server} misslyckades "
                f"({describe(error)}). Servern behöver ett certifikat som den här datorn litar på, utfärdat för "
                "namnet i TRACKER_SMTP_HOST.") from error

    def _login(self, smtp: smtplib.SMTP, server: str) -> None:
        settings = self.settings
        try:
            smtp.login(settings.user, settings.password)
        except smtplib.SMTPAuthenticationError as error:
            raise MailConfigurationError(
                f"E-postservern {server} nekade inloggningen som {settings.user} ({describe(error)}). Kontrollera "
                "TRACKER_SMTP_USER och TRACKER_SMTP_PASSWORD.") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailConfigurationError(
                f"Inloggningen som {settings.user} (TRACKER_SMTP_USER) hos e-postservern {server} misslyckades "
                f"({describe(error)}). Tar servern emot mail utan inloggning, ta bort TRACKER_SMTP_USER; kräver "
                "den kryptering före inloggningen, sätt TRACKER_SMTP_STARTTLS=1.") from error

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def describe(error: Exception) -> str:
    """An SMTP or network error as the server or the system said it: for the log and the round page."""
    if isinstance(error, MailConfigurationError):
        return str(error)
    return f"{type(error).__name__}: {error}".strip()
