"""Ids that name the wrong thing: one that does not exist, and one of ANOTHER plan, report, round, förvaltning or
user than the rest of the request names. Each is refused (404, 403, or 400 where a form's choice is wrong; a
filter's is dropped with a notice) and nothing is changed. Built on the world of the permission
matrices (tests/permission_world.py) and the cases of both."""

from dataclasses import dataclass
from datetime import date

import pytest
from werkzeug.routing import IntegerConverter

from tests.annual import matrix as annual_matrix
from tests.factories import create_plan, form_seen
from tests.reports.helpers import approve as approve_report, create_report, question
from tests.factories import snapshot
from tests.permission_world import ACTORS, DECISION_FORM, _agreement_year, _confirm, _decision, _report
# The two permission matrices themselves: every route with an id is walked again here.
from tests.test_permissions import MATRIX as POST_MATRIX
from tests.test_read_permissions import MATRIX as GET_MATRIX
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.models import Indicator, IndicatorValue
from tracker.reports import lifecycle
from tracker.reports.bundle import make_bundle
from tracker.versions import services as versions
from tracker.vocabulary import Status

# --- An id that names nothing --------------------------------------------------------------------------------

# Every route with an id in its address (the stylesheet's file name is no id). The completeness test below fails
# when a route with an id is added without being listed here.
ID_ROUTES = {
    ("GET", "plans.show"), ("GET", "followup.edit_status"), ("POST", "followup.update_status"),
    ("GET", "editor.new_action"), ("POST", "editor.create_action"), ("GET", "editor.edit_action"),
    ("POST", "editor.update_action"), ("POST", "editor.move_action"), ("GET", "editor.confirm_delete_action"),
    ("POST", "editor.delete_action"), ("GET", "editor.new_factor"), ("POST", "editor.create_factor"),
    ("GET", "editor.edit_factor"), ("POST", "editor.update_factor"), ("POST", "editor.move_factor"),
    ("GET", "editor.confirm_delete_factor"), ("POST", "editor.delete_factor"), ("GET", "editor.new_area"),
    ("POST", "editor.create_area"), ("GET", "editor.edit_area"), ("POST", "editor.update_area"),
    ("POST", "editor.move_area"), ("POST", "editor.delete_area"),
    ("GET", "history.plan_history"), ("POST", "history.restore"),
    ("GET", "versions.plan_versions"), ("POST", "versions.approve"), ("POST", "versions.start_revision"),
    ("POST", "versions.mark_sent"), ("GET", "versions.show_version"), ("GET", "versions.compare"),
    ("GET", "followup.dashboard"), ("GET", "followup.indicators"), ("POST", "followup.record_value"),
    ("POST", "followup.delete_value"), ("GET", "followup.rounds"), ("POST", "followup.open_round"),
    ("POST", "followup.close_round"), ("GET", "followup.show_round"), ("GET", "followup.round_left"),
    ("POST", "followup.confirm_many"), ("POST", "followup.confirm_unchanged"), ("POST", "followup.create_indicator"),
    ("POST", "followup.update_indicator"), ("POST", "followup.delete_indicator"), ("POST", "xlsx.export_round"),
    ("POST", "notify.remind_now"),
    ("POST", "xlsx.export"), ("GET", "xlsx.download"), ("POST", "xlsx.mark_sent"), ("POST", "xlsx.confirm"),
    ("GET", "reports.show"), ("POST", "reports.update_facts"), ("GET", "reports.history"),
    ("GET", "reports.show_question"), ("POST", "reports.save_answer"), ("POST", "reports.insert"),
    ("POST", "reports.assign"), ("GET", "reports.show_contribution"), ("POST", "reports.save_contribution"),
    ("GET", "reports.edit_form"), ("POST", "reports.add_section"), ("POST", "reports.update_section"),
    ("POST", "reports.move_section"), ("POST", "reports.delete_section"), ("POST", "reports.add_question"),
    ("POST", "reports.update_question"), ("POST", "reports.move_question"), ("POST", "reports.delete_question"),
    ("POST", "reports.submit_for_review"), ("POST", "reports.back_to_draft"), ("POST", "reports.approve"),
    ("POST", "reports.make_bundle"), ("GET", "reports.download_bundle"), ("GET", "reports.export_word"),
    ("POST", "reports.mark_sent"), ("POST", "reports.reopen"), ("GET", "reports.year_preview"),
    ("POST", "reports.replace_year"), ("POST", "admin.unlink_sso"),
    ("GET", "admin.edit_user"), ("POST", "admin.edit_user"), ("POST", "admin.rename_division"),
    ("POST", "admin.set_division_active"), ("POST", "admin.delete_division"),
    ("GET", "goalchain.goal"), ("POST", "goalchain.update_goal"), ("POST", "goalchain.add_section"),
    ("POST", "goalchain.update_section"), ("POST", "goalchain.delete_section"), ("POST", "goalchain.save_assessment"),
    ("POST", "goalchain.delete_assessment"), ("POST", "goalchain.rename_target_group"),
    ("POST", "goalchain.delete_target_group"), ("GET", "goalchain.goal_follow_up"),
    ("GET", "manage.show"), ("POST", "manage.update"), ("POST", "manage.archive"), ("POST", "manage.unarchive"),
    ("GET", "manage.confirm_delete"), ("POST", "manage.delete"), ("GET", "next_year.form"),
    ("POST", "next_year.create"), ("GET", "contacts.index"), ("POST", "contacts.add"), ("GET", "contacts.edit"),
    ("POST", "contacts.update"), ("POST", "contacts.delete"),
    ("GET", "decisions.register"), ("POST", "decisions.create"), ("GET", "decisions.edit"),
    ("POST", "decisions.update"), ("GET", "decisions.confirm_delete"), ("POST", "decisions.delete"),
    ("GET", "decisions.download"),
}
ID_ROUTES |= annual_matrix.ID_ROUTES
NOT_IDS = {"static"}
MISSING = {"int": "987654", "default": "finns-inte-2099"}
MISSING_TOKEN = "x" * 32  # an import's token as the app makes them, of no import


def _rules_with_ids(app) -> set[tuple[str, str]]:
    return {(method, rule.endpoint) for rule in app.url_map.iter_rules() if rule.arguments
            for method in rule.methods & {"GET", "POST"} if rule.endpoint not in NOT_IDS}


def test_every_route_with_an_id_is_listed(app):
    assert _rules_with_ids(app) == ID_ROUTES


def _allowed(expected: dict) -> str:
    return next(actor for actor in ACTORS if actor != "anonymous" and expected[actor] in (200, 302))


def _request(world, method: str, endpoint: str) -> tuple[str, str, dict]:
    """A request the matrices allow: (actor, url, form)."""
    if method == "GET":
        build, expected = GET_MATRIX[endpoint]
        return _allowed(expected), build(world), {}
    build, expected = POST_MATRIX[endpoint]
    actor = _allowed(expected)
    url, data = build(world, world["users"][actor])
    return actor, url, data


def _missing(converter) -> str:
    return MISSING["int" if isinstance(converter, IntegerConverter) else "default"]


@pytest.mark.parametrize("method,endpoint", sorted(ID_ROUTES))
def test_an_id_of_nothing_is_404_and_changes_nothing(app, client, login, world, method, endpoint):
    actor, url, data = _request(world, method, endpoint)
    path, _, query = url.partition("?")
    adapter = app.url_map.bind("localhost")
    rule, args = adapter.match(path, method=method, return_rule=True)
    assert rule.endpoint == endpoint
    login(world["users"][actor])
    for name in rule.arguments:
        value = MISSING_TOKEN if name == "token" else _missing(rule._converters[name])
        wrong = adapter.build(endpoint, {**args, name: value}, method=method) + (f"?{query}" if query else "")
        before = snapshot()
        response = client.open(wrong, method=method, data=data)
        assert response.status_code == 404, (name, response.get_data(as_text=True)[:300])
        db.session.expire_all()
        assert snapshot() == before


# --- An id of another plan, report, round or förvaltning -----------------------------------------------------


def _other_plan(world):
    """A second plan (God och nära vård), with an åtgärd for Psykiatri Halland and Hallands sjukhus."""
    if "other_plan" not in world:
        world["other_plan"] = create_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021",
                                          actions=[{"divisions": ["PH", "HS"], "title": "Fast vårdkontakt"}])
    return world["other_plan"]


def _other_round(world):
    round_ = followup.open_round(_other_plan(world), world["users"]["strategist"], title="Delårsuppföljning GoNV",
                                 deadline="2030-09-15", today=date(2024, 8, 1))
    db.session.commit()
    return round_


def _world_round(world):
    round_ = followup.open_round(world["plan"], world["users"]["strategist"], title="Delårsuppföljning 2024",
                                 deadline="2030-09-15", today=date(2024, 8, 1))
    db.session.commit()
    return round_


def _other_report(world, approved: bool = False):
    report = create_report(key="gonv-2024", title="Redovisning God och nära vård 2024")
    if approved:
        approve_report(report, director=world["users"]["director"])
    return report


def _hs_status(world):
    return next(s for s in world["plan"].factors[0].actions[0].statuses if s.division.short_name == "HS")


def _indicator(world, division: str):
    indicator = Indicator(plan_id=world["plan"].id, area="BUP", name="Andel första besök inom 30 dagar", target=75,
                          unit="procent", division_id=world["divisions"][division].id)
    indicator.values.append(IndicatorValue(period="2024-05", value=71))
    db.session.add(indicator)
    db.session.commit()
    return indicator


@dataclass(frozen=True)
class SeenOn:
    """The page whose decision form the case posts: its `seen` value is read from it once the actor is signed in."""

    page: str


def _bundle_of_other_report(world):
    report = _report(world, "approved")
    other = _other_report(world, approved=True)
    bundle = make_bundle(other, world["users"]["director"])
    db.session.commit()
    # The page draws no sending form for a report without bundles of its own: post what it would carry.
    return "POST", f"/redovisningar/{report.key}/skickad", {"bundle": bundle.id, "seen": lifecycle.bundles_seen(report)}


def _bundle_of_nothing(world):
    return "POST", f"/redovisningar/{_report(world, 'approved').key}/skickad", {"bundle": MISSING["int"]}


def _status_of_other_plan_unchanged(world):
    round_ = _other_round(world)
    return "POST", f"/omgangar/{round_.id}/bekrafta/{world['ph_status'].id}", {}


def _status_of_other_plan_many(world):
    round_ = _other_round(world)
    return "POST", f"/omgangar/{round_.id}/bekrafta", {"status_id": [world["ph_status"].id]}


def _factor_of_other_plan_many(world):
    round_ = _other_round(world)
    return "POST", f"/omgangar/{round_.id}/bekrafta", {"scope": "factor", "factor_id": world["plan"].factors[0].id}


def _export_of_other_plan(world):
    other = _other_plan(world)
    versions.approve(other, world["users"]["director"], "RS200203")
    db.session.commit()
    return "POST", f"/planer/{other.key}/versioner/1/skickad", {"export": world["export"].id,
                                                                 "seen": SeenOn(f"/planer/{other.key}/versioner")}


def _version_of_other_plan(world):
    versions.approve(_other_plan(world), world["users"]["director"], "RS200203")
    db.session.commit()
    return "GET", f"/planer/{world['plan'].key}/versioner/1", {}


def _compare_with_version_of_other_plan(world):
    versions.approve(_other_plan(world), world["users"]["director"], "RS200203")
    db.session.commit()
    return "GET", f"/planer/{world['plan'].key}/jamfor?fran=1&till=nu", {}


ACTION_FORM = {"title": "Gemensamma väntelistor inom ortopedisk vård", "owner": "Verksamhetschef ortopedi",
               "horizon": "short", "start_date": "2025-01-01", "due_date": "2025-12-31"}


def _new_action_with_factor_of_other_plan(world):
    return "GET", f"/planer/{world['plan'].key}/atgarder/ny?faktor={_other_plan(world).factors[0].id}", {}


def _create_action_in_factor_of_other_plan(world):
    return "POST", f"/planer/{world['plan'].key}/atgarder", {
        **ACTION_FORM, "factor_id": _other_plan(world).factors[0].id, "divisions": [world["divisions"]["PH"].id]}


def _move_action_to_factor_of_other_plan(world):
    action = world["plan"].factors[0].actions[0]
    return "POST", f"/atgarder/{action.id}", {
        **ACTION_FORM, "factor_id": _other_plan(world).factors[0].id, "version": action.version_id,
        "divisions": [world["divisions"]["PH"].id, world["divisions"]["HS"].id]}


def _factor_in_area_of_other_plan(world):
    return "POST", f"/planer/{world['plan'].key}/faktorer", {
        "title": "Lean som verksamhetsstrategi", "area_id": _other_plan(world).areas[0].id}


def _factor_moved_to_area_of_other_plan(world):
    return "POST", f"/faktorer/{world['plan'].factors[0].id}", {
        "title": world["plan"].factors[0].title, "area_id": _other_plan(world).areas[0].id}


def _indicator_of_factor_of_other_plan(world):
    return "POST", f"/planer/{world['plan'].key}/indikatorer", {
        "name": "Andel besvarade samtal dag 0", "target": "95", "factor_id": _other_plan(world).factors[0].id}


def _indicator_moved_to_factor_of_other_plan(world):
    indicator = _indicator(world, "PH")
    return "POST", f"/indikatorer/{indicator.id}", {
        "name": indicator.name, "target": "75", "factor_id": _other_plan(world).factors[0].id}


def _section_under_section_of_other_report(world):
    report = _report(world)
    other = _other_report(world)
    return "POST", f"/redovisningar/{report.key}/avsnitt", {
        "number": "3.8", "title": "Vårdplatser", "parent_id": other.sections[0].id}


def _reopen_question_of_other_report(world):
    report = _report(world, "sent")
    other = _other_report(world)
    return "POST", f"/redovisningar/{report.key}/komplettering", {"questions": [question(other, "Hur har 2024").id],
                                                                  "seen": SeenOn(f"/redovisningar/{report.key}")}


def _insert_contribution_of_other_question(world):
    pair = question(_report(world), "Hur har 2024")
    other = question(_other_report(world), "Hur har 2024")
    contribution = other.contributions[0]
    contribution.text = "Psykiatri Halland: BUP-koordinatorer på varje enhet."
    db.session.commit()
    return "POST", f"/redovisningar/fragor/{pair.id}/infoga", {
        "source": f"bidrag:{contribution.id}", "target": "answer", "version": pair.version_id}


def _history_of_other_plans_action(world):
    return "GET", f"/planer/{world['plan'].key}/historik?atgard={_other_plan(world).factors[0].actions[0].id}", {}


def _upload_of_another_user(world):
    url, data = _confirm(world, world["users"]["strategist"])
    return "POST", url, data


def _hs_contribution(world):
    contribution = next(c for c in question(_report(world), "Hur har 2024").contributions
                        if c.division.short_name == "HS")
    return "POST", f"/redovisningar/bidrag/{contribution.id}", {"text": "Psykiatri Halland skriver här.",
                                                                "version": contribution.version_id}


def _hs_status_update(world):
    status = _hs_status(world)
    return "POST", f"/status/{status.id}", {"status": Status.DONE.value, "comment": "Klart",
                                            "version": status.version_id}


def _hs_status_unchanged(world):
    return "POST", f"/omgangar/{_world_round(world).id}/bekrafta/{_hs_status(world).id}", {}


def _hs_status_many(world):
    return "POST", f"/omgangar/{_world_round(world).id}/bekrafta", {"status_id": [_hs_status(world).id]}


def _hs_value(world):
    return "POST", f"/indikatorer/{_indicator(world, 'HS').id}/utfall", {"period": "2024-06", "value": "78"}


def _hs_value_deleted(world):
    return "POST", f"/utfall/{_indicator(world, 'HS').values[0].id}/ta-bort", {}


def _agreement_of_nothing(world):
    plan = world["plan"]
    return "POST", f"/planer/{plan.key}/hantera", {"title": plan.title, "agreement": MISSING["int"], "year": "2023",
                                                   "version": plan.version_id}


def _decision_naming_report_of_another_year(world):
    """A decision of Ökad tillgänglighet 2023 naming the 2024 report."""
    return "POST", f"/overenskommelser/{_agreement_year(world).id}/beslut", {**DECISION_FORM,
                                                                              "report_id": _report(world).id}


def _decision_changed_to_report_of_another_year(world):
    decision = _decision(world)
    return "POST", f"/overenskommelser/beslut/{decision.id}", {**DECISION_FORM, "version": decision.version_id,
                                                                "report_id": _report(world).id}


# name → (endpoint, actor, request builder, status code, what the answer says)
CASES = {
    "an agreement of nothing chosen for a plan": (
        "manage.update", "strategist", _agreement_of_nothing, 400, "Välj en av: God och nära vård, Ökad tillgänglighet"),
    "a report of another year named by a new decision": (
        "decisions.create", "strategist", _decision_naming_report_of_another_year, 400,
        "Välj en av redovisningarna för Ökad tillgänglighet 2023 i listan, eller ingen."),
    "a report of another year named by a changed decision": (
        "decisions.update", "director", _decision_changed_to_report_of_another_year, 400,
        "Välj en av redovisningarna för Ökad tillgänglighet 2023 i listan, eller ingen."),
    "a status of another plan's round confirmed as Oförändrad": (
        "followup.confirm_unchanged", "contact_own", _status_of_other_plan_unchanged, 404,
        "Statusraden finns inte i omgångens plan."),
    "a status of another plan's round confirmed with others": (
        "followup.confirm_many", "contact_own", _status_of_other_plan_many, 400, "Åtgärden finns inte i omgången."),
    "a framgångsfaktor of another plan's round confirmed": (
        "followup.confirm_many", "contact_own", _factor_of_other_plan_many, 400,
        "Välj en framgångsfaktor i omgångens plan."),
    "a bundle of another report marked as sent": (
        "reports.mark_sent", "director", _bundle_of_other_report, 302, "Paketet hör till en annan redovisning."),
    "a bundle of nothing marked as sent": (
        "reports.mark_sent", "director", _bundle_of_nothing, 400,
        "Välj paketet som skickades; skapa ett paket av den godkända redovisningen först."),
    "an export of another plan marked as the version sent": (
        "versions.mark_sent", "strategist", _export_of_other_plan, 400, "Filen hör till en annan plan."),
    "a version only another plan has": (
        "versions.show_version", "reader", _version_of_other_plan, 404, "Planen har ingen fastställd version 1."),
    "a comparison with a version only another plan has": (
        "versions.compare", "reader", _compare_with_version_of_other_plan, 404,
        "Planen har ingen fastställd version 1."),
    "a new åtgärd's form in another plan's framgångsfaktor": (
        "editor.new_action", "strategist", _new_action_with_factor_of_other_plan, 404,
        "Framgångsfaktorn finns inte i planen tillganglighet-2023."),
    "a new åtgärd in another plan's framgångsfaktor": (
        "editor.create_action", "strategist", _create_action_in_factor_of_other_plan, 404,
        "Framgångsfaktorn finns inte i planen tillganglighet-2023."),
    "an åtgärd moved to another plan's framgångsfaktor": (
        "editor.update_action", "strategist", _move_action_to_factor_of_other_plan, 400,
        "Framgångsfaktorn hör till en annan plan."),
    "a new framgångsfaktor in another plan's insatsområde": (
        "editor.create_factor", "strategist", _factor_in_area_of_other_plan, 400, "Välj ett insatsområde i listan."),
    "a framgångsfaktor moved to another plan's insatsområde": (
        "editor.update_factor", "strategist", _factor_moved_to_area_of_other_plan, 400,
        "Välj ett insatsområde i listan."),
    "a new indicator of another plan's framgångsfaktor": (
        "followup.create_indicator", "strategist", _indicator_of_factor_of_other_plan, 400,
        "Välj en framgångsfaktor i planen."),
    "an indicator moved to another plan's framgångsfaktor": (
        "followup.update_indicator", "strategist", _indicator_moved_to_factor_of_other_plan, 400,
        "Välj en framgångsfaktor i planen."),
    "a section under another report's section": (
        "reports.add_section", "strategist", _section_under_section_of_other_report, 400,
        "Det överordnade avsnittet finns inte i redovisningen."),
    "a question of another report reopened": (
        "reports.reopen", "strategist", _reopen_question_of_other_report, 302,
        "Välj de frågor som Socialstyrelsen vill ha kompletterade."),
    "another question's contribution inserted into an answer": (
        "reports.insert", "strategist", _insert_contribution_of_other_question, 400,
        "Bidraget finns inte, eller är tomt."),
    "an åtgärd of another plan as the history's filter": (
        "history.plan_history", "reader", _history_of_other_plans_action, 200,
        "Åtgärden hör till en annan plan; filtret på åtgärd togs bort."),
    "another user's upload confirmed": (
        "xlsx.confirm", "director", _upload_of_another_user, 403, "Importen laddades upp av någon annan."),
    "a contribution of Hallands sjukhus saved by Psykiatri Halland's contact": (
        "reports.save_contribution", "contact_own", _hs_contribution, 403,
        "Du kan bara skriva bidrag för din egen förvaltning."),
    "a status of Hallands sjukhus set by Psykiatri Halland's contact": (
        "followup.update_status", "contact_own", _hs_status_update, 403,
        "Du kan bara ändra status för din egen förvaltnings åtgärder."),
    "a status of Hallands sjukhus confirmed by Psykiatri Halland's contact": (
        "followup.confirm_unchanged", "contact_own", _hs_status_unchanged, 403,
        "Du kan bara bekräfta din egen förvaltnings åtgärder."),
    "a status of Hallands sjukhus confirmed with others by Psykiatri Halland's contact": (
        "followup.confirm_many", "contact_own", _hs_status_many, 403,
        "Du kan bara bekräfta din egen förvaltnings åtgärder i omgångens plan."),
    "a value of Hallands sjukhus's indicator recorded by Psykiatri Halland's contact": (
        "followup.record_value", "contact_own", _hs_value, 403, "den ansvariga förvaltningens kontakt"),
    "a value of Hallands sjukhus's indicator deleted by Psykiatri Halland's contact": (
        "followup.delete_value", "contact_own", _hs_value_deleted, 403, "den ansvariga förvaltningens kontakt"),
}

CASES["a bundle of another year's report as a villkor's evidence"] = (
    "annual.fulfil", "strategist", lambda world: annual_matrix.bundle_of_another_year(world, _report), 400,
    "Underlaget hör inte till året")

# Routes with an id that names the object alone (no second id to mismatch) or that belongs to no plan, report or
# förvaltning: the test above covers an id of nothing, the matrices who may act on it.
ALONE = {
    "plans.show", "followup.edit_status", "editor.edit_action", "editor.move_action", "editor.confirm_delete_action",
    "editor.delete_action", "editor.new_factor", "editor.edit_factor", "editor.move_factor",
    "editor.confirm_delete_factor", "editor.delete_factor", "editor.new_area", "editor.create_area",
    "editor.edit_area", "editor.update_area", "editor.move_area", "editor.delete_area", "history.restore",
    "versions.plan_versions", "versions.approve", "versions.start_revision",
    "followup.dashboard", "followup.indicators", "followup.rounds", "followup.open_round", "followup.close_round",
    "followup.show_round", "followup.delete_indicator", "xlsx.export_round", "notify.remind_now",
    "xlsx.export", "xlsx.download", "xlsx.mark_sent", "reports.show", "reports.update_facts", "reports.history",
    "reports.show_question", "reports.save_answer", "reports.show_contribution", "reports.edit_form",
    "reports.update_section", "reports.move_section", "reports.delete_section", "reports.add_question",
    "reports.update_question", "reports.move_question", "reports.delete_question", "reports.submit_for_review",
    "reports.back_to_draft", "reports.approve", "reports.make_bundle", "reports.download_bundle",
    "reports.export_word", "reports.year_preview", "reports.replace_year", "admin.unlink_sso",
    # A förvaltning's "Kvar" and the förvaltningar asked: any förvaltning may be named (one without åtgärder in
    # the plan has nothing left); users and förvaltningar belong to no plan.
    "followup.round_left", "reports.assign", "admin.edit_user", "admin.rename_division",
    "admin.set_division_active", "admin.delete_division",
    # A plan managed, copied to next year, its contacts: the plan's key or the contact's id alone names them.
    "manage.show", "manage.archive", "manage.unarchive", "manage.confirm_delete", "manage.delete",
    "next_year.form", "next_year.create", "contacts.index", "contacts.add", "contacts.edit", "contacts.update",
    "contacts.delete",
    # The strategy's rows belong to no plan, report or förvaltning.
    "goalchain.goal", "goalchain.update_goal", "goalchain.add_section", "goalchain.update_section",
    "goalchain.delete_section", "goalchain.save_assessment", "goalchain.delete_assessment",
    "goalchain.rename_target_group", "goalchain.delete_target_group", "goalchain.goal_follow_up",
    # A decision's own pages, and its year's register: one id each (the documents it names are the cases above).
    "decisions.register", "decisions.edit", "decisions.confirm_delete", "decisions.delete", "decisions.download",
} | annual_matrix.ALONE


def test_every_route_with_an_id_has_a_case_of_another_object_or_stands_alone():
    with_cases = {endpoint for endpoint, *_ in CASES.values()}
    assert not with_cases & ALONE
    assert with_cases | ALONE == {endpoint for _, endpoint in ID_ROUTES}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_id_of_another_object_is_refused(app, client, login, world, case):
    endpoint, actor, build, code, message = CASES[case]
    method, url, data = build(world)
    assert app.url_map.bind("localhost").match(url.split("?")[0], method=method)[0] == endpoint
    login(world["users"][actor])
    if isinstance(data.get("seen"), SeenOn):  # a decision's form carries what its page showed (tracker/seen.py)
        data["seen"] = form_seen(client, data["seen"].page, url)
    before = snapshot()
    response = client.open(url, method=method, data=data)
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert snapshot() == before
    # A refused step of a report's life cycle is said on the report's page it redirects to (Post/Redirect/Get).
    shown = client.get(response.headers["Location"]) if code == 302 else response
    assert message in shown.get_data(as_text=True)
