"""A handlingsplan: insatsområden → framgångsfaktorer → åtgärder → status per förvaltning."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import area_heading
from tracker.agreements.models import Agreement, AgreementYear
from tracker.extensions import db
from tracker.strategy.models import Goal, TargetGroup, action_goal, action_target_group
from tracker.plans.rollup import is_overdue, rollup
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import Horizon, PlanState, Status, db_enum


class Plan(db.Model):
    """One regional handlingsplan per agreement and year."""

    __tablename__ = "plan"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    agreement_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agreement.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    year: so.Mapped[int]
    registry_number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    state: so.Mapped[PlanState] = so.mapped_column(db_enum(PlanState), default=PlanState.DRAFT)
    # The version being drafted, or the one in force when the plan is fastställd.
    version_number: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Taken out of the default lists: an old plan kept for its history, not worked on.
    archived_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # Bumped on every update of the plan's own row (its facts, archiving): a change carrying an older version is
    # refused (tracker/locking.py).
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agreement: so.Mapped[Agreement] = so.relationship()
    # The agreement's year the plan belongs to (same agreement and year); made with the plan (agreements.services).
    agreement_year: so.Mapped[Optional[AgreementYear]] = so.relationship(
        primaryjoin="and_(foreign(Plan.agreement_id) == AgreementYear.agreement_id, "
                    "foreign(Plan.year) == AgreementYear.year)",
        viewonly=True, backref=so.backref("plans", viewonly=True, order_by="Plan.title"),
    )
    areas: so.Mapped[list["Area"]] = so.relationship(
        back_populates="plan", order_by="Area.position", cascade="all, delete-orphan"
    )
    factors: so.Mapped[list["SuccessFactor"]] = so.relationship(
        back_populates="plan", order_by="SuccessFactor.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def version_label(self) -> str:
        """ "Version 2 (fastställd)" or "Utkast till version 3"."""
        if self.state is PlanState.APPROVED:
            return f"Version {self.version_number} (fastställd)"
        return f"Utkast till version {self.version_number}"

    def __repr__(self) -> str:
        return f"<Plan {self.key}>"


class Area(db.Model):
    """An insatsområde, del or avsnitt of the plan, with an optional code ("3.6", "Del 2")."""

    __tablename__ = "area"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    position: so.Mapped[int] = so.mapped_column(default=0)

    plan: so.Mapped[Plan] = so.relationship(back_populates="areas")

    @property
    def heading(self) -> str:
        return area_heading(self.code, self.title)


class SuccessFactor(db.Model):
    """A framgångsfaktor; belongs to the plan, and to an insatsområde when the plan has them."""

    __tablename__ = "success_factor"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    area_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("area.id", ondelete="SET NULL"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)

    plan: so.Mapped[Plan] = so.relationship(back_populates="factors")
    area: so.Mapped[Optional[Area]] = so.relationship()
    actions: so.Mapped[list["Action"]] = so.relationship(
        back_populates="factor", order_by="Action.position", cascade="all, delete-orphan"
    )


class Action(db.Model):
    """An åtgärd (insats) with its owner and the förvaltningar responsible for it.

    The responsible förvaltningar are exactly those with a DivisionStatus row.
    """

    __tablename__ = "action"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    factor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("success_factor.id", ondelete="CASCADE"), index=True
    )
    ref: so.Mapped[str] = so.mapped_column(sa.String(40))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    expected_result: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    horizon: so.Mapped[Optional[Horizon]] = so.mapped_column(db_enum(Horizon))
    start_date: so.Mapped[Optional[date]]
    due_date: so.Mapped[Optional[date]]
    owner: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    position: so.Mapped[int] = so.mapped_column(default=0)
    # Bumped on every update: an edit carrying an older version is refused, as for statuses.
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    factor: so.Mapped[SuccessFactor] = so.relationship(back_populates="actions")
    statuses: so.Mapped[list["DivisionStatus"]] = so.relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="DivisionStatus.division_id"
    )
    # The delmål of the region's strategy the åtgärd serves, and the groups it is for.
    goals: so.Mapped[list[Goal]] = so.relationship(
        secondary=action_goal, order_by=Goal.number, backref=so.backref("actions", viewonly=True))
    target_groups: so.Mapped[list[TargetGroup]] = so.relationship(
        secondary=action_target_group, order_by=TargetGroup.position)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def status(self) -> Status:
        return rollup(s.status for s in self.statuses)

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.due_date, self.status, today)


class DivisionStatus(db.Model):
    """The status and comment of one åtgärd for one förvaltning.

    `version_id` is bumped on every update; a save carrying an older version is
    refused (optimistic locking) instead of overwriting someone else's change.
    """

    __tablename__ = "division_status"
    __table_args__ = (sa.UniqueConstraint("action_id", "division_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    action_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("division.id"), index=True)
    status: so.Mapped[Status] = so.mapped_column(db_enum(Status), default=Status.NOT_STARTED)
    comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # Who updated it, as an imported workbook names them, when that person is no user here.
    updated_by_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    version_id: so.Mapped[int] = so.mapped_column(default=1)

    action: so.Mapped[Action] = so.relationship(back_populates="statuses")
    division: so.Mapped[Division] = so.relationship()
    updated_by: so.Mapped[Optional[User]] = so.relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def never_updated(self) -> bool:
        return self.updated_at is None

    def is_overdue(self, today: date) -> bool:
        """This förvaltning's part is open past the åtgärd's due date (others may be done)."""
        return is_overdue(self.action.due_date, self.status, today)

    @property
    def updated_by_display(self) -> str | None:
        return self.updated_by.name if self.updated_by else self.updated_by_name


class FormToken(db.Model):
    """A form's one-time token, claimed by the post that created something with it: the same form posted again (a
    double click on Spara, a resent request) is answered with that item instead of creating a second one."""

    __tablename__ = "form_token"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))  # the created item's table
    object_id: so.Mapped[Optional[int]]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
