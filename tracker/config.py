"""Configuration from the environment; see the README for each variable."""

import os
import secrets
from importlib import resources
from pathlib import Path

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


def _secret_key(instance_path: Path) -> str:
    """TRACKER_SECRET_KEY, else a key generated once and kept in instance/."""
    if key := os.environ.get("TRACKER_SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _days(text: str) -> tuple[int, ...]:
    """TRACKER_REMIND_DAYS: "7,1" → (7, 1), the largest first."""
    try:
        days = {int(part) for part in text.replace(" ", "").split(",") if part}
    except ValueError:
        raise ValueError(f"TRACKER_REMIND_DAYS={text!r}: ange hela dagar före sista dag, t.ex. 7,1") from None
    if any(day < 0 for day in days):
        raise ValueError(f"TRACKER_REMIND_DAYS={text!r}: dagarna kan inte vara negativa")
    return tuple(sorted(days, reverse=True))


def _port(text: str) -> int:
    """TRACKER_SMTP_PORT: a whole number 1–65535."""
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValueError(f"TRACKER_SMTP_PORT={text!r}: ange portnumret som ett heltal, t.ex. 587 (1–65535)")
    return port


def from_environment(instance_path: Path) -> dict:
    base_url = os.environ.get("TRACKER_BASE_URL", "").rstrip("/")
    secure = _flag("TRACKER_SECURE_COOKIES", False) or base_url.startswith("https://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TRACKER_DATABASE_URL", f"sqlite:///{instance_path / 'tracker.db'}"
        ),
        # Exports and staged uploads live in the database; this folder, when set, also gets a copy of each export.
        "EXPORT_DIR": os.environ.get("TRACKER_EXPORT_DIR") or None,
        "LOG_FORMAT": os.environ.get("TRACKER_LOG_FORMAT", "text").strip().lower(),
        "STALE_DAYS": int(os.environ.get("TRACKER_STALE_DAYS", 90)),
        "IMPORT_MAX_BYTES": int(os.environ.get("TRACKER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)),
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
        "PROXY_HOPS": int(os.environ.get("TRACKER_PROXY_HOPS", 0)),
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
        "SESSION_IDLE_MINUTES": int(os.environ.get("TRACKER_SESSION_IDLE_MINUTES", 60)),
        "SESSION_MAX_HOURS": int(os.environ.get("TRACKER_SESSION_MAX_HOURS", 12)),
        "LOGIN_LIMIT": os.environ.get("TRACKER_LOGIN_LIMIT", "10 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": os.environ.get("TRACKER_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        # Mail (README, "Mail"): without an SMTP host nothing is sent and the app works as without mail.
        "SMTP_HOST": os.environ.get("TRACKER_SMTP_HOST", "").strip(),
        "SMTP_PORT": _port(os.environ.get("TRACKER_SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("TRACKER_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("TRACKER_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag("TRACKER_SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("TRACKER_MAIL_FROM", "").strip(),
        "REMIND_DAYS": _days(os.environ.get("TRACKER_REMIND_DAYS", "7,1")),
        "SMTP_WEB_TIMEOUT": 10,  # seconds "Skicka påminnelse nu" waits for the server within the request
    }
