"""A report made from a form or a copy: the form's order, nesting and answers, the JSON round trip, a copy for
next year with or without its answers, and what is refused (an unknown kind, bad keys and facts)."""


import pytest

from tests.reports.helpers import all_questions, create_report, form_data, question
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.reports import creation, queries
from tracker.vocabulary import QuestionKind, ReportState


def test_a_report_keeps_the_forms_order_nesting_and_answers(divisions):
    report = create_report()
    tree = queries.load_tree(report)
    assert [v.section.heading for v in tree] == ["Kontaktuppgifter", "Generellt", "3 Redovisning per område"]
    assert [c.section.heading for c in tree[2].children] == [
        "3.1 Nationell vårdförmedling för kortare köer", "3.6 Regionala handlingsplaner för ökad tillgänglighet"]
    pair = tree[2].children[0].questions[0]
    assert pair.kind is QuestionKind.PAIR and pair.answer_second == "Kortare köer inom ögonsjukvård."
    assert [q.answer_yes for q in tree[1].questions] == [True, True, False]
    assert [c.name for c in tree[0].questions[0].contacts] == ["Carina Werner", "Matilda Örnstedt"]
    # every förvaltning is asked, except for the contacts table
    assert len(pair.contributions) == 5 and not tree[0].questions[0].contributions


def test_the_json_form_round_trips_through_a_report(divisions):
    report = create_report()
    data = queries.report_data(report)
    expected = form_data()["sections"]

    def normal(sections):  # an empty answer reads as None once stored
        return [{**s, "questions": [{k: (v or None) if k == "answer" and not isinstance(v, bool) else v
                                     for k, v in q.items()} for q in s["questions"]],
                 "sections": normal(s["sections"])} for s in sections]

    assert normal(data["sections"]) == normal(expected)


def test_a_report_from_the_form_has_no_answers(divisions):
    report = create_report(answers=False, key="tillganglighet-2025", year=2025)
    questions = all_questions(report)
    assert all(q.answer is None and q.answer_second is None and q.answer_yes is None for q in questions)
    assert all(not q.contacts for q in questions)
    insatser = question(report, "Beskriv hur regionen")
    assert [i.name for i in insatser.items] == ["Gemensamma väntelistor", "Ramavtal med externa vårdgivare"]
    assert all(i.answer is None for i in insatser.items)


def test_copying_last_years_report_with_or_without_answers(divisions):
    create_report()
    with_answers = creation.create_from_source("report:tillganglighet-2024", answers=True, key="tillganglighet-2025",
                                               year=2025, title="Redovisning 2025")
    without = creation.create_from_source("report:tillganglighet-2024", answers=False, key="tillganglighet-2026",
                                          year=2026, title="Redovisning 2026")
    assert question(with_answers, "Hur har 2024").answer.startswith("Medlen har använts")
    assert question(without, "Hur har 2024").answer is None
    assert with_answers.deadline is None and with_answers.state is ReportState.DRAFT


def test_an_unknown_question_kind_is_refused_and_nothing_is_made(divisions):
    data = form_data()
    data["sections"][1]["questions"][0]["kind"] = "tabell"
    with pytest.raises(ValidationError) as error:
        creation.create_report(data, answers=True)
    assert "Okänd frågetyp ”tabell”" in error.value.errors["kind"]
    db.session.rollback()
    assert queries.get_report("tillganglighet-2024") is None


def test_bad_keys_and_facts(divisions):
    create_report()
    with pytest.raises(ValidationError) as error:
        creation.create_report(form_data(), answers=False, deadline="30 sept", plan_key="finns-inte")
    assert set(error.value.errors) == {"key", "deadline", "plan"}
