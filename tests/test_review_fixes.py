"""Regressions found in review: each would fail without its fix."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.xlsx.helpers import MAX_BYTES, plan_workbook
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import services as followup
from tracker.history.models import HistoryEntry
from tracker.history.services import restore
from tracker.plans import services, structure
from tracker.plans.models import Action, DivisionStatus, Indicator
from tracker.admin.services import delete_division
from tracker.vocabulary import Role, Status
from tracker.xlsx.apply import apply_import
from tracker.xlsx.preview import preview_import


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{}, {}, {}], factors=2)


def test_a_restored_action_whose_id_was_reused_gets_a_new_one(plan, divisions):
    factor = plan.factors[0]
    structure.delete_action(factor.actions[2])
    db.session.commit()
    newcomer = structure.create_action(factor, title="Mobil röntgen", division_ids=[divisions["ADH"].id])
    db.session.commit()
    assert newcomer.ref == "FF01-A03"
    restore(db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted")))
    db.session.commit()
    refs = db.session.scalars(sa.select(Action.ref).join(Action.factor).where(Action.factor_id == factor.id)).all()
    assert len(refs) == len(set(refs)) == 4
    positions = [a.position for a in services.load_factors(plan, fresh=True)[0].actions]
    assert positions == [0, 1, 2, 3]


def test_changing_only_the_responsible_divisions_is_a_new_version(plan, divisions):
    action = plan.factors[0].actions[0]
    seen = action.version_id
    fields = {"title": action.title, "division_ids": [divisions["HS"].id, divisions["NSV"].id, divisions["ADH"].id]}
    structure.update_action(action, expected_version=seen, **fields)
    db.session.commit()
    with pytest.raises(structure.EditConflict):
        structure.update_action(action, expected_version=seen,
                                **{**fields, "division_ids": [divisions["HS"].id, divisions["NSV"].id]})
    db.session.rollback()


@pytest.mark.parametrize("text", ["inf", "nan", "1e400", "-Infinity"])
def test_infinite_numbers_are_no_numbers(plan, text):
    indicator = Indicator(plan_id=plan.id, name="Andel besvarade samtal dag 0", target=95)
    db.session.add(indicator)
    db.session.commit()
    with pytest.raises(ValidationError, match="är inget tal"):
        followup.record_value(indicator, period="2024-06", value=text, comment=None, today=date(2024, 8, 1))


def test_a_division_reporting_an_indicator_is_not_deleted(divisions, make_plan):
    plan = make_plan()
    regionservice = divisions["RK"]
    db.session.add(Indicator(plan_id=plan.id, name="Andel besvarade samtal", division_id=regionservice.id))
    db.session.commit()
    with pytest.raises(ValidationError, match="registrerar utfall för 1 indikator"):
        delete_division(regionservice)


def test_foreign_keys_are_enforced_in_the_tests(app):
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_lets_pages_be_read_while_someone_saves(app, tmp_path):
    """Write-ahead logging: a reader is not blocked by an open write transaction."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.begin() as setup:
            assert setup.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            setup.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            setup.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as writer, engine.connect() as reader:
            writer.exec_driver_sql("BEGIN IMMEDIATE")
            writer.exec_driver_sql("UPDATE t SET x = 2")
            writer.exec_driver_sql("INSERT INTO t SELECT x FROM t")  # pages written, not yet committed
            assert reader.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]
            writer.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()


def test_an_impossible_new_plan_key_is_a_problem_of_the_preview(divisions):
    data = plan_workbook([[None, None, "Lean", "Utbilda processledare", None, None, None, None, None, None,
                           "Regionkontoret", "Pågående"]])
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key="Ny Plan 2025")
    assert not preview.clean
    assert any("Nyckeln får bara innehålla små bokstäver" in str(p) for p in preview.problems)


def test_a_bad_year_from_the_preview_form_is_refused_cleanly(divisions):
    data = plan_workbook([[None, None, "Lean", "Utbilda processledare", None, None, None, None, None, None,
                           "Regionkontoret", "Pågående"]])
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2025")
    with pytest.raises(ValidationError, match="Året 99999"):
        apply_import(preview, None, new_plan={"year": 99999})
    db.session.rollback()
    assert services.get_plan("tillganglighet-2025") is None


def test_long_plan_facts_are_refused_with_a_message(plan):
    with pytest.raises(ValidationError) as error:
        structure.new_plan(source=None, key="k" * 75, title="T", year="2025", agreement="Ökad tillgänglighet",
                           registry_number="RS" * 31)
    assert error.value.errors["key"] == "Nyckeln får ha högst 60 tecken; den har 75."
    assert error.value.errors["registry_number"].startswith("Diarienumret får ha högst 40 tecken")


def test_factors_can_be_moved_after_one_was_deleted(make_plan):
    plan = make_plan(factors=3)
    structure.delete_factor(plan.factors[0])
    new = structure.create_factor(plan, title="Digital Vårdcentral inom primärvård", area_id=plan.areas[0].id)
    db.session.commit()
    assert structure.move_factor(new, -1)
    db.session.commit()
    assert [f.title for f in services.load_factors(plan, fresh=True)][-2] == "Digital Vårdcentral inom primärvård"


def test_the_overdue_filter_with_a_division_uses_its_own_status(make_plan, login, make_user, divisions):
    plan = make_plan(actions=[
        {"title": "Båda pågår", "due_date": date(2024, 1, 31), "statuses": {"HS": Status.IN_PROGRESS,
                                                                           "NSV": Status.IN_PROGRESS}},
        {"title": "Sjukhuset klart", "due_date": date(2024, 1, 31), "statuses": {"HS": Status.DONE,
                                                                                "NSV": Status.IN_PROGRESS}},
    ])
    page = login(make_user()).get(f"/planer/{plan.key}?division={divisions['HS'].id}&status=overdue")
    text = page.get_data(as_text=True)
    assert "Båda pågår" in text and "Sjukhuset klart" not in text
    figures = followup.dashboard(plan, date(2024, 8, 1), 90)
    hs = next(f for f in figures["divisions"] if f.division.short_name == "HS")
    assert hs.overdue == 1


def test_a_huge_id_is_not_found(login, make_user):
    client = login(make_user())
    assert client.get("/status/99999999999999999999").status_code == 404


def test_editing_the_new_plans_facts_in_the_preview_is_no_conflict(divisions):
    data = plan_workbook([[None, None, "Lean", "Utbilda processledare", None, None, None, None, None, None,
                           "Regionkontoret", "Pågående"]])
    first = preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2025")
    again = preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2025", title="Annan titel")
    assert first.fingerprint == again.fingerprint


@pytest.mark.parametrize("path", ["/status/2147483648", "/historik/99999999999999999999/aterstall"])
def test_ids_beyond_an_integer_column_are_not_found(login, make_user, path):
    client = login(make_user(Role.STRATEGIST))
    response = client.post(path) if "aterstall" in path else client.get(path)
    assert response.status_code == 404


def test_a_huge_id_in_a_filter_is_ignored(make_plan, login, make_user):
    plan = make_plan()
    page = login(make_user()).get(f"/planer/{plan.key}/historik?atgard=99999999999999999999&sida=99999999999999")
    assert page.status_code == 200


def test_a_failed_save_gives_the_swedish_error_page_and_writes_nothing(app, client, login, make_user, make_plan,
                                                                       divisions, htmx_headers, monkeypatch):
    """A database error in the middle of a save: the transaction is rolled back before the page is drawn."""
    from tracker.plans import views
    from tracker.users.models import Division

    make_plan(actions=[{"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]}])
    status = db.session.scalars(sa.select(DivisionStatus)).one()
    contact = make_user(role=Role.DIVISION_CONTACT, division="PH")

    def failing_update(division_status, user, **form):
        division_status.comment = "halvt sparad"
        db.session.add(Division(name=divisions["PH"].name))  # breaks a unique constraint at flush
        db.session.flush()

    monkeypatch.setattr(views.followup, "update_status", failing_update)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login(contact)
    response = client.post(f"/status/{status.id}", data={"status": "Pågående", "comment": "x", "version": 1})
    assert response.status_code == 500
    assert "Ett oväntat fel uppstod" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DivisionStatus, status.id).comment is None


@pytest.mark.parametrize("number", ["²", "99999999999999999999"])
def test_numbers_no_row_can_have_are_field_errors_not_server_errors(number, client, login, make_user, make_plan):
    """`"²".isdigit()` is true but int() refuses it; a 20-digit id fits no column."""
    plan = make_plan()
    factor = plan.factors[0]
    contact = make_user(role=Role.DIVISION_CONTACT, division="HS")
    status = db.session.scalars(sa.select(DivisionStatus).where(DivisionStatus.division_id == contact.division_id)
                                ).first()
    login(make_user(Role.STRATEGIST))
    posts = [
        ("/planer/ny", {"key": "ny-plan-2030", "title": "Ny plan", "year": number, "agreement": "God och nära vård"}),
        (f"/planer/{plan.key}/atgarder", {"factor_id": factor.id, "title": "Ny åtgärd", "divisions": [number]}),
        (f"/planer/{plan.key}/faktorer", {"title": "Ny faktor", "area_id": number}),
        (f"/planer/{plan.key}/indikatorer", {"name": "Väntetid", "factor_id": number}),
        (f"/planer/{plan.key}/indikatorer", {"name": "Väntetid", "division_id": number}),
    ]
    before = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
    for url, data in posts:
        assert client.post(url, data=data).status_code == 400, url
    assert client.get(f"/planer/{plan.key}/jamfor?fran={number}").status_code == 400
    login(contact)
    response = client.post(f"/status/{status.id}", data={"status": "Pågående", "version": number})
    assert response.status_code == 400
    assert "versionsnummer" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(HistoryEntry.id))) == before
