"""Two writers at once: the second writes at the racy point of the first, after the first has read what it decides
by and before its first write.

Each writer is one request of its own user through its own test client, in a thread of its own. The first is held
just before its first INSERT, UPDATE or DELETE; the second runs then, to its commit; the first goes on. A first that
writes nothing (refused on what it read) has finished before the second starts; a second that waits for a lock the
first holds finishes after the first. Either way each answer is then judged against the database.
"""

import threading
from datetime import timedelta
from typing import Callable

import pytest
import sqlalchemy as sa

from tests.factories import sign_in
from tests.interleaving.helpers import Writer
from tests.reports.helpers import create_report
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.history.recorder import acting
from tracker.history.services import verify_chain
from tracker.plans import structure
from tracker.reports import lifecycle
from tracker.versions.services import approve
from tracker.vocabulary import Role

WRITES = ("INSERT", "UPDATE", "DELETE")
LOCK_WAIT = 3  # seconds the second may wait for a lock the first holds before the first goes on


@pytest.fixture
def world(make_plan, make_user, divisions):
    """A draft plan with three åtgärder (the first and second for Psykiatri Halland), an open round, and a deleted
    fourth åtgärd to restore."""
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["PH", "HS"]},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]},
                              {"title": "Digitala vårdmöten", "divisions": ["HS"]},
                              {"title": "Mobil röntgen i särskilt boende", "divisions": ["ADH"]}])
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "web"):
        followup.open_round(plan, strateg, title="Delårsuppföljning 2024",
                            deadline=(today() + timedelta(days=10)).isoformat(), today=today())
        structure.delete_action(plan.factors[0].actions[3])
    db.session.commit()
    return plan


@pytest.fixture
def report(divisions):
    """A report of the test form being written, asking every förvaltning."""
    return create_report()


@pytest.fixture
def interleave(app):
    def run(first: Callable, second: Callable):
        """`first()` and `second()` each send one request; the second at the first's racy point. Their answers."""
        held, go_on, answers = threading.Event(), threading.Event(), {}

        def hold(conn, cursor, statement, parameters, context, executemany):
            if (threading.current_thread().name == "first" and not held.is_set()
                    and statement.lstrip().upper().startswith(WRITES)):
                held.set()
                go_on.wait(LOCK_WAIT * 3)

        def send(name, request):
            try:
                answers[name] = request()
            except Exception as error:  # noqa: BLE001 - reported with the answers below
                answers[name] = error

        sa.event.listen(db.engine, "before_cursor_execute", hold)
        try:
            one = threading.Thread(target=send, args=("first", first), name="first")
            one.start()
            while not held.wait(0.02) and one.is_alive():
                pass
            two = threading.Thread(target=send, args=("second", second), name="second")
            two.start()
            two.join(LOCK_WAIT)
            go_on.set()
            one.join()
            two.join()
        finally:
            go_on.set()
            sa.event.remove(db.engine, "before_cursor_execute", hold)
        db.session.rollback()
        db.session.expire_all()
        for name, answer in answers.items():
            assert not isinstance(answer, Exception), (name, answer)
            assert answer.status_code < 500, (name, answer.status_code, answer.get_data(as_text=True)[:2000])
        return answers["first"], answers["second"]

    return run


@pytest.fixture
def race(app, make_user, interleave):
    """Runs writer `first` and writer `second` against `world` at once; asserts each is stored or refused as it says,
    and the history's chain intact. Returns (first stored, second stored)."""

    def run(world, first: Writer, second: Writer) -> tuple[bool, bool]:
        requests, users = [], []
        for slot, writer in (("första", first), ("andra", second)):
            user = make_user(writer.role, writer.division, name=f"{writer.name} ({slot})")
            client = app.test_client()
            sign_in(client, user)
            post = writer.load(world, user)
            requests.append(lambda post=post, client=client: post(client))
            users.append(user)
        db.session.commit()
        answers = interleave(*requests)
        stored = tuple(writer.judge(world, user, answer)
                       for writer, user, answer in zip((first, second), users, answers))
        assert verify_chain().intact
        return stored

    return run


@pytest.fixture
def approved_world(world, make_user):
    director = make_user(Role.DIRECTOR)
    with acting(director, "web"):
        approve(world, director, "Beslut i hälso- och sjukvårdsnämnden")
    db.session.commit()
    return world


@pytest.fixture
def review(report):
    lifecycle.submit_for_review(report)
    db.session.commit()
    return report
