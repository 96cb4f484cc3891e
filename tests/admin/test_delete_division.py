"""Deleting a förvaltning: only one that nothing refers to."""

import pytest

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import Indicator
from tracker.admin.services import delete_division


def test_a_division_reporting_an_indicator_is_not_deleted(divisions, make_plan):
    plan = make_plan()
    regionservice = divisions["RK"]
    db.session.add(Indicator(plan_id=plan.id, name="Andel besvarade samtal", division_id=regionservice.id))
    db.session.commit()
    with pytest.raises(ValidationError, match="registrerar utfall för 1 indikator"):
        delete_division(regionservice)


def test_a_division_asked_for_report_contributions_is_not_deleted(divisions):
    from tests.reports.helpers import create_report

    create_report()
    with pytest.raises(ValidationError, match=r"ombeds bidra till \d+ frågor i redovisningar"):
        delete_division(divisions["RK"])
