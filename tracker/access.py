"""Who may do what, checked on the server whatever the page showed: the guards every view uses, and the Swedish
refusals, one sentence per rule (the roles are in docs/domain.md, Roles).

One style: `require(condition, message)` answers 403 with the message unless the condition holds; the named
guards below are `require` with the rule's condition and sentence. A rule whose refusal names what was refused
takes the action as an argument ("ändra indikatorerna"), so the sentence stays one and the user still reads what
they may not do.

Part of the base: it knows Flask, Flask-Login and the roles' vocabulary, and nothing of the domains (a user is
anything with the `can_…` properties of tracker.users.models.User).
"""

from flask import abort
from flask_login import current_user, login_required

from tracker.vocabulary import Role

ADMINS_ONLY = "Bara en administratör får hantera användare och förvaltningar."


def editors_only(action: str) -> str:
    """The refusal of what only the strateg and the direktör do (`can_edit_structure`), `action` in the
    infinitive: "ändra indikatorerna"."""
    return f"Bara strateg och hälso- och sjukvårdsdirektör kan {action}."


def director_only(action: str) -> str:
    """The refusal of what only the hälso- och sjukvårdsdirektör does (`can_approve`): "fastställa planen"."""
    return f"Bara hälso- och sjukvårdsdirektören kan {action}."


def require(allowed: bool, message: str) -> None:
    """403 with a Swedish message that says who may, unless `allowed`."""
    if not allowed:
        abort(403, message)


def require_editor(action: str, *, then: str = "") -> None:
    """Only the strateg and the direktör may do `action` (then `then`, a further sentence, if any)."""
    require(current_user.can_edit_structure, editors_only(action) + (f" {then}" if then else ""))


def require_director(action: str) -> None:
    """Only the hälso- och sjukvårdsdirektör may do `action`."""
    require(current_user.can_approve, director_only(action))


@login_required
def require_admin() -> None:
    """A blueprint's before_request for the Administratör's pages (users, förvaltningar, the security log):
    a visitor is sent to log in, anyone else but an administratör is refused."""
    require(current_user.can_manage_users, ADMINS_ONLY)


def require_own_division(division_id: int, *, for_others: str, for_contacts: str) -> None:
    """403 unless the logged-in user writes for `division_id`: a förvaltningskontakt of another förvaltning is told
    `for_contacts`, anyone else (the writing is the contacts') `for_others`."""
    if not current_user.speaks_for(division_id):
        abort(403, for_contacts if current_user.role is Role.DIVISION_CONTACT else for_others)
