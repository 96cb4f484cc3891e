"""The roll-up rule of DOMAIN.md: from per-förvaltning statuses to an åtgärd, and on up."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.vocabulary import Status


def rollup(statuses: Iterable[Status]) -> Status:
    """Rolled-up status, ignoring Avbruten unless every status is Avbruten.

    all Genomförd → Genomförd; else any Försenad → Försenad; else any Pågående or
    Genomförd → Pågående; else Ej påbörjad. No statuses at all → Ej påbörjad.
    """
    statuses = list(statuses)
    if statuses and all(s is Status.CANCELLED for s in statuses):
        return Status.CANCELLED
    active = [s for s in statuses if s is not Status.CANCELLED]
    if active and all(s is Status.DONE for s in active):
        return Status.DONE
    if Status.DELAYED in active:
        return Status.DELAYED
    if Status.IN_PROGRESS in active or Status.DONE in active:
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
