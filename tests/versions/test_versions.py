"""Fastställ locks the structure; a revision leaves the approved version as it was; the comparison is exact."""

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tests.factories import form_seen
from tracker.extensions import db
from tracker.versions import services as versions
from tracker.history.models import HistoryEntry
from tracker.plans.tracking import StructureLocked
from tracker.plans import services as plans
from tracker.vocabulary import PlanState, Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(factors=2, actions=[
        {"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]},
    ])


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTOR, name="Peter Dahl")


def test_approve_creates_version_1_and_locks_the_structure(plan, director):
    version = versions.approve(plan, director, "RS231576")
    db.session.commit()
    assert (version.number, version.approved_by_name, version.decision) == (1, "Peter Dahl", "RS231576")
    assert plan.state is PlanState.APPROVED
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == "version"))
    assert entry.summary == "fastställde version 1 (RS231576)"
    before = snapshot()
    plan.factors[0].actions[0].title = "Nytt namn"
    with pytest.raises(StructureLocked, match="Starta en revidering"):
        db.session.flush()
    db.session.rollback()
    assert snapshot() == before
    # status updates by the förvaltningar go on
    ds = plan.factors[0].actions[1].statuses[0]
    ds.status = Status.IN_PROGRESS
    db.session.commit()


def test_a_structure_edit_of_an_approved_plan_over_the_web_is_refused(plan, director, login, make_user):
    action = plan.factors[0].actions[0]
    db.session.delete(action)
    db.session.commit()
    deletion = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted"))
    versions.approve(plan, director)
    db.session.commit()
    strateg = make_user(Role.STRATEGIST)
    before = snapshot()
    response = login(strateg).post(f"/historik/{deletion.id}/aterstall")
    assert response.status_code == 409
    assert "är fastställd (version 1)" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_revision_leaves_the_approved_version_unchanged(plan, director, login):
    versions.approve(plan, director)
    db.session.commit()
    versions.start_revision(plan)
    db.session.commit()
    assert (plan.state, plan.version_number) == (PlanState.DRAFT, 2)
    plan.factors[0].actions[0].title = "Gemensamma väntelistor inom ögon- och lungsjukvård"
    db.session.commit()
    stored = versions.get_version(plan, 1).snapshot
    assert stored["factors"][0]["actions"][0]["title"] == "Gemensamma väntelistor inom ögonsjukvård"
    page = login(director).get(f"/planer/{plan.key}/versioner/1").get_data(as_text=True)
    assert "Gemensamma väntelistor inom ögonsjukvård" in page and "ögon- och lungsjukvård" not in page
    assert "<select" not in page  # read-only: no status forms


def test_the_comparison_lists_exactly_the_changes(plan, director, divisions):
    versions.approve(plan, director)
    db.session.commit()
    v1 = versions.get_version(plan, 1).snapshot
    versions.start_revision(plan)
    first, second = plan.factors
    kept, moved = first.actions
    removed = second.actions[0]
    kept.owner = "Verksamhetschef ögonkliniken"
    moved.factor = second
    db.session.delete(removed)
    plans.add_action(first, divisions=[divisions["ADH"]], ref="FF01-A03", title="Mobil röntgen i särskilt boende")
    third = plans.add_factor(plan, title="Digital Vårdcentral inom primärvård")
    db.session.commit()
    v1_vs_now = versions.compare(v1, versions.current_snapshot(plan), "version 1", "planen nu")
    assert v1_vs_now.answer == "Ja"
    assert sorted((c.kind, c.title, c.state, tuple(c.fields)) for c in v1_vs_now.changes) == sorted([
        ("Framgångsfaktor", third.title, "added", ()),
        ("Åtgärd", f"{kept.ref} {kept.title}", "changed",
         (("Ansvarig", "Verksamhetschef, Hallands sjukhus", "Verksamhetschef ögonkliniken"),)),
        ("Åtgärd", f"{moved.ref} {moved.title}", "moved",
         (("Framgångsfaktor", "Ramavtal med externa vårdgivare", "Lean som verksamhetsstrategi"),)),
        ("Åtgärd", "FF02-A01 Gemensamma väntelistor inom ögonsjukvård", "removed",
         (("Framgångsfaktor", "Lean som verksamhetsstrategi", "–"),)),
        ("Åtgärd", "FF01-A03 Mobil röntgen i särskilt boende", "added",
         (("Framgångsfaktor", "–", "Ramavtal med externa vårdgivare"),)),
    ])
    versions.approve(plan, director)
    db.session.commit()
    same = versions.compare(versions.get_version(plan, 2).snapshot, versions.current_snapshot(plan), "v2", "nu")
    assert (same.changes, same.answer) == ([], "Nej")


def test_status_changes_alone_do_not_change_the_plan(plan, director, login, make_user):
    versions.approve(plan, director, "RS231576")
    db.session.commit()
    versions.mark_sent(versions.get_version(plan, 1), director)
    db.session.commit()
    plan.factors[0].actions[1].statuses[0].status = Status.DONE
    db.session.commit()
    page = login(make_user()).get(f"/planer/{plan.key}/versioner").get_data(as_text=True)
    assert "Har handlingsplanen uppdaterats sedan senaste version ni skickat in (version 1" in page
    assert "<strong>Nej</strong>" in page


def test_web_flow_approve_revise_and_compare(plan, login, director, make_user):
    client = login(director)
    seen = form_seen(client, f"/planer/{plan.key}/versioner", f"/planer/{plan.key}/faststall")
    unconfirmed = client.post(f"/planer/{plan.key}/faststall", data={"decision": "RS231576", "seen": seen})
    assert unconfirmed.status_code == 400  # one click is not enough: the director confirms what it means
    assert "Kryssa i rutan för att bekräfta att du fastställer planen." in unconfirmed.get_data(as_text=True)
    assert 'value="RS231576"' in unconfirmed.get_data(as_text=True)  # what was typed stays
    assert plans.get_plan(plan.key).state is PlanState.DRAFT
    assert client.post(f"/planer/{plan.key}/faststall", data={"decision": "RS231576", "confirm": "1", "seen": seen}
                       ).status_code == 302
    page = client.get(f"/planer/{plan.key}/versioner").get_data(as_text=True)
    assert "Version 1" in page and "RS231576" in page and "Starta revidering (version 2)" in page
    approved = client.post(f"/planer/{plan.key}/faststall", data={"confirm": "1", "seen": seen})  # a second tab
    assert approved.status_code == 400 and "Version 1 är redan fastställd." in approved.get_data(as_text=True)
    strateg = login(make_user(Role.STRATEGIST))
    assert strateg.post(f"/planer/{plan.key}/revidering").status_code == 302
    db.session.expire_all()
    plan = plans.get_plan(plan.key)
    plan.factors[0].actions[0].owner = "Regiondirektör"
    db.session.commit()
    page = strateg.get(f"/planer/{plan.key}/jamfor?fran=1&till=nu").get_data(as_text=True)
    assert "<strong>Ja</strong>" in page and "Regiondirektör" in page
    assert "mellan version 1 och planen nu (utkast till version 2)?" in page


def test_approve_requires_the_director(plan, login, make_user):
    response = login(make_user(Role.STRATEGIST)).post(f"/planer/{plan.key}/faststall")
    assert response.status_code == 403
    assert plan.state is PlanState.DRAFT


def test_export_of_an_approved_version(plan, director, tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    from tracker.xlsx.export import export_plan

    versions.approve(plan, director, "RS231576")
    versions.start_revision(plan)
    plan.factors[0].actions[0].title = "Ändrad efter fastställandet"
    db.session.commit()
    export, data = export_plan(plan, None, tmp_path, version=1)
    wb = load_workbook(BytesIO(data))
    assert wb["Handlingsplan"]["A3"].value.startswith("Version 1 (fastställd), fastställd ")
    assert wb["Handlingsplan"]["D6"].value == "Gemensamma väntelistor inom ögonsjukvård"
    assert export.version_number == 1 and export.file_name.startswith(f"{plan.key}_version-1_")


def test_marking_an_export_of_a_version_as_sent_marks_the_version(plan, director, tmp_path):
    from tracker.versions.exports import mark_sent
    from tracker.xlsx.export import export_plan

    versions.approve(plan, director, "RS231576")
    db.session.commit()
    export, _ = export_plan(plan, director, tmp_path)
    assert export.version_number == 1
    mark_sent(export, director)
    db.session.commit()
    version = versions.get_version(plan, 1)
    assert version.sent_export_id == export.id and version.sent_at is not None
    assert versions.changed_since_sent(plan)[1].answer == "Nej"
