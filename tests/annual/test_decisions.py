"""The decision register: the form's rules at the field, the documents only the year's, the optimistic lock, the
history, and the beslutsunderlag in Word (opened with python-docx: its sections, A4, Swedish)."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from tests.factories import snapshot
from tests.reports.helpers import approve, create_report
from tracker.agreements.models import COMMITTEE, Decision
from tracker.agreements.services import find_agreement, year_of
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports.bundle import make_bundle
from tracker.versions import services as versions
from tracker.vocabulary import Role

MATTER = ("Den nationella överenskommelsen syftar till att öka vårdens kapacitet, förbättra tillgängligheten i hälso- "
          "och sjukvården genom att korta värdköerna och väntetiderna samt öka antalet disponibla vårdplatser.")
FORM = {
    "organ": COMMITTEE, "paragraph": "146", "decided_on": "2024-09-03", "registry_number": "rs231576",
    "title": "Information om Region Hallands redovisning av överenskommelsen om Ökad tillgänglighet inom hälso- och "
             "sjukvården 2024",
    "matter": MATTER, "proposal": "- anteckna att informationen har lämnats till utskottet",
    "other_documents": "Redovisning ÖK 2024 tillgänglighet 20240821",
    "dispatched_to": "Driftnämnd Hallands sjukhus\nDriftnämnd Psykiatri Halland\n\nDriftnämnd Närsjukvården\n",
    "adjusted": "1",
}


@pytest.fixture
def year(make_plan):
    """Ökad tillgänglighet 2024 with its report (approved, bundled) attaching the 2023 plan, fastställd."""
    plan = make_plan()
    versions.approve(plan, None, "RS220163", approved_by_name="Martin Engström")
    report = create_report(plan=plan)
    approve(report)
    bundle = make_bundle(report, None)
    agreement_year = year_of(find_agreement("Ökad tillgänglighet"), 2024)
    db.session.commit()
    return {"year": agreement_year, "plan": plan, "report": report, "bundle": bundle,
            "version": plan.versions[0] if hasattr(plan, "versions") else versions.list_versions(plan)[0]}


@pytest.fixture
def strategist(make_user, login):
    return login(make_user(Role.STRATEGIST))


def _post_new(client, year, **changes):
    return client.post(f"/overenskommelser/{year.id}/beslut", data={**FORM, **changes})


def test_a_strategist_registers_a_decision_with_the_years_documents(year, strategist):
    y = year["year"]
    response = _post_new(strategist, y, report_id=year["report"].id, plan_version_id=year["version"].id,
                         bundle_id=year["bundle"].id)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    decision = db.session.scalar(sa.select(Decision))
    assert (decision.paragraph, decision.registry_number, decision.decided_on) == ("§ 146", "RS231576",
                                                                                   date(2024, 9, 3))
    assert decision.proposal == "anteckna att informationen har lämnats till utskottet"
    assert decision.dispatch_list == ["Driftnämnd Hallands sjukhus", "Driftnämnd Psykiatri Halland",
                                      "Driftnämnd Närsjukvården"]
    assert decision.adjusted and decision.report_id == year["report"].id
    page = strategist.get(f"/overenskommelser/{y.id}/beslut").get_data(as_text=True)
    assert "§ 146 Information om Region Hallands redovisning" in page and "3 september 2024" in page
    assert year["bundle"].sha256 in page and "version 1, fastställd" in page
    assert "lade till beslutet § 146" in page  # the history, on the register


@pytest.mark.parametrize("field,value,message", [
    ("title", "  ", "Ange ärendets rubrik"),
    ("organ", "", "Ange vilket organ som beslutar"),
    ("paragraph", "paragraf hundra", "”paragraf hundra” är ingen paragraf. Skriv paragrafens nummer, t.ex. § 146"),
    ("decided_on", "3 september 2024", "Datumet måste vara ett datum som ÅÅÅÅ-MM-DD"),
    ("registry_number", "RS23\nRS24", "Diarienumret ska stå på en rad."),
    ("report_id", "987654", "Välj en av redovisningarna för Ökad tillgänglighet 2024 i listan, eller ingen."),
    ("plan_version_id", "x", "Välj en fastställd version av en av planerna för Ökad tillgänglighet 2024"),
    ("matter", "Ärendet\x07", "Ärendet innehåller ett osynligt styrtecken (U+0007)"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(year, strategist, field, value, message):
    before = snapshot()
    response = _post_new(strategist, year["year"], **{field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body and 'aria-invalid="true"' in body
    db.session.expire_all()
    assert snapshot() == before


def test_documents_of_another_year_are_refused(year, strategist, make_plan):
    """A report of another year (God och nära vård 2020), its bundle and a version of a plan of another year."""
    other_report = create_report(key="gonv-2020", agreement="God och nära vård", year=2020, title="Redovisning 2020")
    approve(other_report)
    other_bundle = make_bundle(other_report, None)
    other_plan = make_plan(key="tillganglighet-2022", title="Handlingsplan 2022")
    other_plan.year = 2022
    versions.approve(other_plan, None, "RS210001", approved_by_name="Martin Engström")
    db.session.commit()
    before = snapshot()
    for field, value, message in [
        ("report_id", other_report.id, "Välj en av redovisningarna för Ökad tillgänglighet 2024"),
        ("bundle_id", other_bundle.id, "Välj ett paket av en av redovisningarna för Ökad tillgänglighet 2024"),
        ("plan_version_id", versions.list_versions(other_plan)[0].id, "Välj en fastställd version"),
    ]:
        response = _post_new(strategist, year["year"], **{field: value})
        assert response.status_code == 400 and message in response.get_data(as_text=True), field
    db.session.expire_all()
    assert snapshot() == before


def test_a_bundle_of_another_report_than_the_one_chosen_is_refused(year, strategist):
    second = create_report(key="tillganglighet-2024-extra", title="Extra")
    response = _post_new(strategist, year["year"], report_id=second.id, bundle_id=year["bundle"].id)
    assert response.status_code == 400
    assert "Paketet hör till en annan redovisning än den som är vald" in response.get_data(as_text=True)


def _decision(year) -> Decision:
    decision = Decision(agreement_year=year["year"], title=FORM["title"], paragraph="§ 146",
                        registry_number="RS231576", matter=MATTER,
                        proposal="anteckna att informationen har lämnats till utskottet",
                        dispatched_to="Driftnämnd Hallands sjukhus\nDriftnämnd Psykiatri Halland",
                        report_id=year["report"].id, adjusted=True, decided_on=date(2024, 9, 3))
    db.session.add(decision)
    db.session.commit()
    return decision


def test_an_edit_after_someone_elses_is_a_conflict_that_keeps_both(year, strategist):
    decision = _decision(year)
    read = decision.version_id
    decision.decided_on = date(2024, 9, 4)  # someone else saves meanwhile
    db.session.commit()
    before = snapshot()
    response = strategist.post(f"/overenskommelser/beslut/{decision.id}",
                               data={**FORM, "title": "Min rubrik", "version": read})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "Någon annan har ändrat beslutet" in body
    assert 'value="Min rubrik"' in body and "4 september 2024" in body  # what was typed, beside what is stored
    db.session.expire_all()
    assert snapshot() == before
    fresh = db.session.get(Decision, decision.id).version_id
    response = strategist.post(f"/overenskommelser/beslut/{decision.id}",
                               data={**FORM, "title": "Min rubrik", "version": fresh})
    assert response.status_code == 302
    assert db.session.get(Decision, decision.id).title == "Min rubrik"


def test_deleting_asks_for_confirmation_and_keeps_the_history(year, strategist):
    decision = _decision(year)
    page = strategist.get(f"/overenskommelser/beslut/{decision.id}/ta-bort").get_data(as_text=True)
    assert "Ta bort beslutet?" in page and "Ja, ta bort beslutet" in page
    refused = strategist.post(f"/overenskommelser/beslut/{decision.id}/ta-bort",
                              data={"version": decision.version_id})
    assert refused.status_code == 400 and db.session.get(Decision, decision.id) is not None
    stale = strategist.post(f"/overenskommelser/beslut/{decision.id}/ta-bort",
                            data={"version": decision.version_id + 5, "confirm": "1"})
    assert stale.status_code == 409 and db.session.get(Decision, decision.id) is not None
    response = strategist.post(f"/overenskommelser/beslut/{decision.id}/ta-bort",
                               data={"version": decision.version_id, "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Decision, decision.id) is None
    page = strategist.get(f"/overenskommelser/{year['year'].id}/beslut").get_data(as_text=True)
    assert "tog bort beslutet § 146" in page and "lade till beslutet § 146" in page


def test_every_change_is_in_the_history(year, strategist):
    decision = _decision(year)
    strategist.post(f"/overenskommelser/beslut/{decision.id}", data={
        **FORM, "paragraph": "§ 147", "report_id": year["report"].id, "version": decision.version_id})
    entry = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.kind == "decision",
                                                             HistoryEntry.verb == "updated")).one()
    assert entry.summary.startswith("ändrade beslutet § 147")
    assert ["Paragraf", "§ 146", "§ 147"] in entry.changes
    assert ["Datum", "3 september 2024", "3 september 2024"] not in entry.changes


def test_readers_read_and_download_but_do_not_write(year, make_user, login):
    decision = _decision(year)
    client = login(make_user(Role.READER))
    page = client.get(f"/overenskommelser/{year['year'].id}/beslut").get_data(as_text=True)
    assert "§ 146" in page and "Nytt beslut" not in page and "Ändra" not in page
    assert client.get(f"/overenskommelser/beslut/{decision.id}/beslutsunderlag.docx").status_code == 200
    assert client.get(f"/overenskommelser/beslut/{decision.id}/andra").status_code == 403
    assert _post_new(client, year["year"]).status_code == 403


def test_the_beslutsunderlag_in_word_has_the_paragraphs_shape(year, strategist):
    decision = _decision(year)
    decision.plan_version_id = year["version"].id
    decision.bundle_id = year["bundle"].id
    decision.other_documents = "Redovisning ÖK 2024 tillgänglighet 20240821"
    db.session.commit()
    response = strategist.get(f"/overenskommelser/beslut/{decision.id}/beslutsunderlag.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("beslutsunderlag-RS231576-146.docx")
    document = Document(io.BytesIO(response.data))
    blocks = [(p.style.name, p.text) for p in document.paragraphs]
    texts = [text for _, text in blocks]
    headings = [text for style, text in blocks if style.startswith("Heading")]
    assert headings == ["§ 146", FORM["title"], "Ärendet", "Förslag till beslut", "Beslutsunderlag",
                        "Expedieras till"]
    assert texts[0] == COMMITTEE and "RS231576 · 3 september 2024" in texts
    assert MATTER in texts
    lead = texts.index(f"{COMMITTEE} beslutar att")
    assert texts[lead + 1] == "anteckna att informationen har lämnats till utskottet"
    underlag = texts[texts.index("Beslutsunderlag") + 1:texts.index("Expedieras till")]
    assert underlag[0] == year["report"].title
    assert underlag[1].startswith("Handlingsplan för ökad tillgänglighet 2023, version 1, fastställd")
    assert year["bundle"].sha256 in underlag[2] and underlag[3] == "Redovisning ÖK 2024 tillgänglighet 20240821"
    assert texts[texts.index("Expedieras till") + 1:][:2] == ["Driftnämnd Hallands sjukhus",
                                                            "Driftnämnd Psykiatri Halland"]
    assert texts[-1] == "Paragrafen är justerad"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)  # A4
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "sv-SE"
    assert defaults.find(qn("w:rFonts")).get(qn("w:ascii")) == "Arial"
    properties = document.core_properties
    assert (properties.author, properties.language, properties.title) == ("Region Halland", "sv-SE", FORM["title"])
    assert document.styles["Heading 1"].font.color.rgb == (0, 0, 0)
