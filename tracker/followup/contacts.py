"""The plan's kontaktpersoner (the workbook's Kontaktuppgifter sheet), kept on their own page: add, correct,
remove. Each change is in the plan's history (followup/tracking.py); an edit of a contact someone changed since
the page was read is refused (tracker/locking.py)."""

import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import PlanContact
from tracker.locking import Conflict, expect_version, flush_versioned
from tracker.parsing import address_field, required_text, text_field
from tracker.plans.models import Plan

NAME_MAX, PHONE_MAX, COMMENT_MAX = 120, 40, 2000
CHANGED = "Någon annan har ändrat kontaktpersonen sedan du öppnade sidan. Se hur den ser ut nu och ändra igen."
FIELDS = ("name", "phone", "email", "comment")


def list_contacts(plan: Plan) -> list[PlanContact]:
    return list(db.session.scalars(sa.select(PlanContact).where(PlanContact.plan_id == plan.id)
                                   .order_by(PlanContact.position, PlanContact.id)))


def contact_values(*, name, phone, email, comment) -> dict:
    """The form's values checked: a name, a phone number and an e-mail address as people write them, a comment.
    ValidationError with a Swedish message at each field that is wrong."""
    errors: dict[str, str] = {}
    values = {
        "name": required_text(errors, "name", name, "Namnet", NAME_MAX, "Ange kontaktpersonens namn."),
        "phone": text_field(errors, "phone", phone, "Telefonnumret", PHONE_MAX),
        "email": address_field(errors, "email", email, "Mejladressen"),
        "comment": text_field(errors, "comment", comment, "Kommentaren", COMMENT_MAX),
    }
    if values["phone"] and "phone" not in errors and not all(c.isdigit() or c in " +-()" for c in values["phone"]):
        errors["phone"] = (f"”{values['phone']}” är inget telefonnummer: skriv siffror, gärna med mellanslag eller "
                           "bindestreck, t.ex. 035-13 40 00.")
    if errors:
        raise ValidationError(errors)
    return values


def add_contact(plan: Plan, **form) -> PlanContact:
    values = contact_values(**form)
    last = db.session.scalar(sa.select(sa.func.max(PlanContact.position)).where(PlanContact.plan_id == plan.id))
    contact = PlanContact(plan_id=plan.id, position=(last + 1) if last is not None else 0, **values)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: PlanContact, *, expected_version: int | None, **form) -> PlanContact:
    values = contact_values(**form)
    expect_version(contact, expected_version)
    for name, value in values.items():
        setattr(contact, name, value)
    try:
        flush_versioned()
    except Conflict as conflict:
        raise Conflict(CHANGED) from conflict
    return contact


def delete_contact(contact: PlanContact, *, expected_version: int | None) -> None:
    expect_version(contact, expected_version)
    db.session.delete(contact)
    try:
        flush_versioned()
    except Conflict as conflict:
        raise Conflict(CHANGED) from conflict
