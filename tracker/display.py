"""How a stored value reads in Swedish: in the import preview, the history and the comparison."""

from datetime import date, datetime

from tracker.vocabulary import LabelledEnum

SEPARATOR = "; "


def counted(number: int, one: str, many: str) -> str:
    """ "1 ny", "2 nya": Swedish agrees the word with the number."""
    return f"{number} {one if number == 1 else many}"


def display_value(value) -> str:
    if value is None or value == "" or value == ():
        return "–"
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, (tuple, list, frozenset)):
        return SEPARATOR.join(str(v) for v in value)
    if isinstance(value, datetime):
        from tracker.web import format_datetime

        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)
