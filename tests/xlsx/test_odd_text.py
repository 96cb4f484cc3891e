"""Text pasted from older systems (escape, NUL, vertical tab) and texts longer than any cell: one rule for every
service that stores free text — control characters other than tab and line breaks are refused with a message
naming the field, and each text has a limit that the form, the import and the command line share. What was
stored before the rule never stops an export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.xlsx.helpers import edit
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import indicators as followup
from tracker.followup.models import Indicator, IndicatorValue
from tracker.plans import services as plans
from tracker.plans import structure
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import Problem

ESC, NUL, SOH, VT = "\x1b", "\x00", "\x01", "\x0b"


def test_a_status_comment_with_a_control_character_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        plans.validate_status_input("Pågående", f"Klart{ESC}[0m enligt plan")
    assert refused.value.errors == {"comment": "Kommentaren innehåller ett osynligt styrtecken (U+001B) som inte kan "
                                               "sparas; ta bort det, t.ex. genom att skriva om texten runt det. Inget "
                                               "är sparat."}
    # Word's soft line break is a line break, and a tab is text
    assert plans.validate_status_input("Pågående", f"Rad ett{VT}rad två\tmed tabb")[1] == "Rad ett\nrad två\tmed tabb"


@pytest.mark.parametrize(("field", "label"), [("description", "Beskrivningen"),
                                              ("expected_result", "Mål/förväntat resultat"), ("owner", "Ansvarig")])
def test_an_actions_texts_refuse_control_characters_and_have_limits(field, label):
    _, errors = structure.action_errors(title="Mobil röntgen", **{field: f"Ansvarig{NUL}enhet"})
    assert errors[field].startswith(f"{label} innehåller ett osynligt styrtecken (U+0000)")
    limit = structure.OWNER_MAX if field == "owner" else structure.TEXT_MAX
    _, errors = structure.action_errors(title="Mobil röntgen", **{field: "x" * (limit + 1)})
    assert errors[field] == f"{label} får vara högst {limit} tecken; texten har {limit + 1}. Inget är sparat."
    values, errors = structure.action_errors(title="Mobil röntgen", **{field: "x" * limit})
    assert field not in errors and len(values[field]) == limit


def test_framgangsfaktor_and_insatsomrade_texts_follow_the_same_rule():
    with pytest.raises(ValidationError) as refused:
        structure.check_factor(title="Lean som verksamhetsstrategi", description=f"Se{ESC} bilaga")
    assert "Beskrivningen innehåller ett osynligt styrtecken (U+001B)" in refused.value.errors["description"]
    with pytest.raises(ValidationError) as refused:
        structure.check_area(title="Regionala handlingsplaner", code=f"3.6{NUL}")
    assert "Koden innehåller ett osynligt styrtecken (U+0000)" in refused.value.errors["code"]


def test_an_outcome_comment_and_an_indicators_texts_follow_the_same_rule(make_plan):
    from datetime import date

    plan = make_plan()
    indicator = Indicator(name="Andel besvarade samtal dag 0", unit="procent", target=95)
    plan.indicators.append(indicator)
    db.session.flush()
    with pytest.raises(ValidationError) as refused:
        followup.record_value(indicator, period="2024-05", value="91", comment=f"Ny{ESC}mätning", today=date(2024, 6, 1))
    assert "Kommentaren innehåller ett osynligt styrtecken (U+001B)" in refused.value.errors["comment"]
    with pytest.raises(ValidationError) as refused:
        followup.check_indicator(plan, name=f"Andel{NUL} samtal", unit="procent")
    assert "Namnet innehåller ett osynligt styrtecken (U+0000)" in refused.value.errors["name"]


def test_odd_text_stored_before_the_rule_is_exported_without_it_and_the_cli_exports_too(app, make_plan, tmp_path):
    plan = make_plan()
    action = plan.factors[0].actions[0]
    status = action.statuses[0]
    # Stored the old way, past the services' rule, as earlier versions of the app let it in (NUL too, where the
    # database takes it: PostgreSQL refuses it in any text).
    nul = NUL if db.engine.dialect.name == "sqlite" else SOH
    action.description = f"Gemensamma väntelistor{ESC}[1m{nul} inom lungsjukvård{VT}och ögonsjukvård"
    status.comment = f"Pågår{ESC} enligt plan"
    plan.indicators.append(Indicator(name="Andel besvarade samtal dag 0", unit="procent", target=95,
                                     values=[IndicatorValue(period="2024-05", value=91, comment=f"Ny{nul}mätning")]))
    db.session.commit()

    _, data = export_plan(plan, None)
    wb = load_workbook(BytesIO(data))
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Gemensamma väntelistor[1m inom lungsjukvård\noch ögonsjukvård" in cells
    assert "Pågår enligt plan" in " ".join(cells) and "Nymätning" in cells
    assert not any(ch in cell for cell in cells for ch in (ESC, NUL, SOH, VT))

    out = tmp_path / "bilaga.xlsx"
    result = app.test_cli_runner().invoke(args=["export", plan.key, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"


def test_a_description_over_the_limit_in_a_file_is_a_problem_at_its_cell(make_plan):
    plan = make_plan()
    _, data = export_plan(plan, None)
    db.session.commit()
    changed = edit(data, lambda wb: wb["Handlingsplan"].__setitem__("E6", "x" * (structure.TEXT_MAX + 1)))
    preview = preview_import(changed, max_bytes=10 * 1024 * 1024, plan_key=plan.key)
    assert Problem("Handlingsplan", 6, "E (Beskrivning)",
                   f"Beskrivningen får vara högst {structure.TEXT_MAX} tecken; texten har {structure.TEXT_MAX + 1}. "
                   "Inget är sparat.") in preview.problems
