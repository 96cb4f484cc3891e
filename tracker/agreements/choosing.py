"""Which existing agreement a form, a file or the command line names: plans and reports are given one of the
agreements there are, never a new one made from a typed name (a new agreement is added on its own page)."""

from tracker.agreements.models import Agreement
from tracker.agreements.services import find_agreement, list_agreements
from tracker.extensions import db
from tracker.parsing import record_id


def agreement_choices() -> list[tuple[int, str]]:
    """(id, name) of every agreement, as a select lists them."""
    return [(a.id, a.name) for a in list_agreements()]


def unknown_agreement_message(text: str | None) -> str:
    """What is said at the field when `text` names no agreement: which ones there are to choose from."""
    names = [a.name for a in list_agreements()]
    if not names:
        return ("Det finns inga överenskommelser ännu. En strateg lägger upp överenskommelsen under "
                "Överenskommelser först.")
    said = f"Överenskommelsen ”{text}” finns inte. " if text else "Välj överenskommelsen. "
    return said + "Välj en av: " + ", ".join(names) + ". En ny överenskommelse läggs upp under Överenskommelser."


def choose_agreement(errors: dict[str, str], name: str, value) -> Agreement | None:
    """The agreement `value` names: an Agreement, a select's id, or a name however it is spelt in case, spaces and
    dashes (a workbook's or the command line's text). None, with a Swedish message at `name`, when it names none."""
    if isinstance(value, Agreement):
        return value
    text = " ".join(str(value or "").split())
    found = None
    if text.isdigit():
        try:
            found = db.session.get(Agreement, record_id(text))
        except ValueError:
            found = None
    elif text:
        found = find_agreement(text)
    if found is None:
        errors[name] = unknown_agreement_message(None if text.isdigit() else text)
    return found
