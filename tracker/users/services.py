"""Operations on users, shared by the web, the command line and the demo loader."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import DivisionStatus, Indicator
from tracker.users.models import Division, User
from tracker.vocabulary import Role

MIN_PASSWORD_LENGTH = 8
# The column lengths of User and Division: longer input is refused with a message, not a database error.
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
DIVISION_NAME_MAX_LENGTH = 120
DIVISION_SHORT_NAME_MAX_LENGTH = 20


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def find_division(name: str) -> Division | None:
    wanted = " ".join(name.split()).casefold()
    for division in db.session.scalars(sa.select(Division)):
        if wanted in (division.name.casefold(), (division.short_name or "").casefold()):
            return division
    return None


def list_users() -> list[User]:
    return db.session.scalars(sa.select(User).options(so.joinedload(User.division)).order_by(User.name)).all()


def _check_profile(
    errors: dict[str, str], *, name: str, role: str, division: str | None
) -> tuple[str, Role | None, Division | None]:
    """The name, role and förvaltning of a user, checked; problems go into `errors`."""
    name = name.strip()
    if not name:
        errors["name"] = "Ange användarens namn."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Namnet får ha högst {NAME_MAX_LENGTH} tecken."
    role_value = Role.from_label(role)
    if role_value is None:
        errors["role"] = "Okänd roll. Välj en av: " + ", ".join(
            f"{r.value} ({r.label})" for r in Role
        ) + "."
    division_value = find_division(division) if division else None
    if division and division_value is None:
        errors["division"] = f"Okänd förvaltning: {division}."
    if role_value is Role.DIVISION_CONTACT and not division:
        errors["division"] = "En förvaltningskontakt måste höra till en förvaltning."
    return name, role_value, division_value


def _check_password(errors: dict[str, str], password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken."


def create_user(*, email: str, name: str, role: str, password: str, division: str | None = None) -> User:
    errors = {}
    email = email.strip().lower()
    if "@" not in email or len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = "Ange en giltig e-postadress, t.ex. namn@regionhalland.se."
    elif find_user_by_email(email):
        errors["email"] = f"Det finns redan en användare med e-postadressen {email}."
    name, role_value, division_value = _check_profile(errors, name=name, role=role, division=division)
    _check_password(errors, password)
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name, role=role_value, division=division_value)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, name: str, role: str, division: str | None, active: bool, acting_user: User) -> User:
    errors = {}
    name, role_value, division_value = _check_profile(errors, name=name, role=role, division=division)
    # An administratör who locks themselves out may leave the region with nobody to manage users.
    if user.id == acting_user.id:
        if not active:
            errors["active"] = "Du kan inte inaktivera ditt eget konto. Be en annan administratör om det behövs."
        if user.role is Role.ADMIN and role_value not in (Role.ADMIN, None):
            errors["role"] = "Du kan inte ta bort din egen administratörsroll. Be en annan administratör om det behövs."
    if errors:
        raise ValidationError(errors)
    user.name, user.role, user.division, user.active = name, role_value, division_value, active
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """An administratör's reset: the user logs in with `password` from now on."""
    errors = {}
    _check_password(errors, password)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    db.session.flush()


def _check_division(name: str, short_name: str, division: Division | None = None) -> tuple[str, str | None]:
    """The cleaned name and short name, unique among the other förvaltningar.

    A name may not equal another förvaltning's short name either: find_division
    looks both up, so it must never find two.
    """
    name, short_name = " ".join(name.split()), " ".join(short_name.split())
    errors = {}
    if not name:
        errors["name"] = "Ange förvaltningens namn."
    elif len(name) > DIVISION_NAME_MAX_LENGTH:
        errors["name"] = f"Namnet får ha högst {DIVISION_NAME_MAX_LENGTH} tecken."
    if len(short_name) > DIVISION_SHORT_NAME_MAX_LENGTH:
        errors["short_name"] = f"Kortnamnet får ha högst {DIVISION_SHORT_NAME_MAX_LENGTH} tecken."
    for other in db.session.scalars(sa.select(Division)):
        if other is division:
            continue
        taken = {other.name.casefold(), (other.short_name or "").casefold()}
        if "name" not in errors and name.casefold() in taken:
            errors["name"] = f"Namnet {name} används redan av förvaltningen {other.name}."
        if "short_name" not in errors and short_name and short_name.casefold() in taken:
            errors["short_name"] = f"Kortnamnet {short_name} används redan av förvaltningen {other.name}."
    if errors:
        raise ValidationError(errors)
    return name, short_name or None


def create_division(name: str, short_name: str) -> Division:
    name, short_name = _check_division(name, short_name)
    last_position = db.session.scalar(sa.select(sa.func.max(Division.position)))
    division = Division(name=name, short_name=short_name, position=(last_position or 0) + 1)
    db.session.add(division)
    db.session.flush()
    return division


def rename_division(division: Division, name: str, short_name: str) -> Division:
    division.name, division.short_name = _check_division(name, short_name, division)
    db.session.flush()
    return division


def set_division_active(division: Division, active: bool) -> Division:
    """An inactive förvaltning keeps its statuses, history and users; it only stops taking on new åtgärder."""
    division.active = active
    db.session.flush()
    return division


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
    # The history keeps the förvaltning's id (a removed responsibility, a deleted åtgärd's statuses);
    # restoring those would point at nothing, or at a new förvaltning that got the same id.
    if not uses and _count_rows(HistoryEntry.division_id, division):
        uses.append("har varit ansvarig för åtgärder och finns kvar i historiken")
    if uses:
        raise ValidationError({"division": f"{division.name} kan inte tas bort: den {' och '.join(uses)}. "
                                           "Inaktivera den i stället."})
    db.session.delete(division)
    db.session.flush()
