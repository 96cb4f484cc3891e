"""The redovisning in the browser: a förvaltningskontakt writes a contribution, the strateg inserts it into the
answer, the direktör approves, the bundle downloads; axe on every page of the report."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import serious_violations
from tests.reports.helpers import create_report, question
from tracker.vocabulary import Role

pytestmark = pytest.mark.browser

CONTRIBUTION = "Psykiatri Halland har infört tillgänglighetskoordinatorer på varje BUP-enhet."


def _log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/logga-in")


def test_contribution_inserted_approved_and_bundled(log_in, make_user, make_plan, live_server, tmp_path):
    report = create_report(answers=False, plan=make_plan())
    pair = question(report, "Hur har 2024")
    contact = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    strategist = make_user(Role.STRATEGIST, name="Maria Strand")
    director = make_user(Role.DIRECTOR, name="Peter Dahl")

    page = log_in(contact)
    expect(page.get_by_role("link", name="Mina frågor")).to_contain_text("väntar")
    page.get_by_role("link", name="Mina frågor").click()
    mine = page.locator("article", has_text="Hur har 2024 års medel använts?")
    mine.get_by_label("Bidrag från Psykiatri Halland").fill(CONTRIBUTION)
    mine.get_by_label("Klar: bidraget kan användas i svaret").check()
    mine.get_by_role("button", name="Spara bidraget").click()
    expect(mine.get_by_role("status")).to_have_text("Sparat")
    assert serious_violations(page) == []
    _log_out(page)

    page = log_in(strategist)
    page.goto(f"{live_server}/redovisningar/{report.key}")
    block = page.locator(f"#question-{pair.id}")
    expect(block.locator(".contributions")).to_contain_text(CONTRIBUTION)
    # typed but not saved: the insert keeps it (walk R1)
    block.get_by_label("Svar: Resultatet av genomförda insatser.").fill("Skrivet före infogandet.")
    contribution = block.locator(".contributions li", has_text="Psykiatri Halland")
    contribution.get_by_label("Infoga i").select_option(label="högra svaret")
    contribution.get_by_role("button", name="Infoga i svaret").click()
    block = page.locator(f"#question-{pair.id}")
    expect(block.get_by_role("status")).to_have_text("Sparat")
    expect(block.get_by_label("Svar: Resultatet av genomförda insatser.")).to_have_value(
        "Skrivet före infogandet.\n\n" + CONTRIBUTION)
    # once inserted, the button gives way (walk R2)
    expect(block.locator(".contributions li", has_text="Psykiatri Halland")).to_contain_text("Infogat i svaret.")
    expect(block.get_by_role("button", name="Infoga i svaret")).to_have_count(0)
    assert serious_violations(page) == []
    expect(page.locator("#readiness")).to_contain_text("bidrag väntar från förvaltningarna")
    page.get_by_role("button", name="Klar för granskning").click()
    expect(page.get_by_label("Till granskning ändå, trots det som saknas")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Till granskning ändå, trots det som saknas").check()
    page.get_by_role("button", name="Klar för granskning").click()
    expect(page.locator("#messages")).to_contain_text("klar för granskning")
    _log_out(page)

    page = log_in(director)
    page.goto(f"{live_server}/redovisningar/{report.key}")
    page.get_by_label("Godkänn ändå, trots det som saknas").check()
    page.get_by_role("button", name="Godkänn redovisningen").click()
    expect(page.get_by_role("heading", name="Läge: Godkänd")).to_be_visible()
    expect(page.locator(f"#question-{pair.id} textarea")).to_have_count(0)  # read-only now
    expect(page.locator(f"#question-{pair.id}")).to_contain_text(CONTRIBUTION)
    expect(page.locator("#draft-plan")).to_contain_text("är ett utkast")  # walk R5
    page.get_by_role("button", name="Skapa paket").click()
    link = page.get_by_role("table", name="Skapade paket").get_by_role("link")
    with page.expect_download() as download_info:
        link.first.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["made_by"] == "Peter Dahl" and manifest["state"] == "Godkänd"
    page.get_by_role("button", name="Markera som skickad").click()
    expect(page.get_by_role("heading", name="Läge: Skickad")).to_be_visible()
    expect(page.locator(".sendings")).to_contain_text(manifest["files"][0]["name"].split(".")[0])


@pytest.mark.parametrize("path", ["/redovisningar", "/redovisningar/{key}", "/redovisningar/{key}/formular",
                                  "/redovisningar/{key}/historik", "/redovisningar/fragor/{question}"])
def test_report_pages_of_a_strategist(log_in, make_user, make_plan, live_server, path):
    report = create_report(plan=make_plan())
    page = log_in(make_user(Role.STRATEGIST))
    page.goto(live_server + path.format(key=report.key, question=question(report, "Hur har 2024").id))
    assert serious_violations(page) == []


@pytest.mark.parametrize("role", [Role.DIVISION_CONTACT, Role.READER])
def test_report_pages_of_a_contact_and_a_reader(log_in, make_user, live_server, role, divisions):
    report = create_report()
    page = log_in(make_user(role, "HS" if role is Role.DIVISION_CONTACT else None))
    for path in (f"/redovisningar/{report.key}", "/mina-fragor"):
        page.goto(live_server + path)
        assert serious_violations(page) == [], path


def test_saving_a_contribution_updates_the_waiting_counts(log_in, make_user, live_server, divisions):
    """Walk R11: "N frågor väntar" and the navigation's "Mina frågor (N)" follow a save, without a reload."""
    create_report(answers=False)
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/mina-fragor")
    lead = page.locator("#my-questions-lead")
    before = int(lead.inner_text().split()[0])
    assert before == 2  # the pair and the insatser; the free comment is not asked of the förvaltningar
    expect(page.locator("#awaiting-questions-count")).to_contain_text(f"({before}")
    mine = page.locator("article", has_text="Hur har 2024 års medel använts?")
    mine.get_by_label("Bidrag från Psykiatri Halland").fill(CONTRIBUTION)
    mine.get_by_label("Klar: bidraget kan användas i svaret").check()
    mine.get_by_role("button", name="Spara bidraget").click()
    expect(mine.get_by_role("status")).to_have_text("Sparat")
    expect(lead).to_contain_text(f"{before - 1} fråga väntar")
    expect(page.locator("#awaiting-questions-count")).to_contain_text(f"({before - 1}")


def test_nothing_to_add_and_a_new_report_filled_in_with_htmx(log_in, make_user, make_plan, live_server, divisions):
    """The button "Inget att tillägga" is posted with htmx (its name and value come along); choosing the source of
    a new report fills its facts in, choosing the plan offers its fastställda versions; axe on both."""
    from tracker.extensions import db
    from tracker.versions import services as versions

    plan = make_plan()
    versions.approve(plan, make_user(Role.DIRECTOR), "RS231576")
    db.session.commit()
    report = create_report(answers=False, plan=plan)
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/mina-fragor")
    mine = page.locator("article", has_text="Hur har 2024 års medel använts?")
    mine.get_by_role("button", name="Inget att tillägga").click()
    expect(mine.get_by_role("status")).to_have_text("Sparat: inget att tillägga")
    expect(page.locator("#my-questions-lead")).to_contain_text("1 fråga väntar")
    _log_out(page)

    page = log_in(make_user(Role.STRATEGIST))
    page.goto(f"{live_server}/redovisningar/{report.key}")
    pair = question(report, "Hur har 2024")
    expect(page.locator("#bidrag tr", has=page.locator(f'a[href="#question-{pair.id}"]'))).to_contain_text(
        "Inget att tillägga")
    assert serious_violations(page) == []
    page.goto(f"{live_server}/redovisningar")
    page.get_by_label("Utgå från").select_option(value=f"report:{report.key}")
    expect(page.get_by_label("Nyckel (t.ex. tillganglighet-2025)")).to_have_value("tillganglighet-2025")
    expect(page.get_by_label("Sista dag")).to_have_value("2025-09-30")
    expect(page.get_by_label("Bifogad plan")).to_have_value(plan.key)
    page.get_by_label("Fastställd version").select_option(label="Planen som den är")
    expect(page.get_by_label("Fastställd version").locator("option")).to_have_count(2)
    page.get_by_label("Bifogad plan").select_option(value="")
    expect(page.get_by_label("Fastställd version").locator("option")).to_have_count(1)
    expect(page.get_by_label("Nyckel (t.ex. tillganglighet-2025)")).to_have_value("tillganglighet-2025")
    assert serious_violations(page) == []
