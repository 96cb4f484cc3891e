"""A redovisning to Socialstyrelsen: its form as data (nested sections, questions of a few kinds), the region's
answers, the förvaltningar's contributions, the bundles made of it and each sending."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import area_heading
from tracker.extensions import db
from tracker.plans.models import Agreement, Plan
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import QuestionKind, ReportState, db_enum
from tracker.versions.models import Export


class Report(db.Model):
    """One redovisning per agreement and year, with the plan (and fastställd version) it attaches."""

    __tablename__ = "report"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    agreement_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agreement.id"))
    year: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    region: so.Mapped[str] = so.mapped_column(sa.String(120), default="Region Halland")
    deadline: so.Mapped[Optional[date]]
    recipient: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))
    registry_number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    plan_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="SET NULL"), index=True)
    # The fastställd version attached; None attaches the plan as it is.
    plan_version: so.Mapped[Optional[int]]
    guidance: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # The cover letter's facts: {recipient, date, registry_number, signatories: [...], text}
    cover_letter: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    state: so.Mapped[ReportState] = so.mapped_column(db_enum(ReportState), default=ReportState.DRAFT)
    approved_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    approved_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every update: a change of state or facts made on an older page is refused.
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agreement: so.Mapped[Agreement] = so.relationship()
    plan: so.Mapped[Optional[Plan]] = so.relationship()
    approved_by: so.Mapped[Optional[User]] = so.relationship()
    sections: so.Mapped[list["ReportSection"]] = so.relationship(
        back_populates="report", order_by="ReportSection.position", cascade="all, delete-orphan"
    )
    sendings: so.Mapped[list["ReportSending"]] = so.relationship(
        back_populates="report", order_by="ReportSending.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def was_sent(self) -> bool:
        return bool(self.sendings)

    def __repr__(self) -> str:
        return f"<Report {self.key}>"


class ReportSection(db.Model):
    """A section of the form ("3.1 Nationell vårdförmedling …"), possibly inside another."""

    __tablename__ = "report_section"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    parent_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("report_section.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    intro: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)

    report: so.Mapped[Report] = so.relationship(back_populates="sections")
    parent: so.Mapped[Optional["ReportSection"]] = so.relationship(remote_side=[id], back_populates="children")
    children: so.Mapped[list["ReportSection"]] = so.relationship(
        back_populates="parent", order_by="ReportSection.position"
    )
    questions: so.Mapped[list["ReportQuestion"]] = so.relationship(
        back_populates="section", order_by="ReportQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def heading(self) -> str:
        return area_heading(self.number, self.title)


class ReportQuestion(db.Model):
    """A question of the form with the region's answer.

    text: `answer`; pair: `answer` · `answer_second`; yes_no: `answer_yes` with `answer` as comment;
    contacts: its `contacts` rows; insatser: its `items`, each with an answer (and a second one when
    `prompt_second` names a second column)."""

    __tablename__ = "report_question"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    section_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report_section.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[QuestionKind] = so.mapped_column(db_enum(QuestionKind))
    prompt: so.Mapped[str] = so.mapped_column(sa.Text)
    prompt_second: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    help: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)
    # The form asks the förvaltningar for this one (their medel, results, insatser); the rest is the region's own
    # (ja/nej, contacts, a free comment), asked of a förvaltning only when the strateg chooses to.
    asks_divisions: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    answer: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    answer_second: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    answer_yes: so.Mapped[Optional[bool]]
    # Reopened for a komplettering: after a sending, only these may change until the report is sent again.
    reopened: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    section: so.Mapped[ReportSection] = so.relationship(back_populates="questions")
    updated_by: so.Mapped[Optional[User]] = so.relationship()
    contacts: so.Mapped[list["ReportContactRow"]] = so.relationship(
        back_populates="question", order_by="ReportContactRow.position", cascade="all, delete-orphan"
    )
    items: so.Mapped[list["ReportItem"]] = so.relationship(
        back_populates="question", order_by="ReportItem.position", cascade="all, delete-orphan"
    )
    contributions: so.Mapped[list["ReportContribution"]] = so.relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="ReportContribution.division_id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_empty(self) -> bool:
        """Nothing answered: its kind may still change."""
        return not (self.answer or self.answer_second or self.answer_yes is not None or self.contacts
                    or any(i.answer or i.answer_second for i in self.items)
                    or any(c.text for c in self.contributions))


class ReportContactRow(db.Model):
    """A row of the contacts table (Kontaktperson · Telefonnummer · Mejladress · Ev. kommentar)."""

    __tablename__ = "report_contact_row"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report_question.id", ondelete="CASCADE"),
                                                   index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    phone: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))
    comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)

    question: so.Mapped[ReportQuestion] = so.relationship(back_populates="contacts")


class ReportItem(db.Model):
    """A named insats the form asks about, with the region's answer."""

    __tablename__ = "report_item"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report_question.id", ondelete="CASCADE"),
                                                   index=True)
    name: so.Mapped[str] = so.mapped_column(sa.Text)
    answer: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    answer_second: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    position: so.Mapped[int] = so.mapped_column(default=0)

    question: so.Mapped[ReportQuestion] = so.relationship(back_populates="items")


class ReportContribution(db.Model):
    """A förvaltning's contribution to one question; the row exists while the strateg asks for it."""

    __tablename__ = "report_contribution"
    __table_args__ = (sa.UniqueConstraint("question_id", "division_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report_question.id", ondelete="CASCADE"),
                                                   index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("division.id"), index=True)
    text: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    done: so.Mapped[bool] = so.mapped_column(default=False)
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    version_id: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    question: so.Mapped[ReportQuestion] = so.relationship(back_populates="contributions")
    division: so.Mapped[Division] = so.relationship()
    updated_by: so.Mapped[Optional[User]] = so.relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def nothing_to_add(self) -> bool:
        """Klar without a text: the förvaltning has said it has nothing to add (answered, nothing to insert)."""
        return self.done and not self.text


class ReportBundle(db.Model):
    """The zip sent to Socialstyrelsen (the report, the plan's workbook, a manifest), kept like an export."""

    __tablename__ = "report_bundle"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    file_name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int]
    manifest: so.Mapped[dict] = so.mapped_column(sa.JSON)
    # The plan's workbook in the bundle, kept among the plan's exports.
    export_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("export.id", ondelete="SET NULL"))
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)

    report: so.Mapped[Report] = so.relationship()
    export: so.Mapped[Optional[Export]] = so.relationship()
    created_by: so.Mapped[Optional[User]] = so.relationship()


class ReportSending(db.Model):
    """One sending to Socialstyrelsen: the first, then one per komplettering."""

    __tablename__ = "report_sending"
    __table_args__ = (sa.UniqueConstraint("report_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    sent_on: so.Mapped[date]
    bundle_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("report_bundle.id"))
    sha256: so.Mapped[Optional[str]] = so.mapped_column(sa.String(64))
    sent_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    sent_by_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # The questions a komplettering reopened before this sending (their prompts, as they were).
    reopened: so.Mapped[Optional[list]] = so.mapped_column(sa.JSON)
    note: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)

    report: so.Mapped[Report] = so.relationship(back_populates="sendings")
    bundle: so.Mapped[Optional[ReportBundle]] = so.relationship()
