"""The findings of the browser walk-through of the redovisning (R1–R12), each as the behaviour it asks for."""

import io
from datetime import timedelta

import pytest

from tests.factories import form_seen
from tests.reports.helpers import all_questions, approve, create_report, question
from tracker import clock
from tracker.extensions import db
from tracker.reports import bundle as bundles
from tracker.reports import answers, creation, form_years, lifecycle, queries
from tracker.reports.models import Report, ReportQuestion
from tracker.vocabulary import ReportState, Role


@pytest.fixture
def report(divisions):
    return create_report()


def _contribute(question_, division: str, text: str):
    contribution = next(c for c in question_.contributions if c.division.short_name == division)
    answers.save_contribution(contribution, None, text=text, done=True, expected_version=contribution.version_id)
    db.session.commit()
    return contribution


def test_inserting_keeps_the_text_typed_but_not_saved(client, login, make_user, report, htmx_headers):
    """R1: the insert posts the answer box as it stands (hx-include) and appends to it."""
    pair = question(report, "Hur har 2024")
    mine = _contribute(pair, "PH", "BUP: koordinatorer.")
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert f'hx-include="#q{pair.id}-answer-form"' in page and f'id="q{pair.id}-answer-form"' in page
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers, data={
        "source": f"bidrag:{mine.id}", "target": "answer_second", "version": pair.version_id, "typed": "1",
        "answer": "Skrivet men inte sparat.", "answer_second": "Också skrivet."})
    assert response.status_code == 200
    db.session.expire_all()
    stored = db.session.get(ReportQuestion, pair.id)
    assert stored.answer == "Skrivet men inte sparat."
    assert stored.answer_second == "Också skrivet.\n\nBUP: koordinatorer."


def test_an_insert_over_a_newer_answer_is_a_conflict_that_keeps_the_typed_text(client, login, make_user, report,
                                                                               htmx_headers):
    pair = question(report, "Hur har 2024")
    mine = _contribute(pair, "PH", "BUP: koordinatorer.")
    seen = pair.version_id
    answers.save_answer(pair, None, {"answer": "Någon annans", "answer_second": ""}, expected_version=seen)
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers, data={
        "source": f"bidrag:{mine.id}", "target": "answer", "version": seen, "typed": "1",
        "answer": "Mitt osparade svar", "answer_second": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "Mitt osparade svar" in body
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer == "Någon annans"


def test_a_contribution_is_not_inserted_twice(client, login, make_user, report, htmx_headers):
    """R2: the second insert is refused, and the button gives way to "Infogat i svaret"."""
    pair = question(report, "Hur har 2024")
    mine = _contribute(pair, "PH", "BUP: koordinatorer.")
    login(make_user(Role.STRATEGIST))
    data = {"source": f"bidrag:{mine.id}", "target": "answer"}
    assert client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers,
                       data={**data, "version": pair.version_id}).status_code == 200
    db.session.expire_all()
    pair = db.session.get(ReportQuestion, pair.id)
    body = client.get(f"/redovisningar/fragor/{pair.id}", headers=htmx_headers).get_data(as_text=True)
    assert "Infogat i svaret." in body and "Infoga i svaret<span" not in body
    response = client.post(f"/redovisningar/fragor/{pair.id}/infoga", headers=htmx_headers,
                           data={**data, "version": pair.version_id})
    assert response.status_code == 400 and "finns redan i svarsfältet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReportQuestion, pair.id).answer.count("BUP: koordinatorer.") == 1


def test_the_plans_contacts_come_without_the_plans_internal_comments(client, login, make_user, divisions,
                                                                      make_plan, htmx_headers):
    """R6: "Ev. kommentar" of the plan's contact is the plan's own note, not a text for Socialstyrelsen."""
    from tracker.followup.models import PlanContact

    plan = make_plan()
    plan.contacts = [PlanContact(name="Carina Werner", phone="070-3856214", email="carina.werner@regionhalland.se",
                                 comment="Internt: ersätter Matilda under semestern")]
    db.session.commit()
    report = create_report(answers=False, plan=plan)
    contacts = next(q for q in all_questions(report) if q.kind.value == "contacts")
    login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/fragor/{contacts.id}/infoga", headers=htmx_headers,
                           data={"source": "kontakter", "version": contacts.version_id})
    assert response.status_code == 200 and "Internt" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert [(c.name, c.email, c.comment) for c in db.session.get(ReportQuestion, contacts.id).contacts] == [
        ("Carina Werner", "carina.werner@regionhalland.se", None)]


def test_a_future_sending_date_is_refused_next_to_the_field(client, login, make_user, report):
    """R3: the date field says what is wrong (and keeps the date typed); nothing is recorded."""
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    bundle = bundles.make_bundle(report, director)
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert f'max="{clock.today().isoformat()}"' in page
    future = (clock.today() + timedelta(days=400)).isoformat()
    seen = form_seen(client, f"/redovisningar/{report.key}", f"/redovisningar/{report.key}/skickad")
    response = client.post(f"/redovisningar/{report.key}/skickad",
                           data={"bundle": bundle.id, "sent_on": future, "seen": seen})
    assert response.status_code == 302  # to the report's own address (Post/Redirect/Get)
    assert response.location == f"/redovisningar/{report.key}#livscykel"
    body = client.get(response.location).get_data(as_text=True)
    assert 'id="sent-on-error"' in body and "ligger i framtiden" in body and f'value="{future}"' in body
    assert 'aria-describedby="sent-on-error"' in body
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert stored.state is ReportState.APPROVED and not stored.sendings


def test_going_to_review_with_gaps_asks_for_a_confirmation(client, login, make_user, divisions):
    """R4: the missing answers and waiting contributions are summed up, and going on asks to confirm."""
    report = create_report(answers=False)
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    readiness = queries.readiness(report)
    assert readiness.unanswered and readiness.waiting_total > 0
    assert f"{len(readiness.unanswered)} frågor saknar svar" in page
    assert f"{readiness.waiting_total} bidrag väntar från förvaltningarna" in page
    assert "Till granskning ändå, trots det som saknas" in page
    response = client.post(f"/redovisningar/{report.key}/granskning", follow_redirects=True)
    assert response.request.path == f"/redovisningar/{report.key}"
    assert 'id="confirm-review-error"' in response.get_data(as_text=True)
    # shown once: the page loaded again shows the report as it is
    assert 'id="confirm-review-error"' not in client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Report, report.id).state is ReportState.DRAFT
    assert client.post(f"/redovisningar/{report.key}/granskning", data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).state is ReportState.REVIEW
    login(make_user(Role.DIRECTOR))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Det här saknas innan redovisningen godkänns" in page and "Godkänn ändå" in page
    seen = form_seen(client, f"/redovisningar/{report.key}", f"/redovisningar/{report.key}/godkann")
    refused = client.post(f"/redovisningar/{report.key}/godkann", data={"seen": seen}, follow_redirects=True)
    assert refused.request.path == f"/redovisningar/{report.key}"
    assert 'id="confirm-approve-error"' in refused.get_data(as_text=True)
    assert client.post(f"/redovisningar/{report.key}/godkann", data={"confirm": "1", "seen": seen}).status_code == 302


def test_a_complete_report_goes_on_without_a_confirmation(client, login, make_user, report):
    for q in all_questions(report):
        for contribution in q.contributions:
            contribution.text, contribution.done = "Klart.", True
    db.session.commit()
    assert queries.readiness(report).gaps == []
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Alla frågor har svar och alla förvaltningars bidrag är klara." in page
    assert client.post(f"/redovisningar/{report.key}/granskning").status_code == 302


def test_a_sent_report_does_not_show_contributions_as_still_awaited(client, login, make_user, report):
    """R4: after the sending the table no longer says "Kvar"."""
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    lifecycle.mark_sent(report, director, bundle=bundles.make_bundle(report, director))
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Väntar" not in page and '<th scope="row">Inte lämnade' in page and "Inte lämnat</span>" in page
    assert "bidrag som inte blev klara väntas inte längre" in page


def test_the_bundle_of_a_draft_plan_is_warned_about(client, login, make_user, divisions, make_plan):
    """R5: a plan with no fastställd version is attached as its draft: the page says so before the bundle."""
    plan = make_plan()
    db.session.commit()
    report = create_report(plan=plan)
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    login(director)
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert 'id="draft-plan"' in page and "är ett utkast, utan fastställd version" in page
    assert page.index('id="draft-plan"') < page.index("Skapa paket")


@pytest.mark.parametrize("where", ["new", "facts"])
def test_the_recipient_must_be_an_e_mail_address(client, login, make_user, report, where):
    """R9: "inte en adress" is refused next to the field, on a new report and in the report's facts."""
    login(make_user(Role.STRATEGIST))
    if where == "new":
        response = client.post("/redovisningar", data={
            "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
            "year": "2025", "recipient": "inte en adress"})
    else:
        response = client.post(f"/redovisningar/{report.key}/uppgifter", data={
            "title": report.title, "recipient": "inte en adress", "version": report.version_id})
    body = response.get_data(as_text=True)
    field = "new-recipient" if where == "new" else "facts-recipient"
    assert response.status_code == 400 and f'id="{field}-error"' in body and "är ingen e-postadress" in body
    db.session.expire_all()
    assert queries.get_report("tillganglighet-2025") is None
    assert db.session.get(Report, report.id).recipient != "inte en adress"


def test_a_real_recipient_address_is_kept(client, login, make_user, report):
    login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/{report.key}/uppgifter", data={
        "title": report.title, "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se",
        "version": report.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).recipient == "Tillganglighetsuppdraget@socialstyrelsen.se"


def test_saving_the_divisions_says_so_beside_that_button(client, login, make_user, report, htmx_headers, divisions):
    """R10: "Sparat" stands by "Spara förvaltningarna" (its details open), not by "Spara svaret"."""
    pair = question(report, "Hur har 2024")
    login(make_user(Role.STRATEGIST))
    keep = [c.division_id for c in pair.contributions][:2]
    response = client.post(f"/redovisningar/fragor/{pair.id}/forvaltningar", headers=htmx_headers,
                           data={"divisions": keep})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    saved = body.index('<span class="saved" role="status">Sparat</span>')
    assert body.count('role="status">Sparat<') == 1
    assert body.index("Spara svaret") < body.index("Förvaltningar som ombeds bidra (2)") < saved
    assert body.index("Spara förvaltningarna") < saved
    assert '<details class="offer" open>' in body


def test_saving_a_contribution_updates_the_counts_out_of_band(client, login, make_user, report, htmx_headers):
    """R11: Mina frågor's "N frågor väntar" and the navigation's count come along with the saved contribution."""
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    login(contact)
    before = queries.awaiting_count(contact)
    page = client.get("/mina-fragor").get_data(as_text=True)
    assert before == 2 and 'id="my-questions-lead"' in page and f"{before} frågor väntar" in page
    assert f'<span id="awaiting-questions-count" class="count">({before}<' in page
    pair = question(report, "Hur har 2024")
    mine = next(c for c in pair.contributions if c.division.short_name == "PH")
    response = client.post(f"/redovisningar/bidrag/{mine.id}", headers=htmx_headers,
                           data={"text": "Klart.", "done": "1", "version": mine.version_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="lead" id="my-questions-lead" hx-swap-oob="true">{before - 1} fråga väntar' in body
    assert f'<span id="awaiting-questions-count" class="count" hx-swap-oob="true">({before - 1}<' in body


def test_a_comment_question_in_my_questions_shows_what_it_comments_on(client, login, make_user, report):
    """R8: "Övriga kommentarer" in Mina frågor shows the questions before it in its section."""
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    comment = question(report, "Övriga kommentarer")
    comment.contributions[:] = []
    answers.assign_divisions(comment, [contact.division_id])
    db.session.commit()
    mine = {m.question.prompt: m for m in queries.my_questions(contact)}
    assert mine["Övriga kommentarer"].context == [
        "Har handlingsplanen uppdaterats sedan senaste version ni skickat in i mars 2024?"]
    assert all(m.context == [] for prompt, m in mine.items() if prompt != "Övriga kommentarer")
    login(contact)
    page = client.get("/mina-fragor").get_data(as_text=True)
    article = next(a for a in page.split("<article")[1:] if "<strong>Övriga kommentarer</strong>" in a)
    assert "Kommentaren gäller:" in article
    assert "<li>Har handlingsplanen uppdaterats sedan senaste version ni skickat in i mars 2024?</li>" in article


def test_an_empty_key_asks_for_a_key(client, login, make_user, divisions):
    """R12: no key is asked for, not told which characters a key may hold."""
    login(make_user(Role.STRATEGIST))
    response = client.post("/redovisningar", data={"source": "form:tillganglighet-2024", "key": "",
                                                   "title": "Redovisning 2025", "year": "2025"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Ange en nyckel för redovisningen" in body
    assert "får bara innehålla" not in body


def test_a_report_in_chapters_shows_each_heading_once_and_no_excel_attachment(client, login, make_user, divisions):
    """R12: gonv-2020 (chapters of free text, no plan): a prompt equal to its section's title is not repeated, on
    the page nor in the Word file; the bundle's hint names no Excel attachment."""
    from docx import Document

    from tracker.reports.docx import report_docx

    report = creation.create_report(creation.read_shipped_form("gonv-2020"), answers=True, ask_divisions=False)
    db.session.commit()
    title = "Ökad tillgänglighet i barnhälsovården"
    chapter = next(q for q in all_questions(report) if q.prompt == title)
    assert chapter.repeats_heading
    assert not question(create_report(key="t-2024"), "Hur har 2024").repeats_heading
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert page.count(title) == 1
    assert "Ingen plan är bifogad redovisningen, så paketet har ingen Excelbilaga." in page
    assert "planens Excelbilaga" not in page
    texts = [p.text for p in Document(io.BytesIO(report_docx(report))).paragraphs]
    cells = [c.text for t in Document(io.BytesIO(report_docx(report))).tables for r in t.rows for c in r.cells]
    assert texts.count(title) == 1 and title not in cells


def test_a_report_for_another_year_lists_the_texts_naming_another_year(client, login, make_user, report):
    """R7: a 2025 report made from the 2024 form names the texts still saying 2024, on its page and in the editor."""
    login(make_user(Role.STRATEGIST))
    assert form_years.other_year_texts(report) == []  # the form's own year
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert 'id="other-years"' not in page
    response = client.post("/redovisningar", data={"source": "report:tillganglighet-2024", "key": "tillganglighet-2025",
                                                   "title": "Redovisning 2025", "year": "2025"})
    assert response.status_code == 302
    new = queries.get_report("tillganglighet-2025")
    found = form_years.other_year_texts(new)
    asked = "Hur har 2024 års medel använts? Hur kommer 2024 års medel att användas framöver?"
    assert any(o.text == asked and o.years == ["2024"] for o in found)
    for path in (f"/redovisningar/{new.key}", f"/redovisningar/{new.key}/formular"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="other-years"' in page and "ett tidigare år än 2025" in page
        assert f"”{asked}” (2024)" in page
        anchor = f'#edit-question-{question(new, "Hur har 2024").id}"'
        if path.endswith("/formular"):  # on the editor itself: a link within the page, no "go to" the page
            assert f'href="{anchor}' in page and "Ändra dem under" not in page
        else:
            assert f'href="/redovisningar/{new.key}/formular{anchor}' in page


def test_a_later_year_is_no_leftover_of_last_years_form(divisions):
    """R7: "Vision e-hälsa 2025" in the 2020 report names a programme, not last year's wording."""
    report = creation.create_report(creation.read_shipped_form("gonv-2020"), answers=True, ask_divisions=False)
    db.session.commit()
    assert form_years.other_year_texts(report) == []
