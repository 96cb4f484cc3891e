"""users reports its security events without importing the security log: the log registers itself, and an event
with nothing registered is an error, never dropped."""

import pytest

from tracker.security import log
from tracker.users import events


def test_the_security_log_is_the_registered_recorder(app):
    assert events._recorder is log.record


def test_an_event_with_no_recorder_is_refused_not_dropped(app, monkeypatch):
    monkeypatch.setattr(events, "_recorder", None)
    with pytest.raises(events.NoRecorder, match="login"):
        events.record("login", "Lena loggade in")


def test_an_event_reaches_the_log_with_its_details(app, make_user):
    user = make_user(email="lena@regionhalland.test", name="Lena")
    event = events.record("password_reset", "Lösenordet återställdes", user=user, actor=user, how="admin")
    assert (event.kind, event.user_id, event.actor_id, event.details) == ("password_reset", user.id, user.id,
                                                                          {"how": "admin"})
