"""Every GET route × every role: the status code, and nothing changed in the database, whoever reads.

The twin of tests/test_permissions.py (which walks the state-changing routes), on the same world
(tests/permission_world.py and the `world` fixture).
"""

import pytest
from flask import current_app

from tests.factories import snapshot
from tests.permission_world import (ACTORS, ONLY_ADMIN, _agreement_year, _approved, _closed_round, _contact, _decision,
                                    _goal, _open_round, _pair,
                                    _report, _strategy)
from tests.annual.matrix import GET as ANNUAL_GET
from tracker.extensions import db
from tracker.reports.bundle import make_bundle

# 302 for anonymous is the login redirect (checked below); a signed-in 302 is a page that sends elsewhere.
EVERYONE = {"anonymous": 302, **{actor: 200 for actor in ACTORS if actor != "anonymous"}}
EDITORS = {**EVERYONE, "reader": 403, "contact_own": 403, "contact_other": 403, "admin": 403}
ADMIN_ONLY = {**ONLY_ADMIN, "admin": 200}
# Reached without logging in: the load balancer's check, the stylesheet.
PUBLIC = {actor: 200 for actor in ACTORS}
# Single sign-on is not set up in the test app: its routes say so to everyone.
NO_SSO = {actor: 404 for actor in ACTORS}


def _year_preview(world):
    """The preview of "byt 2024 mot 2025": the test form names 2024, so the report is made one for 2025."""
    report = _report(world)
    report.year = 2025
    db.session.commit()
    return f"/redovisningar/{report.key}/byt-ar?fran=2024"


def _plan(world, path=""):
    return f"/planer/{world['plan'].key}{path}"


def _action(world):
    return world["plan"].factors[0].actions[0]


def _bundle(world):
    report = _report(world, "approved")
    bundle = make_bundle(report, world["users"]["director"])
    db.session.commit()
    return f"/redovisningar/paket/{bundle.id}"


def _ph_contribution(world):
    contribution = next(c for c in _pair(world).contributions if c.division.short_name == "PH")
    return f"/redovisningar/bidrag/{contribution.id}"


# endpoint → (url builder, {actor: expected status code})
MATRIX = {
    "static": (lambda world: "/static/app.css", PUBLIC),
    "health.healthz": (lambda world: "/healthz", PUBLIC),
    "users.login": (lambda world: "/logga-in", {**{actor: 302 for actor in ACTORS}, "anonymous": 200}),
    "users.sso_start": (lambda world: "/logga-in/sso", NO_SSO),
    "users.sso_callback": (lambda world: "/logga-in/sso/klar", NO_SSO),
    "users.change_password": (lambda world: "/konto/losenord", EVERYONE),
    "notify.settings": (lambda world: "/konto/paminnelser", EVERYONE),
    "plans.home": (lambda world: "/", {actor: 302 for actor in ACTORS}),
    "plans.index": (lambda world: "/planer", EVERYONE),
    "plans.show": (lambda world: _plan(world), EVERYONE),
    "followup.mine": (lambda world: "/mina-atgarder", EVERYONE),
    # The status page shows the form to its förvaltning's contact and the status, read-only, to everyone else.
    "followup.edit_status": (lambda world: f"/status/{world['ph_status'].id}", EVERYONE),
    "editor.new_plan": (lambda world: "/planer/ny", EDITORS),
    "editor.new_action": (lambda world: _plan(world, f"/atgarder/ny?faktor={world['plan'].factors[0].id}"), EDITORS),
    "editor.edit_action": (lambda world: f"/atgarder/{_action(world).id}/redigera", EDITORS),
    "editor.confirm_delete_action": (lambda world: f"/atgarder/{_action(world).id}/ta-bort", EDITORS),
    "editor.new_factor": (lambda world: _plan(world, "/faktorer/ny"), EDITORS),
    "editor.edit_factor": (lambda world: f"/faktorer/{world['plan'].factors[0].id}/redigera", EDITORS),
    "editor.confirm_delete_factor": (lambda world: f"/faktorer/{world['plan'].factors[0].id}/ta-bort", EDITORS),
    "editor.new_area": (lambda world: _plan(world, "/omraden/ny"), EDITORS),
    "editor.edit_area": (lambda world: f"/omraden/{world['plan'].areas[0].id}/redigera", EDITORS),
    "history.plan_history": (lambda world: _plan(world, "/historik"), EVERYONE),
    "versions.plan_versions": (lambda world: _plan(world, "/versioner"), EVERYONE),
    "versions.show_version": (lambda world: f"/planer/{_approved(world).key}/versioner/1", EVERYONE),
    "versions.compare": (lambda world: f"/planer/{_approved(world).key}/jamfor?fran=1&till=nu", EVERYONE),
    "followup.dashboard": (lambda world: _plan(world, "/oversikt"), EVERYONE),
    "followup.indicators": (lambda world: _plan(world, "/indikatorer"), EVERYONE),
    "followup.rounds": (lambda world: _plan(world, "/omgangar"), EVERYONE),
    "followup.show_round": (lambda world: f"/omgangar/{_closed_round(world).id}", EVERYONE),
    "followup.round_left": (lambda world: f"/omgangar/{_open_round(world).id}/kvar/{world['divisions']['PH'].id}",
                            EVERYONE),
    "xlsx.import_form": (lambda world: "/import", EDITORS),
    "xlsx.download": (lambda world: f"/exporter/{world['export'].id}", EDITORS),
    "reports.index": (lambda world: "/redovisningar", EVERYONE),
    "reports.show": (lambda world: f"/redovisningar/{_report(world).key}", EVERYONE),
    "reports.history": (lambda world: f"/redovisningar/{_report(world).key}/historik", EVERYONE),
    "reports.show_question": (lambda world: f"/redovisningar/fragor/{_pair(world).id}", EVERYONE),
    "reports.mine": (lambda world: "/mina-fragor", EVERYONE),
    "reports.show_contribution": (_ph_contribution, EVERYONE),
    "reports.edit_form": (lambda world: f"/redovisningar/{_report(world).key}/formular", EDITORS),
    "reports.download_bundle": (_bundle, EDITORS),
    "reports.export_word": (lambda world: f"/redovisningar/{_report(world).key}/word", EDITORS),
    "reports.year_preview": (lambda world: _year_preview(world), EDITORS),
    "admin.users": (lambda world: "/admin/anvandare", ADMIN_ONLY),
    "admin.new_user": (lambda world: "/admin/anvandare/ny", ADMIN_ONLY),
    "admin.edit_user": (lambda world: f"/admin/anvandare/{world['users']['reader'].id}", ADMIN_ONLY),
    "admin.divisions": (lambda world: "/admin/forvaltningar", ADMIN_ONLY),
    "security.security_log": (lambda world: "/admin/sakerhetslogg", ADMIN_ONLY),
    "goalchain.index": (lambda world: _strategy(world) and "/strategi", EVERYONE),
    "goalchain.goal": (lambda world: f"/strategi/delmal/{_goal(world).id}", EVERYONE),
    "goalchain.target_groups": (lambda world: _strategy(world) and "/strategi/malgrupper", EVERYONE),
    "goalchain.history": (lambda world: _strategy(world) and "/strategi/historik", EVERYONE),
    "goalchain.follow_up": (lambda world: _strategy(world) and "/strategi/uppfoljning.docx", EVERYONE),
    "goalchain.goal_follow_up": (lambda world: f"/strategi/delmal/{_goal(world).id}/uppfoljning.docx", EVERYONE),
    "manage.show": (lambda world: _plan(world, "/hantera"), EDITORS),
    "manage.confirm_delete": (lambda world: _plan(world, "/ta-bort"), EDITORS),
    "next_year.form": (lambda world: _plan(world, "/nytt-ar"), EDITORS),
    "contacts.index": (lambda world: _plan(world, "/kontakter"), EVERYONE),
    "contacts.edit": (lambda world: f"/kontakter/{_contact(world).id}", EDITORS),
    "decisions.register": (lambda world: f"/overenskommelser/{_agreement_year(world).id}/beslut", EVERYONE),
    "decisions.edit": (lambda world: f"/overenskommelser/beslut/{_decision(world).id}/andra", EDITORS),
    "decisions.confirm_delete": (lambda world: f"/overenskommelser/beslut/{_decision(world).id}/ta-bort", EDITORS),
    "decisions.download": (lambda world: f"/overenskommelser/beslut/{_decision(world).id}/beslutsunderlag.docx",
                           EVERYONE),
}
MATRIX.update({endpoint: (build, EVERYONE) for endpoint, build in ANNUAL_GET.items()})
# Logged in or not, these answer without a login redirect.
NO_LOGIN = {"static", "health.healthz", "users.login", "users.sso_start", "users.sso_callback"}


def test_every_get_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert endpoints == set(MATRIX)


def test_the_matrix_has_an_expectation_for_every_actor():
    assert all(set(expected) == set(ACTORS) for _, expected in MATRIX.values())


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_read_permission_matrix(client, login, world, endpoint, actor):
    build, expected = MATRIX[endpoint]
    user = world["users"].get(actor)
    url = build(world)
    assert current_app.url_map.bind("localhost").match(url.split("?")[0])[0] == endpoint
    if user:
        login(user)
    before = snapshot()
    response = client.get(url)
    assert response.status_code == expected[actor], response.get_data(as_text=True)[:300]
    if response.status_code == 403:  # the refusal says who may, in Swedish
        assert "Bara" in response.get_data(as_text=True) or "Du kan" in response.get_data(as_text=True)
    if actor == "anonymous" and endpoint not in NO_LOGIN:
        assert response.headers["Location"].startswith("/logga-in")
    db.session.expire_all()
    assert snapshot() == before
