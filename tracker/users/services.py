"""Operations on users, shared by the web, the command line and the demo loader."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.parsing import NotOneAddress, one_address, one_line_field
from tracker.types import utcnow
from tracker.users import events as security_log
from tracker.users import passwords
from tracker.users.models import Division, User
from tracker.users.sessions import end_user_sessions
from tracker.vocabulary import Role

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
# The column lengths of User and Division: longer input is refused with a message, not a database error.
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
DIVISION_NAME_MAX_LENGTH = 120
DIVISION_SHORT_NAME_MAX_LENGTH = 20
# Words anyone guessing a password here would try first.
GUESSABLE_WORDS = ["region", "halland", "regionhalland", "handlingsplan", "handlingsplaner"]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password. Exactly one hash is checked whatever the e-mail,
    so that an unknown address is answered as slowly as a known one."""
    user = find_user_by_email(email)
    matches = passwords.verify(user.password_hash if user else None, password)
    return user if user is not None and user.active and matches else None


def log_in_with_password(email: str, password: str, *, sso_only_when_linked: bool = False,
                         provider: str = "single sign-on") -> User | None:
    """`authenticate`, recorded in the security log; a hash with old parameters is replaced on success.
    An account linked to the provider is refused (SignInRefused) when `sso_only_when_linked`: only after the
    right password, so that a guess learns nothing about the account."""
    user = authenticate(email, password)
    if user is None:
        known = find_user_by_email(email)
        reason = "unknown" if known is None else "inactive" if not known.active else "wrong_password"
        typed = email.strip()[:EMAIL_MAX_LENGTH]
        security_log.record("login_failed", f"Misslyckad inloggning med lösenord för {typed}", user=known,
                            email=typed, actor=known, method="password", reason=reason)
        return None
    if not user.signs_in_with_password(sso_only_when_linked):
        security_log.record("login_failed", f"Inloggning med lösenord nekad för {user.email}: kontot är kopplat "
                            f"till {provider}", user=user, actor=user, method="password", reason="sso_only")
        raise SignInRefused(f"Ditt konto är kopplat till {provider} och loggar bara in därifrån, så att "
                            "inloggningstjänstens skydd (som tvåstegsverifiering) alltid gäller; lösenordet i "
                            f"Handlingsplaner används inte. Logga in med {provider} i stället.")
    if passwords.needs_rehash(user.password_hash):
        user.set_password(password)
    security_log.record("login", f"{user.name} loggade in med lösenord", user=user, actor=user, method="password")
    db.session.flush()
    return user


# What a limit on wrong passwords refuses: the security log's kind, and the attempt and its state in Swedish.
THROTTLED = {"login": ("login_throttled", "Inloggning", "spärrad"),
             "password_change": ("password_change_throttled", "Lösenordsbyte", "spärrat")}


def guessing_throttled(attempt: str, email: str, *, refused: int, reason: str) -> None:
    """An attempt refused while a limit on wrong passwords holds, in the security log. Called for the first
    refusal of a burst and then for the 10th, 100th, …: `refused` counts them, `reason` names the limit."""
    kind, name, held = THROTTLED[attempt]
    who = email or "okänt konto"
    summary = (f"{name} för {who} {held}: {reason}" if refused == 1 else
               f"{name} för {who} fortfarande {held}: {refused} försök nekade sedan spärren började")
    security_log.record(kind, summary, user=find_user_by_email(email) if email else None, email=email or None,
                        refused=refused, reason=reason)


class SignInRefused(Exception):
    """We know who the person is, but they may not come in this way; `message` says why, in Swedish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sso_identity(claims: dict) -> tuple[str, str]:
    """Who the provider says this is, for good: Entra ID's tenant and object id (its `sub` differs from one
    application to the next), else the token's issuer and subject."""
    if claims.get("tid") and claims.get("oid"):
        return str(claims["tid"]), str(claims["oid"])
    return str(claims["iss"]), str(claims["sub"])


def find_user_by_sso(issuer: str, subject: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.sso_issuer == issuer, User.sso_subject == subject))


def log_in_with_sso(claims: dict, *, create_users: bool, trust_email: bool, provider: str) -> User:
    """The active user linked to the provider's identity (issuer and subject), recorded in the security log.
    Not linked yet: the user with the token's e-mail address (case-insensitively) is linked, if the address is
    verified (`email_verified`, or `trust_email`: the deployment says the provider's addresses are its own) and
    the user is not linked to another identity already. An unknown person is created as Läsare only when
    `create_users`; otherwise nobody is created."""
    issuer, subject = sso_identity(claims)
    user = find_user_by_sso(issuer, subject)
    linking = user is None
    if linking:
        user = _user_to_link(claims, issuer, subject, create_users=create_users, trust_email=trust_email,
                             provider=provider)
    if not user.active:
        sso_failed("inactive", user=user, subject=subject)
        raise SignInRefused(f"Kontot för {user.email} är inaktiverat i Handlingsplaner. Kontakta en administratör "
                            "om du behöver komma åt handlingsplanerna igen.")
    if linking:
        user.sso_issuer, user.sso_subject, user.sso_linked_at = issuer, subject, utcnow()
        security_log.record("sso_linked", f"{user.name} ({user.email}) kopplades till {provider} vid sin första "
                            "inloggning därifrån", user=user, actor=user, issuer=issuer, subject=subject)
    security_log.record("login", f"{user.name} loggade in med {provider}", user=user, actor=user, method="sso",
                        subject=subject)
    db.session.flush()
    return user


def _user_to_link(claims: dict, issuer: str, subject: str, *, create_users: bool, trust_email: bool,
                  provider: str) -> User:
    """The user a first sign-on links to: the one with the token's verified address, or a new Läsare."""
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        sso_failed("no_email", subject=subject)
        raise SignInRefused(f"{provider} uppgav ingen e-postadress för dig, så Handlingsplaner kan inte veta vilket "
                            "konto du har. Kontakta IT-supporten och be dem kontrollera din e-postadress i "
                            "inloggningstjänsten.")
    user = find_user_by_email(email)
    if user is not None and user.is_linked:
        sso_failed("other_subject", user=user, email=email, issuer=issuer, subject=subject,
                   linked_issuer=user.sso_issuer, linked_subject=user.sso_subject)
        raise SignInRefused(f"Kontot för {email} i Handlingsplaner är kopplat till en annan person i {provider} än "
                            "den du loggade in som, så du släpps inte in. Logga in med det konto det är kopplat "
                            "till, eller be en administratör ta bort kopplingen om kontot ska kopplas till dig.")
    # Entra ID sends no email_verified: a deployment on it says with trust_email that its addresses are its own.
    # A provider that says the address is unverified is believed either way.
    verified = claims.get("email_verified")
    if verified is not True and not (verified is None and trust_email):
        sso_failed("unverified_email", user=user, email=email, subject=subject)
        raise SignInRefused(f"{provider} har inte bekräftat att e-postadressen {email} är din, så Handlingsplaner "
                            "kan inte koppla dig till ett konto. Kontakta IT-supporten och be dem kontrollera din "
                            "e-postadress i inloggningstjänsten.")
    if user is None and create_users:
        try:
            user = create_user(email=email, name=claims.get("name") or email, role=Role.READER.value,
                               password=None, via_sso=True)
        except ValidationError as error:
            sso_failed("invalid_claim", email=email, subject=subject)
            raise SignInRefused(f"Inget konto kunde skapas åt dig: {' '.join(error.errors.values())} "
                                f"(uppgiften kommer från {provider}). Kontakta IT-supporten.") from None
    if user is None:
        sso_failed("unknown", email=email, subject=subject)
        raise SignInRefused(f"Det finns inget konto för {email} i Handlingsplaner, så du kan inte logga in än. "
                            "Be en administratör att lägga upp dig med den adressen; inget konto har skapats.")
    return user


def unlink_sso(user: User, acting_user: User) -> None:
    """The administratör removes the link: the next sign-on through the provider links again, by a verified
    address (to whoever then has it). The user's sessions end: a link is removed when it was someone else's."""
    if not user.is_linked:
        raise ValidationError({"sso": f"{user.name} är inte kopplad till single sign-on; det finns ingen koppling "
                                      "att ta bort."})
    ended = end_user_sessions(user, "sso_unlinked")
    security_log.record("sso_unlinked", f"Kopplingen till single sign-on för {user.name} ({user.email}) togs bort; "
                        f"{ended} öppna sessioner avslutades", user=user, actor=acting_user, issuer=user.sso_issuer,
                        subject=user.sso_subject, sessions_ended=ended)
    user.sso_issuer = user.sso_subject = user.sso_linked_at = None
    db.session.flush()


def sso_failed(reason: str, *, user: User | None = None, email: str | None = None, **details) -> None:
    """A single sign-on that did not let anyone in, in the security log."""
    email = email[:EMAIL_MAX_LENGTH] if email else None  # the provider's claim, of any length
    who = user.email if user else email or "okänd person"
    security_log.record("login_failed", f"Misslyckad inloggning med single sign-on för {who}", user=user,
                        email=email, actor=user, method="sso", reason=reason, **details)


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
    name = one_line_field(errors, "name", name, "Namnet", NAME_MAX_LENGTH, "Ange användarens namn.")
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


def _check_email(errors: dict[str, str], email: str, user: User | None = None) -> str:
    """The address, normalized: exactly one, and no other user's (`user`: the one being edited)."""
    try:
        email = one_address(email or "")
    except NotOneAddress as error:
        errors["email"] = str(error)
        return email
    other = find_user_by_email(email)
    if other is not None and other is not user:
        errors["email"] = f"Det finns redan en användare med e-postadressen {email}."
    return email


def _check_password(errors: dict[str, str], password: str, *, email: str, name: str,
                    field: str = "password") -> None:
    """The one password rule of the admin pages, the command line and *Byt lösenord*."""
    if len(password) < MIN_PASSWORD_LENGTH:
        errors[field] = (f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken; det angivna har {len(password)}. "
                         "En fras av några ord är lättast att minnas.")
    elif passwords.too_easy_to_guess(password, [email, *email.split("@")[0].split("."), *name.split(),
                                                *GUESSABLE_WORDS]):
        errors[field] = ("Lösenordet är för vanligt: det är för likt ett ofta använt eller läckt lösenord, ett upprepat "
                         "ord, en följd som 123456 eller qwerty, eller användarens namn eller e-postadress. Välj en "
                         "fras av några ord som inte hör ihop.")


def create_user(*, email: str | None, name: str, role: str, password: str | None, division: str | None = None,
                via_sso: bool = False) -> User:
    """A new user; `password` None for one who signs in only through single sign-on."""
    errors = {}
    email = _check_email(errors, email)
    name, role_value, division_value = _check_profile(errors, name=name, role=role, division=division)
    if password is not None:
        _check_password(errors, password, email=email, name=name)
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name, role=role_value, division=division_value)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    how = "vid sin första inloggning med single sign-on" if via_sso else "som " + role_value.label
    security_log.record("user_created", f"{user.name} ({user.email}) skapades {how}", user=user,
                        actor=user if via_sso else None, role=role_value.value,
                        division=division_value.name if division_value else None)
    return user


def update_user(user: User, *, name: str, role: str, division: str | None, active: bool, acting_user: User,
                email: str | None = None) -> User:
    """`email` None, or the stored address again: it stays (a demo user's @demo.local address, which a new one
    could not be, is kept when only the name or role changes)."""
    errors = {}
    kept = email is None or email.strip().lower() == user.email
    email = user.email if kept else _check_email(errors, email, user)
    name, role_value, division_value = _check_profile(errors, name=name, role=role, division=division)
    # An administratör who locks themselves out may leave the region with nobody to manage users.
    if user.id == acting_user.id:
        if not active:
            errors["active"] = "Du kan inte inaktivera ditt eget konto. Be en annan administratör om det behövs."
        if user.role is Role.ADMIN and role_value not in (Role.ADMIN, None):
            errors["role"] = "Du kan inte ta bort din egen administratörsroll. Be en annan administratör om det behövs."
    if errors:
        raise ValidationError(errors)
    _record_access_changes(user, email, role_value, division_value, active)
    user.email, user.name, user.role, user.division, user.active = email, name, role_value, division_value, active
    db.session.flush()
    return user


def _record_access_changes(user: User, email: str, role: Role, division: Division | None, active: bool) -> None:
    """Security log entries for what changes who may do what (the address: who an unlinked account's first
    single sign-on links to, and where mail goes); a deactivation ends the user's sessions."""
    who = f"{user.name} ({user.email})"
    if email != user.email:
        security_log.record("email_changed", f"E-postadressen för {who} ändrades till {email}", user=user,
                            before=user.email, after=email)
    if role is not user.role:
        security_log.record("role_changed", f"Rollen för {who} ändrades från {user.role.label} till {role.label}",
                            user=user, before=user.role.value, after=role.value)
    if division is not user.division:
        before, after = (d.name if d else None for d in (user.division, division))
        security_log.record("division_changed",
                            f"Förvaltningen för {who} ändrades från {before or '–'} till {after or '–'}",
                            user=user, before=before, after=after)
    if active != user.active:
        if active:
            security_log.record("reactivated", f"Kontot för {who} aktiverades igen", user=user)
        else:
            ended = end_user_sessions(user, "deactivated")
            security_log.record("deactivated", f"Kontot för {who} inaktiverades; {ended} öppna sessioner avslutades",
                                user=user, sessions_ended=ended)


def set_password(user: User, password: str, acting_user: User | None, *, must_change: bool | None = None) -> None:
    """A new password set by an administratör (or the command line): every session of the user ends.
    Set for someone else, it is temporary: the user chooses their own at the next login."""
    errors = {}
    _check_password(errors, password, email=user.email, name=user.name)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.must_change_password = (user != acting_user) if must_change is None else must_change
    ended = end_user_sessions(user, "password")
    then = "; ett nytt måste väljas vid nästa inloggning" if user.must_change_password else ""
    security_log.record("password_reset", f"Lösenordet för {user.name} ({user.email}) återställdes{then}",
                        user=user, sessions_ended=ended, must_change=user.must_change_password)
    db.session.flush()


def change_own_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password is required (a wrong one is in the security log, which
    the caller commits all the same); every session ends (the caller opens a new one for the browser the change
    was made in)."""
    errors = {}
    if not user.check_password(current):
        errors["current_password"] = "Det nuvarande lösenordet stämmer inte. Skriv det lösenord du loggade in med."
        security_log.record("password_check_failed", f"Fel nuvarande lösenord när {user.name} skulle byta lösenord",
                            user=user, actor=user)
    _check_password(errors, new, email=user.email, name=user.name, field="new_password")
    if "new_password" not in errors and "current_password" not in errors and new == current:
        errors["new_password"] = "Det nya lösenordet måste skilja sig från det nuvarande."
    if errors:
        raise ValidationError(errors)
    user.set_password(new)
    user.must_change_password = False
    ended = end_user_sessions(user, "password")
    security_log.record("password_changed", f"{user.name} bytte sitt lösenord", user=user, actor=user,
                        sessions_ended=ended)
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


def list_divisions(*, active_only: bool = False) -> list[Division]:
    """Every förvaltning (for filters and history), or only those that take on new åtgärder."""
    query = sa.select(Division).order_by(Division.position, Division.name)
    if active_only:
        query = query.where(Division.active.is_(True))
    return db.session.scalars(query).all()


def rename_division(division: Division, name: str, short_name: str) -> Division:
    division.name, division.short_name = _check_division(name, short_name, division)
    db.session.flush()
    return division


def set_division_active(division: Division, active: bool) -> Division:
    """An inactive förvaltning keeps its statuses, history and users; it only stops taking on new åtgärder."""
    division.active = active
    db.session.flush()
    return division


