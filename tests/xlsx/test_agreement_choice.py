"""A new plan's agreement on import is one there is: the workbook's text matched however it is spelt, or chosen in
the preview (a select) or with --agreement; a text that names none is said at the field with the agreements to
choose from, and no agreement is created."""

import io

import sqlalchemy as sa
from flask import current_app

from tests.factories import snapshot
from tests.xlsx.helpers import MAX_BYTES, edit
from tracker.agreements.models import Agreement
from tracker.agreements.services import find_agreement
from tracker.extensions import db
from tracker.plans import services
from tracker.vocabulary import Role
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import


def _workbook_of_a_new_plan(plan, agreement_text: str) -> bytes:
    """The plan's workbook, as a new plan's (another key) of an agreement the file spells `agreement_text`."""
    _, data = export_plan(plan, None, current_app.config["EXPORT_DIR"])
    db.session.rollback()

    def change(wb):
        sheet = wb["Instruktion"]
        for row in sheet.iter_rows():
            if row[0].value == "Överenskommelse":
                row[1].value = agreement_text
            if row[0].value == "Planens nyckel":
                row[1].value = "tillganglighet-2030"
            if row[0].value == "År":
                row[1].value = 2030
    return edit(data, change)


def _agreements() -> int:
    return db.session.scalar(sa.select(sa.func.count(Agreement.id)))


def test_the_workbooks_text_finds_the_agreement_however_spelt(make_plan):
    preview = preview_import(_workbook_of_a_new_plan(make_plan(), "ÖKAD  tillgänglighet"), max_bytes=MAX_BYTES)
    assert preview.new_plan["agreement_id"] == find_agreement("Ökad tillgänglighet").id
    assert preview.agreement_error is None


def test_an_unknown_agreement_is_said_at_the_field_and_chosen_in_the_preview(make_plan, login, make_user):
    data = _workbook_of_a_new_plan(make_plan(), "Ökad tillgänglighet och kömiljard")
    client = login(make_user(Role.STRATEGIST))
    count = _agreements()
    page = client.post("/import", data={"file": (io.BytesIO(data), "bilaga.xlsx")})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<select id="agreement" name="agreement" required aria-invalid="true"' in body
    assert ("Överenskommelsen ”Ökad tillgänglighet och kömiljard” finns inte. Välj en av: God och nära vård, "
            "Ökad tillgänglighet.") in body
    token = body.split('action="/import/')[1].split('"')[0]
    fingerprint = body.split('name="fingerprint" value="')[1].split('"')[0]

    unchosen = client.post(f"/import/{token}", data={"fingerprint": fingerprint, "agreement": ""})
    assert unchosen.status_code == 400 and services.get_plan("tillganglighet-2030") is None
    gonv = find_agreement("God och nära vård")
    done = client.post(f"/import/{token}", data={"fingerprint": fingerprint, "agreement": gonv.id})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    plan = services.get_plan("tillganglighet-2030")
    assert plan.agreement == gonv and plan.agreement_year.year == 2030
    assert _agreements() == count  # the import made no agreement


def test_the_command_line_refuses_an_unknown_agreement_and_takes_one_given(app, make_plan, tmp_path):
    path = tmp_path / "bilaga.xlsx"
    path.write_bytes(_workbook_of_a_new_plan(make_plan(), "Kömiljarden"))
    before = snapshot()
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 2
    assert "Överenskommelsen ”Kömiljarden” finns inte. Välj en av: God och nära vård, Ökad tillgänglighet." \
        in result.output and "--agreement" in result.output
    db.session.expire_all()
    assert snapshot() == before
    result = app.test_cli_runner().invoke(args=["import", str(path), "--agreement", "god och nära vård"])
    assert result.exit_code == 0, result.output
    assert services.get_plan("tillganglighet-2030").agreement.name == "God och nära vård"
