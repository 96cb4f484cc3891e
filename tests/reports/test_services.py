"""The report's operations: building from a form, answers, contributions, the life cycle, what is offered."""

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from tests.reports.helpers import all_questions, create_report, form_data, question
from tracker import clock
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import Conflict
from tracker.reports import answers, creation, form_editing, lifecycle, models, offered, queries
from tracker.reports.models import ReportQuestion
from tracker.versions import services as versions
from tracker.vocabulary import QuestionKind, ReportState, Role, Status


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


def test_an_answer_is_saved_with_optimistic_locking(divisions, make_user):
    strategist = make_user(Role.STRATEGIST)
    report = create_report()
    pair = question(report, "Hur har 2024")
    version = pair.version_id
    answers.save_answer(pair, strategist, {"answer": "Ny text", "answer_second": "Resultat"},
                         expected_version=version)
    db.session.commit()
    assert pair.version_id == version + 1 and pair.updated_by == strategist
    with pytest.raises(Conflict):
        answers.save_answer(pair, strategist, {"answer": "Gammal sida", "answer_second": ""}, expected_version=version)
    db.session.rollback()
    assert db.session.get(ReportQuestion, pair.id).answer == "Ny text"


def test_an_over_long_answer_saves_nothing(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    with pytest.raises(ValidationError) as error:
        answers.save_answer(pair, None, {"answer": "ok", "answer_second": "x" * (models.TEXT_MAX + 1)},
                             expected_version=pair.version_id)
    assert "högst 20000 tecken" in error.value.errors["answer_second"]
    db.session.rollback()
    assert db.session.get(ReportQuestion, pair.id).answer.startswith("Medlen")


def test_contacts_and_insatser_answers(divisions):
    report = create_report(answers=False)
    contacts = question(report, "Kontaktuppgifter")
    answers.save_answer(contacts, None, {"contact_rows": "2", "contact-0-name": "Carina Werner",
                                          "contact-0-email": "carina.werner@regionhalland.se"}, expected_version=None)
    db.session.commit()
    assert [(c.name, c.email, c.phone) for c in contacts.contacts] == [
        ("Carina Werner", "carina.werner@regionhalland.se", None)]
    with pytest.raises(ValidationError) as error:
        answers.save_answer(contacts, None, {"contact_rows": "2", "contact-0-name": "Carina Werner",
                                              "contact-1-phone": "035-13 48 00"}, expected_version=None)
    assert "contact-1-name" in error.value.errors
    db.session.rollback()
    assert len(contacts.contacts) == 1
    insatser = question(report, "Beskriv hur regionen")
    first = insatser.items[0]
    answers.save_answer(insatser, None, {f"item-{first.id}": "Införda."}, expected_version=insatser.version_id)
    db.session.commit()
    assert first.answer == "Införda." and insatser.items[1].answer is None


def test_contributions_marked_klar_and_inserted(divisions, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    report = create_report(answers=False)
    pair = question(report, "Hur har 2024")
    mine = queries.my_questions(contact)
    assert len(mine) == len([q for q in all_questions(report) if q.asks_divisions]) == 2
    assert queries.awaiting_count(contact) == len(mine)
    contribution = next(c for c in pair.contributions if c.division.short_name == "PH")
    with pytest.raises(ValidationError):
        answers.save_contribution(contribution, contact, text="", done=True, expected_version=1)
    db.session.rollback()
    answers.save_contribution(contribution, contact, text="BUP har fått tillgänglighetskoordinatorer.", done=True,
                               expected_version=contribution.version_id)
    db.session.commit()
    assert queries.awaiting_count(contact) == len(mine) - 1
    progress = {p.division.short_name: (p.done, p.left) for p in queries.contribution_matrix(report).totals}
    assert progress["PH"] == (1, len(mine) - 1) and progress["HS"] == (0, len(mine))
    answers.insert_text(pair, None, "answer_second", contribution.text, expected_version=pair.version_id)
    db.session.commit()
    assert pair.answer_second == "BUP har fått tillgänglighetskoordinatorer."
    answers.insert_text(pair, None, "answer_second", "Och mer.", expected_version=pair.version_id)
    assert pair.answer_second == "BUP har fått tillgänglighetskoordinatorer.\n\nOch mer."


def test_assigning_divisions(divisions):
    report = create_report(answers=False)
    pair = question(report, "Hur har 2024")
    answers.assign_divisions(pair, [divisions["PH"].id, divisions["HS"].id])
    db.session.commit()
    assert sorted(c.division.short_name for c in pair.contributions) == ["HS", "PH"]


def test_the_life_cycle_locks_after_approval_and_a_komplettering_reopens_named_questions(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    report = create_report()
    pair, other = question(report, "Hur har 2024"), question(report, "Övriga kommentarer")
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director, at=datetime(2024, 9, 27, 9, tzinfo=timezone.utc))
    assert report.state is ReportState.APPROVED
    with pytest.raises(lifecycle.ReportLocked):
        answers.save_answer(pair, director, {"answer": "x"}, expected_version=None)
    with pytest.raises(lifecycle.ReportLocked):
        form_editing.add_section(report, title="Nytt avsnitt", number=None, intro=None)
    sending = lifecycle.mark_sent(report, director, bundle=None, sent_on="2024-09-30")
    assert (sending.number, sending.sent_on, report.state) == (1, date(2024, 9, 30), ReportState.SENT)
    lifecycle.reopen(report, [pair.id], note=None)
    assert report.state is ReportState.COMPLETION
    answers.save_answer(pair, director, {"answer": "Kompletterat", "answer_second": ""},
                         expected_version=pair.version_id)
    with pytest.raises(lifecycle.ReportLocked, match="ingår inte i kompletteringen"):
        answers.save_answer(other, director, {"answer": "x"}, expected_version=None)
    with pytest.raises(lifecycle.ReportLocked):
        form_editing.add_section(report, title="Nytt avsnitt", number=None, intro=None)
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director, at=datetime(2024, 10, 14, 9, tzinfo=timezone.utc))
    second = lifecycle.mark_sent(report, director, bundle=None, sent_on="2024-10-15")
    db.session.commit()
    assert [s.number for s in report.sendings] == [1, 2]
    assert second.reopened == [pair.prompt] and not pair.reopened


def test_editing_the_form(divisions):
    report = create_report(answers=False)
    section = form_editing.add_section(report, number="3.7", title="Barn- och ungdomspsykiatri", intro=None)
    added = form_editing.add_question(section, kind="pair", prompt="Hur har medlen använts?",
                                  prompt_second="Resultatet av genomförda insatser.")
    db.session.commit()
    assert [v.section.heading for v in queries.load_tree(report)][-1] == "3.7 Barn- och ungdomspsykiatri"
    form_editing.update_question(added, kind="text", prompt="Hur har medlen använts?")
    assert added.kind is QuestionKind.TEXT
    answers.save_answer(added, None, {"answer": "Till BUP."}, expected_version=None)
    with pytest.raises(ValidationError, match="obesvarad"):
        form_editing.update_question(added, kind="pair", prompt="Hur har medlen använts?")
    with pytest.raises(ValidationError, match="Okänd frågetyp"):
        form_editing.update_question(added, kind="matris", prompt="x")
    db.session.rollback()
    assert form_editing.move_section(section, -1)
    db.session.commit()
    headings = [v.section.heading for v in queries.load_tree(report)]
    assert headings.index("3.7 Barn- och ungdomspsykiatri") == 2
    form_editing.delete_section(section)
    db.session.commit()
    assert "3.7 Barn- och ungdomspsykiatri" not in [v.section.heading for v in queries.load_tree(report)]
    assert db.session.scalar(sa.select(sa.func.count(ReportQuestion.id)).where(ReportQuestion.id == added.id)) == 0


def test_the_plan_update_is_proposed_from_the_sent_version(divisions, make_plan, make_user):
    director = make_user(Role.DIRECTOR)
    plan = make_plan()
    versions.approve(plan, director, "RS231576")
    versions.mark_sent(versions.get_version(plan, 1), director)
    report = create_report(plan=plan)
    asked = question(report, "Har handlingsplanen uppdaterats")
    assert asked.asks_if_plan_updated
    proposal = offered.plan_update(report)
    assert proposal.sent_version == 1 and not proposal.changed
    answers.apply_plan_update(asked, director, expected_version=asked.version_id)
    assert asked.answer_yes is False


def test_the_proposed_comment_does_not_repeat_the_ja_and_counts_in_swedish():
    from datetime import date

    one = offered.PlanUpdate(sent_version=1, sent_on=date(2024, 3, 15), changed=True, changes=1)
    assert one.text == "Handlingsplanen har ändrats sedan version 1, som skickades 2024-03-15: 1 ändring."
    assert offered.PlanUpdate(1, date(2024, 3, 15), True, 3).text.endswith(": 3 ändringar.")


def test_status_table_today_and_at_a_past_date(divisions, make_plan, make_user, app):
    from tracker.followup import services as followup
    contact = make_user(Role.DIVISION_CONTACT, "HS")
    plan = make_plan(actions=[{"divisions": ["HS"]}])
    report = create_report(plan=plan)
    status = plan.factors[0].actions[0].statuses[0]
    followup.update_status(status, contact, status="done", comment="Klart i Halmstad",
                           expected_version=status.version_id)
    db.session.commit()
    now = offered.status_table(report)
    assert now[0].summary.status is Status.DONE
    before = offered.status_table(report, at=date(2000, 1, 1), today=clock.today())
    assert before[0].summary.status is Status.NOT_STARTED
    results = offered.result_comments(report)
    assert results[0].division == "Hallands sjukhus" and "Klart i Halmstad" in results[0].text
