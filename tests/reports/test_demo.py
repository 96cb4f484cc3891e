"""`tracker demo` loads the two real reports: the 2024 form with Region Halland's answers from seed 001 and the God
och nära vård 2020 report from seed 000, their texts the seeds' own."""

from datetime import date
from pathlib import Path

import pytest

from tests.reports.helpers import question
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.reports import services
from tracker.vocabulary import QuestionKind, ReportState

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo():
    load_demo()
    db.session.commit()


def _seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"the seed {name} is not beside the repository")
    return _words(path.read_text("utf-8"))


def test_the_2024_report_is_linked_sent_and_answered_from_the_seed(demo):
    report = services.get_report("tillganglighet-2024")
    assert report.plan.key == "tillganglighet-2023" and report.state is ReportState.SENT
    assert [(s.number, s.sent_on) for s in report.sendings] == [(1, date(2024, 9, 30))]
    seed = _seed("001_7ee0f710fddeda20.txt")
    pair = question(report, "Hur har 2024 års medel använts")
    assert pair.kind is QuestionKind.PAIR and len(pair.answer) > 200
    for text in (pair.answer, pair.answer_second):
        for paragraph in text.split("\n\n"):
            assert _words(paragraph) in seed
    updated = question(report, "Har handlingsplanen uppdaterats")
    assert updated.answer_yes is False
    in_36 = next(v for v in services.load_tree(report) if v.section.number == "3.6").questions
    comment = next(q for q in in_36 if q.prompt == "Ev. kommentar")
    assert comment.answer == ("Region Hallands handlingsplan kommer att ligga till grund för 2025 års arbetet för "
                              "ökad tillgänglighet.")
    contacts = next(q for q in services.all_questions(report) if q.kind is QuestionKind.CONTACTS)
    assert [c.name for c in contacts.contacts] == ["Carina Werner", "Matilda Örnstedt"]
    assert question(report, "Redovisningen gäller följande region").answer == "Region Halland"
    generellt = next(v for v in services.load_tree(report) if v.section.title == "Generellt")
    assert [q.answer_yes for q in generellt.questions if q.kind is QuestionKind.YES_NO] == [True, True, False]


def test_the_2020_report_keeps_its_chapters_and_cover_letter(demo):
    report = services.get_report("gonv-2020")
    tree = services.load_tree(report)
    assert tree[0].section.title.startswith("Utveckling av den nära vården")
    assert [c.section.title for c in tree[0].children][:2] == [
        "Tillgänglighet och kontinuitet", "Tillgänglighet genom digital utveckling och nya arbetssätt"]
    assert report.cover_letter["registry_number"] == "RS200203" and report.cover_letter["date"] == "2021-03-10"
    seed = _seed("000_501d761e715f19f6.txt")
    first = tree[0].questions[0].answer.split("\n\n")[0]
    assert first.startswith("I slutet av 2016 antog Regionfullmäktige i Region Halland en hälso- och sjukvårdsstrategi")
    assert _words(first.split(", vars")[0]) in seed  # the seed marks emphasis further on


def test_a_report_from_the_shipped_2024_form_has_its_questions_and_no_answers(demo):
    shipped = services.get_report("tillganglighet-2024")
    new = services.create_from_source("form:tillganglighet-2024", answers=True, key="tillganglighet-2025",
                                      title="Redovisning 2025", year=2025)
    db.session.commit()
    before, after = services.all_questions(shipped), services.all_questions(new)
    assert [(q.kind, q.prompt) for q in after] == [(q.kind, q.prompt) for q in before]
    assert all(q.answer is None and q.answer_yes is None and not q.contacts for q in after)
    assert all(i.answer is None for q in after for i in q.items)
    # every förvaltning is asked for the texts: the pairs, the insatser, the free texts outside the contact details
    asked = {q.prompt for q in after if len(q.contributions) == 5}
    assert all(not q.contributions for q in after if q.prompt not in asked)
    assert all(q.prompt in asked for q in after if q.kind in (QuestionKind.PAIR, QuestionKind.INSATSER))
    assert "Redovisningen gäller följande region" not in asked
    assert not any(q.prompt in asked for q in after if q.kind is QuestionKind.YES_NO)
