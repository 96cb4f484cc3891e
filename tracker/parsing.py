"""Numbers typed or posted by users, read without surprises: `int()` refuses "²" although
`"²".isdigit()` is true, and a 20-digit id fits no database column."""

import unicodedata

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route stops at MAX_ID: a larger number is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def record_id(text) -> int:
    """An id from a URL or a form; ValueError (so: absent) for anything no row can have."""
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise ValueError(f"{text} är inget giltigt id")
    return value


def optional_id(text) -> int | None:
    """An id, or None when none was given or it is not one any row can have."""
    try:
        return record_id(text)
    except (TypeError, ValueError):
        return None


def whole_number(text, low: int, high: int) -> int | None:
    """A whole number from low to high, or None."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs and other control characters: refused in one-line texts (a round's title, a person's
    name) that go into mail headers, where a line break would end the header."""
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)
