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


def test_the_database_rolls_up_by_the_same_rule_for_every_mix_of_statuses():
    """The SQL form of the rule (whole plans are rolled up in the database) against the rule itself:
    every mix of zero to two of each of the five statuses."""
    import itertools

    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.plans.rollup import rollup_counts, rollup_expression

    mixes = list(itertools.product(range(3), repeat=len(Status)))
    rows = sa.union_all(*(
        sa.select(*(sa.literal(n, sa.Integer).label(status.value) for status, n in zip(Status, mix)))
        for mix in mixes
    )).subquery()
    expression = rollup_expression({status: rows.c[status.value] for status in Status})
    from_database = db.session.execute(sa.select(*rows.c, expression)).all()
    assert len(from_database) == len(mixes) == 243
    for *counts, rolled_up in from_database:
        assert rolled_up is rollup_counts(dict(zip(Status, counts))), counts
