"""The administrator's operations that reach across domains: a förvaltning is deleted only if nothing refers
to it — statuses, users, indicators, report contributions, the history."""

import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import DivisionStatus
from tracker.followup.models import Indicator
from tracker.reports.models import ReportContribution
from tracker.users.models import Division, User


def _count_rows(column, division: Division) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(column == division.id))


def delete_division(division: Division) -> None:
    """Delete a förvaltning that has never been used; one in use is made inactive instead."""
    actions = _count_rows(DivisionStatus.division_id, division)
    users = _count_rows(User.division_id, division)
    uses = []
    if actions:
        uses.append(f"är ansvarig för {actions} {'åtgärd' if actions == 1 else 'åtgärder'}")
    if users:
        uses.append(f"har {users} användare")
    if indicators := _count_rows(Indicator.division_id, division):
        uses.append(f"registrerar utfall för {indicators} {'indikator' if indicators == 1 else 'indikatorer'}")
    if questions := _count_rows(ReportContribution.division_id, division):
        uses.append(f"ombeds bidra till {questions} {'fråga' if questions == 1 else 'frågor'} i redovisningar")
    # The history keeps the förvaltning's id (a removed responsibility, a deleted åtgärd's statuses);
    # restoring those would point at nothing, or at a new förvaltning that got the same id.
    if not uses and _count_rows(HistoryEntry.division_id, division):
        uses.append("har varit ansvarig för åtgärder och finns kvar i historiken")
    if uses:
        raise ValidationError({"division": f"{division.name} kan inte tas bort: den {' och '.join(uses)}. "
                                           "Inaktivera den i stället."})
    db.session.delete(division)
    db.session.flush()
