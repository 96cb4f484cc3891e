"""The roll-up rule of DOMAIN.md: from per-förvaltning statuses to an åtgärd, and on up."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.vocabulary import Status


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


@dataclass(frozen=True)
class Summary:
    """Roll-up of a group of åtgärder (a framgångsfaktor, a plan): its status and counts."""

    status: Status
    counts: Counter

    @classmethod
    def of(cls, action_statuses: Iterable[Status]) -> "Summary":
        action_statuses = list(action_statuses)
        return cls(rollup(action_statuses), Counter(action_statuses))

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
