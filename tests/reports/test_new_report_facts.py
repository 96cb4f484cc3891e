"""Ny redovisning: the facts filled in from its source (a shipped form or last year's report), and the plan's
version chosen with them."""


import pytest

from tests.reports.helpers import a_2025_copy, form_2024
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.reports import creation, queries
from tracker.versions import services as versions
from tracker.vocabulary import Role


@pytest.fixture
def report(divisions):
    return form_2024()


def test_the_facts_of_a_new_report_follow_its_source(report, make_plan):
    from_form = creation.source_facts("form:tillganglighet-2024")
    assert from_form == {
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025",
        "title": "Redovisning av överenskommelsen om ökad tillgänglighet 2025",
        "year": "2025", "agreement": str(report.agreement_id),  # the select's choice: the agreement's id
        "deadline": "2025-09-30",
        "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se", "plan": "", "plan_version": ""}
    plan = make_plan()  # the form's plan, tillganglighet-2023, now exists
    assert creation.source_facts("form:tillganglighet-2024")["plan"] == plan.key
    copy = a_2025_copy()
    copy.deadline = report.deadline.replace(year=2025)
    db.session.commit()
    facts = creation.source_facts(f"report:{copy.key}")
    assert (facts["key"], facts["year"], facts["deadline"]) == ("tillganglighet-2026", "2026", "2026-09-30")
    assert facts["title"] == "Redovisning av överenskommelsen om ökad tillgänglighet 2026"
    with pytest.raises(ValidationError) as error:
        creation.source_facts("report:finns-inte")
    assert "Välj ett formulär eller en redovisning" in error.value.errors["source"]


def test_new_report_form_is_filled_in_with_and_without_htmx(client, login, make_user, report, make_plan,
                                                              htmx_headers):
    director = make_user(Role.DIRECTOR)
    plan = make_plan()
    versions.approve(plan, director, "RS231576")
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get("/redovisningar").get_data(as_text=True)
    assert 'id="new-deadline" name="deadline" value=""' in page and 'type="date"' in page
    assert 'name="plan_version"' in page and 'name="plan_version" value' not in page  # a select, not typed
    url = "/redovisningar?fyll=1&source=form:tillganglighet-2024"
    fragment = client.get(url, headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith("{#") is False
    assert 'id="new-report"' in fragment
    full = client.get(url).get_data(as_text=True)
    for body in (fragment, full):
        assert 'id="new-key" name="key" value="tillganglighet-2025"' in body
        assert 'type="date" id="new-deadline" name="deadline" value="2025-09-30"' in body
        # the agreement chosen in a select of the agreements there are, the form's own preselected
        assert f'<option value="{plan.agreement_id}" selected>Ökad tillgänglighet</option>' in body
        assert f'<option value="{plan.key}" selected>' in body
        assert '<option value="1">Version 1, fastställd' in body  # the chosen plan's fastställda versions
    other = make_plan(key="tillganglighet-2025", title="Handlingsplan för ökad tillgänglighet 2025")
    redrawn = client.get(f"/redovisningar?source=form:tillganglighet-2024&key=tillganglighet-2025&plan={other.key}",
                         headers=htmx_headers).get_data(as_text=True)
    assert "Version 1, fastställd" not in redrawn and 'value="tillganglighet-2025"' in redrawn
    stale = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": "Ökad tillgänglighet", "plan": other.key, "versions_of": plan.key,
        "plan_version": "1"})
    assert stale.status_code == 400 and "hörde till en annan plan" in stale.get_data(as_text=True)
    bad_date = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": "Ökad tillgänglighet", "deadline": "30 september", "plan": plan.key,
        "versions_of": plan.key, "plan_version": "1"})
    assert bad_date.status_code == 400 and "ÅÅÅÅ-MM-DD" in bad_date.get_data(as_text=True)
    created = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": str(report.agreement_id),  # the select's choice: the agreement's id
        "deadline": "2025-09-30", "plan": plan.key,
        "versions_of": plan.key, "plan_version": "1", "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se"})
    assert created.status_code == 302
    new = queries.get_report("tillganglighet-2025")
    assert (new.plan.key, new.plan_version, new.deadline.isoformat()) == (plan.key, 1, "2025-09-30")
    assert new.agreement.name == "Ökad tillgänglighet"


def test_the_facts_in_the_editor_choose_the_version_too(client, login, make_user, report, make_plan):
    plan = make_plan()
    versions.approve(plan, make_user(Role.DIRECTOR), "RS231576")
    report.plan = plan
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}/formular").get_data(as_text=True)
    assert 'type="date" id="facts-deadline" name="deadline" value="2024-09-30"' in page
    assert '<select id="facts-plan-version" name="plan_version">' in page and "Version 1, fastställd" in page
    facts = {"title": report.title, "deadline": "2024-09-30", "plan": plan.key, "plan_version": "1"}
    stale = client.post(f"/redovisningar/{report.key}/uppgifter",
                        data={**facts, "versions_of": "", "version": report.version_id})
    assert stale.status_code == 400 and "hörde till en annan plan" in stale.get_data(as_text=True)
    saved = client.post(f"/redovisningar/{report.key}/uppgifter",
                        data={**facts, "versions_of": plan.key, "version": report.version_id})
    assert saved.status_code == 302
    db.session.expire_all()
    assert queries.get_report(report.key).plan_version == 1
