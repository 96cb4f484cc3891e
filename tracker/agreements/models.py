"""An överenskommelse, its years, and for each year its medel, villkor and the utskott's decisions.

Plans and reports keep `agreement_id` and `year`; the AgreementYear with the same pair is their year (unique per
agreement), made when the first plan or report of that year is (see services.year_of). Links to what lies above
this package (plan versions, reports, bundles, indicators) are foreign keys by table name, read by the pages
above (a relationship by class name would need those classes loaded before the mappers are configured).
"""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User
from tracker.vocabulary import ConditionKind, db_enum

COMMITTEE = "Regionstyrelsens hälso- och sjukvårdsutskott"


class Agreement(db.Model):
    """An överenskommelse between the state and SKR, e.g. Ökad tillgänglighet, continued year after year."""

    __tablename__ = "agreement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)

    years: so.Mapped[list["AgreementYear"]] = so.relationship(
        back_populates="agreement", order_by="AgreementYear.year", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Agreement {self.name}>"


class AgreementYear(db.Model):
    """One year of an agreement: what the state and SKR signed for it, its medel, villkor and decisions."""

    __tablename__ = "agreement_year"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agreement_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    year: so.Mapped[int]
    # The agreement's own title that year, e.g. "God och nära vård – En omställning av hälso- och sjukvården med
    # fokus på primärvården"; empty: the agreement's name.
    title: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    parties: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    registry_number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))  # the agreement's diarienummer
    total_funds: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)  # kronor, the whole agreement
    region_share: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)  # kronor, Region Halland's part
    description: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agreement: so.Mapped[Agreement] = so.relationship(back_populates="years")
    funds: so.Mapped[list["Funds"]] = so.relationship(
        back_populates="agreement_year", order_by="Funds.position", cascade="all, delete-orphan"
    )
    conditions: so.Mapped[list["Condition"]] = so.relationship(
        back_populates="agreement_year", order_by="(Condition.deadline, Condition.position)",
        cascade="all, delete-orphan",
    )
    decisions: so.Mapped[list["Decision"]] = so.relationship(
        back_populates="agreement_year", order_by="(Decision.decided_on, Decision.id)", cascade="all, delete-orphan"
    )
    # `plans` and `reports`: backrefs of Plan.agreement_year and Report.agreement_year (read-only).

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def label(self) -> str:
        """ "Ökad tillgänglighet 2024": how a select and a heading name the year."""
        return f"{self.agreement.name} {self.year}"

    def __repr__(self) -> str:
        return f"<AgreementYear {self.agreement_id} {self.year}>"


class Funds(db.Model):
    """A part of the year's medel as the agreement divides them, e.g. "Block 2: … 320 000 000 kronor"."""

    __tablename__ = "agreement_funds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agreement_year_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agreement_year.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    label: so.Mapped[str] = so.mapped_column(sa.String(300))
    amount: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)  # kronor; None where the text gives none
    description: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)

    agreement_year: so.Mapped[AgreementYear] = so.relationship(back_populates="funds")


class Condition(db.Model):
    """A villkor: what the region must do by a deadline, for whom, and the medel it releases; and how it was met.

    Fulfilled when it has evidence the app holds (a sent bundle, a fastställd plan version, an indicator) or a
    strateg marked it with a note; `fulfilled_on` is the day it was met."""

    __tablename__ = "agreement_condition"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agreement_year_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agreement_year.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    kind: so.Mapped[ConditionKind] = so.mapped_column(db_enum(ConditionKind))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    deadline: so.Mapped[date]
    recipient: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    amount: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)  # kronor the villkor releases
    fulfilled_on: so.Mapped[Optional[date]]
    fulfilment_note: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    fulfilled_by_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    evidence_bundle_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("report_bundle.id", ondelete="SET NULL"))
    evidence_version_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("plan_version.id", ondelete="SET NULL"))
    evidence_indicator_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("indicator.id", ondelete="SET NULL"))
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agreement_year: so.Mapped[AgreementYear] = so.relationship(back_populates="conditions")
    fulfilled_by: so.Mapped[Optional[User]] = so.relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfilled_on is not None

    def is_late(self, today: date) -> bool:
        return not self.is_fulfilled and self.deadline < today


class Decision(db.Model):
    """A decision of the utskott (or another organ) on the year's documents: a paragraph of its protocol."""

    __tablename__ = "committee_decision"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agreement_year_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agreement_year.id", ondelete="CASCADE"), index=True)
    organ: so.Mapped[str] = so.mapped_column(sa.String(200), default=COMMITTEE)
    paragraph: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))  # "§ 146"
    decided_on: so.Mapped[Optional[date]]
    registry_number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))  # "RS231576"
    title: so.Mapped[str] = so.mapped_column(sa.String(300))  # the ärende's heading
    matter: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # Ärendet
    proposal: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # Förslag till beslut
    dispatched_to: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)  # Expedieras till, one per line
    # Beslutsunderlag the app does not hold ("Beslutsförslag - …"), one per line, beside the documents linked below.
    other_documents: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    adjusted: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())  # the protocol justerat
    plan_version_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("plan_version.id", ondelete="SET NULL"))
    report_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("report.id", ondelete="SET NULL"))
    bundle_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("report_bundle.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agreement_year: so.Mapped[AgreementYear] = so.relationship(back_populates="decisions")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def dispatch_list(self) -> list[str]:
        return [line.strip() for line in (self.dispatched_to or "").splitlines() if line.strip()]

    @property
    def proposal_list(self) -> list[str]:
        """Förslag till beslut: its "att …" clauses, one per line."""
        return [line.strip() for line in (self.proposal or "").splitlines() if line.strip()]

    @property
    def other_documents_list(self) -> list[str]:
        return [line.strip() for line in (self.other_documents or "").splitlines() if line.strip()]
