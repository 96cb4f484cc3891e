"""The roll-up rule of docs/domain.md: from per-förvaltning statuses to an åtgärd, and on up."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.vocabulary import Status, db_enum


def rollup(statuses: Iterable[Status]) -> Status:
    """Rolled-up status of per-förvaltning statuses (or of åtgärder)."""
    return rollup_counts(Counter(statuses))


def rollup_counts(counts: Mapping[Status, int]) -> Status:
    """The rule, on how many of each status there are.

    Avbruten is ignored unless every status is Avbruten. Then: all Genomförd →
    Genomförd; else any Försenad → Försenad; else any Pågående or Genomförd →
    Pågående; else Ej påbörjad. No statuses at all → Ej påbörjad.
    """
    total = sum(counts.values())
    cancelled = counts.get(Status.CANCELLED, 0)
    done = counts.get(Status.DONE, 0)
    if total and cancelled == total:
        return Status.CANCELLED
    if total and done == total - cancelled:
        return Status.DONE
    if counts.get(Status.DELAYED, 0):
        return Status.DELAYED
    if counts.get(Status.IN_PROGRESS, 0) or done:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def rollup_expression(counts: Mapping[Status, sa.ColumnElement[int]]) -> sa.ColumnElement[Status]:
    """The same rule as `rollup_counts`, as SQL over per-status counts, so that a roll-up of a
    whole plan is counted in the database. Tests hold the two to the same answers."""
    total = sum(counts.values(), sa.literal(0))
    cancelled, done = counts[Status.CANCELLED], counts[Status.DONE]
    rule = sa.case(
        ((total > 0) & (cancelled == total), Status.CANCELLED.value),
        ((total > 0) & (done == total - cancelled), Status.DONE.value),
        (counts[Status.DELAYED] > 0, Status.DELAYED.value),
        ((counts[Status.IN_PROGRESS] > 0) | (done > 0), Status.IN_PROGRESS.value),
        else_=Status.NOT_STARTED.value,
    )
    return sa.type_coerce(rule, db_enum(Status))


@dataclass(frozen=True)
class Summary:
    """Roll-up of a group of åtgärder (a framgångsfaktor, a plan): its status and counts."""

    status: Status
    counts: Counter

    @classmethod
    def of(cls, action_statuses: Iterable[Status]) -> "Summary":
        return cls.of_counts(Counter(action_statuses))

    @classmethod
    def of_counts(cls, counts: Mapping[Status, int]) -> "Summary":
        """From how many åtgärder have each rolled-up status."""
        counts = Counter({status: n for status, n in counts.items() if n})
        return cls(rollup_counts(counts), counts)

    @property
    def total(self) -> int:
        """Åtgärder that count: an avbruten åtgärd is not expected to be genomförd."""
        return sum(n for status, n in self.counts.items() if status is not Status.CANCELLED)

    @property
    def done(self) -> int:
        return self.counts[Status.DONE]

    @property
    def cancelled(self) -> int:
        return self.counts[Status.CANCELLED]

    @property
    def text(self) -> str:
        text = f"{self.done} av {self.total} genomförda"
        if self.cancelled:
            text += f" ({self.cancelled} avbrutna)" if self.cancelled > 1 else " (1 avbruten)"
        return text


def is_overdue(due_date, status: Status, today) -> bool:
    """Open and past its due date: flagged whatever the contacts have set."""
    return due_date is not None and due_date < today and status.is_open
