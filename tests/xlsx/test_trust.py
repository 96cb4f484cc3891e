"""The defects that made the import untrustworthy, each with the file a user really sends."""

import pytest
import sqlalchemy as sa

from tests.xlsx.helpers import MAX_BYTES, edit, preview_form, run, upload
from tests.factories import approve_demo_gonv
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.plans import services as plans
from tracker.vocabulary import PlanState, Role
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    approve_demo_gonv()  # the demo leaves it a draft; these tests need a fastställd plan


@pytest.fixture
def approved_file(demo, tmp_path):
    """The workbook of the demo's fastställd 2021 plan, and a database without that plan."""
    _, data = export_plan(plans.get_plan("gonv-2021"), None, tmp_path)
    db.session.commit()
    return data


STATED = "Filen anger att version 1 är fastställd 2021-03-10 av Martin Engström, hälso- och sjukvårdsdirektör"


def test_a_strategist_imports_a_fastställd_file_as_a_draft_and_is_told_so(approved_file, client, login, make_user):
    client = login(make_user(Role.STRATEGIST))
    page = upload(client, approved_file, new_key="gonv-2021-kopia").get_data(as_text=True)
    assert STATED in page and "Planen importeras som utkast" in page and 'name="approval"' not in page
    token, fingerprint = preview_form(page)
    # Even a hand-made post with the choice is refused: the server checks, not the page.
    assert client.post(f"/import/{token}", data={"fingerprint": fingerprint, "approval": "keep"}).status_code == 403
    assert plans.get_plan("gonv-2021-kopia") is None
    assert client.post(f"/import/{token}", data={"fingerprint": fingerprint}).status_code == 302
    plan = plans.get_plan("gonv-2021-kopia")
    assert plan.state is PlanState.DRAFT


def test_the_director_carries_the_fastställande_over_only_by_ticking_it(approved_file, client, login, make_user):
    director = make_user(Role.DIRECTOR, name="Martin Engström")
    client = login(director)
    page = upload(client, approved_file, new_key="gonv-2021-kopia").get_data(as_text=True)
    assert STATED in page and 'name="approval" value="keep"' in page
    token, fingerprint = preview_form(page)
    assert client.post(f"/import/{token}", data={"fingerprint": fingerprint, "approval": "keep"}).status_code == 302
    plan = plans.get_plan("gonv-2021-kopia")
    assert (plan.state, plan.version_number) == (PlanState.APPROVED, 1)
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.plan_id == plan.id,
                                                            HistoryEntry.verb == "approved"))
    assert (entry.user_id, entry.source) == (director.id, "import")


def test_the_command_line_keeps_the_fastställande_and_says_so(approved_file, app, tmp_path):
    path = tmp_path / "gonv.xlsx"
    path.write_bytes(approved_file)
    result = run(app, "import", path, "--plan", "gonv-2021-kopia")
    assert result.exit_code == 0, result.output
    assert STATED in result.output and "Fastställandet behålls" in result.output
    assert "Planen gonv-2021-kopia är fastställd som version 1 (2021-03-10 av Martin Engström" in result.output
    assert plans.get_plan("gonv-2021-kopia").state is PlanState.APPROVED
    result = run(app, "import", path, "--plan", "gonv-2021-utkast", "--as-draft")
    assert result.exit_code == 0 and plans.get_plan("gonv-2021-utkast").state is PlanState.DRAFT


@pytest.fixture
def plan_and_file(make_plan, tmp_path):
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård"},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet"}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def import_as(user, data, plan):
    result = preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)
    with acting(user, "import"):
        apply_import(result, user)
        db.session.commit()
    return result


def test_a_row_without_an_id_is_the_action_with_the_same_title_not_a_new_one(plan_and_file, make_user):
    plan, data = plan_and_file

    def clear_id(wb):
        ws = wb["Handlingsplan"]
        ws["A7"] = None
        ws["D7"] = "  tillgänglighetskoordinatorer på varje  BUP-enhet"  # case and spaces as typed
        ws["J7"] = "Verksamhetschef BUP"

    edited = edit(data, clear_id)
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.problems == [] and result.count("new") == 0
    assert ("Handlingsplan, rad 7: raden saknar ID och gäller åtgärden FF01-A02 ”Tillgänglighetskoordinatorer på "
            "varje BUP-enhet”, som har samma rubrik under samma framgångsfaktor.") in result.read.notes
    import_as(make_user(Role.STRATEGIST), edited, plan)
    assert len(plans.get_plan(plan.key).factors[0].actions) == 2
    assert preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key).summary == "Inga ändringar"


def test_a_new_row_typed_without_an_id_is_created_once(plan_and_file, make_user):
    plan, data = plan_and_file
    added = edit(data, lambda wb: wb["Handlingsplan"].append(
        [None, None, "Ramavtal med externa vårdgivare", "Mobil röntgen i särskilt boende", None, None, None, None,
         None, None, "Hallands sjukhus", "Ej påbörjad"]))
    first = import_as(make_user(Role.STRATEGIST), added, plan)
    assert first.summary.startswith("1 ny,")
    again = preview_import(added, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert again.summary == "Inga ändringar"
    assert [a.title for a in plans.get_plan(plan.key).factors[0].actions].count("Mobil röntgen i särskilt boende") == 1


def test_two_rows_for_the_same_action_are_a_problem(plan_and_file):
    plan, data = plan_and_file
    twice = edit(data, lambda wb: wb["Handlingsplan"].append(
        [None, None, "Ramavtal med externa vårdgivare", "Gemensamma väntelistor inom ögonsjukvård", None, None, None,
         None, None, None, "Hallands sjukhus", "Ej påbörjad"]))
    result = preview_import(twice, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert [(p.row, p.column) for p in result.problems] == [(8, "A (ID)")]
    assert "samma åtgärd som FF01-A01 på rad 6" in result.problems[0].message


@pytest.fixture
def six_factors(make_plan, tmp_path, divisions):
    """Six framgångsfaktorer of two åtgärder each in 3.6, and an empty one the strateg placed third."""
    from tracker.plans import structure

    plan = make_plan(actions=[{"title": "Gemensamma väntelistor"}, {"title": "Digitala vårdmöten"}], factors=3)
    area = plan.areas[0]
    with acting(None, "cli", "Testdata"):
        for title in ("Ökad samverkan inom och mellan kliniker", "Modernisera hanteringen av vårdgaranti",
                      "Digital Vårdcentral inom primärvård"):
            factor = plans.add_factor(plan, title=title, area=area)
            for n, action in enumerate(("Gemensamma väntelistor", "Digitala vårdmöten"), start=1):
                plans.add_action(factor, divisions=[divisions["HS"]], ref=f"FF{factor.position + 1:02d}-A{n:02d}",
                                 title=action)
        db.session.flush()
        empty = structure.create_factor(plan, title="Redovisning styrning", area_id=area.id)
        for _ in range(4):
            structure.move_factor(empty, -1)
            db.session.commit()
            db.session.expire_all()  # as each click is a request of its own
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def factor_titles(plan):
    db.session.expire_all()
    return [f.title for f in sorted(plans.get_plan(plan.key).factors, key=lambda f: f.position)]


def test_an_import_moves_only_what_the_file_orders_differently_and_the_preview_lists_it(six_factors, make_user):
    plan, data = six_factors
    before = factor_titles(plan)
    assert before[2] == "Redovisning styrning"

    def move_last_up(wb):
        ws = wb["Handlingsplan"]
        ws.move_range("A16:N17", rows=-10 + 200)  # the last framgångsfaktor's rows cut …
        ws.move_range("A8:N15", rows=2)  # … room made after the first …
        ws.move_range("A206:N207", rows=-198)  # … and pasted second
        ws["J6"] = "Hälso- och sjukvårdsdirektör"  # and one ordinary change

    edited = edit(data, move_last_up)
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.problems == []
    moves = [(c.kind, c.key, c.fields) for c in result.changes if ("Plats", ) == tuple(f[0] for f in c.fields)]
    assert moves == [("Framgångsfaktor", "Digital Vårdcentral inom primärvård", [("Plats", "7", "2")])]
    assert result.summary.startswith("0 nya, 2 ändrade,")
    last_entry = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    import_as(make_user(Role.STRATEGIST), edited, plan)
    after = factor_titles(plan)
    assert after == [before[0], "Digital Vårdcentral inom primärvård", *before[1:6]]
    assert after[3] == "Redovisning styrning"  # the empty one kept its place among the others
    entries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > last_entry)).all()
    assert [e for e in entries if e.startswith("flyttade")] == [
        "flyttade framgångsfaktorn ”Digital Vårdcentral inom primärvård” från plats 7 till plats 2"]
    assert preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key).summary == "Inga ändringar"


def test_an_import_of_one_new_and_one_changed_moves_nothing(six_factors, make_user):
    plan, data = six_factors
    before = factor_titles(plan)
    edited = edit(data, lambda wb: (wb["Handlingsplan"].__setitem__("J6", "Regiondirektör"), wb["Handlingsplan"].append(
        [None, None, "Lean som verksamhetsstrategi", "Utbilda processledare", None, None, None, None, None, None,
         "Hallands sjukhus", "Ej påbörjad"])))
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.summary.startswith("1 ny, 1 ändrad,")
    last_entry = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    import_as(make_user(Role.STRATEGIST), edited, plan)
    assert factor_titles(plan) == before
    entries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > last_entry)).all()
    assert not [e for e in entries if e.startswith("flyttade")]


def test_a_new_action_and_a_move_in_one_factor_are_recorded_as_the_preview_said(make_plan, make_user, tmp_path):
    plan = make_plan(actions=[{"title": t} for t in ("Alfa", "Beta", "Gamma")])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def reorder(wb):
        ws = wb["Handlingsplan"]
        alfa = [c.value for c in ws[6]]
        ws.move_range("A7:N8", rows=-1)
        ws.append([None, *alfa[1:3], "Delta", *alfa[4:]])  # a new åtgärd, then Alfa last
        ws.append(alfa)

    edited = edit(data, reorder)
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.problems == []
    moves = [(c.key, f) for c in result.changes for f in c.fields if f[0] == "Plats"]
    assert moves == [("FF01-A01", ("Plats", "1", "4"))]
    last_entry = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    import_as(make_user(Role.STRATEGIST), edited, plan)
    entries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > last_entry)).all()
    assert [e for e in entries if e.startswith("flyttade")] == [
        "flyttade åtgärden ”Alfa” (FF01-A01) från plats 1 till plats 4"]


def test_a_framgangsfaktor_typed_in_other_letter_case_is_the_plans_own(plan_and_file):
    plan, data = plan_and_file
    edited = edit(data, lambda wb: (wb["Handlingsplan"].__setitem__("A7", None), wb["Handlingsplan"].__setitem__(
        "C7", "  ramavtal med  externa vårdgivare")))
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.problems == [] and result.summary == "Inga ändringar"


def test_two_framgangsfaktorer_of_one_title_refuse_the_import_instead_of_merging_them(plan_and_file):
    plan, data = plan_and_file
    with acting(None, "cli", "Testdata"):
        plans.add_factor(plan, title="Ramavtal med externa vårdgivare", area=plan.areas[0])
        db.session.commit()
    result = preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert not result.clean
    assert "Planen har två framgångsfaktorer som heter ”Ramavtal med externa vårdgivare”" in result.problems[0].message


@pytest.mark.parametrize("remove", [False, True])
def test_the_places_of_a_move_are_those_the_history_records_whether_what_is_missing_stays_or_goes(
        make_plan, make_user, tmp_path, remove):
    plan = make_plan(actions=[{"title": t} for t in ("Alfa", "Beta", "Gamma")])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def drop_alfa_swap_the_others(wb):
        ws = wb["Handlingsplan"]
        beta, gamma = [c.value for c in ws[7]], [c.value for c in ws[8]]
        for column, value in enumerate(gamma, start=1):
            ws.cell(6, column, value)
        for column, value in enumerate(beta, start=1):
            ws.cell(7, column, value)
        ws.delete_rows(8)

    edited = edit(data, drop_alfa_swap_the_others)
    result = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert [(c.key, f) for c in result.changes for f in c.fields if f[0] == "Plats"] == [
        ("FF01-A03", ("Plats", "3", "2 (1 om det som saknas tas bort)"))]
    last_entry = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "import"):
        apply_import(result, strateg, remove_missing=remove)
        db.session.commit()
    entries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > last_entry)).all()
    assert [e for e in entries if e.startswith("flyttade")] == [
        f"flyttade åtgärden ”Gamma” (FF01-A03) från plats 3 till plats {1 if remove else 2}"]
