"""Passwords: how easily one is guessed, and their hashes.

Hashes: argon2id with OWASP's parameters; older hashes are still read, and replaced at login.
OWASP's Password Storage Cheat Sheet: argon2id with 19 MiB of memory, 2 iterations, 1 degree of parallelism.
"""

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's score 3: at least 10^8 guesses. It knows the 30,000 most common leaked passwords, English words and
# names, and what people make of them (repeats, l33t, keyboard runs, dates), and what `user_inputs` it is given.
MIN_SCORE = 3
# zxcvbn's own bound on the work it does; the rest of a longer password only makes it harder to guess.
GUESSED_LENGTH = 72
# zxcvbn keeps the user's words in a module-level dictionary while it runs: two threads must not mix theirs.
_guess_lock = threading.Lock()
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Checked against when there is no hash to check (an unknown e-mail, an SSO-only account), so that
# the answer takes as long as for a real account and does not tell which addresses exist.
_DUMMY_HASH = HASHER.hash("no account has this password")


def too_easy_to_guess(password: str, user_inputs: list[str]) -> bool:
    """Whether `password` is a common or breached one, or made of one, or of `user_inputs` (name, e-mail)."""
    with _guess_lock:
        return zxcvbn(password[:GUESSED_LENGTH], user_inputs=user_inputs)["score"] < MIN_SCORE


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, False after as long as a real check takes."""
    if password_hash is None:
        try:
            HASHER.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    if password_hash.startswith("$argon2"):
        try:
            return HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    # werkzeug's scrypt and pbkdf2 hashes, from before argon2id
    return check_password_hash(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return not password_hash.startswith("$argon2id$") or HASHER.check_needs_rehash(password_hash)
