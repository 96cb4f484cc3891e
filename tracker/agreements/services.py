"""The agreements' own rows: finding an agreement by its name, the year a plan or a report belongs to, and the
strateg's writing of an agreement's years — its facts, its medel divided in parts, its villkor and their
fulfilment, and next year made from this one.

Each writer checks what it is given and raises ValidationError (field → Swedish message) with nothing changed;
the versioned rows (a year's facts, a villkor) are written with the optimistic lock of tracker/locking.py.
Whether evidence (a bundle, a plan version, an indicator) belongs to the year is read above this package
(tracker/annual), which passes only ids it has checked."""

import re
from datetime import date

import sqlalchemy as sa

from tracker.agreements.models import Agreement, AgreementYear, Condition, Funds
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import expect_version, flush_versioned
from tracker.parsing import date_field, kronor_field, required_text, text_field
from tracker.vocabulary import ConditionKind

NAME_MAX, TITLE_MAX, PARTIES_MAX, REGISTRY_MAX, LABEL_MAX, RECIPIENT_MAX, TEXT_MAX = 200, 300, 300, 40, 300, 300, 5000


def normal_name(name: str) -> str:
    """How two spellings of one agreement's name compare: case, spaces and dashes ignored."""
    return " ".join(name.replace("–", "-").replace("—", "-").split()).casefold()


def list_agreements() -> list[Agreement]:
    return list(db.session.scalars(sa.select(Agreement).order_by(Agreement.name)))


def find_agreement(name: str) -> Agreement | None:
    """The agreement called `name`, however it is spelt in case, spaces and dashes; None if there is none."""
    wanted = normal_name(name)
    return next((a for a in list_agreements() if normal_name(a.name) == wanted), None)


def year_of(agreement: Agreement, year: int) -> AgreementYear:
    """The agreement's year, made if this is its first plan or report (flushed, not committed)."""
    found = db.session.scalar(
        sa.select(AgreementYear).where(AgreementYear.agreement == agreement, AgreementYear.year == year))
    if found is None:
        found = AgreementYear(agreement=agreement, year=year)
        db.session.add(found)
        db.session.flush()
    return found


def get_year(year_id: int) -> AgreementYear | None:
    return db.session.get(AgreementYear, year_id)


# --- The agreement ------------------------------------------------------------------------------------------


def _agreement_name(value, *, other_than: Agreement | None = None) -> str:
    errors: dict[str, str] = {}
    name = required_text(errors, "name", value, "Namnet", NAME_MAX,
                         "Ange överenskommelsens namn, t.ex. Ökad tillgänglighet.")
    if not errors and name and "\n" in name:
        errors["name"] = "Namnet ska stå på en rad."
    if not errors:
        same = find_agreement(name)
        if same is not None and same is not other_than:
            errors["name"] = (f"Överenskommelsen ”{same.name}” finns redan (stora och små bokstäver, mellanslag och olika "
                              "slags bindestreck räknas inte som skillnad). Välj den, eller ge den nya ett annat namn.")
    if errors:
        raise ValidationError(errors)
    return name


def create_agreement(name) -> Agreement:
    """A new överenskommelse; refused when one of the same name (as normal_name compares) exists."""
    agreement = Agreement(name=_agreement_name(name))
    db.session.add(agreement)
    db.session.flush()
    return agreement


def rename_agreement(agreement: Agreement, name) -> Agreement:
    """A corrected name; refused when it is another agreement's (as normal_name compares)."""
    agreement.name = _agreement_name(name, other_than=agreement)
    db.session.flush()
    return agreement


# --- A year's facts -----------------------------------------------------------------------------------------


def year_facts(form) -> dict:
    """The facts of a year as the form gives them, checked; ValidationError with a message per field."""
    errors: dict[str, str] = {}
    facts = {
        "title": text_field(errors, "title", form.get("title"), "Titeln", TITLE_MAX),
        "parties": text_field(errors, "parties", form.get("parties"), "Parterna", PARTIES_MAX),
        "registry_number": text_field(errors, "registry_number", form.get("registry_number"), "Diarienumret",
                                      REGISTRY_MAX),
        "total_funds": kronor_field(errors, "total_funds", form.get("total_funds"), "Medel totalt"),
        "region_share": kronor_field(errors, "region_share", form.get("region_share"), "Region Hallands del"),
        "description": text_field(errors, "description", form.get("description"), "Beskrivningen", TEXT_MAX),
    }
    for name in ("title", "parties", "registry_number"):
        if name not in errors and facts[name] and "\n" in facts[name]:
            errors[name] = "Skriv uppgiften på en rad."
    if not errors and facts["total_funds"] is not None and facts["region_share"] is not None \
            and facts["region_share"] > facts["total_funds"]:
        errors["region_share"] = "Region Hallands del kan inte vara större än medlen totalt."
    if errors:
        raise ValidationError(errors)
    return facts


def update_year(year: AgreementYear, form, expected_version: int | None) -> AgreementYear:
    facts = year_facts(form)
    expect_version(year, expected_version)
    for name, value in facts.items():
        setattr(year, name, value)
    flush_versioned()
    return year


# --- The medel divided in parts -----------------------------------------------------------------------------


def _funds_values(form) -> dict:
    errors: dict[str, str] = {}
    values = {
        "label": required_text(errors, "label", form.get("label"), "Benämningen", LABEL_MAX,
                               "Ange vad delen av medlen heter, t.ex. Block 2: prestationsbaserade medel."),
        "amount": kronor_field(errors, "amount", form.get("amount"), "Beloppet"),
        "description": text_field(errors, "description", form.get("description"), "Beskrivningen", TEXT_MAX),
    }
    if errors:
        raise ValidationError(errors)
    return values


def add_funds(year: AgreementYear, form) -> Funds:
    funds = Funds(**_funds_values(form), position=len(year.funds))
    year.funds.append(funds)
    db.session.flush()
    return funds


def update_funds(funds: Funds, form) -> Funds:
    for name, value in _funds_values(form).items():
        setattr(funds, name, value)
    db.session.flush()
    return funds


def delete_funds(funds: Funds) -> None:
    db.session.delete(funds)
    db.session.flush()


# --- Villkor ------------------------------------------------------------------------------------------------


def condition_values(form) -> dict:
    """A villkor's kind, text, deadline, recipient and amount, checked; ValidationError names each bad field."""
    errors: dict[str, str] = {}
    kind = ConditionKind(form.get("kind")) if form.get("kind") in ConditionKind._value2member_map_ else None
    if kind is None:
        errors["kind"] = "Välj vad villkoret gäller i listan."
    values = {
        "kind": kind,
        "text": required_text(errors, "text", form.get("text"), "Villkorets text", TEXT_MAX,
                              "Skriv villkoret, t.ex. som överenskommelsen formulerar det."),
        "deadline": date_field(errors, "deadline", form.get("deadline"), "Sista dag"),
        "recipient": text_field(errors, "recipient", form.get("recipient"), "Mottagaren", RECIPIENT_MAX),
        "amount": kronor_field(errors, "amount", form.get("amount"), "Beloppet villkoret ger"),
    }
    if "deadline" not in errors and values["deadline"] is None:
        errors["deadline"] = "Ange sista dag som ÅÅÅÅ-MM-DD, t.ex. 2024-09-30: varje villkor har en sista dag."
    if errors:
        raise ValidationError(errors)
    return values


def add_condition(year: AgreementYear, form) -> Condition:
    condition = Condition(**condition_values(form), position=len(year.conditions))
    year.conditions.append(condition)
    db.session.flush()
    return condition


def update_condition(condition: Condition, form, expected_version: int | None) -> Condition:
    values = condition_values(form)
    expect_version(condition, expected_version)
    for name, value in values.items():
        setattr(condition, name, value)
    flush_versioned()
    return condition


def delete_condition(condition: Condition, expected_version: int | None) -> None:
    expect_version(condition, expected_version)
    db.session.delete(condition)
    flush_versioned()


def fulfil(condition: Condition, user, *, fulfilled_on: date, note: str | None, expected_version: int | None,
           bundle_id: int | None = None, version_id: int | None = None, indicator_id: int | None = None) -> None:
    """The villkor met on `fulfilled_on`, by `user`, with the evidence given (ids the caller checked belong to
    the villkor's year) or a note."""
    expect_version(condition, expected_version)
    condition.fulfilled_on, condition.fulfilment_note, condition.fulfilled_by = fulfilled_on, note, user
    condition.evidence_bundle_id, condition.evidence_version_id = bundle_id, version_id
    condition.evidence_indicator_id = indicator_id
    flush_versioned()


def undo_fulfilment(condition: Condition, expected_version: int | None) -> None:
    """Not met after all: the date, note, person and evidence taken away."""
    fulfil(condition, None, fulfilled_on=None, note=None, expected_version=expected_version)


# --- Next year from this one --------------------------------------------------------------------------------


def a_year_later(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _next_text(text: str | None, year: int) -> str | None:
    """A text of this year's with the year (as a word of its own) made next year's: "senast den 30 september 2024"
    → "… 2025"; other numbers are left alone."""
    return re.sub(rf"(?<!\d){year}(?!\d)", str(year + 1), text) if text else text


def next_year(year: AgreementYear) -> AgreementYear:
    """The agreement's next year made from this one: its villkor (deadlines a year later, their texts' year moved;
    not their fulfilment), its parties and title, the labels of its medel's parts (amounts empty: next year's
    money is not known). Refused when next year has villkor already; a next year made by a plan or a report
    (without villkor) is filled in. The amounts villkor release are left empty too: they are next year's money."""
    following = db.session.scalar(sa.select(AgreementYear).where(
        AgreementYear.agreement_id == year.agreement_id, AgreementYear.year == year.year + 1))
    if following is not None and following.conditions:
        raise ValidationError({"next_year": (
            f"{year.agreement.name} {year.year + 1} finns redan och har "
            f"{len(following.conditions)} villkor; ändra dem där i stället.")})
    if following is None:
        following = AgreementYear(agreement=year.agreement, year=year.year + 1)
        db.session.add(following)
    following.title = following.title or _next_text(year.title, year.year)
    following.parties = following.parties or year.parties
    if not following.funds:
        for part in year.funds:
            following.funds.append(Funds(label=_next_text(part.label, year.year), position=part.position,
                                         description=_next_text(part.description, year.year)))
    for condition in year.conditions:
        following.conditions.append(Condition(
            kind=condition.kind, text=_next_text(condition.text, year.year), deadline=a_year_later(condition.deadline),
            recipient=condition.recipient, position=condition.position))
    db.session.flush()
    return following
