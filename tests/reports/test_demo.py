"""`tracker demo` loads the two real reports: the 2024 form with Region Halland's answers from seed 001 and the God
och nära vård 2020 report from seed 000, their texts the seeds' own. The sentences expected are copied from the
seeds into this file, so that the test runs (and cannot skip) where the seeds are not beside the repository;
tests/reports/test_report_data.py compares every text with the seeds where they are."""

from datetime import date

import pytest

from tests.reports.helpers import all_questions, question
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.reports import creation, queries
from tracker.vocabulary import QuestionKind, ReportState

# From seed 001 (the 2024 report) and seed 000 (the 2020 report), word for word.
MEDEL_2024 = "Medlen för 2024 används för att stärka och öka anslagen till våra befintliga verksamheter."
RESULTAT_2024 = ("Under perioden januari till april har Region Halland åberopat vårdgarantin för cirka 20% fler patienter "
                 "som tackat ja till erbjudandet, motsvarande cirka 750 patienter, jämfört med samma period föregående år.")
STRATEGI_2020 = ("I slutet av 2016 antog Regionfullmäktige i Region Halland en hälso- och sjukvårdsstrategi för åren "
                 "2017 – 2025")


@pytest.fixture
def demo():
    load_demo()
    db.session.commit()


def test_the_2024_report_is_linked_sent_and_answered_from_the_seed(demo):
    report = queries.get_report("tillganglighet-2024")
    assert report.plan.key == "tillganglighet-2023" and report.state is ReportState.SENT
    assert [(s.number, s.sent_on) for s in report.sendings] == [(1, date(2024, 9, 30))]
    pair = question(report, "Hur har 2024 års medel använts")
    assert pair.kind is QuestionKind.PAIR and len(pair.answer) > 200
    assert pair.answer.startswith(MEDEL_2024)
    assert pair.answer_second.startswith(RESULTAT_2024)
    updated = question(report, "Har handlingsplanen uppdaterats")
    assert updated.answer_yes is False
    in_36 = next(v for v in queries.load_tree(report) if v.section.number == "3.6").questions
    comment = next(q for q in in_36 if q.prompt == "Ev. kommentar")
    assert comment.answer == ("Region Hallands handlingsplan kommer att ligga till grund för 2025 års arbetet för "
                              "ökad tillgänglighet.")
    contacts = next(q for q in all_questions(report) if q.kind is QuestionKind.CONTACTS)
    assert [c.name for c in contacts.contacts] == ["Carina Werner", "Matilda Örnstedt"]
    assert question(report, "Redovisningen gäller följande region").answer == "Region Halland"
    generellt = next(v for v in queries.load_tree(report) if v.section.title == "Generellt")
    assert [q.answer_yes for q in generellt.questions if q.kind is QuestionKind.YES_NO] == [True, True, False]


def test_the_2020_report_keeps_its_chapters_and_cover_letter(demo):
    report = queries.get_report("gonv-2020")
    tree = queries.load_tree(report)
    assert tree[0].section.title.startswith("Utveckling av den nära vården")
    assert [c.section.title for c in tree[0].children][:2] == [
        "Tillgänglighet och kontinuitet", "Tillgänglighet genom digital utveckling och nya arbetssätt"]
    assert report.cover_letter["registry_number"] == "RS200203" and report.cover_letter["date"] == "2021-03-10"
    first = tree[0].questions[0].answer.split("\n\n")[0]
    assert first.startswith(STRATEGI_2020)


def test_a_report_from_the_shipped_2024_form_has_its_questions_and_no_answers(demo):
    shipped = queries.get_report("tillganglighet-2024")
    new = creation.create_from_source("form:tillganglighet-2024", answers=True, key="tillganglighet-2025",
                                      title="Redovisning 2025", year=2025)
    db.session.commit()
    before, after = all_questions(shipped), all_questions(new)
    assert [(q.kind, q.prompt) for q in after] == [(q.kind, q.prompt) for q in before]
    assert all(q.answer is None and q.answer_yes is None and not q.contacts for q in after)
    assert all(i.answer is None for q in after for i in q.items)
    # every förvaltning is asked for the texts: the pairs, the insatser, the free texts outside the contact details
    asked = {q.prompt for q in after if len(q.contributions) == 5}
    assert all(not q.contributions for q in after if q.prompt not in asked)
    assert all(q.prompt in asked for q in after if q.kind in (QuestionKind.PAIR, QuestionKind.INSATSER))
    assert "Redovisningen gäller följande region" not in asked
    assert not any(q.prompt in asked for q in after if q.kind is QuestionKind.YES_NO)
