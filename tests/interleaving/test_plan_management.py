"""A plan managed as a whole against the plan's other writers, two at a time, the second at the racy point of the
first: deleting a draft, archiving it, making next year's plan from it, fastställande, a status and an åtgärd saved.
Every accepted write is stored with its history entry; a refused one says so (409, in Swedish) and stores nothing;
a plan is never deleted with a version, nor next year's plan made from a plan that is gone."""

import pytest
import sqlalchemy as sa

from tests.interleaving.helpers import Writer, entries_by, refused
from tests.interleaving.plan_writers import judge_status, load_status
from tracker.extensions import db
from tracker.followup.models import Indicator
from tracker.plans.models import Plan
from tracker.versions import services as versions
from tracker.versions.models import PlanVersion
from tracker.vocabulary import PlanState, Role

KEY = "tillganglighet-2023"
NEXT = "tillganglighet-2024"
GONE = ("Planen har tagits bort av någon annan.", "Det finns ingen plan med nyckeln")


@pytest.fixture
def world(world):
    """The draft plan of the plan writers' world, with an indicator to carry on to next year."""
    db.session.add(Indicator(plan_id=world.id, area="BUP", name="Andel första besök inom 30 dagar", target=75))
    db.session.commit()
    return world


def plan_now() -> Plan | None:
    return db.session.scalar(sa.select(Plan).where(Plan.key == KEY))


def load_delete(plan, user):
    return lambda client: client.post(f"/planer/{KEY}/ta-bort", data={"confirm": "1"})


def judge_delete(plan, user, response):
    if response.status_code in (404, 409):
        refused(response, "har fastställts", *GONE, gone=plan_now() is None)
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert plan_now() is None and len(entries_by(user, kind="plan", verb="deleted")) == 1
    assert db.session.scalar(sa.select(sa.func.count(PlanVersion.id))) == 0
    return True


def load_archive(plan, user):
    version = plan.version_id
    return lambda client: client.post(f"/planer/{KEY}/arkivera", data={"version": version})


def judge_archive(plan, user, response):
    current = plan_now()
    if response.status_code in (404, 409):
        refused(response, "Någon annan har ändrat planen", *GONE, gone=current is None)
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    if current is None:  # deleted after the archiving: the entry stays in the history
        return bool(entries_by(user, kind="plan"))
    assert current.archived_at is not None and entries_by(user, kind="plan", verb="updated")
    return True


def load_next_year(plan, user):
    data = {"key": NEXT, "title": "Handlingsplan för ökad tillgänglighet 2024"}
    return lambda client: client.post(f"/planer/{KEY}/nytt-ar", data=data)


def judge_next_year(plan, user, response):
    made = db.session.scalar(sa.select(Plan).where(Plan.key == NEXT))
    if response.status_code in (400, 404, 409):
        body = response.get_data(as_text=True)
        if response.status_code == 400:  # made by the other a moment ago: the one plan stands
            assert "Det finns redan en plan med nyckeln" in body or "har redan en plan för 2024" in body
        else:
            refused(response, *GONE, gone=True)
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert made is not None and made.year == 2024 and entries_by(user, verb="next_year")
    indicator = made.indicators[0]
    # The series continues from the plan as it was, unless that plan has been deleted since.
    assert indicator.continues_id is not None or plan_now() is None
    return True


def load_approve(plan, user):
    seen = versions.approval_digest(plan)
    return lambda client: client.post(f"/planer/{KEY}/faststall", data={"decision": "RS231576", "confirm": "1",
                                                                          "seen": seen})


def judge_approve(plan, user, response):
    current = plan_now()
    if response.status_code in (404, 409):
        refused(response, *GONE, "Planen har ändrats sedan du öppnade sidan", gone=current is None)
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert current is not None and current.state is PlanState.APPROVED and entries_by(user, kind="version")
    return True


def judge_status_or_gone(plan, user, response):
    """A status saved against a plan being deleted: refused as gone, or saved and then deleted with the plan (its
    entry stays in the history)."""
    if plan_now() is not None:
        return judge_status(plan, user, response)
    if response.status_code in (404, 409):
        refused(response, "finns inte", "har tagits bort", "ändrats", gone=True)
        assert not entries_by(user)
        return False
    assert response.status_code == 302 and entries_by(user, kind="status")
    return True


STATUS = Writer("status", Role.DIVISION_CONTACT, "PH", load_status, judge_status_or_gone)
DELETE = Writer("ta bort planen", Role.STRATEGIST, None, load_delete, judge_delete)
ARCHIVE = Writer("arkivera planen", Role.STRATEGIST, None, load_archive, judge_archive)
NEXT_YEAR = Writer("nästa år", Role.STRATEGIST, None, load_next_year, judge_next_year)
APPROVE = Writer("fastställ", Role.DIRECTOR, None, load_approve, judge_approve)

PAIRS = [(DELETE, other) for other in (ARCHIVE, NEXT_YEAR, APPROVE, STATUS)] + \
        [(other, DELETE) for other in (ARCHIVE, NEXT_YEAR, APPROVE, STATUS)] + \
        [(ARCHIVE, NEXT_YEAR), (NEXT_YEAR, ARCHIVE), (ARCHIVE, STATUS), (STATUS, ARCHIVE)]


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=repr)
def test_managing_a_plan_against_another_writer(world, race, first, second):
    stored = dict(zip((first, second), race(world, first, second)))
    if APPROVE in stored and DELETE in stored:  # a plan fastställd is never deleted, whichever comes first
        assert not (stored[APPROVE] and stored[DELETE])
        assert stored[APPROVE] or stored[DELETE]
    if ARCHIVE in stored and DELETE not in stored:  # archiving touches no row the others write
        assert all(stored.values())


@pytest.mark.parametrize("writer", [DELETE, ARCHIVE, NEXT_YEAR], ids=repr)
def test_the_same_management_twice_at_once(world, race, writer):
    """Two people (or a double click) at once: one is stored, the other refused, never both."""
    assert sorted(race(world, writer, writer)) == [False, True]
