"""How a stored value reads in Swedish: on the pages, in the import preview, the history and the comparison."""

from datetime import date, datetime

from tracker.clock import LOCAL_ZONE
from tracker.vocabulary import LabelledEnum

SEPARATOR = "; "


def counted(number: int, one: str, many: str) -> str:
    """ "1 ny", "2 nya": Swedish agrees the word with the number."""
    return f"{number} {one if number == 1 else many}"


def parse_date(text: str | None) -> date | None:
    """A date kept as text (ÅÅÅÅ-MM-DD in a snapshot or the history), or None."""
    return date.fromisoformat(text) if text else None


def area_heading(code: str | None, title: str) -> str:
    """ "3.6 Regionala handlingsplaner …", or the title alone."""
    return f"{code} {title}" if code else title


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_datetime(value: datetime | None) -> str:
    """Swedish time, to the minute: 2024-09-30 14:05."""
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if value else ""


def display_value(value) -> str:
    if value is None or value == "" or value == ():
        return "–"
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, (tuple, list, frozenset)):
        return SEPARATOR.join(str(v) for v in value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
GROUP = "\u202f"  # a narrow no-break space between the thousands, as Swedish typography groups them


def format_kronor(amount: int | None) -> str:
    """ "2 937 000 000 kr", grouped with narrow no-break spaces, never broken across lines; "–" for none."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", GROUP) + "\u00a0kr"


def format_amount_input(amount: int | None) -> str:
    """An amount as a form field shows it to be edited: "2 937 000 000" (plain spaces, no unit)."""
    return "" if amount is None else f"{amount:,}".replace(",", " ")


def long_date(value: date | None) -> str:
    """ "30 september 2024"; empty for none."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""
