"""The plan's writers, each one request that the interleaving tests run against another: a status, "Oförändrad"
for several rows, the editor's save, move and delete of an åtgärd, a restore from the history, the start of a
revision; each with how to load its request and how to judge its answer."""

import sqlalchemy as sa

from tests.interleaving.helpers import Writer, entries_by, refused
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.models import RoundConfirmation
from tracker.history.models import HistoryEntry
from tracker.plans.models import Action, DivisionStatus, Plan
from tracker.vocabulary import PlanState, Role, Status

LOCKED = ("Planen är fastställd", "är fastställd (version 1); dess struktur ändras inte")
CHANGED = ("Någon annan har", "har tagits bort av någon annan")  # the editor's refusals (the plan's and an åtgärd's)


def action(plan: Plan, title_start: str) -> Action | None:
    return db.session.scalar(sa.select(Action).join(Action.factor).where(
        Action.title.startswith(title_start), Action.factor.has(plan_id=plan.id)))


def ph_status(plan: Plan) -> DivisionStatus | None:
    """Psykiatri Halland's status of the first åtgärd (None once the åtgärd is deleted)."""
    first = action(plan, "Gemensamma väntelistor")
    return next(s for s in first.statuses if s.division.short_name == "PH") if first else None


# --- The writers ----------------------------------------------------------------------------------------------


def load_status(plan, user):
    row = ph_status(plan)
    data = {"status": Status.IN_PROGRESS.value, "comment": f"Arbetet pågår ({user.name}).", "version": row.version_id}
    return lambda client: client.post(f"/status/{row.id}", data=data)


def judge_status(plan, user, response):
    row = ph_status(plan)
    if response.status_code in (404, 409):
        refused(response, "har sparat", "ändrats", "finns inte", gone=row is None)
        assert (row is None or row.comment != f"Arbetet pågår ({user.name}).") and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert row.comment == f"Arbetet pågår ({user.name})." and row.status is Status.IN_PROGRESS
    assert entries_by(user, kind="status")
    return True


def load_bulk(plan, user):
    round_ = followup.open_round_of(plan)
    data = {"status_id": [ph_status(plan).id]}
    return lambda client: client.post(f"/omgangar/{round_.id}/bekrafta", data=data)


def judge_bulk(plan, user, response):
    row = ph_status(plan)
    confirmed = row and db.session.scalar(sa.select(RoundConfirmation).where(RoundConfirmation.status_id == row.id))
    assert response.status_code in (302, 409), response.status_code
    if response.status_code == 409:
        refused(response, "Omgången är stängd")
    elif row is None:  # the åtgärd deleted: a confirmation made before went with its status; the entry stays
        return bool(entries_by(user, kind="round"))
    elif confirmed is not None and confirmed.confirmed_by_id == user.id:
        assert confirmed.unchanged and entries_by(user, kind="round")
        return True
    # Someone else's save confirmed the row first (a change counts as confirmed): nothing of this one is stored,
    # and the page says so.
    assert not entries_by(user)
    return False


def load_edit(plan, user):
    first = action(plan, "Gemensamma väntelistor")
    data = {"title": f"Gemensamma väntelistor inom ögonsjukvård ({user.name})", "owner": "Verksamhetschef, ögon",
            "divisions": [s.division_id for s in first.statuses], "version": first.version_id}
    return lambda client: client.post(f"/atgarder/{first.id}", data=data)


def judge_edit(plan, user, response):
    saved = action(plan, f"Gemensamma väntelistor inom ögonsjukvård ({user.name})")
    if response.status_code == 409:
        refused(response, "Någon annan har sparat åtgärden", *LOCKED, *CHANGED)
        assert saved is None and not entries_by(user)
        return False
    assert response.status_code == 302 and saved is not None and entries_by(user, kind="action")
    return True


def load_move(plan, user):
    second = action(plan, "Tillgänglighetskoordinatorer")
    return lambda client: client.post(f"/atgarder/{second.id}/flytta", data={"riktning": "upp"})


def judge_move(plan, user, response):
    if response.status_code == 409:
        refused(response, *LOCKED, *CHANGED)
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    second = action(plan, "Tillgänglighetskoordinatorer")
    assert second.position == 0 and entries_by(user)
    return True


def load_delete(plan, user):
    first = action(plan, "Gemensamma väntelistor")
    return lambda client: client.post(f"/atgarder/{first.id}/ta-bort")


def judge_delete(plan, user, response):
    if response.status_code == 409:
        refused(response, *LOCKED, *CHANGED)
        assert action(plan, "Gemensamma väntelistor") is not None and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert action(plan, "Gemensamma väntelistor") is None and entries_by(user, kind="action", verb="deleted")
    return True


def load_restore(plan, user):
    deletion = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted",
                                                               HistoryEntry.kind == "action"))
    return lambda client: client.post(f"/historik/{deletion.id}/aterstall")


def judge_restore(plan, user, response):
    restored = db.session.scalars(sa.select(Action).where(Action.title.startswith("Mobil röntgen"))).all()
    if response.status_code == 409:
        refused(response, *LOCKED)
        assert restored == [] and not entries_by(user)
        return False
    if response.status_code == 400:  # restored by someone else a moment ago: the one restore stands
        assert "Det här är redan återställt." in response.get_data(as_text=True)
        assert len(restored) == 1 and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert len(restored) == 1 and entries_by(user, verb="restored")
    return True


def load_revision(plan, user):
    return lambda client: client.post(f"/planer/{plan.key}/revidering")


def judge_revision(plan, user, response):
    plan = db.session.get(Plan, plan.id)
    if response.status_code == 409:
        refused(response, "Planen är redan ett utkast (version 2)")
        assert not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert plan.state is PlanState.DRAFT and plan.version_number == 2
    assert entries_by(user, kind="version", verb="revision")
    return True


STATUS = Writer("status", Role.DIVISION_CONTACT, "PH", load_status, judge_status)
BULK = Writer("oförändrad", Role.DIVISION_CONTACT, "PH", load_bulk, judge_bulk)
EDIT = Writer("ändra åtgärd", Role.STRATEGIST, None, load_edit, judge_edit)
MOVE = Writer("flytta åtgärd", Role.STRATEGIST, None, load_move, judge_move)
DELETE = Writer("ta bort åtgärd", Role.STRATEGIST, None, load_delete, judge_delete)
RESTORE = Writer("återställ", Role.STRATEGIST, None, load_restore, judge_restore)
REVISION = Writer("revidering", Role.STRATEGIST, None, load_revision, judge_revision)

DRAFT_WRITERS = [STATUS, BULK, EDIT, MOVE, DELETE, RESTORE]
