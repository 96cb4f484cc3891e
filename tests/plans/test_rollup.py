import pytest

from tracker.plans.rollup import Summary, rollup
from tracker.vocabulary import Status

N, P, F, G, A = Status.NOT_STARTED, Status.IN_PROGRESS, Status.DELAYED, Status.DONE, Status.CANCELLED


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([G, G], G),
        ([G, A], G),  # Avbruten is ignored ...
        ([A, A], A),  # ... unless all are Avbruten
        ([G, F, P], F),
        ([F, N], F),
        ([G, N], P),  # one genomförd, one not started: the åtgärd is under way
        ([P, N], P),
        ([N, N], N),
        ([N, A], N),
        ([], N),
    ],
)
def test_rollup_follows_the_rule_in_domain(statuses, expected):
    assert rollup(statuses) is expected


def test_summary_counts_genomforda_out_of_those_not_cancelled():
    summary = Summary.of([G] * 7 + [P] * 3 + [F] * 2 + [A])
    assert summary.status is F
    assert summary.text == "7 av 12 genomförda (1 avbruten)"


def test_status_labels_are_read_in_any_letter_case():
    assert Status.from_label("  pågående ") is P
    assert Status.from_label("GENOMFÖRD") is G
    assert Status.from_label("klar") is None
