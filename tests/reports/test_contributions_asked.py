"""What the förvaltningar are asked on the real 2024 form, "Inget att tillägga", and the question ×
förvaltning matrix."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reports.helpers import a_2025_copy, all_questions, contribution_of, form_2024, prompt
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports import answers, creation, form_editing, queries
from tracker.vocabulary import QuestionKind, Role

SOURCE = (Path(__file__).parents[2] / "docs" / "sources"
          / "001-tillganglighet-2024-redovisning-med-handlingsplan-2023.txt")
# The 2024 form's questions that are the förvaltningar's: each area's medel/resultat and insatser.
ASKED = ["3.1 pair", "3.1 insatser", "3.2 pair", "3.2 insatser", "3.3 text", "3.3 insatser", "3.5 pair",
         "3.5 insatser", "3.6 pair", "3.6 insatser", "3.7 pair"]


@pytest.fixture
def report(divisions):
    return form_2024()


def test_the_2024_form_asks_the_förvaltningar_only_for_their_texts(report, divisions):
    asked = [f"{q.section.number} {q.kind.value}" for q in all_questions(report) if q.contributions]
    assert asked == ASKED
    assert all(len(q.contributions) == len(divisions) for q in all_questions(report) if q.contributions)
    not_asked = [q.prompt for q in all_questions(report) if not q.contributions]
    assert "Ev. kommentar" in not_asked and "Ev. kommentarer vg. ovanstående punkter" in not_asked
    assert not any(q.contributions for q in all_questions(report)
                   if q.kind in (QuestionKind.YES_NO, QuestionKind.CONTACTS))


def test_a_form_cannot_ask_the_förvaltningar_for_the_contacts_table(divisions):
    data = creation.read_shipped_form("tillganglighet-2024")
    data["sections"][0]["questions"][1]["asks_divisions"] = True  # Kontaktuppgifter
    report = creation.create_report(data, answers=False, plan_key="")
    contacts = prompt(report, None, QuestionKind.CONTACTS)
    assert not contacts.asks_divisions and not contacts.contributions


def test_a_copy_for_next_year_asks_the_same_and_the_strateg_may_ask_for_more(report, divisions):
    copy = a_2025_copy()
    assert [f"{q.section.number} {q.kind.value}" for q in all_questions(copy) if q.contributions] == ASKED
    comment = prompt(copy, "3.6", QuestionKind.TEXT, "Ev. kommentar")
    answers.assign_divisions(comment, [divisions["PH"].id])
    db.session.commit()
    assert [c.division.short_name for c in comment.contributions] == ["PH"]


def test_a_question_added_in_the_editor_asks_the_förvaltningar_when_ticked(report, divisions):
    section = prompt(report, "3.7").section
    not_asked = form_editing.add_question(section, kind="text", prompt="Övrigt om barn- och ungdomspsykiatrin")
    asked = form_editing.add_question(section, kind="text", prompt="Resultat för barn och unga", asks_divisions="1")
    contacts = form_editing.add_question(section, kind="contacts", prompt="Kontakter", asks_divisions="1")
    assert not not_asked.contributions and len(asked.contributions) == len(divisions)
    assert not contacts.asks_divisions and not contacts.contributions  # the contacts table is the strateg's
    form_editing.update_question(not_asked, kind="text", prompt=not_asked.prompt, asks_divisions="1")
    assert len(not_asked.contributions) == len(divisions)


def test_nothing_to_add_is_an_answered_contribution_without_text(report, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    waiting = queries.awaiting_count(contact)
    assert waiting == len(ASKED)
    pair = prompt(report, "3.1", QuestionKind.PAIR)
    mine = contribution_of(pair, "PH")
    with pytest.raises(ValidationError) as error:
        answers.save_contribution(mine, contact, text="", done=True, expected_version=mine.version_id)
    assert "Inget att tillägga" in error.value.errors["text"]
    db.session.rollback()
    with pytest.raises(ValidationError) as error:
        answers.save_contribution(mine, contact, text="Psykiatrin har ett bidrag.", done=False, nothing_to_add=True,
                                  expected_version=mine.version_id)
    assert "Töm textrutan" in error.value.errors["text"]
    db.session.rollback()
    answers.save_contribution(mine, contact, text="", done=False, nothing_to_add=True,
                              expected_version=mine.version_id)
    db.session.commit()
    assert mine.done and mine.text is None and mine.nothing_to_add
    assert queries.awaiting_count(contact) == waiting - 1
    assert queries.readiness(report).waiting["Psykiatri Halland"] == len(ASKED) - 1
    entry = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.kind == "contribution")
                               .order_by(HistoryEntry.id.desc())).first()
    assert "inte finns något att tillägga" in entry.summary


def test_the_matrix_shows_each_question_and_förvaltning(report, make_user, divisions):
    pair = prompt(report, "3.1", QuestionKind.PAIR)
    insatser = prompt(report, "3.1", QuestionKind.INSATSER)
    written = SOURCE.read_text("utf-8").splitlines()[93].strip("- ")  # "Nationell vårdförmedling för kortare köer"
    ph = contribution_of(pair, "PH")
    answers.save_contribution(ph, None, text=written, done=True, expected_version=ph.version_id)
    hs = contribution_of(pair, "HS")
    answers.save_contribution(hs, None, text="", done=False, nothing_to_add=True, expected_version=hs.version_id)
    db.session.commit()
    matrix = queries.contribution_matrix(report)
    assert [f"{r.section.number} {r.question.kind.value}" for r in matrix.rows] == ASKED
    column = {d.short_name: n for n, d in enumerate(matrix.divisions)}
    row = next(r for r in matrix.rows if r.question is pair)
    assert row.cells[column["PH"]].done and row.cells[column["PH"]].text == written
    assert row.cells[column["HS"]].nothing_to_add and not row.cells[column["NSV"]].done
    totals = {p.division.short_name: (p.done, p.left) for p in matrix.totals}
    assert totals["PH"] == (1, len(ASKED) - 1) and totals["HS"] == (1, len(ASKED) - 1)
    assert totals["NSV"] == (0, len(ASKED))
    answers.assign_divisions(insatser, [divisions["PH"].id])
    db.session.commit()
    row = next(r for r in queries.contribution_matrix(report).rows if r.question is insatser)
    assert row.cells[column["HS"]] is None  # not asked: not awaited


def test_a_contact_says_nothing_to_add_with_and_without_htmx(client, login, make_user, report, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    login(contact)
    pair, insatser = prompt(report, "3.1", QuestionKind.PAIR), prompt(report, "3.1", QuestionKind.INSATSER)
    mine = contribution_of(pair, "PH")
    page = client.get("/mina-fragor").get_data(as_text=True)
    assert 'name="nothing_to_add" value="1">Inget att tillägga</button>' in page
    response = client.post(f"/redovisningar/bidrag/{mine.id}", headers=htmx_headers,
                           data={"text": "", "nothing_to_add": "1", "version": mine.version_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="contribution-{mine.id}"' in body and "Sparat: inget att tillägga" in body
    other = contribution_of(insatser, "PH")
    response = client.post(f"/redovisningar/bidrag/{other.id}", data={"text": "  ", "nothing_to_add": "1",
                                                                       "version": other.version_id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#contribution-{other.id}")
    refused = client.post(f"/redovisningar/bidrag/{other.id}", data={"text": "Något ändå.", "nothing_to_add": "1",
                                                                      "version": other.version_id + 1})
    assert refused.status_code == 400 and "Töm textrutan" in refused.get_data(as_text=True)

    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    matrix = page[page.index('id="bidrag"'):page.index("</table>", page.index('id="bidrag"'))]
    pair_row = matrix[matrix.index(f'href="#question-{pair.id}"'):]
    pair_row = pair_row[:pair_row.index("</tr>")]
    assert pair_row.count("Inget att tillägga") == 1 and pair_row.count("Väntar") == 4
    assert "Inget att tillägga: Psykiatri Halland" in page  # beside the question
    assert "Kvar (besvarade av ombedda)" in matrix and f"{len(ASKED) - 2} (2 av {len(ASKED)})" in matrix
