"""A plan's writer and a report's writer at once: they share no row, so both are always stored (a lock of one may
not stop the other, nor a failure of one take the other with it)."""

import itertools
from dataclasses import dataclass, replace

import pytest

from tests.interleaving import plan_writers, report_writers

PLAN_WRITERS = plan_writers.DRAFT_WRITERS
REPORT_WRITERS = [report_writers.ANSWER, report_writers.CONTRIBUTION, report_writers.TO_REVIEW]


@dataclass(frozen=True)
class Both:
    plan: object
    report: object


def on(writer, part: str):
    """`writer` given its own part of the combined world."""
    return replace(writer, load=lambda both, user: writer.load(getattr(both, part), user),
                   judge=lambda both, user, response: writer.judge(getattr(both, part), user, response))


PAIRS = [(on(p, "plan"), on(r, "report")) for p, r in itertools.product(PLAN_WRITERS, REPORT_WRITERS)]


@pytest.mark.parametrize(("first", "second"), PAIRS + [(r, p) for p, r in PAIRS], ids=repr)
def test_a_plan_writer_and_a_report_writer_both_store(world, report, race, first, second):
    assert race(Both(world, report), first, second) == (True, True)
