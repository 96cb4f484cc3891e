"""The report's pages: reading, answering (htmx and plain forms), contributions, the editor, the life cycle."""

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from tests.factories import form_seen
from tests.reports.helpers import all_questions, approve, create_report, question
from tracker.extensions import db
from tracker.reports import answers, queries
from tracker.reports.models import ReportBundle, ReportContribution, ReportQuestion
from tracker.vocabulary import ReportState, Role


@pytest.fixture
def report(divisions):
    return create_report()


def test_every_page_renders_for_every_role(client, login, make_user, report, make_plan):
    pages = ["/redovisningar", f"/redovisningar/{report.key}", "/mina-fragor",
             f"/redovisningar/fragor/{question(report, 'Hur har 2024').id}"]
    for role, division in [(Role.READER, None), (Role.DIVISION_CONTACT, "PH"), (Role.STRATEGIST, None),
                           (Role.DIRECTOR, None)]:
        login(make_user(role, division))
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.get_data(as_text=True)[:500])
    assert client.get(f"/redovisningar/{report.key}/formular").status_code == 200


def test_the_report_page_shows_the_answers_in_the_forms_order(client, login, make_user, report):
    login(make_user(Role.READER))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    page = page[page.index('class="report-section"'):]  # the form itself, after the contributions' table
    order = [page.index(text) for text in ("Kontaktuppgifter", "Generellt", "3.1 Nationell vårdförmedling",
                                           "Medlen har använts till vårdförmedlingen.", "3.6 Regionala handlingsplaner",
                                           "Region Hallands handlingsplan kommer")]
    assert order == sorted(order)
    assert "Spara svaret" not in page  # a reader reads


def test_a_strategist_saves_an_answer_with_htmx(client, login, make_user, report, htmx_headers):
    login(make_user(Role.STRATEGIST))
    pair = question(report, "Hur har 2024")
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", headers=htmx_headers,
                           data={"answer": "Nytt svar", "answer_second": "Nytt resultat", "version": pair.version_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Sparat" in body
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer == "Nytt svar"


def test_an_answer_posted_without_its_version_is_refused_and_saves_nothing(client, login, make_user, report):
    """The version the page was read at is what makes a later save a conflict: a form without it saves nothing."""
    login(make_user(Role.STRATEGIST))
    pair = question(report, "Hur har 2024")
    stored = pair.answer
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", data={"answer": "Utan version"})
    assert response.status_code == 400 and "versionsnummer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer == stored


def test_a_stale_answer_is_a_conflict_showing_what_is_stored_and_by_whom(client, login, make_user, report,
                                                                         htmx_headers):
    other = make_user(Role.DIRECTOR, name="Peter Dahl")
    pair = question(report, "Hur har 2024")
    old_version = pair.version_id
    answers.save_answer(pair, other, {"answer": "Direktörens text", "answer_second": ""}, expected_version=old_version)
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", headers=htmx_headers,
                           data={"answer": "Min text", "answer_second": "", "version": old_version})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Peter Dahl har sparat svaret medan du redigerade" in body and "Direktörens text" in body
    assert "Min text" in body  # the user's values stay in the form
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer == "Direktörens text"


def test_an_over_long_answer_gets_its_message_next_to_the_field(client, login, make_user, report, htmx_headers):
    login(make_user(Role.STRATEGIST))
    pair = question(report, "Hur har 2024")
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", headers=htmx_headers,
                           data={"answer": "kort", "answer_second": "x" * 20001, "version": pair.version_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="q{pair.id}-answer-second-error"' in body and "högst 20000 tecken" in body
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer.startswith("Medlen")


def test_plain_form_fallback_redirects_back_to_the_question(client, login, make_user, report):
    login(make_user(Role.STRATEGIST))
    text = question(report, "Övriga kommentarer")
    response = client.post(f"/redovisningar/fragor/{text.id}/svar", data={"answer": "Inget att tillägga.",
                                                                         "version": text.version_id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#question-{text.id}")


def test_a_contact_writes_a_contribution_and_the_strategist_inserts_it(client, login, make_user, report,
                                                                       htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    login(contact)
    page = client.get("/mina-fragor").get_data(as_text=True)
    assert "Mina frågor" in page and "Hur har 2024 års medel använts?" in page
    pair = question(report, "Hur har 2024")
    mine = next(c for c in pair.contributions if c.division.short_name == "PH")
    response = client.post(f"/redovisningar/bidrag/{mine.id}", headers=htmx_headers,
                           data={"text": "BUP: tillgänglighetskoordinatorer på varje enhet.", "done": "1",
                                 "version": mine.version_id})
    assert response.status_code == 200 and "Sparat" in response.get_data(as_text=True)
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "BUP: tillgänglighetskoordinatorer på varje enhet." in page
    db.session.expire_all()
    pair = db.session.get(ReportQuestion, pair.id)
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers,
                           data={"source": f"bidrag:{mine.id}", "target": "answer_second", "version": pair.version_id})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer_second == (
        "Kortare köer inom ögonsjukvård.\n\nBUP: tillgänglighetskoordinatorer på varje enhet.")


def test_the_navigation_counts_the_contacts_waiting_questions(client, login, make_user, report):
    login(make_user(Role.DIVISION_CONTACT, "HS"))
    page = client.get("/planer").get_data(as_text=True)
    waiting = queries.awaiting_count(db.session.merge(make_user(Role.DIVISION_CONTACT, "HS")))
    assert f"Mina frågor <span id=\"awaiting-questions-count\" class=\"count\">({waiting}" in page
    login(make_user(Role.STRATEGIST))
    assert "Mina frågor" not in client.get("/planer").get_data(as_text=True)


def test_a_contact_may_not_write_another_divisions_contribution(client, login, make_user, report):
    login(make_user(Role.DIVISION_CONTACT, "HS"))
    pair = question(report, "Hur har 2024")
    other = next(c for c in pair.contributions if c.division.short_name == "PH")
    response = client.post(f"/redovisningar/bidrag/{other.id}", data={"text": "x", "version": other.version_id})
    assert response.status_code == 403 and "din egen förvaltning" in response.get_data(as_text=True)


def test_after_approval_nothing_changes_until_a_komplettering(client, login, make_user, report, htmx_headers):
    director = make_user(Role.DIRECTOR)
    strategist = make_user(Role.STRATEGIST)
    login(strategist)
    assert client.post(f"/redovisningar/{report.key}/granskning", data={"confirm": "1"}).status_code == 302
    assert client.post(f"/redovisningar/{report.key}/godkann").status_code == 403
    login(director)
    page = f"/redovisningar/{report.key}"
    seen = form_seen(client, page, f"{page}/godkann")
    assert client.post(f"{page}/godkann", data={"confirm": "1", "seen": seen}).status_code == 302
    login(strategist)
    response = client.post(f"/redovisningar/{report.key}/tillbaka")  # only the direktör withdraws the approval
    assert response.status_code == 403 and "Bara hälso- och sjukvårdsdirektören" in response.get_data(as_text=True)
    pair = question(report, "Hur har 2024")
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", headers=htmx_headers,
                           data={"answer": "Ändrat", "answer_second": "", "version": pair.version_id})
    assert response.status_code == 409 and "godkänd" in response.get_data(as_text=True)
    response = client.post(f"/redovisningar/{report.key}/avsnitt", data={"title": "Nytt"})
    assert response.status_code == 409
    assert client.post(f"/redovisningar/{report.key}/paket").status_code == 302
    bundle = db.session.scalar(sa.select(ReportBundle))
    seen = form_seen(client, page, f"{page}/skickad")
    assert client.post(f"{page}/skickad", data={"bundle": bundle.id, "seen": seen}).status_code == 302
    db.session.expire_all()
    assert queries.get_report(report.key).state is ReportState.SENT
    seen = form_seen(client, page, f"{page}/komplettering")
    assert client.post(f"{page}/komplettering", data={"questions": [pair.id], "seen": seen}).status_code == 302
    pair = db.session.get(ReportQuestion, pair.id)
    response = client.post(f"/redovisningar/fragor/{pair.id}/svar", headers=htmx_headers,
                           data={"answer": "Kompletterat", "answer_second": "", "version": pair.version_id})
    assert response.status_code == 200
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Öppnad för komplettering" in page and bundle.sha256 in page


def test_the_word_export_and_the_bundle_download(client, login, make_user, report):
    login(make_user(Role.READER))
    assert client.get(f"/redovisningar/{report.key}/word").status_code == 403
    login(make_user(Role.STRATEGIST))
    response = client.get(f"/redovisningar/{report.key}/word")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    approve(report)
    assert client.post(f"/redovisningar/{report.key}/paket").status_code == 302
    bundle = db.session.scalar(sa.select(ReportBundle))
    response = client.get(f"/redovisningar/paket/{bundle.id}")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["report"] == report.key


def test_creating_a_report_from_the_page(client, login, make_user, report):
    login(make_user(Role.STRATEGIST))
    response = client.post("/redovisningar", data={"source": f"report:{report.key}", "key": "tillganglighet-2025",
                                                   "title": "Redovisning 2025", "year": "2025", "answers": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    copy = queries.get_report("tillganglighet-2025")
    assert question(copy, "Hur har 2024").answer.startswith("Medlen")
    response = client.post("/redovisningar", data={"source": "form:finns-inte", "key": "Fel nyckel",
                                                   "title": "", "year": "tjugo"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("new-key-error", "new-title-error", "new-year-error"):
        assert f'id="{field}"' in body


def test_the_form_editor_adds_renames_and_refuses_an_unknown_kind(client, login, make_user, report):
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}/formular").get_data(as_text=True)
    assert "aria-invalid" not in page and "field-error" not in page  # no form failed: no message anywhere
    response = client.post(f"/redovisningar/{report.key}/avsnitt", data={"number": "3.7",
                                                                        "title": "Barn- och ungdomspsykiatri"})
    assert response.status_code == 302
    section = next(v.section for v in queries.load_tree(report) if v.section.number == "3.7")
    response = client.post(f"/redovisningar/avsnitt/{section.id}/fragor", data={"kind": "matris", "prompt": "Fråga"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="new-question-{section.id}-kind-error"' in body
    assert "Okänd frågetyp ”matris”" in body and body.count('class="field-error"') == 1
    assert not section.questions
    response = client.post(f"/redovisningar/avsnitt/{section.id}/fragor",
                           data={"kind": "insatser", "prompt": "Beskriv insatserna:",
                                 "items": "Tillgänglighetskoordinatorer\nDigitala vårdmöten", "asks_divisions": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    added = queries.get_section(section.id).questions[0]
    assert [i.name for i in added.items] == ["Tillgänglighetskoordinatorer", "Digitala vårdmöten"]
    assert len(added.contributions) == 5


def test_a_stale_contribution_is_a_conflict(client, login, make_user, report, htmx_headers):
    colleague = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    pair = question(report, "Hur har 2024")
    mine = next(c for c in pair.contributions if c.division.short_name == "PH")
    old_version = mine.version_id
    answers.save_contribution(mine, colleague, text="Kollegans text", done=False, expected_version=old_version)
    db.session.commit()
    login(make_user(Role.DIVISION_CONTACT, "PH"))
    response = client.post(f"/redovisningar/bidrag/{mine.id}", headers=htmx_headers,
                           data={"text": "Min text", "version": old_version})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "Omar Said har sparat bidraget medan du redigerade" in body
    assert "Kollegans text" in body and "Min text" in body
    db.session.expire_all()
    assert db.session.get(ReportContribution, mine.id).text == "Kollegans text"


def test_the_plans_contacts_and_results_are_offered_and_inserted(client, login, make_user, divisions, make_plan,
                                                                 htmx_headers):
    from tracker.followup import status as followup
    from tracker.followup.models import PlanContact

    plan = make_plan(actions=[{"divisions": ["HS"]}])
    plan.contacts = [PlanContact(name="Carina Werner", phone="070-3856214", email="carina.werner@regionhalland.se")]
    status = plan.factors[0].actions[0].statuses[0]
    followup.save_status(status, make_user(Role.DIVISION_CONTACT, "HS"), status="done",
                         comment="Gemensam väntelista införd.", expected_version=status.version_id)
    db.session.commit()
    report = create_report(answers=False, plan=plan)
    login(make_user(Role.STRATEGIST))
    contacts = next(q for q in all_questions(report) if q.kind.value == "contacts")
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Hämta kontaktpersonerna från planen (Carina Werner)" in page
    assert "Status för handlingsplanens genomförande i dag" in page
    response = client.post(f"/redovisningar/fragor/{contacts.id}/infoga", headers=htmx_headers,
                           data={"source": "kontakter", "version": contacts.version_id})
    assert response.status_code == 200
    pair = question(report, "Hur har 2024")
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers,
                           data={"source": "resultat:1", "target": "answer_second", "version": pair.version_id})
    assert response.status_code == 200
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers,
                           data={"source": "status:", "target": "answer", "version": pair.version_id})
    assert response.status_code == 200
    db.session.expire_all()
    assert [(c.name, c.phone) for c in db.session.get(ReportQuestion, contacts.id).contacts] == [
        ("Carina Werner", "070-3856214")]
    pair = db.session.get(ReportQuestion, pair.id)
    assert pair.answer_second.startswith("Hallands sjukhus:\n– ") and "Gemensam väntelista införd." in pair.answer_second
    assert pair.answer.startswith("Status för handlingsplanens genomförande:\n– Ramavtal med externa vårdgivare: "
                                  "genomförd, 1 av 1 genomförda")
