"""The agreements' own rows: finding an agreement by its name and the year a plan or a report belongs to."""

import sqlalchemy as sa

from tracker.agreements.models import Agreement, AgreementYear
from tracker.extensions import db


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
