"""Values typed or posted by users, read without surprises: `int()` refuses "²" although `"²".isdigit()` is
true, a 20-digit id fits no database column, and a control character pasted from Word (its soft line break is
U+000B) is valid in the database but not in the XML of a Word or Excel file made of it later.

The text helpers put each problem in `errors` under the field's name, in Swedish, and return the cleaned value."""

import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
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


def one_line(text: str) -> str:
    """A text as one line, for a mail header: a line break (in a title or a name saved before the services
    refused them) would end the header, so every run of whitespace becomes one space."""
    return " ".join(text.split())


def one_line_field(errors: dict, name: str, value, label: str, limit: int, missing: str) -> str:
    """A text that must be given on one line (a person's name, a round's title: both go into mail headers):
    `missing` is the message when it is empty; too long, or with a line break or another control character, it is
    refused with a message naming `label`."""
    text = (value or "").strip()
    if not text:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = f"{label} får ha högst {limit} tecken."
    elif has_control_characters(text):
        errors[name] = f"{label} får inte innehålla radbrytningar eller andra styrtecken."
    return text


# Word's soft line break and page break read as line breaks; tab and line feed are text; any other character
# below U+0020 (NUL, escape, …) has no place in a text and cannot be written to a .docx or .xlsx.
_AS_LINE_BREAK = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def clean_text(value) -> str | None:
    """The text with line breaks made uniform and the ends trimmed; None when empty."""
    text = (value or "").replace("\r\n", "\n").translate(_AS_LINE_BREAK).strip()
    return text or None


def without_control_characters(text: str | None) -> str | None:
    """The text as a Word or Excel file can hold it: soft breaks as line breaks, the other control characters
    taken out (for what was stored before they were refused)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").translate(_AS_LINE_BREAK)) if text else text


def control_character(text: str) -> str | None:
    """The first control character a text may not hold (tab and line breaks are text), as U+XXXX; None if none."""
    bad = _CONTROL.search(text.translate(_AS_LINE_BREAK))
    return f"U+{ord(bad[0]):04X}" if bad else None


def text_field(errors: dict, name: str, value, label: str, limit: int) -> str | None:
    """An optional text of at most `limit` characters, refused with a message when it holds a control character."""
    text = clean_text(value)
    if text is None:
        return None
    if bad := control_character(text):
        errors[name] = (f"{label} innehåller ett osynligt styrtecken ({bad}) som inte kan sparas; "
                        f"ta bort det, t.ex. genom att skriva om texten runt det. Inget är sparat.")
    elif len(text) > limit:
        errors[name] = f"{label} får vara högst {limit} tecken; texten har {len(text)}. Inget är sparat."
    return text


def required_text(errors: dict, name: str, value, label: str, limit: int, missing: str) -> str | None:
    """A text that must be given (a title, a heading): `missing` is the message when it is empty."""
    text = text_field(errors, name, value, label, limit)
    if text is None:
        errors[name] = missing
    return text


YEARS = range(2000, 2101)  # a plan's or a report's year
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # a plan's or a report's key: its part of the address
KEY_MAX = 60


def key_field(errors: dict, name: str, value, *, reserved: set[str], example: str) -> str:
    """A plan's or a report's key, as its address shows it ("tillganglighet-2023"): small letters a–z, digits and
    single hyphens between them, at most KEY_MAX characters, none of the app's own words (`reserved`)."""
    key = (value or "").strip()
    if len(key) > KEY_MAX:
        errors[name] = f"Nyckeln får ha högst {KEY_MAX} tecken; den har {len(key)}."
    elif not KEY.match(key):
        errors[name] = f"Nyckeln får bara innehålla små bokstäver a–z, siffror och bindestreck, t.ex. {example}."
    elif key in reserved:
        errors[name] = f"Nyckeln {key} är reserverad; välj en annan, t.ex. {example}."
    return key


def year_field(errors: dict, name: str, value, missing: str | None = None) -> int | None:
    """A year of four digits within YEARS (not "²", not 20260230); None when none was given, refused with
    `missing` when one must be."""
    text = clean_text(None if value is None else str(value))
    if text is None:
        if missing:
            errors[name] = missing
        return None
    year = whole_number(text, YEARS.start, YEARS.stop - 1) if len(text) == 4 else None
    if year is None:
        errors[name] = (f"”{text[:20]}” är inget år. Ange året med fyra siffror mellan {YEARS.start} och "
                        f"{YEARS.stop - 1}, t.ex. 2025.")
    return year


def date_field(errors: dict, name: str, value, label: str) -> date | None:
    """A date as ÅÅÅÅ-MM-DD (or already a date); None when none was given."""
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{label} måste vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-09-30."
        return None


EMAIL_MAX = 254  # the longest address SMTP carries


class NotOneAddress(ValueError):
    """Not exactly one e-mail address; the message says why, in Swedish, naming the field."""


def one_address(value: str, label: str = "E-postadressen") -> str:
    """Exactly one e-mail address, the way a user's is stored and looked up: trimmed, in email-validator's
    normalized form, in lower case (addresses are matched case-insensitively). Syntax only, no DNS. Refused:
    lists (a comma, a semicolon, a space), a display name or angle brackets, line breaks — all ways one field
    could carry a second recipient into a mail's To header. `.test`, reserved for tests, is allowed; the other
    special-use domains (localhost, .local, …) are not, as email-validator refuses them."""
    text = (value or "").strip()
    if not text:
        raise NotOneAddress(f"{label} saknas; ange en adress, t.ex. namn@regionhalland.se.")
    if has_control_characters(text):
        raise NotOneAddress(f"{label} innehåller en radbrytning eller ett annat styrtecken; ange exakt en adress "
                            "på en rad, t.ex. namn@regionhalland.se.")
    if any(mark in text for mark in ",;<>") or text.count("@") > 1 or any(char.isspace() for char in text):
        raise NotOneAddress(f"{label} {text} är inte en enda adress: den får inte innehålla kommatecken, "
                            "semikolon, mellanslag, namn eller vinkelparenteser (<>) eller mer än ett @. Ange exakt "
                            "en adress, t.ex. namn@regionhalland.se.")
    try:
        checked = validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise NotOneAddress(f"{label} {text} är ingen giltig e-postadress (eller har en domän som inte tar emot "
                            "e-post, som localhost eller .local); ange den som namn@regionhalland.se.") from None
    return checked.normalized.lower()


def address_field(errors: dict, name: str, value, label: str = "Mottagarens adress") -> str | None:
    """An e-mail address (or nothing): its syntax checked by email-validator, without asking DNS (the app may
    run without internet); the address is kept as typed."""
    text = text_field(errors, name, value, label, EMAIL_MAX)
    if text is None or name in errors:
        return text
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        errors[name] = f"{label} är ingen e-postadress; skriv den som namn@exempel.se."
        return None
    return text


KRONOR_MAX = 10**13 - 1  # ten thousand milliards: more than any agreement's medel
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")  # a space, as typed or as the app shows amounts


def kronor_field(errors: dict, name: str, value, label: str) -> int | None:
    """An amount in whole kronor, digits with or without spaces between the groups ("2 937 000 000",
    "2937000000", or as the app shows it); None when none was given. Words ("2 937 miljoner"), decimals and
    signs are refused with a message that says what is expected."""
    text = clean_text(None if value is None else str(value))
    if text is None:
        return None
    digits = text.translate(_GROUP_SPACES)
    if not (digits.isascii() and digits.isdigit()):
        errors[name] = (f"{label}: ”{text[:30]}” är inget belopp. Ange hela kronor med siffror, gärna med "
                        "mellanslag mellan tusentalen, t.ex. 2 937 000 000 (inte ”miljoner”, decimaler eller kr).")
        return None
    amount = int(digits)
    if amount > KRONOR_MAX:
        errors[name] = f"{label}: beloppet är för stort; ange hela kronor, högst {KRONOR_MAX:,}.".replace(",", " ")
        return None
    return amount
