from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import form_seen
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import dashboard, indicators, rounds
from tracker.followup.charts import stacked, trend
from tracker.history.models import HistoryEntry
from tracker.followup.models import Indicator, IndicatorValue
from tracker.vocabulary import Direction, Role, Status

TODAY = date(2024, 8, 20)


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [(95.0, 95, Direction.AT_LEAST, True), (94.9, 95, Direction.AT_LEAST, False),
     (12, 10, Direction.AT_MOST, False), (10, 10, Direction.AT_MOST, True),
     (80, None, Direction.AT_LEAST, None), (None, 75, Direction.AT_LEAST, None), (76, 75, None, True)],
)
def test_target_evaluation_in_both_directions(value, target, direction, expected):
    assert indicators.meets_target(value, target, direction) is expected


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH", "HS"],
         "statuses": {"PH": Status.IN_PROGRESS}},
        {"title": "En väg in för barn och unga med psykisk ohälsa", "divisions": ["PH"]},
    ])


@pytest.fixture
def indicator(plan, divisions):
    indicator = Indicator(plan_id=plan.id, area="BUP", name="Andel genomförda första besök inom 30 dagar vid BUP",
                          target=75, unit="procent", direction=Direction.AT_LEAST, division_id=divisions["PH"].id)
    db.session.add(indicator)
    db.session.commit()
    return indicator


def test_values_are_checked_every_way(indicator):
    indicators.record_value(indicator, period="2024-06", value="78,5", comment=None, today=TODAY)
    with pytest.raises(ValidationError) as error:
        indicators.record_value(indicator, period="2024-06", value="sjuttio", comment="x" * 1001, today=TODAY)
    assert error.value.errors == {
        "period": "Det finns redan ett utfall för 2024-06 (78,5). Varje period har ett utfall: ta bort det under "
                  "”Alla utfall” om det ska rättas.",
        "value": "”sjuttio” är inget tal. Ange utfallet som ett tal, t.ex. 87,5.",
        "comment": "Kommentaren får vara högst 1000 tecken; texten har 1001. Inget är sparat.",
    }
    with pytest.raises(ValidationError, match="Perioden 2024-09 har inte börjat ännu"):
        indicators.record_value(indicator, period="2024-09", value="80", comment=None, today=TODAY)
    with pytest.raises(ValidationError, match="Ange perioden som ÅÅÅÅ-MM"):
        indicators.record_value(indicator, period="juni", value="80", comment=None, today=TODAY)
    for share in ("-5", "100,5"):  # the unit is procent
        with pytest.raises(ValidationError, match="ingen andel: ett utfall i procent ligger mellan 0 och 100"):
            indicators.record_value(indicator, period="2024-05", value=share, comment=None, today=TODAY)


def test_a_mistyped_outcome_is_removed_and_entered_again(plan, indicator, login, make_user):
    indicators.record_value(indicator, period="2024-06", value="7,85", comment=None, today=TODAY)
    db.session.commit()
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    page = client.get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    [value_id] = db.session.scalars(sa.select(IndicatorValue.id)).all()
    assert f'action="/utfall/{value_id}/ta-bort"' in page and "Ta bort<span class=\"visually-hidden\"> utfallet för 2024-06" in page
    assert client.post(f"/utfall/{value_id}/ta-bort").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == 0
    removal = db.session.scalars(sa.select(HistoryEntry).order_by(HistoryEntry.id.desc())).first()
    assert removal.summary == f"tog bort utfall för ”{indicator.name}” (2024-06)"
    assert client.post(f"/indikatorer/{indicator.id}/utfall", data={"period": "2024-06", "value": "78,5"}
                       ).status_code == 302
    assert db.session.scalars(sa.select(IndicatorValue.value)).all() == [78.5]


def test_latest_value_against_target_and_the_trend(plan, indicator):
    for period, value in (("2024-04", "71"), ("2024-05", "74,0"), ("2024-06", "77 %")):
        indicators.record_value(indicator, period=period, value=value, comment=None, today=TODAY)
    db.session.commit()
    [view] = indicators.indicator_views(plan)
    assert (view.latest.period, view.latest.value, view.met) == ("2024-06", 77.0, True)
    chart = trend([v.value for v in view.values], indicator.target)
    assert len(chart.dots) == 3 and chart.target_y is not None
    assert chart.dots[0][1] > chart.dots[-1][1]  # higher values are drawn higher up


def test_who_may_enter_values(indicator, make_user):
    assert indicators.can_enter_values(make_user(Role.DIVISION_CONTACT, "PH"), indicator)
    assert not indicators.can_enter_values(make_user(Role.DIVISION_CONTACT, "HS"), indicator)
    assert indicators.can_enter_values(make_user(Role.STRATEGIST), indicator)
    assert not indicators.can_enter_values(make_user(Role.READER), indicator)


def test_indicators_page_says_met_or_not_in_words(plan, indicator, login, make_user):
    indicators.record_value(indicator, period="2024-06", value="70", comment=None, today=TODAY)
    db.session.commit()
    page = login(make_user()).get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    assert "✗ når inte målvärdet" in page and "<strong>70 procent</strong>" in page
    assert "<title id=\"trend-" in page and "Senaste utfall 2024-06: 70 procent; målvärde ≥ 75 procent." in page
    assert "Registrera utfall" not in page  # a reader enters nothing


def test_a_bad_value_over_the_web_is_400_next_to_the_field(plan, indicator, login, make_user):
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    response = client.post(f"/indikatorer/{indicator.id}/utfall", data={"period": "2024-06", "value": "mycket"})
    assert response.status_code == 400
    assert f'id="value-{indicator.id}-value-error">”mycket” är inget tal.' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == 0


def test_round_progress_confirmations_and_snapshot(plan, make_user, login, htmx_headers):
    strateg = make_user(Role.STRATEGIST)
    round_ = rounds.open_round(plan, strateg, title="Delårsuppföljning 2024", deadline="2024-09-15", today=TODAY)
    db.session.commit()
    with pytest.raises(ValidationError, match="är redan öppen"):
        rounds.open_round(plan, strateg, title="En till", deadline="2024-09-30", today=TODAY)
    db.session.rollback()
    counts = {p.division.short_name: (p.confirmed, p.left) for p in rounds.progress(round_)}
    assert counts == {"HS": (0, 1), "PH": (0, 2)}

    contact = make_user(Role.DIVISION_CONTACT, "PH")
    first, second = plan.factors[0].actions
    ph_first = next(s for s in first.statuses if s.division.short_name == "PH")
    ph_second = second.statuses[0]
    client = login(contact)
    response = client.post(f"/omgangar/{round_.id}/bekrafta/{ph_first.id}", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert "✓ Bekräftad i Delårsuppföljning 2024" in page and "1 av 2 kvar att bekräfta" in page
    client.post(f"/status/{ph_second.id}", data={"status": "done", "version": ph_second.version_id},
                headers=htmx_headers)  # an update confirms too
    counts = {p.division.short_name: (p.confirmed, p.left) for p in rounds.progress(round_)}
    assert counts == {"HS": (0, 1), "PH": (2, 0)}
    # a contact confirms only their own förvaltning
    hs_first = next(s for s in first.statuses if s.division.short_name == "HS")
    assert client.post(f"/omgangar/{round_.id}/bekrafta/{hs_first.id}").status_code == 403

    rounds.close_round(round_, strateg)
    db.session.commit()
    rows = {(r["ref"], r["division"]): (r["status"], r["confirmed"]) for r in round_.snapshot}
    assert rows == {("FF01-A01", "Hallands sjukhus"): ("not_started", False),
                    ("FF01-A01", "Psykiatri Halland"): ("in_progress", True),
                    ("FF01-A02", "Psykiatri Halland"): ("done", True)}
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.kind == "round")).all()
    assert "bekräftade att status för ”Tillgänglighetskoordinatorer på varje BUP-enhet” (Psykiatri Halland) är " \
           "oförändrad: Pågående" in summaries
    assert "stängde uppföljningsomgången ”Delårsuppföljning 2024” (1 obekräftade)" in summaries

    # the next round compares with this one
    nxt = rounds.open_round(plan, strateg, title="Årsredovisning 2024", deadline="2025-01-31", today=TODAY)
    hs_first.status = Status.IN_PROGRESS
    db.session.commit()
    rounds.close_round(nxt, strateg)
    db.session.commit()
    differences = rounds.compare_rounds(round_, nxt)
    assert [(d.ref, d.division, d.before, d.after) for d in differences] == [
        ("FF01-A01", "Hallands sjukhus", "Ej påbörjad", "Pågående")]
    page = login(strateg).get(f"/omgangar/{nxt.id}").get_data(as_text=True)
    assert "Jämfört med ”Delårsuppföljning 2024”: 1 ändrad status" in page


def test_dashboard_counts_link_to_the_filtered_list(plan, login, make_user, divisions):
    page = login(make_user(Role.DIRECTOR)).get(f"/planer/{plan.key}/oversikt").get_data(as_text=True)
    assert f'/planer/{plan.key}?division={divisions["PH"].id}&amp;status=in_progress' in page or \
           f'/planer/{plan.key}?status=in_progress&amp;division={divisions["PH"].id}' in page
    assert "<title id=\"bar-" in page and "1 pågående, 1 ej påbörjad" in page


def test_stacked_bar_keeps_a_fixed_order():
    from collections import Counter

    segments = stacked(Counter({Status.NOT_STARTED: 1, Status.DONE: 3}), width=400)
    assert [(s.status, s.count, s.x, s.width) for s in segments] == [(Status.DONE, 3, 0.0, 300.0),
                                                                     (Status.NOT_STARTED, 1, 300.0, 100.0)]


def test_strateg_adds_changes_and_removes_an_indicator(plan, login, make_user):
    client = login(make_user(Role.STRATEGIST))
    response = client.post(f"/planer/{plan.key}/indikatorer", data={"name": " ", "target": "många", "direction": "="})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="indicator-new-name-error">Ange indikatorns namn.</p>' in page
    assert "”många” är inget tal. Ange målvärdet som ett tal, t.ex. 95." in page
    assert "Välj ≥ (minst målvärdet) eller ≤ (högst målvärdet)." in page
    response = client.post(f"/planer/{plan.key}/indikatorer", data={
        "name": "Närsjukvård andel besvarade samtal dag 0", "area": "Primärvård", "target": "95", "direction": "≥",
        "unit": "procent", "frequency": "month", "factor_id": plan.factors[0].id})
    assert response.status_code == 302
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.name.like("Närsjukvård%")))
    assert (indicator.target, indicator.direction, indicator.factor_id) == (95, Direction.AT_LEAST, plan.factors[0].id)
    client.post(f"/indikatorer/{indicator.id}", data={"name": indicator.name, "target": "90", "direction": "≥"})
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).target == 90
    entries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.kind == "indicator")).all()
    assert "ändrade indikatorn ”Närsjukvård andel besvarade samtal dag 0”: område, målvärde, enhet" in entries
    client.post(f"/indikatorer/{indicator.id}/ta-bort")
    assert db.session.get(Indicator, indicator.id) is None


def test_export_with_the_statuses_of_a_closed_round(plan, make_user, tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    from tracker.xlsx.export import export_plan

    strateg = make_user(Role.STRATEGIST)
    round_ = rounds.open_round(plan, strateg, title="Delårsuppföljning 2024", deadline="2024-09-15", today=TODAY)
    rounds.close_round(round_, strateg)
    first = plan.factors[0].actions[0]
    next(s for s in first.statuses if s.division.short_name == "PH").status = Status.DONE  # after the round
    db.session.commit()
    export, data = export_plan(plan, strateg, tmp_path, reporting_round=round_)
    wb = load_workbook(BytesIO(data))
    statuses = {(r[0], r[2]): r[3] for r in wb["Status per förvaltning"].iter_rows(min_row=2, values_only=True)}
    assert statuses[("FF01-A01", "Psykiatri Halland")] == "Pågående"  # as the round kept it
    assert "statusar enligt Delårsuppföljning 2024" in wb["Handlingsplan"]["A3"].value
    assert "_omgang-" in export.file_name


def test_closing_a_round_over_the_web_asks_for_confirmation_naming_what_is_left(plan, login, make_user):
    from tracker.clock import today

    strateg = make_user(Role.STRATEGIST)
    deadline = today() + timedelta(days=22)
    round_ = rounds.open_round(plan, strateg, title="Delårsuppföljning", deadline=deadline.isoformat(), today=today())
    db.session.commit()
    client = login(strateg)
    page = client.get(f"/planer/{plan.key}/omgangar").get_data(as_text=True)
    total = sum(len(a.statuses) for f in plan.factors for a in f.actions)
    assert (f"Stäng omgången nu, fast {total} statusar ännu inte är bekräftade och sista dag är om 22 dagar."
            in page)
    seen = form_seen(client, f"/planer/{plan.key}/omgangar", f"/omgangar/{round_.id}/stang")
    response = client.post(f"/omgangar/{round_.id}/stang", data={"seen": seen})
    assert response.status_code == 400
    assert "Kryssa i rutan för att bekräfta att omgången stängs." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(round_), round_.id).is_open
    assert client.post(f"/omgangar/{round_.id}/stang", data={"confirm": "1", "seen": seen}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(type(round_), round_.id).is_open


def test_not_updated_for_a_while_counts_from_the_plans_start_when_never_updated(plan, divisions):
    """A plan made last week is not neglected; one made 100 days ago with a status nobody touched is.
    The dashboard and the plan page's filter count alike."""
    from datetime import UTC, datetime

    from tracker.plans import services as plans

    today = date(2024, 8, 20)
    ph = divisions["PH"].id
    plan.created_at = datetime(2024, 8, 13, tzinfo=UTC)

    def stale_counts():
        figures = dashboard.dashboard(plan, today, 90)["divisions"]
        on_dashboard = next(f.stale for f in figures if f.division.id == ph)
        view = plans.plan_view(plan, plans.PlanFilter(ph, plans.STALE, "", 90), today)
        return on_dashboard, view.shown

    assert stale_counts() == (0, 0)
    plan.created_at = datetime(2024, 5, 1, tzinfo=UTC)
    db.session.commit()
    assert stale_counts() == (2, 2)  # both of Psykiatrin's open statuses, never updated
