"""Operations on users, shared by the web, the command line and the demo loader."""

import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.users.models import Division, User
from tracker.vocabulary import Role

MIN_PASSWORD_LENGTH = 8


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


def create_user(*, email: str, name: str, role: str, password: str, division: str | None = None) -> User:
    errors = {}
    email = email.strip().lower()
    if "@" not in email:
        errors["email"] = "Ange en giltig e-postadress, t.ex. namn@regionhalland.se."
    elif find_user_by_email(email):
        errors["email"] = f"Det finns redan en användare med e-postadressen {email}."
    if not name.strip():
        errors["name"] = "Ange användarens namn."
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
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken."
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name.strip(), role=role_value, division=division_value)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
