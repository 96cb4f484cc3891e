"""Configuration from the environment; see the README for each variable."""

import os
import secrets
from importlib import resources
from pathlib import Path

from tracker.files import publish_private

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = (ROOT / "pyproject.toml").is_file()  # running from the repository (an editable install), not a wheel


def bundled_folder(name: str) -> Path:
    """templates/ or migrations/: the repository's top-level folder, or the copy a wheel carries in the package."""
    packaged = resources.files("tracker") / name
    return Path(str(packaged)) if packaged.is_dir() else ROOT / name


def instance_path() -> str | None:
    """TRACKER_INSTANCE_PATH; in a checkout instance/ beside the code; in an installed wheel Flask's default
    (PREFIX/var/tracker-instance), the same whichever folder the command runs in."""
    if path := os.environ.get("TRACKER_INSTANCE_PATH"):
        return str(Path(path).resolve())
    return str(ROOT / "instance") if CHECKOUT else None


def _key_file(path: Path) -> str:
    """The text of a key file in instance/, generated (0600) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            publish_private(path, secrets.token_hex(32).encode())
        except FileExistsError:
            pass  # another process made it first: its key is the one
    return path.read_text()


def _secret_key(instance_path: Path) -> str:
    """TRACKER_SECRET_KEY, else a key generated once and kept in instance/."""
    if key := os.environ.get("TRACKER_SECRET_KEY"):
        return key
    return _key_file(instance_path / "secret_key").strip()


def _history_keys(instance_path: Path) -> tuple[str, ...]:
    """TRACKER_HISTORY_KEYS (comma-separated), else instance/history_key (one a line, generated the first time):
    the newest first, which signs the new history entries; the older ones verify the entries they signed."""
    if text := os.environ.get("TRACKER_HISTORY_KEYS", "").strip():
        where, keys = "TRACKER_HISTORY_KEYS", text.split(",")
    else:
        where, keys = str(instance_path / "history_key"), _key_file(instance_path / "history_key").splitlines()
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys or any(len(key) < 32 for key in keys):
        raise ValueError(f"{where}: varje nyckel för historiken behöver minst 32 tecken, den nyaste först, t.ex. "
                         "från python -c \"import secrets; print(secrets.token_hex(32))\"")
    return keys


class ConfigError(ValueError):
    """A setting in the environment that the app cannot use; the message names it and says what it takes."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _days(text: str) -> tuple[int, ...]:
    """TRACKER_REMIND_DAYS: "7,1" → (7, 1), the largest first."""
    try:
        days = {int(part) for part in text.replace(" ", "").split(",") if part}
    except ValueError:
        raise ConfigError(f"TRACKER_REMIND_DAYS={text!r}: ange hela dagar före sista dag, t.ex. 7,1") from None
    if any(day < 0 for day in days):
        raise ConfigError(f"TRACKER_REMIND_DAYS={text!r}: dagarna kan inte vara negativa")
    return tuple(sorted(days, reverse=True))


def _deadline_days(text: str) -> int:
    """TRACKER_DEADLINE_REMIND_DAYS: whole days, 0–366."""
    try:
        days = int(text.strip())
    except ValueError:
        days = -1
    if not 0 <= days <= 366:
        raise ConfigError(f"TRACKER_DEADLINE_REMIND_DAYS={text!r}: ange hur många hela dagar före ett villkors sista "
                          "dag strategerna påminns, t.ex. 14 (0–366)")
    return days


def _port(text: str) -> int:
    """TRACKER_SMTP_PORT: a whole number 1–65535."""
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ConfigError(f"TRACKER_SMTP_PORT={text!r}: ange portnumret som ett heltal, t.ex. 587 (1–65535)")
    return port


def _seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment (TRACKER_DB_CONNECT_TIMEOUT and its kind)."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        seconds = float(text.strip().replace(",", "."))
    except ValueError:
        seconds = 0
    if not seconds > 0:
        raise ConfigError(f"{name}={text!r}: ange antal sekunder som ett positivt tal, t.ex. {default:g}")
    return seconds


def _whole(name: str, default: int, low: int = 0) -> int:
    """A whole number from the environment, at least `low`."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = int(text.strip())
    except ValueError:
        value = low - 1
    if value < low:
        raise ConfigError(f"{name}={text!r}: ange ett heltal från {low}, t.ex. {default}")
    return value


def engine_options(url: str, *, connect_timeout: float, statement_timeout: float, busy_timeout: float) -> dict:
    """How long a request waits for the database before it gets the Swedish 503 instead of hanging: PostgreSQL's
    connect and statement timeouts, SQLite's wait for another writer. Connections are checked before use, so
    the app recovers by itself when a restarted PostgreSQL answers again."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout}}
    if url.startswith("postgresql"):
        return {"pool_pre_ping": True,
                "connect_args": {"connect_timeout": max(2, round(connect_timeout)),  # libpq's minimum is 2 s
                                 "options": f"-c statement_timeout={round(statement_timeout * 1000)}"}}
    return {"pool_pre_ping": True}


def from_environment(instance_path: Path) -> dict:
    base_url = os.environ.get("TRACKER_BASE_URL", "").rstrip("/")
    secure = _flag("TRACKER_SECURE_COOKIES", False) or base_url.startswith("https://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "HISTORY_KEYS": _history_keys(instance_path),  # README, "The history's key"
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TRACKER_DATABASE_URL", f"sqlite:///{instance_path / 'tracker.db'}"
        ),
        # The database's timeouts (README, "I drift"); the engine is built from them in create_app.
        "DB_CONNECT_TIMEOUT": _seconds("TRACKER_DB_CONNECT_TIMEOUT", 5),
        "DB_STATEMENT_TIMEOUT": _seconds("TRACKER_DB_STATEMENT_TIMEOUT", 60),
        "SQLITE_BUSY_TIMEOUT": _seconds("TRACKER_SQLITE_BUSY_TIMEOUT", 15),
        "HEALTH_TIMEOUT": _seconds("TRACKER_HEALTH_TIMEOUT", 1),
        "HEALTH_MIN_FREE_MB": _seconds("TRACKER_HEALTH_MIN_FREE_MB", 50),
        # Exports and staged uploads live in the database; this folder, when set, also gets a copy of each export.
        "EXPORT_DIR": os.environ.get("TRACKER_EXPORT_DIR") or None,
        "LOG_FORMAT": os.environ.get("TRACKER_LOG_FORMAT", "text").strip().lower(),
        "STALE_DAYS": _whole("TRACKER_STALE_DAYS", 90, 1),
        "IMPORT_MAX_BYTES": _whole("TRACKER_IMPORT_MAX_BYTES", 10 * 1024 * 1024, 1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "WTF_CSRF_TIME_LIMIT": None,
        # Sign-in (README, "Sign-in"): single sign-on, sessions, throttling, the proxy in front.
        "BASE_URL": base_url,
        "HSTS": base_url.startswith("https://"),
        "PROXY_HOPS": _whole("TRACKER_PROXY_HOPS", 0, 0),
        "OIDC_ISSUER": os.environ.get("TRACKER_OIDC_ISSUER", ""),  # exactly as the ID tokens name it
        "OIDC_CLIENT_ID": os.environ.get("TRACKER_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("TRACKER_OIDC_CLIENT_SECRET", ""),
        "OIDC_LABEL": os.environ.get("TRACKER_OIDC_LABEL", "Region Hallands konto"),
        "OIDC_CREATE_USERS": _flag("TRACKER_OIDC_CREATE_USERS", False),
        # The provider's addresses are the region's own: a first sign-on may link by one it did not mark verified.
        "OIDC_TRUST_EMAIL": _flag("TRACKER_OIDC_TRUST_EMAIL", False),
        # An account linked to the provider signs in only through it (its MFA), not with a local password.
        "SSO_ONLY_WHEN_LINKED": _flag("TRACKER_SSO_ONLY_WHEN_LINKED", False),
        "PASSWORD_LOGIN": _flag("TRACKER_PASSWORD_LOGIN", True),
        "SESSION_IDLE_MINUTES": _whole("TRACKER_SESSION_IDLE_MINUTES", 60, 1),
        "SESSION_MAX_HOURS": _whole("TRACKER_SESSION_MAX_HOURS", 12, 1),
        "LOGIN_LIMIT": os.environ.get("TRACKER_LOGIN_LIMIT", "10 per 15 minutes"),  # per account and address
        "LOGIN_ADDRESS_LIMIT": os.environ.get("TRACKER_LOGIN_ADDRESS_LIMIT", "30 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": os.environ.get("TRACKER_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        # Mail (README, "Mail"): without an SMTP host nothing is sent and the app works as without mail.
        "SMTP_HOST": os.environ.get("TRACKER_SMTP_HOST", "").strip(),
        "SMTP_PORT": _port(os.environ.get("TRACKER_SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("TRACKER_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("TRACKER_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag("TRACKER_SMTP_STARTTLS", True),
        # RFC 5321 section 4.5.3.2: minutes, 5 for each command and 10 for the answer to the mail's end (a server
        # may check a mail long before it answers). A client giving up sooner records as failed a mail the server
        # delivers, and sends it again.
        "SMTP_TIMEOUT": _seconds("TRACKER_SMTP_TIMEOUT", 5 * 60),
        "SMTP_DATA_TIMEOUT": _seconds("TRACKER_SMTP_DATA_TIMEOUT", 10 * 60),
        "MAIL_FROM": os.environ.get("TRACKER_MAIL_FROM", "").strip(),
        "REMIND_DAYS": _days(os.environ.get("TRACKER_REMIND_DAYS", "7,1")),
        # How many days before a villkor's deadline the strateger are reminded of it (once per deadline).
        "DEADLINE_REMIND_DAYS": _deadline_days(os.environ.get("TRACKER_DEADLINE_REMIND_DAYS", "14")),
        "SMTP_WEB_TIMEOUT": 10,  # seconds "Skicka påminnelse nu" waits for the server within the request
    }
