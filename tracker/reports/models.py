"""A redovisning to Socialstyrelsen: its form as data (nested sections, questions of a few kinds), the region's
answers, the förvaltningar's contributions, the bundles made of it and each sending."""

import re
from datetime import date, datetime
from typing import ClassVar, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import area_heading
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.agreements.models import Agreement, AgreementYear
from tracker.parsing import EMAIL_MAX
from tracker.plans.models import Plan
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import QuestionKind, ReportState, db_enum
from tracker.versions.models import Export

TEXT_MAX = 20000  # an answer or a contribution: the longest answer of the 2024 report has about 5,500
PROMPT_MAX = 4000
TITLE_MAX = 300
NUMBER_MAX = 20
NOTE_MAX = 2000
# Answers and contributions are written in these states; in review they are frozen, so that what the direktör
# approves is what the direktör read ("Tillbaka till skrivande" opens them again).
WRITING_STATES = (ReportState.DRAFT, ReportState.COMPLETION)
# A förvaltning sees its questions while the report is being written or reviewed.
OPEN_STATES = (ReportState.DRAFT, ReportState.REVIEW, ReportState.COMPLETION)
# A bundle is made of the approved report (and again of the one sent), never of one still changing.
BUNDLE_STATES = (ReportState.APPROVED, ReportState.SENT)
# Questions a förvaltning may be asked to write for; the contacts table is the strateg's.
CONTRIBUTED_KINDS = (QuestionKind.TEXT, QuestionKind.PAIR, QuestionKind.YES_NO, QuestionKind.INSATSER)
# The contacts table's columns: (attribute and form name, heading, longest text).
CONTACT_COLUMNS = (("name", "Kontaktperson", 120), ("phone", "Telefonnummer", 40), ("email", "Mejladress", EMAIL_MAX),
                   ("comment", "Ev. kommentar", NOTE_MAX))
CONTACT_ROWS_MAX = 50  # the form has two; a posted count beyond this is no table anyone types


def shorten(text: str, limit: int = 60) -> str:
    """One line of at most `limit` characters, "…" where it was cut (a prompt named in a message or a list)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_inserted(field: str | None, text: str | None) -> bool:
    """Whether `text` (a contribution, say) already stands in an answer field: compared without differences of
    white space, so that a text inserted and then re-wrapped still counts."""
    needle = " ".join((text or "").split())
    return bool(needle) and needle in " ".join((field or "").split())


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
    # The agreement's year the report belongs to (same agreement and year); made with the report.
    agreement_year: so.Mapped[Optional[AgreementYear]] = so.relationship(
        primaryjoin="and_(foreign(Report.agreement_id) == AgreementYear.agreement_id, "
                    "foreign(Report.year) == AgreementYear.year)",
        viewonly=True, backref=so.backref("reports", viewonly=True, order_by="Report.title"),
    )
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

    @property
    def is_form_editable(self) -> bool:
        """The form (sections, questions, facts) changes only in a draft never sent."""
        return self.state is ReportState.DRAFT and not self.was_sent

    @property
    def is_bundleable(self) -> bool:
        """A bundle is made of the approved report (and again of the one sent)."""
        return self.state in BUNDLE_STATES

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

    contact_rows_max: ClassVar[int] = CONTACT_ROWS_MAX

    @property
    def is_editable(self) -> bool:
        """The life-cycle rule for an answer and its contributions: written while the report is written, and after
        a sending only if reopened for a komplettering (`lifecycle.check_editable` says why not)."""
        report = self.section.report
        if report.state not in WRITING_STATES:
            return False
        return not report.was_sent or self.reopened

    @property
    def takes_contributions(self) -> bool:
        """Whether a förvaltning may be asked to write for the question (not for the contacts table)."""
        return self.kind in CONTRIBUTED_KINDS

    @property
    def repeats_heading(self) -> bool:
        """Whether the prompt only repeats its section's title (a report in chapters, as God och nära vård 2020:
        each chapter one free text under its own title; the contacts table under "Kontaktuppgifter"); the page
        and the Word file then show the title once."""
        def same(text) -> str:
            return " ".join((text or "").split()).casefold()
        section = self.section
        return self.kind in (QuestionKind.TEXT, QuestionKind.CONTACTS) \
            and same(self.prompt) in {same(section.title), same(section.heading)}

    @property
    def asks_if_plan_updated(self) -> bool:
        """The form's "Har handlingsplanen uppdaterats sedan senaste version ni skickat in …?"."""
        prompt = self.prompt.casefold()
        return self.kind is QuestionKind.YES_NO and "handlingsplan" in prompt and "uppdaterats" in prompt

    def current_form(self) -> dict:
        """The stored answer as the answer form posts it."""
        form = {"answer": self.answer or "", "answer_second": self.answer_second or "",
                "answer_yes": {True: "ja", False: "nej", None: ""}[self.answer_yes]}
        for item in self.items:
            form[f"item-{item.id}"] = item.answer or ""
            form[f"item-{item.id}-second"] = item.answer_second or ""
        form["contact_rows"] = str(len(self.contacts))
        for n, contact in enumerate(self.contacts):
            for name, _, _ in CONTACT_COLUMNS:
                form[f"contact-{n}-{name}"] = getattr(contact, name) or ""
        return form

    def insert_targets(self) -> list[tuple[str, str]]:
        """(target, label) of the answer fields a text may be inserted into."""
        kind = self.kind
        if kind is QuestionKind.TEXT:
            return [("answer", "svaret")]
        if kind is QuestionKind.PAIR:
            return [("answer", "vänstra svaret"), ("answer_second", "högra svaret")]
        if kind is QuestionKind.YES_NO:
            return [("answer", "kommentaren")]
        if kind is QuestionKind.INSATSER:
            targets = []
            for item in self.items:
                targets.append((f"item-{item.id}", shorten(item.name)))
                if self.prompt_second:
                    targets.append((f"item-{item.id}-second", f"{shorten(item.name)} ({shorten(self.prompt_second)})"))
            return targets
        return []

    def field_value(self, target: str) -> str | None:
        """The stored text of one insert target (`insert_targets`); ValidationError for a target it does not have."""
        if target in ("answer", "answer_second") and any(t == target for t, _ in self.insert_targets()):
            return getattr(self, target)
        match = re.fullmatch(r"item-(\d+)(-second)?", target or "")
        if match and self.kind is QuestionKind.INSATSER:
            item = next((i for i in self.items if i.id == int(match[1])), None)
            if item is not None and (not match[2] or self.prompt_second):
                return item.answer_second if match[2] else item.answer
        raise ValidationError({"target": "Välj ett svarsfält i frågan att infoga texten i."})

    def contribution_inserted(self, contribution: "ReportContribution") -> bool:
        """Whether the contribution's text already stands in one of the question's answer fields."""
        return any(is_inserted(self.field_value(target), contribution.text) for target, _ in self.insert_targets())

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
