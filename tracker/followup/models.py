"""Follow-up: the plan's indicators with their outcomes, its contacts, and reporting rounds (a deadline by which
every förvaltning confirms or updates its statuses)."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import DivisionStatus, Plan, SuccessFactor
from tracker.strategy.models import Goal, TargetGroup, indicator_goal, indicator_target_group
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import Direction, Frequency, db_enum


class PlanContact(db.Model):
    """A kontaktperson for the plan's report (the workbook's Kontaktuppgifter sheet)."""

    __tablename__ = "plan_contact"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    phone: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))
    comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)
    # Bumped on every update: an edit carrying an older version is refused (tracker/locking.py).
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    plan: so.Mapped[Plan] = so.relationship(backref=so.backref(
        "contacts", order_by="PlanContact.position", cascade="all, delete-orphan"))

    __mapper_args__ = {"version_id_col": version_id}


class Indicator(db.Model):
    """An indikator the plan follows, with its målvärde."""

    __tablename__ = "indicator"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    area: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))  # Primärvård, BUP, Fokusområde …
    name: so.Mapped[str] = so.mapped_column(sa.String(300))
    target: so.Mapped[Optional[float]]
    unit: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    direction: so.Mapped[Optional[Direction]] = so.mapped_column(db_enum(Direction))
    frequency: so.Mapped[Frequency] = so.mapped_column(db_enum(Frequency), default=Frequency.MONTH,
                                                       server_default=Frequency.MONTH.value)
    factor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("success_factor.id", ondelete="SET NULL"))
    # The förvaltning whose contact enters the values (a strateg may always).
    division_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("division.id"))
    position: so.Mapped[int] = so.mapped_column(default=0)
    # The same indicator in last year's plan, which this one continues: the series spans the years
    # (followup/next_year.py makes it; the chart shows every year's values).
    continues_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("indicator.id", ondelete="SET NULL"), index=True)

    plan: so.Mapped[Plan] = so.relationship(backref=so.backref(
        "indicators", order_by="Indicator.position", cascade="all, delete-orphan"))
    factor: so.Mapped[Optional[SuccessFactor]] = so.relationship()
    division: so.Mapped[Optional[Division]] = so.relationship()
    values: so.Mapped[list["IndicatorValue"]] = so.relationship(
        back_populates="indicator", order_by="IndicatorValue.period", cascade="all, delete-orphan"
    )
    # The delmål of the region's strategy the indicator measures, and the groups it is for.
    goals: so.Mapped[list[Goal]] = so.relationship(
        secondary=indicator_goal, order_by=Goal.number, backref=so.backref("indicators", viewonly=True))
    target_groups: so.Mapped[list[TargetGroup]] = so.relationship(
        secondary=indicator_target_group, order_by=TargetGroup.position)
    continues: so.Mapped[Optional["Indicator"]] = so.relationship(remote_side=[id])


class IndicatorValue(db.Model):
    """An utfall of an indicator for one period (ÅÅÅÅ-MM)."""

    __tablename__ = "indicator_value"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    indicator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    period: so.Mapped[str] = so.mapped_column(sa.String(7))
    value: so.Mapped[Optional[float]]
    # The outcome split by kön where the source gives it (Jämställd hälsa): for women and for men.
    value_women: so.Mapped[Optional[float]]
    value_men: so.Mapped[Optional[float]]
    comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)

    indicator: so.Mapped["Indicator"] = so.relationship(back_populates="values")


class ReportingRound(db.Model):
    __tablename__ = "reporting_round"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    deadline: so.Mapped[date]
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    closed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # Every status as it was at closing: [{action_id, ref, title, division_id, division, status, comment, confirmed}]
    snapshot: so.Mapped[Optional[list]] = so.mapped_column(sa.JSON)

    plan: so.Mapped[Plan] = so.relationship()
    opened_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[opened_by_id])
    closed_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundConfirmation(db.Model):
    """A förvaltning's status confirmed in a round, by an update or as "Oförändrad"."""

    __tablename__ = "round_confirmation"
    __table_args__ = (sa.UniqueConstraint("round_id", "status_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reporting_round.id", ondelete="CASCADE"), index=True)
    status_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("division_status.id", ondelete="CASCADE"), index=True)
    confirmed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    unchanged: so.Mapped[bool] = so.mapped_column(default=False)  # "Oförändrad", not an update

    division_status: so.Mapped[DivisionStatus] = so.relationship()
