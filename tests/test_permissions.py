"""Every state-changing route × every role: the status code, and no change where refused."""

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.annual.matrix import POST as ANNUAL_POST
from tests.factories import PASSWORD, sign_in, snapshot
from tests.permission_world import (ACTION_FORM, ACTORS, CONFIRM, EDITORS, ONLY_ADMIN, ONLY_DIRECTOR, QUESTION_FORM,
                                    VALUE_ENTRY, WRITES_CONTRIBUTION, _approved, _closed_round, _confirm,
                                    _empty_report_section, _indicator, _indicator_value, _open_round, _pair,
                                    _ph_contribution, _remind_now, _report, _report_section, _restore, _second_action,
                                    _second_area, _second_factor, _staged, _status_update, _unlink_sso, _upload,
                                    _user_edit, _goal, _goal_assessment, _goal_section, _target_group,
                                    CONTACT_FORM, _archived, _contact, _facts, DECISION_FORM,
                                    _agreement_year, _decision)
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.plans.models import Plan
from tracker.reports import creation, form_years, lifecycle, queries
from tracker.reports.bundle import make_bundle
from tracker.versions import services as versions
from tracker.vocabulary import PlanState
from tracker.versions.exports import exports_seen
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


# endpoint → (request builder, {actor: expected status code}); 302 for anonymous is the login redirect.
MATRIX = {
    "followup.update_status": (
        _status_update,
        {"anonymous": 302, "reader": 403, "contact_own": 302, "contact_other": 403,
         "strategist": 403, "director": 403, "admin": 403},
    ),
    "users.logout": (
        lambda world, user=None: ("/logga-ut", {}),
        {"anonymous": 302, "reader": 302, "contact_own": 302, "contact_other": 302,
         "strategist": 302, "director": 302, "admin": 302},
    ),
    "users.change_password": (
        lambda world, user=None: ("/konto/losenord", {"current_password": PASSWORD, "new_password": "ett-eget-losenord",
                                                      "confirm_password": "ett-eget-losenord"}),
        {actor: 302 for actor in ACTORS},
    ),
    "admin.new_user": (
        lambda world, user=None: ("/admin/anvandare/ny", {"email": "ny@regionhalland.test", "name": "Ny Användare",
                                               "role": "reader", "division": "", "password": "ett-langt-losenord"}),
        ONLY_ADMIN,
    ),
    "admin.edit_user": (_user_edit, ONLY_ADMIN),
    "admin.unlink_sso": (_unlink_sso, ONLY_ADMIN),
    "admin.create_division": (
        lambda world, user=None: ("/admin/forvaltningar", {"name": "Regionservice", "short_name": "RS"}),
        ONLY_ADMIN,
    ),
    "admin.rename_division": (
        lambda world, user=None: (f"/admin/forvaltningar/{world['divisions']['RK'].id}",
                       {"name": "Regionkontoret Halmstad", "short_name": "RKH"}),
        ONLY_ADMIN,
    ),
    "admin.set_division_active": (
        lambda world, user=None: (f"/admin/forvaltningar/{world['divisions']['RK'].id}/aktiv", {"active": "0"}),
        ONLY_ADMIN,
    ),
    # Regionkontoret has no åtgärder, users or history in the world, so the Administratör may delete it.
    "admin.delete_division": (
        lambda world, user=None: (f"/admin/forvaltningar/{world['divisions']['RK'].id}/ta-bort", {}),
        ONLY_ADMIN,
    ),
    "xlsx.export": (
        lambda world, user=None: (f"/planer/{world['plan'].key}/export", {}),
        {**EDITORS, "strategist": 200, "director": 200},
    ),
    "xlsx.mark_sent": (lambda world, user=None: (f"/exporter/{world['export'].id}/skickad",
                                                 {"seen": exports_seen(world["plan"])}), EDITORS),
    "xlsx.upload": (_upload, {**EDITORS, "strategist": 200, "director": 200}),
    "xlsx.confirm": (_confirm, EDITORS),
    "history.restore": (_restore, EDITORS),
    "versions.approve": (lambda world, user=None: (f"/planer/{world['plan'].key}/faststall", {
        "decision": "RS231576", "confirm": "1", "seen": versions.approval_digest(world["plan"])}), ONLY_DIRECTOR),
    "versions.start_revision": (lambda world, user=None: (f"/planer/{_approved(world).key}/revidering", {}), EDITORS),
    "versions.mark_sent": (lambda world, user=None: (f"/planer/{_approved(world).key}/versioner/1/skickad",
                                                     {"seen": exports_seen(world["plan"], 1)}), EDITORS),
    "editor.create_plan": (
        lambda world, user=None: ("/planer/ny", {"key": "tillganglighet-2025", "title": "Handlingsplan 2025",
                                                 "year": "2025", "agreement": "Ökad tillgänglighet",
                                                 "copy_of": world["plan"].key}), EDITORS),
    "editor.create_action": (
        lambda world, user=None: (f"/planer/{world['plan'].key}/atgarder",
                                  {**ACTION_FORM, "factor_id": world["plan"].factors[0].id,
                                   "divisions": [world["divisions"]["PH"].id]}), EDITORS),
    "editor.update_action": (
        lambda world, user=None: (f"/atgarder/{world['plan'].factors[0].actions[0].id}",
                                  {**ACTION_FORM, "version": world["plan"].factors[0].actions[0].version_id,
                                   "divisions": [world["divisions"]["PH"].id, world["divisions"]["HS"].id]}),
        EDITORS),
    "editor.move_action": (lambda world, user=None: (f"/atgarder/{_second_action(world).id}/flytta",
                                                     {"riktning": "upp"}), EDITORS),
    "editor.delete_action": (lambda world, user=None: (f"/atgarder/{world['plan'].factors[0].actions[0].id}/ta-bort",
                                                       {}), EDITORS),
    "editor.create_factor": (lambda world, user=None: (f"/planer/{world['plan'].key}/faktorer",
                                                       {"title": "Lean som verksamhetsstrategi"}), EDITORS),
    "editor.update_factor": (lambda world, user=None: (f"/faktorer/{world['plan'].factors[0].id}",
                                                       {"title": "Ramavtal med externa vårdgivare (reviderad)"}),
                             EDITORS),
    "editor.move_factor": (lambda world, user=None: (f"/faktorer/{_second_factor(world).id}/flytta",
                                                     {"riktning": "upp"}), EDITORS),
    "editor.delete_factor": (lambda world, user=None: (f"/faktorer/{world['plan'].factors[0].id}/ta-bort", {}),
                             EDITORS),
    "editor.create_area": (lambda world, user=None: (f"/planer/{world['plan'].key}/omraden",
                                                     {"title": "Redovisning styrning"}), EDITORS),
    "editor.update_area": (lambda world, user=None: (f"/omraden/{world['plan'].areas[0].id}",
                                                     {"code": "3.6", "title": "Regionala handlingsplaner"}), EDITORS),
    "editor.move_area": (lambda world, user=None: (f"/omraden/{_second_area(world).id}/flytta",
                                                   {"riktning": "upp"}), EDITORS),
    "editor.delete_area": (lambda world, user=None: (f"/omraden/{_second_area(world).id}/ta-bort", {}), EDITORS),
    "followup.record_value": (_indicator, VALUE_ENTRY),
    "followup.delete_value": (lambda world, user=None: (f"/utfall/{_indicator_value(world).id}/ta-bort", {}),
                              VALUE_ENTRY),
    "xlsx.export_round": (lambda world, user=None: (f"/omgangar/{_closed_round(world).id}/export", {}),
                              {**EDITORS, "strategist": 200, "director": 200}),
    "followup.create_indicator": (lambda world, user=None: (f"/planer/{world['plan'].key}/indikatorer",
                                                            {"name": "Andel besvarade samtal dag 0", "area": "Primärvård",
                                                             "target": "95", "direction": "≥", "unit": "procent"}),
                                  EDITORS),
    "followup.update_indicator": (lambda world, user=None: (_indicator(world)[0].rsplit("/", 1)[0],
                                                            {"name": "Andel första besök inom 30 dagar", "target": "80",
                                                             "direction": "≥"}), EDITORS),
    "followup.delete_indicator": (lambda world, user=None: (_indicator(world)[0].rsplit("/", 1)[0] + "/ta-bort", {}),
                                  EDITORS),
    "followup.open_round": (lambda world, user=None: (f"/planer/{world['plan'].key}/omgangar",
                                                      {"title": "Delårsuppföljning 2024", "deadline": "2030-09-15"}),
                            EDITORS),
    "followup.close_round": (lambda world, user=None: _close_request(world), EDITORS),
    "followup.confirm_unchanged": (lambda world, user=None: (
        f"/omgangar/{_open_round(world).id}/bekrafta/{world['ph_status'].id}", {}), CONFIRM),
    "followup.confirm_many": (lambda world, user=None: (
        f"/omgangar/{_open_round(world).id}/bekrafta", {"status_id": [world["ph_status"].id]}), CONFIRM),
    "notify.remind_now": (_remind_now, EDITORS),
    # Each user's own choice about reminders: everyone logged in, for themselves only.
    "notify.settings": (lambda world, user=None: ("/konto/paminnelser", {"reminders": "off"}),
                        {actor: 302 for actor in ACTORS}),
    "reports.create": (lambda world, user=None: ("/redovisningar", {
        "source": f"report:{_report(world).key}", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025"}), EDITORS),
    "reports.update_facts": (lambda world, user=None: (f"/redovisningar/{_report(world).key}/uppgifter", {
        "title": "Redovisning 2024", "deadline": "2024-09-30", "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se",
        "plan": world["plan"].key, "plan_version": "", "version": _report(world).version_id}), EDITORS),
    "reports.save_answer": (lambda world, user=None: (f"/redovisningar/fragor/{_pair(world).id}/svar", {
        "answer": "Medlen har använts till vårdförmedlingen.", "answer_second": "Kortare köer.",
        "version": _pair(world).version_id}), EDITORS),
    "reports.insert": (lambda world, user=None: (f"/redovisningar/fragor/{_pair(world).id}/infoga", {
        "source": "status:", "target": "answer_second", "version": _pair(world).version_id}), EDITORS),
    "reports.assign": (lambda world, user=None: (f"/redovisningar/fragor/{_pair(world).id}/forvaltningar", {
        "divisions": [world["divisions"]["PH"].id]}), EDITORS),
    "reports.save_contribution": (_ph_contribution, WRITES_CONTRIBUTION),
    "reports.add_section": (lambda world, user=None: (f"/redovisningar/{_report(world).key}/avsnitt", {
        "number": "3.7", "title": "Barn- och ungdomspsykiatri"}), EDITORS),
    "reports.update_section": (lambda world, user=None: (f"/redovisningar/avsnitt/{_report_section(world).id}", {
        "number": "", "title": "Generellt om myndighetsuppdragen"}), EDITORS),
    "reports.move_section": (lambda world, user=None: (f"/redovisningar/avsnitt/{_report_section(world).id}/flytta",
                                                       {"riktning": "upp"}), EDITORS),
    "reports.delete_section": (lambda world, user=None: (
        f"/redovisningar/avsnitt/{_empty_report_section(world).id}/ta-bort", {}), EDITORS),
    "reports.add_question": (lambda world, user=None: (
        f"/redovisningar/avsnitt/{_report_section(world).id}/fragor", QUESTION_FORM), EDITORS),
    "reports.update_question": (lambda world, user=None: (f"/redovisningar/fragor/{_pair(world).id}/andra", {
        "kind": "pair", "prompt": "Hur har 2024 års medel använts?", "prompt_second": "Resultat"}), EDITORS),
    "reports.move_question": (lambda world, user=None: (f"/redovisningar/fragor/{_report_section(world).questions[1].id}"
                                                        "/flytta", {"riktning": "upp"}), EDITORS),
    "reports.delete_question": (lambda world, user=None: (f"/redovisningar/fragor/{_pair(world).id}/ta-bort", {}),
                                EDITORS),
    "reports.submit_for_review": (lambda world, user=None: (f"/redovisningar/{_report(world).key}/granskning",
                                                             {"confirm": "1"}), EDITORS),
    "reports.back_to_draft": (lambda world, user=None: (f"/redovisningar/{_report(world, 'review').key}/tillbaka", {}),
                              EDITORS),
    "reports.approve": (lambda world, user=None: _seen_request(world, "review", "godkann", {"confirm": "1"}),
                        ONLY_DIRECTOR),
    "reports.replace_year": (lambda world, user=None: _year_request(world), EDITORS),
    "reports.make_bundle": (lambda world, user=None: (f"/redovisningar/{_report(world, 'approved').key}/paket", {}),
                            EDITORS),
    "reports.mark_sent": (lambda world, user=None: _sent_request(world), EDITORS),
    "reports.reopen": (lambda world, user=None: _seen_request(world, "sent", "komplettering",
                                                              {"questions": [_pair(world).id]}), EDITORS),
    "goalchain.update_goal": (lambda world, user=None: (f"/strategi/delmal/{_goal(world).id}/text", {
        "text": "Hälso- och sjukvården i Halland arbetar hälsofrämjande för alla", "version": _goal(world).version_id}),
        EDITORS),
    "goalchain.add_section": (lambda world, user=None: (f"/strategi/delmal/{_goal(world).id}/avsnitt", {
        "heading": "Uppföljning 2026", "body": "- Ny mätning", "level": "1"}), EDITORS),
    "goalchain.update_section": (lambda world, user=None: (f"/strategi/avsnitt/{_goal_section(world).id}", {
        "heading": "Förflyttningar", "body": _goal_section(world).body, "level": "1",
        "version": _goal_section(world).version_id}), EDITORS),
    "goalchain.delete_section": (lambda world, user=None: (f"/strategi/avsnitt/{_goal_section(world).id}/ta-bort", {
        "version": _goal_section(world).version_id}), EDITORS),
    "goalchain.save_assessment": (lambda world, user=None: (f"/strategi/delmal/{_goal(world).id}/bedomning", {
        "year": "2024", "text": "Det hälsofrämjande arbetet breddas."}), EDITORS),
    "goalchain.delete_assessment": (lambda world, user=None: (
        f"/strategi/bedomning/{_goal_assessment(world).id}/ta-bort", {"version": _goal_assessment(world).version_id}),
        EDITORS),
    "goalchain.add_target_group": (lambda world, user=None: ("/strategi/malgrupper", {"name": "Nyanlända"}), EDITORS),
    "goalchain.rename_target_group": (lambda world, user=None: (f"/strategi/malgrupper/{_target_group(world).id}", {
        "name": "Flickor och kvinnor"}), EDITORS),
    "goalchain.delete_target_group": (lambda world, user=None: (
        f"/strategi/malgrupper/{_target_group(world).id}/ta-bort", {}), EDITORS),
    "manage.update": (_facts, EDITORS),
    "manage.archive": (lambda world, user=None: (f"/planer/{world['plan'].key}/arkivera",
                                                 {"version": world["plan"].version_id}), EDITORS),
    "manage.unarchive": (lambda world, user=None: (f"/planer/{_archived(world).key}/ta-fram",
                                                   {"version": world["plan"].version_id}), EDITORS),
    "manage.delete": (lambda world, user=None: (f"/planer/{world['plan'].key}/ta-bort", {"confirm": "1"}), EDITORS),
    "next_year.create": (lambda world, user=None: (f"/planer/{world['plan'].key}/nytt-ar", {
        "key": "tillganglighet-2024", "title": "Handlingsplan för ökad tillgänglighet 2024"}), EDITORS),
    "contacts.add": (lambda world, user=None: (f"/planer/{world['plan'].key}/kontakter", CONTACT_FORM), EDITORS),
    "contacts.update": (lambda world, user=None: (f"/kontakter/{_contact(world).id}", {
        **CONTACT_FORM, "version": 1}), EDITORS),
    "contacts.delete": (lambda world, user=None: (f"/kontakter/{_contact(world).id}/ta-bort", {"version": 1}),
                        EDITORS),
    "decisions.create": (lambda world, user=None: (f"/overenskommelser/{_agreement_year(world).id}/beslut",
                                                   DECISION_FORM), EDITORS),
    "decisions.update": (lambda world, user=None: (f"/overenskommelser/beslut/{_decision(world).id}", {
        **DECISION_FORM, "version": _decision(world).version_id}), EDITORS),
    "decisions.delete": (lambda world, user=None: (f"/overenskommelser/beslut/{_decision(world).id}/ta-bort", {
        "confirm": "1", "version": _decision(world).version_id}), EDITORS),
}
def _sent_request(world):
    report = _report(world, "approved")
    bundle = make_bundle(report, world["users"]["director"])
    db.session.commit()
    return f"/redovisningar/{report.key}/skickad", {"bundle": bundle.id, "seen": lifecycle.bundles_seen(report)}


def _seen_request(world, state: str, step: str, data: dict):
    """A life-cycle decision as its page posts it: with the digest of the report the page showed."""
    report = _report(world, state)
    return f"/redovisningar/{report.key}/{step}", {**data, "seen": lifecycle.content_digest(report)}


def _year_request(world):
    """Byt 2024 mot 2025 in a 2025 report copied from the 2024 one, as its preview's confirmation posts it."""
    report = queries.get_report("tillganglighet-2025") or creation.create_from_source(
        f"report:{_report(world).key}", answers=False, key="tillganglighet-2025", year=2025, title="Redovisning 2025")
    db.session.commit()
    return f"/redovisningar/{report.key}/byt-ar", {
        "fran": "2024", "seen": form_years.year_changes_seen(form_years.year_changes(report, "2024"))}


def _close_request(world):
    round_ = _open_round(world)
    return f"/omgangar/{round_.id}/stang", {"confirm": "1",
                                           "seen": followup.progress_seen(followup.progress(round_))}


MATRIX.update({endpoint: (build, EDITORS) for endpoint, build in ANNUAL_POST.items()})


# Allowed requests that change the session or show a preview, not the database.
SESSION_ONLY = {"users.logout", "xlsx.upload"}
# Routes that change nothing in the database, whoever posts.
NOT_IN_MATRIX = {"users.login"}


def test_every_state_changing_route_is_in_the_matrix(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & STATE_CHANGING
    }
    assert endpoints - NOT_IN_MATRIX == set(MATRIX)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_permission_matrix(client, login, world, endpoint, actor):
    build, expected = MATRIX[endpoint]
    user = world["users"].get(actor)
    url, data = build(world, user)
    if user:
        login(user)
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == expected[actor], response.get_data(as_text=True)[:300]
    refused = actor == "anonymous" or expected[actor] == 403
    if refused:
        db.session.expire_all()
        assert snapshot() == before
    if actor == "anonymous":
        assert response.headers["Location"].startswith("/logga-in")


@pytest.mark.parametrize("endpoint", sorted(set(MATRIX) - SESSION_ONLY))
def test_allowed_request_does_change_the_database(client, login, world, endpoint):
    """Guards the matrix: a refusal that leaves the database alone proves nothing if allowing would too."""
    build, expected = MATRIX[endpoint]
    actor = next(a for a in ACTORS if a != "anonymous" and expected[a] in (200, 302))
    url, data = build(world, world["users"][actor])
    login(world["users"][actor])
    before = snapshot()
    assert client.post(url, data=data).status_code == expected[actor]
    db.session.expire_all()
    assert snapshot() != before


def test_state_changing_requests_need_a_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        sign_in(client, world["users"]["contact_own"])
        url, data = _status_update(world)
        before = snapshot()
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert "säkerhetstoken" in response.get_data(as_text=True)
        db.session.expire_all()
        assert snapshot() == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _confirm_fastställd_file(world, user):
    """A previewed upload of this user's: the workbook of a fastställd version, as a new plan."""
    plan = _approved(world)
    _, data = export_plan(plan, None, current_app.config["EXPORT_DIR"], version=1)
    db.session.commit()
    token = _staged(world, user, "tillganglighet-2099", data)
    preview = preview_import(data, max_bytes=10**7, plan_key="tillganglighet-2099")
    assert preview.approval is not None
    return f"/import/{token}", {"fingerprint": preview.fingerprint, "approval": "keep"}


# Ticking "Fastställ planen …" in the preview: the choice only the direktör has.
KEEP_APPROVAL = {**EDITORS, "strategist": 403}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_director_carries_a_files_fastställande_into_the_app(client, login, world, actor):
    user = world["users"].get(actor)
    url, data = _confirm_fastställd_file(world, user)
    if user:
        login(user)
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == KEEP_APPROVAL[actor], response.get_data(as_text=True)[:300]
    db.session.expire_all()
    created = db.session.scalar(sa.select(Plan).where(Plan.key == "tillganglighet-2099"))
    if actor == "director":
        assert created.state is PlanState.APPROVED and created.version_number == 1
    elif actor == "strategist":
        assert "Bara hälso- och sjukvårdsdirektören kan fastställa" in response.get_data(as_text=True)
    if actor != "director":
        assert created is None and snapshot() == before


def test_without_the_tick_a_strategist_imports_a_fastställd_file_as_a_draft(client, login, world):
    user = world["users"]["strategist"]
    url, data = _confirm_fastställd_file(world, user)
    page = login(user).post(url, data={"fingerprint": data["fingerprint"]})
    assert page.status_code == 302
    db.session.expire_all()
    created = db.session.scalar(sa.select(Plan).where(Plan.key == "tillganglighet-2099"))
    assert created.state is PlanState.DRAFT


def test_the_world_leaves_mail_off_unless_a_reminder_is_sent(app, world):
    """Only "Skicka påminnelse nu" needs an SMTP server; every other case of the matrix runs without one."""
    assert not app.config["SMTP_HOST"]
