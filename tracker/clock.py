"""Swedish time: the day a moment falls on in Halland, and today there."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Stockholm")


def today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def local_date(moment: datetime) -> date:
    """The day a moment falls on in Sweden."""
    return moment.astimezone(LOCAL_ZONE).date()


def local_midnight(day: date) -> datetime:
    """The moment a Swedish day begins."""
    return datetime.combine(day, time(0), LOCAL_ZONE)
