
from tests.factories import snapshot
from tests.xlsx.helpers import edit, plan_workbook, run
import sqlalchemy as sa

from tracker.extensions import db
from tracker.versions.models import Export
from tracker.plans import services as plans


def test_export_writes_the_file_and_keeps_it(app, make_plan, tmp_path):
    plan = make_plan()
    out = tmp_path / "bilaga.xlsx"
    result = run(app, "export", plan.key, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert "SHA-256" in result.output
    (kept,) = db.session.scalars(sa.select(Export).where(Export.plan_id == plan.id))
    assert kept.content == out.read_bytes() and kept.file_name.startswith(f"{plan.key}_utkast-v1_")


def test_export_of_an_unknown_plan_or_version(app, make_plan):
    assert "Det finns ingen plan med nyckeln saknas-2020" in run(app, "export", "saknas-2020").output
    plan = make_plan()
    result = run(app, "export", plan.key, "--version", 2)
    assert result.exit_code == 2 and "har ingen fastställd version 2. Fastställda versioner: inga ännu." in result.output


def test_dry_run_of_a_clean_file_prints_the_summary_and_writes_nothing(app, make_plan, tmp_path):
    plan = make_plan(actions=[{}, {}])
    out = tmp_path / "bilaga.xlsx"
    run(app, "export", plan.key, "-o", out)
    db.session.commit()
    assert run(app, "import", out, "--dry-run").output.splitlines()[-2:] == ["Inga ändringar",
                                                                            "Provkörning: inget har sparats."]
    out.write_bytes(edit(out.read_bytes(), lambda wb: wb["Handlingsplan"].__setitem__("J6", "Regiondirektör")))
    before = snapshot()
    result = run(app, "import", out, "--plan", plan.key, "--dry-run")
    assert result.exit_code == 0
    assert "    Ansvarig: Verksamhetschef, Hallands sjukhus → Regiondirektör" in result.output
    assert "0 nya, 1 ändrad, 1 oförändrad" in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_import_creates_a_new_plan_and_says_what_it_assumed(app, divisions, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_workbook([[None, None, "Lean som verksamhetsstrategi", "Utbilda processledare", None, None,
                                     "Lång sikt", None, None, None, "Regionkontoret", "Pågående"]]))
    result = run(app, "import", path, "--plan", "gonv-2025", "--title", "God och nära vård 2025")
    assert result.exit_code == 0, result.output
    assert "Antagande: Överenskommelse anges inte; antar ”God och nära vård”." in result.output
    assert "Antagande: År anges inte; antar 2025 utifrån nyckeln." in result.output
    assert "1 ny, 0 ändrade, 0 oförändrade" in result.output
    plan = plans.get_plan("gonv-2025")
    assert plan.title == "God och nära vård 2025" and plan.factors[0].actions[0].statuses[0].updated_by_name


def test_a_file_with_problems_exits_2_with_the_messages_and_writes_nothing(app, divisions, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_workbook([[None, None, "Lean", "Utbilda", None, None, "Ibland", None, "2025-13-01", None,
                                     "Tandvården", "Klar"]]))
    before = snapshot()
    result = run(app, "import", path, "--plan", "tillganglighet-2025")
    assert result.exit_code == 2
    assert "Fel: Handlingsplan, rad 6, kolumn G (Tidshorisont): ”Ibland” är inget giltigt värde." in result.output
    assert "kolumn I (Klart senast): ”2025-13-01” är inget giltigt datum" in result.output
    assert "Okänd förvaltning ”Tandvården”" in result.output and "”Klar” är inget giltigt värde" in result.output
    assert "Inget har sparats." in result.output
    assert snapshot() == before


def test_a_file_that_is_no_workbook_exits_2(app, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("ID;Åtgärd\n")
    result = run(app, "import", path, "--plan", "tillganglighet-2025")
    assert result.exit_code == 2 and "textfil (till exempel CSV)" in result.output
