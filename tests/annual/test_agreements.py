"""The agreements' pages: the list, a year's facts, medel and villkor with their fulfilment, next year, årshjulet;
every bad input refused at its field with nothing saved, and every change in the history."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.annual.helpers import add_condition, sent_report, year_of_plan
from tests.factories import snapshot
from tracker.agreements import services as agreements
from tracker.agreements.models import Agreement, AgreementYear, Condition, Funds
from tracker.clock import today
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.vocabulary import Role

KR = "\u202f"  # the narrow no-break space between thousands
AMOUNT = f"2{KR}937{KR}000{KR}000\u00a0kr"


@pytest.fixture
def people(make_user):
    return {"strateg": make_user(Role.STRATEGIST, name="Sara Strand"), "director": make_user(Role.DIRECTOR),
            "reader": make_user(Role.READER)}


@pytest.fixture
def plan(make_plan):
    return make_plan()


@pytest.fixture
def year(plan):
    return year_of_plan(plan)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def refused(response, message: str, before: dict, at_field: bool = True) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:300]
    assert message in body
    assert 'aria-invalid="true"' in body or not at_field
    db.session.expire_all()
    assert snapshot() == before


# --- The list -----------------------------------------------------------------------------------------------


def test_the_list_shows_each_agreement_with_its_years_villkor_plans_and_reports(login, people, plan, year):
    add_condition(year)
    done = add_condition(year, text="Handlingsplanen ska fastställas.", deadline="2024-03-31")
    agreements.fulfil(done, people["strateg"], fulfilled_on=date(2024, 3, 20), note="Fastställd av direktören.",
                      expected_version=None)
    add_condition(year, text="Ett villkor som är långt fram.", deadline=(today() + timedelta(days=40)).isoformat())
    db.session.commit()
    body = page(login(people["reader"]), "/overenskommelser")
    assert "Ökad tillgänglighet" in body and f'href="/overenskommelser/{year.id}"' in body
    assert "3 villkor: 1 uppfyllda" in body and "1 försenat" in body
    assert f'href="/planer/{plan.key}"' in body
    assert "Ny överenskommelse" not in body and "Byt namn" not in body  # the reader reads only
    assert "Ny överenskommelse" in page(login(people["strateg"]), "/overenskommelser")


def test_a_new_agreement_is_refused_when_its_name_differs_only_in_case_spaces_or_dashes(client, login, people,
                                                                                          plan):
    login(people["strateg"])
    before = snapshot()
    refused(client.post("/overenskommelser/ny", data={"name": "  ökad   TILLGÄNGLIGHET "}),
            "Överenskommelsen ”Ökad tillgänglighet” finns redan", before)
    refused(client.post("/overenskommelser/ny", data={"name": ""}), "Ange överenskommelsens namn", before)
    assert client.post("/overenskommelser/ny", data={"name": "En ny, uppdaterad kömiljard"}).status_code == 302
    assert agreements.find_agreement("en ny,  uppdaterad KÖMILJARD") is not None


def test_a_rename_is_refused_when_the_name_is_another_agreements(client, login, people, plan):
    other = agreements.create_agreement("En ny, uppdaterad kömiljard")
    db.session.commit()
    login(people["director"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/avtal/{other.id}/namn", data={"name": "ÖKAD  Tillgänglighet"}),
            "Överenskommelsen ”Ökad tillgänglighet” finns redan", before)
    assert client.post(f"/overenskommelser/avtal/{other.id}/namn",
                       data={"name": "Kömiljarden"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, other.id).name == "Kömiljarden"


def test_a_year_is_added_to_an_agreement_and_a_year_that_is_no_year_refused(client, login, people, plan):
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/avtal/{plan.agreement_id}/ar", data={"year": "2O25"}),
            "är inget år", before)
    response = client.post(f"/overenskommelser/avtal/{plan.agreement_id}/ar", data={"year": "2025"})
    row = db.session.scalar(sa.select(AgreementYear).where(AgreementYear.year == 2025))
    assert response.headers["Location"] == f"/overenskommelser/{row.id}"


# --- A year's facts and medel -------------------------------------------------------------------------------


def test_the_facts_take_amounts_with_spaces_and_show_them_grouped(client, login, people, year):
    login(people["strateg"])
    response = client.post(f"/overenskommelser/{year.id}/uppgifter", data={
        "title": "Överenskommelse om ökad tillgänglighet i hälso- och sjukvården 2024",
        "parties": "Staten och Sveriges Kommuner och Regioner", "registry_number": "S2023/03567",
        "total_funds": "2 937 000 000", "region_share": "", "description": "", "version": year.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AgreementYear, year.id).total_funds == 2_937_000_000
    body = page(client, f"/overenskommelser/{year.id}")
    assert AMOUNT in body and "S2023/03567" in body
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == "agreement_year",
                                                            HistoryEntry.verb == "updated"))
    assert entry.summary.startswith("ändrade året Ökad tillgänglighet 2024: ")
    assert ["Medel totalt", "–", AMOUNT] in entry.changes


@pytest.mark.parametrize(("field", "value", "message"), [
    ("total_funds", "2 937 miljoner", "Medel totalt: ”2 937 miljoner” är inget belopp. Ange hela kronor med siffror"),
    ("total_funds", "2,9", "är inget belopp"),
    ("region_share", "-5", "är inget belopp"),
    ("registry_number", "S2023/" + "0" * 40, "Diarienumret får vara högst 40 tecken"),
])
def test_facts_that_are_no_amount_are_refused_at_the_field(client, login, people, year, field, value, message):
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/{year.id}/uppgifter",
                        data={field: value, "version": year.version_id}), message, before)


def test_the_facts_saved_on_an_old_page_are_refused_as_changed(client, login, people, year):
    login(people["strateg"])
    old = year.version_id
    assert client.post(f"/overenskommelser/{year.id}/uppgifter",
                       data={"registry_number": "S2023/03567", "version": old}).status_code == 302
    before = snapshot()
    response = client.post(f"/overenskommelser/{year.id}/uppgifter", data={"registry_number": "X", "version": old})
    assert response.status_code == 409 and "Någon annan har ändrat" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


def test_the_medel_are_divided_in_parts_changed_and_removed(client, login, people, year):
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/{year.id}/medel", data={"label": "", "amount": "1"}),
            "Ange vad delen av medlen heter", before)
    refused(client.post(f"/overenskommelser/{year.id}/medel", data={"label": "Andra utbetalningen",
                                                                     "amount": "1 237,5 miljoner"}),
            "är inget belopp", before)
    assert client.post(f"/overenskommelser/{year.id}/medel", data={
        "label": "Andra utbetalningen", "amount": "1237500000"}).status_code == 302
    funds = db.session.scalar(sa.select(Funds))
    assert funds.amount == 1_237_500_000
    assert f"1{KR}237{KR}500{KR}000\u00a0kr" in page(client, f"/overenskommelser/{year.id}")
    assert client.post(f"/overenskommelser/medel/{funds.id}", data={"label": "Andra utbetalningen", "amount": ""}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Funds, funds.id).amount is None
    assert client.post(f"/overenskommelser/medel/{funds.id}/ta-bort").status_code == 302
    assert db.session.scalar(sa.select(Funds)) is None
    kinds = db.session.scalars(sa.select(HistoryEntry.verb).where(HistoryEntry.kind == "agreement_funds")).all()
    assert kinds == ["created", "updated", "deleted"]


# --- Villkor -------------------------------------------------------------------------------------------------

GOOD = {"kind": "report", "text": "Redovisningen ska lämnas senast den 30 september 2024.",
        "deadline": "2024-09-30", "recipient": "Socialstyrelsen", "amount": "1 237 500 000"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("deadline", "30 september 2024", "Sista dag måste vara ett datum som ÅÅÅÅ-MM-DD"),
    ("deadline", "", "varje villkor har en sista dag"),
    ("deadline", "2024-02-30", "Sista dag måste vara ett datum"),
    ("text", " ", "Skriv villkoret"),
    ("amount", "en miljard", "Beloppet villkoret ger: ”en miljard” är inget belopp"),
    ("kind", "pengar", "Välj vad villkoret gäller i listan."),
])
def test_a_villkor_with_bad_input_is_refused_at_the_field(client, login, people, year, field, value, message):
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/{year.id}/villkor", data={**GOOD, field: value}), message, before)


def test_a_villkor_is_added_changed_and_removed_with_its_history(client, login, people, year):
    login(people["strateg"])
    assert client.post(f"/overenskommelser/{year.id}/villkor", data=GOOD).status_code == 302
    condition = db.session.scalar(sa.select(Condition))
    assert (condition.deadline, condition.amount) == (date(2024, 9, 30), 1_237_500_000)
    body = page(client, f"/overenskommelser/{year.id}")
    assert "Lämna redovisning senast 30 september 2024" in body
    before = snapshot()
    refused(client.post(f"/overenskommelser/villkor/{condition.id}",
                        data={**GOOD, "deadline": "snart", "version": condition.version_id}),
            "Sista dag måste vara ett datum", before)
    assert client.post(f"/overenskommelser/villkor/{condition.id}", data={
        **GOOD, "deadline": "2024-10-15", "version": condition.version_id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Condition, condition.id).deadline == date(2024, 10, 15)
    assert client.post(f"/overenskommelser/villkor/{condition.id}/ta-bort",
                       data={"version": 1}).status_code == 409  # an old page's
    assert client.post(f"/overenskommelser/villkor/{condition.id}/ta-bort", data={"version": 2}).status_code == 302
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.kind == "condition")
                                   .order_by(HistoryEntry.id)).all()
    assert summaries[0].startswith("lade till villkoret ”Redovisningen ska lämnas senast den 30 september 2024.”")
    assert summaries[1].endswith("i Ökad tillgänglighet 2024: sista dag")
    assert summaries[2].startswith("tog bort villkoret")


# --- Fulfilment ----------------------------------------------------------------------------------------------


def test_a_villkor_is_fulfilled_with_the_years_sent_bundle_and_shows_its_sha256(client, login, people, plan, year):
    report, bundle = sent_report(plan, people["director"])
    condition = add_condition(year)
    login(people["strateg"])
    body = page(client, f"/overenskommelser/{year.id}")
    assert f'value="bundle:{bundle.id}"' in body and bundle.sha256 in body
    response = client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt", data={
        "evidence": f"bundle:{bundle.id}", "fulfilled_on": "", "note": "", "version": condition.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    condition = db.session.get(Condition, condition.id)
    assert condition.evidence_bundle_id == bundle.id and condition.fulfilled_on == today()
    assert condition.fulfilled_by.name == "Sara Strand"
    body = page(client, f"/overenskommelser/{year.id}")
    assert f"med paketet {bundle.file_name} (SHA-256 {bundle.sha256})" in body
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == "condition",
                                                            HistoryEntry.verb == "updated"))
    assert entry.summary.startswith("markerade villkoret") and entry.summary.endswith("som uppfyllt")
    assert client.post(f"/overenskommelser/villkor/{condition.id}/ej-uppfyllt",
                       data={"version": condition.version_id}).status_code == 302
    db.session.expire_all()
    condition = db.session.get(Condition, condition.id)
    assert not condition.is_fulfilled and condition.evidence_bundle_id is None and condition.fulfilled_by is None


def test_evidence_of_another_year_is_refused_on_the_server(client, login, people, plan, make_plan, year):
    other_plan = make_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021")
    _, bundle = sent_report(other_plan, people["director"], key="gonv-2021-redovisning")
    other_plan.year = 2021
    db.session.commit()  # the bundle belongs to a report of Ökad tillgänglighet 2024, moved to 2025 below
    report = bundle.report
    report.year = 2025
    db.session.commit()
    condition = add_condition(year)
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt", data={
        "evidence": f"bundle:{bundle.id}", "version": condition.version_id}), "Underlaget hör inte till året", before)
    refused(client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt", data={
        "evidence": "paket:1", "version": condition.version_id}), "Välj underlaget i listan.", before)


@pytest.mark.parametrize(("data", "message"), [
    ({"note": "", "fulfilled_on": "2024-09-20"}, "Välj ett underlag, eller skriv en anteckning"),
    ({"note": "Skickad via e-post.", "fulfilled_on": ""}, "Ange när villkoret uppfylldes"),
    ({"note": "Skickad via e-post.", "fulfilled_on": "20 sep"}, "Datumet måste vara ett datum"),
    ({"note": "Skickad via e-post.", "fulfilled_on": (date.today() + timedelta(days=400)).isoformat()},
     "har inte kommit ännu"),
])
def test_marking_fulfilled_with_bad_input_is_refused_at_the_field(client, login, people, year, data, message):
    condition = add_condition(year)
    login(people["director"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt",
                        data={**data, "version": condition.version_id}), message, before)


def test_marked_fulfilled_with_a_date_and_a_note(client, login, people, year):
    condition = add_condition(year)
    login(people["director"])
    assert client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt", data={
        "fulfilled_on": "2024-09-20", "note": "Skickad till Socialstyrelsen via e-post.",
        "version": condition.version_id}).status_code == 302
    body = page(client, f"/overenskommelser/{year.id}")
    assert "Uppfyllt</strong> 20 september 2024" in body and "Skickad till Socialstyrelsen via e-post." in body


def test_the_years_fastställd_version_marked_sent_and_its_indicators_are_evidence(client, login, people, plan,
                                                                                 year):
    from tracker.followup.models import Indicator, IndicatorValue
    from tracker.versions import services as versions

    indicator = Indicator(plan=plan, name="Andel som får första besök inom 90 dagar", unit="%", target=80)
    indicator.values = [IndicatorValue(period="2024-05", value=71.5), IndicatorValue(period="2024-06", value=78)]
    db.session.add(indicator)
    db.session.commit()
    version = versions.approve(plan, people["director"], "RS231576")
    versions.mark_sent(version, people["strateg"])
    db.session.commit()
    condition = add_condition(year, kind="indicator")
    body = page(login(people["strateg"]), f"/overenskommelser/{year.id}")
    assert f'value="version:{version.id}"' in body
    assert f'value="indicator:{indicator.id}"' in body and "senaste utfall 78 % (2024-06)" in body
    assert client.post(f"/overenskommelser/villkor/{condition.id}/uppfyllt", data={
        "evidence": f"indicator:{indicator.id}", "fulfilled_on": "2024-07-01", "version": condition.version_id}
    ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Condition, condition.id).evidence_indicator_id == indicator.id


# --- Next year -----------------------------------------------------------------------------------------------


def test_next_year_copies_villkor_a_year_on_parties_title_and_funds_labels_not_money_or_fulfilment(
        client, login, people, year):
    year.title, year.parties, year.total_funds = "Ökad tillgänglighet 2024", "Staten och SKR", 2_937_000_000
    agreements.add_funds(year, {"label": "Andra utbetalningen 2024", "amount": "1 237 500 000"})
    done = add_condition(year, text="Redovisning senast den 29 februari 2024.", deadline="2024-02-29",
                         amount="1 000")
    agreements.fulfil(done, people["strateg"], fulfilled_on=date(2024, 2, 20), note="Klart.", expected_version=None)
    add_condition(year)
    db.session.commit()
    login(people["strateg"])
    response = client.post(f"/overenskommelser/{year.id}/nytt-ar")
    following = db.session.scalar(sa.select(AgreementYear).where(AgreementYear.year == 2025))
    assert response.headers["Location"] == f"/overenskommelser/{following.id}"
    assert (following.title, following.parties, following.total_funds) == (
        "Ökad tillgänglighet 2025", "Staten och SKR", None)
    assert [(f.label, f.amount) for f in following.funds] == [("Andra utbetalningen 2025", None)]
    assert [(c.deadline, c.text, c.amount, c.fulfilled_on) for c in following.conditions] == [
        (date(2025, 2, 28), "Redovisning senast den 29 februari 2025.", None, None),
        (date(2025, 9, 30), "Redovisning av hur medlen har använts ska lämnas senast den 30 september 2025.", None,
         None)]
    before = snapshot()
    refused(client.post(f"/overenskommelser/{year.id}/nytt-ar"), "Ökad tillgänglighet 2025 finns redan och har 2 villkor",
            before, at_field=False)


def test_a_year_a_year_later():
    assert agreements.a_year_later(date(2024, 2, 29)) == date(2025, 2, 28)
    assert agreements.a_year_later(date(2024, 9, 30)) == date(2025, 9, 30)


# --- Årshjulet -----------------------------------------------------------------------------------------------


def test_the_wheel_shows_this_years_villkor_by_month_late_ones_in_words(client, login, people, plan, year):
    this_year = today().year
    late = add_condition(year, text="Ett villkor som har passerat.", deadline=date(this_year, 1, 1).isoformat())
    coming = add_condition(year, text="Ett villkor i december.", deadline=date(this_year, 12, 31).isoformat())
    met = add_condition(year, text="Ett uppfyllt villkor.", deadline=date(this_year, 1, 1).isoformat())
    agreements.fulfil(met, people["strateg"], fulfilled_on=date(this_year, 1, 1), note="Inskickat per post.",
                      expected_version=None)
    add_condition(year, text="Ett villkor förra året.", deadline=date(this_year - 1, 6, 1).isoformat())
    db.session.commit()
    body = page(login(people["reader"]), "/arshjul")
    assert f"Årshjul {this_year}" in body and "Januari" in body and "December" in body
    assert "Ett villkor förra året." not in body
    assert 'id="villkor-%d"' % late.id in body and "Försenat</strong>: sista dagen har passerat" in body
    assert "Uppfyllt</strong> 1 januari" in body and "anteckningen ”Inskickat per post.”" in body
    assert f'href="/arshjul?ar={this_year - 1}"' in body
    assert "Ett villkor förra året." in page(client, f"/arshjul?ar={this_year - 1}")
    assert coming.text in body
    assert "är inget år" in page(client, "/arshjul?ar=tjugo")


def test_the_regions_share_larger_than_the_whole_is_refused(client, login, people, year):
    login(people["strateg"])
    before = snapshot()
    refused(client.post(f"/overenskommelser/{year.id}/uppgifter", data={
        "total_funds": "2 937 000 000", "region_share": "3 000 000 000", "version": year.version_id}),
        "Region Hallands del kan inte vara större än medlen totalt.", before)


def test_a_villkor_changed_or_marked_on_an_old_page_is_refused_as_changed(client, login, people, year):
    condition = add_condition(year)
    old = condition.version_id
    login(people["strateg"])
    assert client.post(f"/overenskommelser/villkor/{condition.id}",
                       data={**GOOD, "deadline": "2024-10-15", "version": old}).status_code == 302
    before = snapshot()
    for url, data in ((f"/overenskommelser/villkor/{condition.id}", {**GOOD, "deadline": "2024-11-01"}),
                      (f"/overenskommelser/villkor/{condition.id}/uppfyllt", {"fulfilled_on": "2024-01-02",
                                                                              "note": "Klart."})):
        response = client.post(url, data={**data, "version": old})
        assert response.status_code == 409 and "Någon annan har ändrat" in response.get_data(as_text=True)
        db.session.expire_all()
        assert snapshot() == before


def test_next_year_fills_in_a_year_that_a_plan_made_without_villkor(client, login, people, plan, year):
    year.parties = "Staten och SKR"
    add_condition(year)
    following = agreements.year_of(plan.agreement, 2025)  # made by next year's plan, facts left to the strateg
    following.registry_number = "S2024/01234"
    db.session.commit()
    login(people["strateg"])
    assert client.post(f"/overenskommelser/{year.id}/nytt-ar").headers["Location"] == \
        f"/overenskommelser/{following.id}"
    db.session.expire_all()
    following = agreements.get_year(following.id)
    assert (following.parties, following.registry_number) == ("Staten och SKR", "S2024/01234")
    assert [c.deadline for c in following.conditions] == [date(2025, 9, 30)]
