"""The report's writers two at a time, the second at the racy point of the first: an answer, a förvaltning's
contribution, and the report's steps to review and back to writing. Every accepted write is stored with its history
entry, a refused one says so (409, in Swedish) and stores nothing, and nothing is written while the report is under
review: the direktör reviews what was there when it was handed in. (Approval against these is tested with the
approval.)"""

import itertools

import pytest
import sqlalchemy as sa

from tests.interleaving.helpers import Writer, entries_by, refused
from tests.reports.helpers import question
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports import lifecycle
from tracker.reports.models import Report, ReportContribution, ReportQuestion
from tracker.vocabulary import ReportState, Role

IN_REVIEW = "granskas av hälso- och sjukvårdsdirektören"
WRONG_STATE = "det går bara när den är"


@pytest.fixture
def review(report):
    lifecycle.submit_for_review(report)
    db.session.commit()
    return report


def the_question(report) -> ReportQuestion:
    return db.session.get(ReportQuestion, question(report, "Hur har 2024").id)


def ph_contribution(report) -> ReportContribution:
    return next(c for c in the_question(report).contributions if c.division.short_name == "PH")


def load_answer(report, user):
    pair = the_question(report)
    data = {"answer": f"Svar från {user.name}", "answer_second": "", "version": pair.version_id}
    return lambda client: client.post(f"/redovisningar/fragor/{pair.id}/svar", data=data)


def judge_answer(report, user, response):
    stored = the_question(report).answer == f"Svar från {user.name}"
    if response.status_code == 409:
        refused(response, IN_REVIEW, "har sparat svaret medan du redigerade")
        assert not stored and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert stored and entries_by(user, kind="report_question")
    return True


def load_contribution(report, user):
    mine = ph_contribution(report)
    data = {"text": f"Bidrag från {user.name}", "version": mine.version_id}
    return lambda client: client.post(f"/redovisningar/bidrag/{mine.id}", data=data)


def judge_contribution(report, user, response):
    stored = ph_contribution(report).text == f"Bidrag från {user.name}"
    if response.status_code == 409:
        refused(response, IN_REVIEW, "har sparat bidraget medan du redigerade")
        assert not stored and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert stored and entries_by(user, kind="contribution")
    return True


def state_writer(url: str, state: ReportState):
    def load(report, user):
        return lambda client: client.post(f"/redovisningar/{report.key}/{url}", data={"confirm": "1"})

    def judge(report, user, response):
        if response.status_code == 409:
            refused(response, WRONG_STATE)
            assert not entries_by(user)
            return False
        assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:2000])
        assert db.session.get(Report, report.id).state is state and entries_by(user, kind="report")
        return True

    return load, judge


ANSWER = Writer("svar", Role.STRATEGIST, None, load_answer, judge_answer)
CONTRIBUTION = Writer("bidrag", Role.DIVISION_CONTACT, "PH", load_contribution, judge_contribution)
TO_REVIEW = Writer("till granskning", Role.STRATEGIST, None, *state_writer("granskning", ReportState.REVIEW))
BACK = Writer("tillbaka till skrivande", Role.STRATEGIST, None, *state_writer("tillbaka", ReportState.DRAFT))


def writes_in_review(report) -> list[str]:
    """The answers and contributions the history shows written while the report was under review."""
    state, found = ReportState.DRAFT.label, []
    for entry in db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.report_id == report.id)
                                    .order_by(HistoryEntry.id)):
        if entry.kind == "report":
            state = next((new for field, _, new in entry.changes if field == "Läge"), state)
        elif entry.kind in ("report_question", "contribution") and state == ReportState.REVIEW.label:
            found.append(entry.summary)
    return found


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations([ANSWER, CONTRIBUTION, TO_REVIEW], 2)),
                         ids=repr)
def test_two_writers_of_a_report_being_written(report, race, first, second):
    stored = dict(zip((first, second), race(report, first, second)))
    assert stored.get(TO_REVIEW, True)
    assert writes_in_review(report) == []
    if TO_REVIEW is first:  # held before its write, so the other is judged by the state before the review
        assert stored[second]


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations([ANSWER, CONTRIBUTION, BACK], 2)),
                         ids=repr)
def test_two_writers_of_a_report_under_review(review, race, first, second):
    stored = dict(zip((first, second), race(review, first, second)))
    assert stored.get(BACK, True)
    assert writes_in_review(review) == []
