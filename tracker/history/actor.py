"""Who the history records for a request: the logged-in user, via the web."""

from flask import g
from flask_login import current_user

from tracker.history import recorder


def record_as_current_user() -> None:
    """Changes made by this request are recorded as the logged-in user's, via the web."""
    if current_user.is_authenticated:
        g.history_token = recorder.set_actor(recorder.actor_for(current_user, "web"))


def forget_actor(exception=None) -> None:
    token = g.pop("history_token", None)
    if token is not None:
        recorder.reset_actor(token)
