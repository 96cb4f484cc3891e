"""`tracker demo` loads the agreements' years from the sources, verbatim: God och nära vård 2019 and the kömiljard
2019 (source 004), God och nära vård 2020 (000) and 2021 (002), Ökad tillgänglighet 2024 (001). The sentences
expected are copied from the sources into this file; the last test compares every text of the demo's data with
the sources themselves. No date or amount the sources do not give is stored, and gonv-2021 is not fastställd."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tracker.agreements.models import AgreementYear, Decision
from tracker.agreements.services import find_agreement
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import ConditionKind, PlanState

REPOSITORY = Path(__file__).resolve().parents[2]
COMMITTEE = "Regionstyrelsens hälso- och sjukvårdsutskott"
# From the sources, word for word.
ARENDET_182 = ('Staten och Sveriges Kommuner och Landsting, SKL, har tecknat en överenskommelse "God och nära vård – '
               'En omställning av hälso- och sjukvården med fokus på primärvården" För att ta del av medlen inom '
               'överenskommelsen ska respektive region senast 15 oktober 2019 skicka in redovisning till SKL och '
               'Socialstyrelsen enligt följande:')
ARENDET_146 = ("Mot bakgrund av de krav som ställs i årets överenskommelse och de beskrivna resultaten i den "
               "bifogade redovisningen så är det Region Hallands samlade bedömning att regionen har uppfyllt de krav "
               "som ställts för att få ta del av tillgängliga medel.")
ANDRA_UTBETALNINGEN = ("Krav enligt överenskommelsen för att ta del av den andra utbetalningen av medel i "
                       "överenskommelsen för 2024 är att regionerna inkommit med en redovisning till Socialstyrelsen "
                       "senast den 30 september 2024.")
VILLKOR_320 = ("För att ta del av resterande 20% av medlen, 320 000 000 kr, ska landstingen lämna en lämna en "
               "nulägesrapport senast 15 oktober och ha rapporterat till väntetidsdatabasen alla årets månader med en "
               "svarsfrekvens om 95%.")


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


def _year(agreement: str, year: int) -> AgreementYear:
    return db.session.scalar(sa.select(AgreementYear).where(AgreementYear.agreement == find_agreement(agreement),
                                                            AgreementYear.year == year))


def test_god_och_nara_vard_2019_two_recipients_by_15_october_and_paragraph_182(demo):
    year = _year("God och nära vård", 2019)
    assert year.description == ARENDET_182
    assert [(f.label, f.amount) for f in year.funds] == [("Till regionerna", 2_406_000_000), ("Till SKL", 24_000_000)]
    assert year.total_funds is None  # the source gives the parts, not a total
    assert [(c.deadline, c.recipient.split(",")[0]) for c in year.conditions] == [
        (date(2019, 10, 15), "Socialstyrelsen"), (date(2019, 10, 15), "Sveriges Kommuner och Landsting")]
    assert all(c.text.startswith("Nulägesbeskrivning av arbetet med god och nära vård.") for c in year.conditions)
    assert not any(c.is_fulfilled for c in year.conditions)  # the demo holds no 2019 sending to show for it
    decision = year.decisions[0]
    assert (decision.organ, decision.paragraph, decision.registry_number) == (COMMITTEE, "§ 182", "RS190971")
    assert decision.decided_on == date(2019, 9, 24)  # "God och nära vård HSU 24 sep 2019"
    assert decision.matter.startswith(ARENDET_182)
    assert decision.proposal_list[1] == "notera informationen och lägga den till handlingarna"
    assert decision.dispatch_list == ["Driftnämnd Hallands sjukhus", "Driftnämnd Psykiatri", "Driftnämnd Närsjukvården"]
    assert "God och nära vård HSU 24 sep 2019" in decision.other_documents_list and decision.adjusted


def test_the_komiljard_2019_has_its_blocks_and_the_320_million_villkor(demo):
    year = _year("En ny, uppdaterad kömiljard", 2019)
    assert (year.title, year.total_funds) == ("En ny, uppdaterad kömiljard 2019", 1_610_000_000)
    funds = {f.label: f.amount for f in year.funds}
    assert funds["Medel till landstingen"] == 1_600_000_000 and funds["Medel till SKL"] == 10_000_000
    assert funds["Block 1: Prestationskrav för kortare väntetider 2019 jämfört med 2018"] == 1_280_000_000
    assert funds["Block 2: Prestationskrav för utvecklad uppföljning och förbättrad rapportering till "
                 "väntetidsdatabasen"] == 320_000_000
    [condition] = year.conditions
    assert condition.text.startswith(VILLKOR_320)
    assert "Redovisningarna ska vara SKL och Socialstyrelsen tillhanda senast den 15 oktober 2019." in condition.text
    assert (condition.deadline, condition.amount, condition.recipient) == (date(2019, 10, 15), 320_000_000,
                                                                          "SKL och Socialstyrelsen")


def test_god_och_nara_vard_2020_paragraph_46_names_the_demo_report(demo):
    year = _year("God och nära vård", 2020)
    assert not year.conditions and not year.funds  # source 000 gives no deadline and no amount
    decision = year.decisions[0]
    assert (decision.paragraph, decision.registry_number, decision.decided_on) == ("§ 46", "RS200203", None)
    assert decision.title == ("Avge yttrande - Återrapportering av den nationella överenskommelsen God och nära vård "
                              "2020 (Beslut enligt delegation)")
    assert decision.proposal == ("avge yttrande till Socialstyrelsen i enlighet med den bifogade rapporten om Region "
                                 "Hallands arbete inom ramen för God och nära vård 2020")
    assert decision.dispatch_list == ["Samtliga driftnämnder inom vårdförvaltningarna"]
    assert decision.report_id == db.session.scalar(sa.text("select id from report where key = 'gonv-2020'"))


def test_okad_tillganglighet_2024_paragraph_146_and_the_second_payment(demo):
    year = _year("Ökad tillgänglighet", 2024)
    assert year.total_funds == 2_937_000_000
    assert {f.label: f.amount for f in year.funds}["Del 2"] == 1_237_500_000
    report, plan = year.conditions
    assert (report.kind, report.text, report.deadline, report.amount) == (
        ConditionKind.REPORT, ANDRA_UTBETALNINGEN, date(2024, 9, 30), 1_237_500_000)
    assert (plan.kind, plan.text) == (ConditionKind.PLAN, "Handlingsplanen ska bifogas redovisningen.")
    # met by the demo's sent report (no bundle: the demo marks it sent without one)
    assert [(c.fulfilled_on, c.evidence_bundle_id) for c in (report, plan)] == [(date(2024, 9, 30), None)] * 2
    assert "tillganglighet-2023" not in report.fulfilment_note and "2024-09-30" in report.fulfilment_note
    decision = year.decisions[0]
    assert (decision.paragraph, decision.registry_number, decision.decided_on) == ("§ 146", "RS231576",
                                                                                   date(2024, 9, 3))
    assert decision.matter.endswith(ARENDET_146)
    assert decision.proposal_list == ["anteckna att informationen har lämnats till utskottet"]
    assert decision.dispatch_list[-1] == "Driftnämnd Ambulans, Diagnostik och Hälsa" and decision.adjusted


def test_gonv_2021_is_not_fastställd_without_a_source_that_says_so(demo):
    plan = plans.get_plan("gonv-2021")
    assert plan.state is PlanState.DRAFT and plan.version_number == 1
    assert _year("God och nära vård", 2021).funds[0].label == "Del 3: Medel"
    assert _year("Ökad tillgänglighet", 2023) is not None  # the year of the demo's plan


def test_the_demo_runs_twice_and_changes_nothing_the_second_time(demo):
    before = snapshot()
    lines = load_demo()
    db.session.commit()
    assert "Ökad tillgänglighet 2024 har redan uppgifter; de lämnas orörda." in lines
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 4


def _normal(text: str) -> str:
    """Text as the comparison reads it: without markdown emphasis, list markers and line breaks."""
    text = re.sub(r"^\s*(?:[-•]|#+)\s+", "", text.replace("**", "").replace("*", ""), flags=re.M)
    return " ".join(text.split())


def test_every_text_of_the_demo_agreements_is_the_sources_own():
    sources = _normal(" ".join(p.read_text("utf-8") for p in (REPOSITORY / "docs" / "sources").glob("*.txt")))
    data = json.loads((REPOSITORY / "tracker" / "demo" / "data" / "agreements.json").read_text("utf-8"))
    texts = []
    for year in data["years"]:
        texts += [year.get("description")] + [f.get("description") for f in year.get("funds", [])]
        texts += [c["text"] for c in year.get("conditions", [])]
        for decision in year.get("decisions", []):
            texts += [decision["title"], decision.get("matter"), *decision.get("proposal", []),
                      *decision.get("documents", []), *decision.get("dispatched_to", [])]
    for text in filter(None, texts):
        for part in text.split("\n\n"):
            assert _normal(part) in sources, part
