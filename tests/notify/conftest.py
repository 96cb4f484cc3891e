"""The notify tests' world: a plan with åtgärder for two förvaltningar, and the people who get (or do not get)
its mails."""

import pytest

from tracker.vocabulary import Role, Status


@pytest.fixture
def people(make_user):
    return {
        "ph": make_user(Role.DIVISION_CONTACT, "PH", email="anna.berg@regionhalland.test", name="Anna Berg"),
        "ph_quiet": make_user(Role.DIVISION_CONTACT, "PH", email="olof.lind@regionhalland.test", name="Olof Lind",
                              wants_reminders=False),
        "hs": make_user(Role.DIVISION_CONTACT, "HS", email="karin.holm@regionhalland.test", name="Karin Holm"),
        "hs_gone": make_user(Role.DIVISION_CONTACT, "HS", email="slutat@regionhalland.test", name="Slutat",
                             active=False),
        "nsv": make_user(Role.DIVISION_CONTACT, "NSV", email="nsv@regionhalland.test", name="Nils Sjö"),
        "strateg": make_user(Role.STRATEGIST, email="strateg@regionhalland.test", name="Sara Strand"),
        "strateg_quiet": make_user(Role.STRATEGIST, email="tyst.strateg@regionhalland.test", name="Tove Tyst",
                                   wants_reminders=False),
        "strateg_gone": make_user(Role.STRATEGIST, email="gammal.strateg@regionhalland.test", name="Gunnar Gammal",
                                  active=False),
        "director": make_user(Role.DIRECTOR, email="direktor@regionhalland.test"),
        "reader": make_user(Role.READER, email="lasare@regionhalland.test"),
    }


@pytest.fixture
def plan(make_plan, people):
    return make_plan(actions=[
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH", "HS"],
         "statuses": {"PH": Status.IN_PROGRESS}},
        {"title": "En väg in för barn och unga med psykisk ohälsa", "divisions": ["PH"]},
    ])
