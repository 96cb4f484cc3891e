"""The security events of the users' workflows: logins, logouts, new accounts, changed roles and passwords.

users is below the security log (tracker.security, which names the users its entries are about), so it does not
import it: it reports each event here, and the security log registers itself as the one recorder when it is
imported (tracker.security.log, which the app factory imports). An event with no recorder is an error, never
silently dropped: the entry belongs in the same transaction as what it records.
"""

from collections.abc import Callable


class NoRecorder(RuntimeError):
    """A security event was reported before the security log registered itself."""


_recorder: Callable[..., object] | None = None


def register(recorder: Callable[..., object]) -> None:
    """`recorder(kind, summary, *, user, email, actor, **details)` writes every event from now on."""
    global _recorder
    _recorder = recorder


def record(kind: str, summary: str, *, user=None, email: str | None = None, actor=None, **details):
    """An entry of the security log about `user` (or the typed `email`), made by `actor` — else by whoever acts
    now; see tracker.security.log.record."""
    if _recorder is None:
        raise NoRecorder(f"security event {kind!r} with no security log registered: import tracker.security.log")
    return _recorder(kind, summary, user=user, email=email, actor=actor, **details)
