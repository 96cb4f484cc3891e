"""The report's writers two at a time, the second at the racy point of the first: an answer, a förvaltning's
contribution, and the report's steps to review and back to writing. Every accepted write is stored with its history
entry, a refused one says so (409, in Swedish) and stores nothing, and nothing is written while the report is under
review: the direktör reviews what was there when it was handed in. (Approval against these is tested with the
approval.)"""

import itertools

import pytest

from tests.interleaving.report_writers import ANSWER, BACK, CONTRIBUTION, TO_REVIEW, writes_in_review


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
