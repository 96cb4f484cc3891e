"""The world both permission matrices and the ownership test walk: who acts, what each role may expect, and the
requests that need something made first (an upload, a report in a state, a round). The `world` fixture itself
(a plan, a user of each role, an export) is in tests/conftest.py."""

import io
from datetime import date

import sqlalchemy as sa
from flask import current_app

from tests.reports.helpers import create_report as create_test_report, question
from tests.xlsx.helpers import edit
from tracker.agreements.models import Decision
from tracker.agreements.services import find_agreement, year_of
from tracker.extensions import db
from tracker.followup.models import PlanContact
from tracker.plans import manage
from tracker.followup import rounds as followup
from tracker.followup.models import Indicator, IndicatorValue
from tracker.history.models import HistoryEntry
from tracker.plans import structure
from tracker.reports import form_editing, lifecycle, queries
from tracker.reports.bundle import make_bundle
from tracker.types import utcnow
from tracker.versions import services as versions
from tracker.xlsx import uploads
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import

# Who acts: anonymous, each role, and a förvaltningskontakt of another förvaltning.
ACTORS = ["anonymous", "reader", "contact_own", "contact_other", "strategist", "director", "admin"]



def _upload(world, user):
    _, data = export_plan(world["plan"], None, current_app.config["EXPORT_DIR"])
    db.session.rollback()
    data = edit(data, lambda wb: wb["Handlingsplan"].__setitem__("J6", "Regiondirektör"))
    return "/import", {"plan": world["plan"].key, "file": (io.BytesIO(data), "bilaga.xlsx")}


def _staged(world, user, plan_key: str, data: bytes) -> str:
    """An upload previewed by `user` (for no one logged in: by the strateg), waiting for its confirmation."""
    upload = uploads.stage_upload(user or world["users"]["strategist"], plan_key, "bilaga.xlsx", data)
    db.session.commit()
    return upload.token


def _confirm(world, user):
    """A previewed upload of this user's, ready to be confirmed."""
    url, data = _upload(world, user)
    token = _staged(world, user, world["plan"].key, data["file"][0].getvalue())
    preview = preview_import(data["file"][0].getvalue(), max_bytes=10**7, plan_key=world["plan"].key)
    return f"/import/{token}", {"fingerprint": preview.fingerprint, "missing": "keep"}


def _status_update(world, user=None):
    ds = world["ph_status"]
    return f"/status/{ds.id}", {"status": "done", "comment": "Klart", "version": ds.version_id}


def _user_edit(world, user=None):
    reader = world["users"]["reader"]
    return f"/admin/anvandare/{reader.id}", {"name": "Lena Lindqvist", "role": "strategist", "division": "",
                                             "active": "1", "password": "ett-nytt-losenord"}


def _unlink_sso(world, user=None):
    reader = world["users"]["reader"]
    reader.sso_issuer, reader.sso_subject, reader.sso_linked_at = "https://login.regionhalland.test", "lena", utcnow()
    db.session.commit()
    return f"/admin/anvandare/{reader.id}/sso/ta-bort", {}


EDITORS = {"anonymous": 302, "reader": 403, "contact_own": 403, "contact_other": 403,
           "strategist": 302, "director": 302, "admin": 403}
ONLY_ADMIN = {"anonymous": 302, "reader": 403, "contact_own": 403, "contact_other": 403,
              "strategist": 403, "director": 403, "admin": 302}

def _approved(world, user=None):
    versions.approve(world["plan"], world["users"]["director"], "RS231576")
    db.session.commit()
    return world["plan"]


def _restore(world, user=None):
    action = world["plan"].factors[0].actions[0]
    db.session.delete(action)
    db.session.commit()
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted"))
    return f"/historik/{entry.id}/aterstall", {}


def _second_action(world):
    factor = world["plan"].factors[0]
    structure.create_action(factor, title="Mobil röntgen i särskilt boende",
                            division_ids=[world["divisions"]["ADH"].id])
    db.session.commit()
    return factor.actions[-1]


def _second_factor(world):
    structure.create_factor(world["plan"], title="Digital Vårdcentral inom primärvård",
                            area_id=world["plan"].areas[0].id)
    db.session.commit()
    return world["plan"].factors[-1]


def _second_area(world):
    area = structure.create_area(world["plan"], title="Redovisning styrning")
    db.session.commit()
    return area


def _indicator(world, user=None):
    indicator = Indicator(plan_id=world["plan"].id, area="BUP", name="Andel genomförda första besök inom 30 dagar",
                          target=75, unit="procent", division_id=world["divisions"]["PH"].id)
    db.session.add(indicator)
    db.session.commit()
    return f"/indikatorer/{indicator.id}/utfall", {"period": "2024-06", "value": "78,5"}


def _indicator_value(world):
    url, _ = _indicator(world)
    indicator = db.session.get(Indicator, int(url.split("/")[2]))
    indicator.values.append(IndicatorValue(period="2024-05", value=-5))
    db.session.commit()
    return indicator.values[0]


def _open_round(world):
    round_ = followup.open_round(world["plan"], world["users"]["strategist"], title="Delårsuppföljning 2024",
                                 deadline="2030-09-15", today=date(2024, 8, 1))
    db.session.commit()
    return round_


def _closed_round(world):
    round_ = _open_round(world)
    followup.close_round(round_, world["users"]["strategist"])
    db.session.commit()
    return round_


def _remind_now(world, user=None):
    world["mail_on"]()
    return f"/omgangar/{_open_round(world).id}/paminn", {}


VALUE_ENTRY = {**{"anonymous": 302, "reader": 403, "contact_own": 302, "contact_other": 403,
                  "strategist": 302, "director": 302, "admin": 403}}
CONFIRM = {"anonymous": 302, "reader": 403, "contact_own": 302, "contact_other": 403,
           "strategist": 403, "director": 403, "admin": 403}

ACTION_FORM = {"title": "Gemensamma väntelistor inom ortopedisk vård", "owner": "Verksamhetschef ortopedi",
               "horizon": "short", "start_date": "2025-01-01", "due_date": "2025-12-31"}

ONLY_DIRECTOR = {"anonymous": 302, "reader": 403, "contact_own": 403, "contact_other": 403,
                 "strategist": 403, "director": 302, "admin": 403}

def _report(world, state: str = "draft"):
    """The test report (tests/reports/form.json) attached to the world's plan, brought to `state`."""
    report = queries.get_report("tillganglighet-2024") or create_test_report(plan=world["plan"])
    director = world["users"]["director"]
    if state in ("review", "approved", "sent"):
        lifecycle.submit_for_review(report)
    if state in ("approved", "sent"):
        lifecycle.approve(report, director)
    if state == "sent":
        lifecycle.mark_sent(report, director, bundle=make_bundle(report, director))
    db.session.commit()
    return report


def _pair(world):
    return question(_report(world), "Hur har 2024")


def _ph_contribution(world, user=None):
    contribution = next(c for c in _pair(world).contributions if c.division.short_name == "PH")
    return f"/redovisningar/bidrag/{contribution.id}", {"text": "Psykiatri Halland: BUP-koordinatorer.", "done": "1",
                                                         "version": contribution.version_id}


def _report_section(world):
    return next(s for s in _report(world).sections if s.title == "Generellt")


def _empty_report_section(world):
    """A section without answers: one with answers is not deleted."""
    section = form_editing.add_section(_report(world), number="9", title="Tomt avsnitt", intro=None)
    db.session.commit()
    return section


QUESTION_FORM = {"kind": "text", "prompt": "Hur har arbetet med vårdförmedlingen gått?", "help": ""}
WRITES_CONTRIBUTION = {"anonymous": 302, "reader": 403, "contact_own": 302, "contact_other": 403,
                       "strategist": 403, "director": 403, "admin": 403}


# --- The strategy (tracker/goalchain): the demo's, loaded when a case needs it ----------------------------------


def _strategy(world):
    if "strategy" not in world:
        from tracker.demo.strategy import read_strategy_data
        from tracker.history.recorder import acting
        from tracker.strategy.services import load_strategy
        with acting(None, "cli", "test"):
            world["strategy"] = load_strategy(read_strategy_data())
            db.session.commit()
    return world["strategy"]


def _goal(world):
    return _strategy(world).goals[0]


def _goal_section(world):
    return _goal(world).sections[0]


def _goal_assessment(world):
    return _goal(world).assessments[0]


def _target_group(world):
    from tracker.strategy.services import target_groups
    _strategy(world)
    return target_groups()[0]


# --- A plan managed, copied to next year, its contacts -------------------------------------------------------


def _facts(world, user=None):
    """The plan's facts corrected: another title, the other agreement, as the Hantera page posts them."""
    plan = world["plan"]
    return f"/planer/{plan.key}/hantera", {"title": "Handlingsplan för ökad tillgänglighet 2023 (rättad)",
                                           "agreement": find_agreement("God och nära vård").id, "year": "2023",
                                           "version": plan.version_id}


def _archived(world, user=None):
    plan = world["plan"]
    manage.set_archived(plan, True, expected_version=None)
    db.session.commit()
    return plan


def _contact(world):
    contact = PlanContact(plan_id=world["plan"].id, name="Lena Lindqvist", phone="035-13 40 00",
                          email="lena.lindqvist@regionhalland.se")
    db.session.add(contact)
    db.session.commit()
    return contact


CONTACT_FORM = {"name": "Anna Svensson", "phone": "010-476 19 00", "email": "anna.svensson@regionhalland.se",
                "comment": "Kontakt för redovisningen"}


# --- The utskott's decisions of the world's year -------------------------------------------------------------


def _agreement_year(world):
    """The world's plan's year: Ökad tillgänglighet 2023."""
    year = year_of(find_agreement("Ökad tillgänglighet"), 2023)
    db.session.commit()
    return year


DECISION_FORM = {"organ": "Regionstyrelsens hälso- och sjukvårdsutskott", "paragraph": "§ 146",
                 "decided_on": "2024-09-03", "registry_number": "RS231576",
                 "title": "Information om Region Hallands redovisning av överenskommelsen om Ökad tillgänglighet",
                 "proposal": "anteckna att informationen har lämnats till utskottet",
                 "dispatched_to": "Driftnämnd Hallands sjukhus", "adjusted": "1"}


def _decision(world):
    """A decision of the world's plan's year."""
    year = _agreement_year(world)
    decision = year.decisions[0] if year.decisions else Decision(agreement_year=year, title="Handlingsplan 2023")
    db.session.add(decision)
    db.session.commit()
    return decision
