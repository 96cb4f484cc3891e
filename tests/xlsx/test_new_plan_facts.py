"""A new plan's facts from the file or the preview's form."""

import pytest

from tests.xlsx.helpers import MAX_BYTES, plan_workbook
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.plans import services
from tracker.xlsx.apply import apply_import
from tracker.xlsx.preview import preview_import


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
    with pytest.raises(ValidationError, match="”99999” är inget år"):
        apply_import(preview, None, new_plan={"year": 99999})
    db.session.rollback()
    assert services.get_plan("tillganglighet-2025") is None


def test_editing_the_new_plans_facts_in_the_preview_is_no_conflict(divisions):
    data = plan_workbook([[None, None, "Lean", "Utbilda processledare", None, None, None, None, None, None,
                           "Regionkontoret", "Pågående"]])
    first = preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2025")
    again = preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2025", title="Annan titel")
    assert first.fingerprint == again.fingerprint
