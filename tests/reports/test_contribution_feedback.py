"""What the pages answer about contributions: the förvaltningar saved beside their button, the counts updated
out of band, a free comment shown with what it comments on."""


import pytest

from tests.reports.helpers import create_report, question
from tracker.extensions import db
from tracker.reports import answers, queries
from tracker.vocabulary import Role


@pytest.fixture
def report(divisions):
    return create_report()


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


def test_only_a_question_a_förvaltning_may_write_for_offers_the_förvaltningar(client, login, make_user, report):
    """The contacts table is the strateg's: its question offers no förvaltningar to ask, a pair's does."""
    login(make_user(Role.STRATEGIST))
    pair = client.get(f"/redovisningar/fragor/{question(report, 'Hur har 2024').id}").get_data(as_text=True)
    contacts = client.get(f"/redovisningar/fragor/{question(report, 'Kontaktuppgifter').id}").get_data(as_text=True)
    assert "Förvaltningar som ombeds bidra" in pair
    assert "Förvaltningar som ombeds bidra" not in contacts
