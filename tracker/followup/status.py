"""The status form's save: a förvaltning's status and comment for one åtgärd, which during an open round also
confirms the row in it."""

from tracker.followup.rounds import MyRound, add_confirmations, unconfirmed
from tracker.locking import expect_version, flush_versioned
from tracker.plans.models import DivisionStatus
from tracker.plans.services import set_status, validate_status_input
from tracker.users.models import User
from tracker.extensions import db


def save_status(
    division_status: DivisionStatus,
    user: User,
    *,
    status: str | None,
    comment: str | None,
    expected_version: int | None,
    my_rounds: list[MyRound] | None = None,
) -> DivisionStatus:
    """Set status and comment, unless someone saved a newer version since `expected_version`.

    Raises ValidationError for bad input and locking.Conflict for a stale version; after a conflict the session
    must be rolled back. The status form's one service: the rules are plans.set_status's, shared with the import.

    `my_rounds`: the user's open rounds (my_open_rounds), when the caller has read them already; they then say
    whether the update confirms the row in its round, and are brought up to date with it.
    """
    validate_status_input(status, comment)  # before touching the row: bad input changes nothing
    # During an open round, the update confirms the row in it; what that needs is read before writing.
    if my_rounds is not None and division_status.division_id == user.division_id:
        plan_id = division_status.action.factor.plan_id
        pending = [(m.round.id, division_status) for m in my_rounds
                   if m.round.plan_id == plan_id and division_status.id not in m.confirmed_status_ids]
    else:
        pending = unconfirmed([division_status])
    expect_version(division_status, expected_version)
    set_status(division_status, user, status=status, comment=comment)
    flush_versioned()
    if pending:
        add_confirmations(pending, user)
        db.session.flush()
    for m in my_rounds or []:
        if any(round_id == m.round.id for round_id, _ in pending):
            m.confirmed_status_ids.add(division_status.id)
    return division_status
