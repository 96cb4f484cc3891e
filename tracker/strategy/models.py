"""The strategy, its delmål, their sections and bedömningar, and the target groups; the links from åtgärder and
indicators (association tables by table name: plans and followup lie above and hold the relationships)."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow


class Strategy(db.Model):
    """A regional strategy over a period, e.g. Hallands hälso- och sjukvårdsstrategi 2017–2025."""

    __tablename__ = "strategy"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(300), unique=True)
    first_year: so.Mapped[int]
    last_year: so.Mapped[int]
    registry_number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))  # the follow-up's diarienummer
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    goals: so.Mapped[list["Goal"]] = so.relationship(
        back_populates="strategy", order_by="Goal.number", cascade="all, delete-orphan")
    # The strategy's own sections (the follow-up's introduction, delimitation, conclusions, medskick).
    sections: so.Mapped[list["StrategySection"]] = so.relationship(
        order_by="StrategySection.position", viewonly=True,
        primaryjoin="and_(StrategySection.strategy_id == Strategy.id, StrategySection.goal_id.is_(None))",
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def period(self) -> str:
        return f"{self.first_year}–{self.last_year}"


class Goal(db.Model):
    """A delmål: its number and its text ("Hälso- och sjukvården i Halland arbetar hälsofrämjande …")."""

    __tablename__ = "strategy_goal"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    strategy_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("strategy.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    strategy: so.Mapped[Strategy] = so.relationship(back_populates="goals")
    sections: so.Mapped[list["StrategySection"]] = so.relationship(
        back_populates="goal", order_by="StrategySection.position", cascade="all, delete-orphan")
    assessments: so.Mapped[list["Assessment"]] = so.relationship(
        back_populates="goal", order_by="Assessment.year", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def label(self) -> str:
        return f"Delmål {self.number}"


class StrategySection(db.Model):
    """A section of a delmål (Övergripande förflyttningar, Exempel på konkreta åtgärder …, Sammantagna effekter), or of
    the strategy itself when `goal_id` is empty. `level` 2 is a sub-heading under the section before it. The body is
    plain text; lines starting with "- " are list items."""

    __tablename__ = "strategy_section"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    strategy_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("strategy.id", ondelete="CASCADE"), index=True)
    goal_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("strategy_goal.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    level: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    heading: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    strategy: so.Mapped[Strategy] = so.relationship()
    goal: so.Mapped[Optional[Goal]] = so.relationship(back_populates="sections")

    __mapper_args__ = {"version_id_col": version_id}


class Assessment(db.Model):
    """A samlad strategisk bedömning of a delmål for a year; `final` marks the one that closes the period."""

    __tablename__ = "strategy_assessment"
    __table_args__ = (sa.UniqueConstraint("goal_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    goal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("strategy_goal.id", ondelete="CASCADE"), index=True)
    year: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    final: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    goal: so.Mapped[Goal] = so.relationship(back_populates="assessments")

    __mapper_args__ = {"version_id_col": version_id}


class TargetGroup(db.Model):
    """A group the work is for (kvinnor, män, barn och unga, äldre, …): the list the strateg keeps."""

    __tablename__ = "target_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    position: so.Mapped[int] = so.mapped_column(default=0)


# The golden thread: which åtgärder and indicators serve which delmål, and whom they are for.
action_goal = sa.Table(
    "action_goal", db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("goal_id", sa.ForeignKey("strategy_goal.id", ondelete="CASCADE"), primary_key=True, index=True),
)
indicator_goal = sa.Table(
    "indicator_goal", db.metadata,
    sa.Column("indicator_id", sa.ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("goal_id", sa.ForeignKey("strategy_goal.id", ondelete="CASCADE"), primary_key=True, index=True),
)
action_target_group = sa.Table(
    "action_target_group", db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("target_group_id", sa.ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)
indicator_target_group = sa.Table(
    "indicator_target_group", db.metadata,
    sa.Column("indicator_id", sa.ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("target_group_id", sa.ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)
