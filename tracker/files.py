"""Files that hold secrets or personal data (the SQLite database, its backups, the keys, the export copies) are
created readable by their owner only (0600). The mode is given to os.open, which applies it as the file is
created: there is no moment when others can read it, as there is between a write and a chmod."""

import os
import secrets
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path, data: bytes = b"") -> None:
    """A new file at `path` holding `data`; FileExistsError when there is one (nothing is written over)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def publish_private(path: Path, data: bytes) -> None:
    """As create_private, but whole or not at all: a process that reads `path` meanwhile finds it complete or
    absent, never empty (a key file two processes create at once). FileExistsError when another made it first."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")  # each writer its own
    create_private(partial, data)
    try:
        os.link(partial, path)
    finally:
        partial.unlink()
