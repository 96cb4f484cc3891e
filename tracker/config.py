"""Configuration from the environment; see the README for each variable."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def from_environment(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TRACKER_DATABASE_URL", f"sqlite:///{instance_path / 'tracker.db'}"
        ),
        "EXPORT_DIR": os.environ.get("TRACKER_EXPORT_DIR", str(ROOT / "exports")),
        "IMPORT_DIR": os.environ.get("TRACKER_IMPORT_DIR", str(instance_path / "imports")),
        "STALE_DAYS": int(os.environ.get("TRACKER_STALE_DAYS", 90)),
        "IMPORT_MAX_BYTES": int(os.environ.get("TRACKER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("TRACKER_SECURE_COOKIES") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
    }
