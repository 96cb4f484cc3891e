"""Inserting what the tracker offers into an answer: the text typed but not saved is kept, a newer answer is a
conflict, a contribution is not inserted twice, the plan's contacts come without its internal comments."""


import pytest

from tests.reports.helpers import all_questions, create_report, question
from tracker.extensions import db
from tracker.reports import answers
from tracker.reports.models import ReportQuestion
from tracker.vocabulary import Role


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
