
import pytest
import sqlalchemy as sa

from tests.factories import form_seen
from tests.factories import snapshot
from tests.xlsx.helpers import edit, plan_workbook, preview_form, upload
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import Role
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.versions.models import Export


@pytest.fixture
def strateg(login, make_user):
    user = make_user(Role.STRATEGIST, name="Maria Strand")
    login(user)
    return user


def upload_edited(client, make_plan, tmp_path, cell: tuple[str, str, str]):
    """A one-åtgärd plan, its workbook with one cell (sheet, cell, value) changed, uploaded for preview."""
    plan = make_plan(actions=[{}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    sheet, address, value = cell
    data = edit(data, lambda wb: wb[sheet].__setitem__(address, value))
    return plan, preview_form(upload(client, data, plan=plan.key).get_data(as_text=True))


def test_export_downloads_the_workbook_and_lists_it_on_the_plan_page(client, strateg, make_plan, app):
    plan = make_plan()
    response = client.post(f"/planer/{plan.key}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record = db.session.scalar(sa.select(Export))
    assert f'filename={record.file_name}' in response.headers["Content-Disposition"]
    assert record.content == response.data
    page = client.get(f"/planer/{plan.key}").get_data(as_text=True)
    assert record.file_name in page and "Maria Strand" in page and record.sha256[:12] in page
    assert client.get(f"/exporter/{record.id}").data == response.data

    seen = form_seen(client, f"/planer/{plan.key}", f"/exporter/{record.id}/skickad")
    assert client.post(f"/exporter/{record.id}/skickad", data={"seen": seen}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Export, record.id).sent_by_id == strateg.id
    assert "Skickad" in client.get(f"/planer/{plan.key}").get_data(as_text=True)


def test_readers_see_no_export_controls(client, login, make_user, make_plan):
    plan = make_plan()
    page = login(make_user()).get(f"/planer/{plan.key}").get_data(as_text=True)
    assert "Exportera till Excel" not in page
    assert client.get("/import").status_code == 403


def test_upload_preview_and_confirm(client, strateg, make_plan, tmp_path):
    plan = make_plan(actions=[{}, {}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    data = edit(data, lambda wb: wb["Handlingsplan"].__setitem__("J6", "Regiondirektör"))
    before = snapshot()
    response = upload(client, data, plan=plan.key)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 nya, 1 ändrad, 1 oförändrad" in page
    assert "Ansvarig:</strong> Verksamhetschef, Hallands sjukhus → Regiondirektör" in page
    assert snapshot() == before  # nothing written by the preview

    token, fingerprint = preview_form(page)
    response = client.post(f"/import/{token}", data={"fingerprint": fingerprint})
    assert response.status_code == 302 and response.headers["Location"] == f"/planer/{plan.key}"
    db.session.expire_all()
    assert plans.get_plan(plan.key).factors[0].actions[0].owner == "Regiondirektör"
    assert client.post(f"/import/{token}", data={"fingerprint": fingerprint}).status_code == 404


def test_a_plan_changed_since_the_preview_is_shown_again(client, strateg, make_plan, tmp_path):
    plan, (token, fingerprint) = upload_edited(client, make_plan, tmp_path, ("Handlingsplan", "J6", "Regiondirektör"))
    plan.factors[0].actions[0].owner = "Någon annan"
    db.session.commit()
    response = client.post(f"/import/{token}", data={"fingerprint": fingerprint})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon har sparat en rad som filen ändrar sedan förhandsgranskningen, och inget från filen har sparats: " \
           "FF01-A01 ”Gemensamma väntelistor inom lungsjukvård och ögonsjukvård”: Testdata " in page


def test_a_file_with_problems_shows_them_all_and_offers_no_confirm(client, strateg, make_plan, tmp_path):
    plan = make_plan(actions=[{}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def break_it(wb):
        wb["Handlingsplan"]["L6"] = "Klar"
        wb["Handlingsplan"]["I6"] = "2024-02-30"
        wb["Status per förvaltning"]["C2"] = "Tandvården"

    response = upload(client, edit(data, break_it), plan=plan.key)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Filen har 3 fel – inget har sparats" in page
    assert "”2024-02-30” är inget giltigt datum" in page and "Okänd förvaltning ”Tandvården”" in page
    assert "Spara importen" not in page


def test_not_a_workbook_is_400_on_the_form(client, strateg):
    response = upload(client, b"ID;Atgard\n1;Test\n")
    assert response.status_code == 400
    assert "textfil (till exempel CSV)" in response.get_data(as_text=True)


def test_no_file_chosen(client, strateg):
    response = client.post("/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Välj en Excel-fil (.xlsx) att importera." in response.get_data(as_text=True)


def test_someone_elses_upload_cannot_be_confirmed(client, login, make_user, make_plan, tmp_path):
    plan = make_plan(actions=[{}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = upload(client, edit(data, lambda wb: wb["Handlingsplan"].__setitem__("J6", "X")), plan=plan.key)
    token = page.get_data(as_text=True).split('action="/import/')[1].split('"')[0]
    login(make_user(Role.DIRECTOR))
    assert client.post(f"/import/{token}", data={"fingerprint": "x"}).status_code == 403


@pytest.mark.parametrize("year", ["²", "1" * 20, "1999", "20 25"])
def test_a_year_that_is_no_year_is_a_field_error_on_upload(client, strateg, make_plan, tmp_path, year):
    plan = make_plan()
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    response = upload(client, data, new_key="tillganglighet-2030", year=year)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "är inget år. Ange året med fyra siffror mellan 2000 och 2100" in page
    assert 'id="new-year" name="year"' in page and 'aria-describedby="new-year-error"' in page


def test_a_year_that_is_no_year_is_a_field_error_on_confirm(client, strateg, divisions, tmp_path):
    plan_file = plan_workbook([["", None, "Ramavtal med externa vårdgivare", "Teckna ramavtal", None, None, None,
                                None, None, None, "Regionkontoret", "Pågående", None, None]])
    page = upload(client, plan_file, new_key="tillganglighet-2030").get_data(as_text=True)
    token, fingerprint = preview_form(page)
    response = client.post(f"/import/{token}", data={"fingerprint": fingerprint, "year": "²"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "”²” är inget år" in page and 'aria-describedby="year-error"' in page
    assert plans.get_plan("tillganglighet-2030") is None


def test_a_status_saved_by_someone_else_while_confirming_is_a_409_with_the_preview(
        client, strateg, make_plan, tmp_path, monkeypatch):
    from tracker.plans.models import DivisionStatus

    plan, (token, fingerprint) = upload_edited(client, make_plan, tmp_path, ("Status per förvaltning", "D2", "Genomförd"))
    before = snapshot()
    from tracker.xlsx import views

    original = apply_import

    def someone_saves_first(preview, user, **kwargs):
        # A contact's save lands after the confirm's preview has read the statuses: the version moves on.
        db.session.execute(sa.update(DivisionStatus).values(version_id=DivisionStatus.version_id + 1)
                           .execution_options(synchronize_session=False))
        return original(preview, user, **kwargs)

    monkeypatch.setattr(views, "apply_import", someone_saves_first)
    response = client.post(f"/import/{token}", data={"fingerprint": fingerprint})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon har sparat en rad som filen ändrar sedan förhandsgranskningen, och inget från filen har sparats: " \
           "FF01-A01 ”Gemensamma väntelistor inom lungsjukvård och ögonsjukvård”, Hallands sjukhus: " in page
    assert "Status, Hallands sjukhus" in page and 'name="fingerprint"' in page  # the preview, again
    assert snapshot() == before


def test_the_preview_shows_a_new_actions_framgangsfaktor_divisions_and_dates(client, strateg, make_plan, tmp_path):
    plan = make_plan(actions=[{}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    factor = plan.factors[0].title

    def add_row(wb):
        wb["Handlingsplan"].append([None, None, factor, "Upphandla ramavtal för hyrläkare", None, None, "Kort sikt",
                                    "2025-01-15", "2025-06-30", None, "Hallands sjukhus; Närsjukvården",
                                    "Ej påbörjad"])

    page = upload(client, edit(data, add_row), plan=plan.key).get_data(as_text=True)
    new = page.split('<tr class="change-new">')[1].split("</tr>")[0]
    assert "Upphandla ramavtal för hyrläkare" in new
    shown = [item.replace("<strong>", "").replace("</strong>", "")
             for item in new.split("<li>")[1:]]
    assert [item.split("</li>")[0] for item in shown] == [
        f"Insatsområde: {plan.factors[0].area.heading}", f"Framgångsfaktor: {factor}", "Ansvariga förvaltningar: Hallands sjukhus; Närsjukvården",
        "Start: 2025-01-15", "Klart senast: 2025-06-30", "Tidshorisont: Kort sikt"]


def test_an_open_rounds_export_waits_until_it_is_closed(client, strateg, make_plan):
    from datetime import date, timedelta

    from tracker.followup import rounds

    plan = make_plan(actions=[{}])
    round_ = rounds.open_round(plan, strateg, title="Delår", deadline=str(date.today() + timedelta(days=7)),
                               today=date.today())
    db.session.commit()
    response = client.post(f"/omgangar/{round_.id}/export")
    assert response.status_code == 409
    assert "stäng den först" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Export.id))) == 0
    rounds.close_round(round_, strateg)
    db.session.commit()
    response = client.post(f"/omgangar/{round_.id}/export")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Export)).content == response.data
