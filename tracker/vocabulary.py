"""The app's controlled vocabularies: one list each, used by the UI, the database and Excel.

The code is the member name (stored in the database), the label is the Swedish
text shown in the interface and written to the workbook.
"""

import enum


class LabelledEnum(str, enum.Enum):
    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_label(cls, text: str):
        """The member whose label or code matches `text`, ignoring case and outer spaces."""
        wanted = " ".join(str(text).split()).casefold()
        for member in cls:
            if wanted in (member.label.casefold(), member.value.casefold()):
                return member
        return None

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Status(LabelledEnum):
    NOT_STARTED = "not_started", "Ej påbörjad"
    IN_PROGRESS = "in_progress", "Pågående"
    DELAYED = "delayed", "Försenad"
    DONE = "done", "Genomförd"
    CANCELLED = "cancelled", "Avbruten"

    @property
    def is_open(self) -> bool:
        return self not in (Status.DONE, Status.CANCELLED)


class Horizon(LabelledEnum):
    SHORT = "short", "Kort sikt"
    LONG = "long", "Lång sikt"


class Direction(LabelledEnum):
    """Whether an indicator's outcome should reach at least, or stay at most at, its målvärde."""

    AT_LEAST = "at_least", "≥"
    AT_MOST = "at_most", "≤"


class Frequency(LabelledEnum):
    MONTH = "month", "Månad"
    QUARTER = "quarter", "Kvartal"
    YEAR = "year", "År"


class Role(LabelledEnum):
    READER = "reader", "Läsare"
    DIVISION_CONTACT = "division_contact", "Förvaltningskontakt"
    STRATEGIST = "strategist", "Strateg"
    DIRECTOR = "director", "Hälso- och sjukvårdsdirektör"
    ADMIN = "admin", "Administratör"


class NotificationKind(LabelledEnum):
    """What a mail tells a person about a reporting round."""

    OPENED = "opened", "Omgången öppnad"
    REMINDER = "reminder", "Påminnelse"
    LATE = "late", "Försenade"


class PlanState(LabelledEnum):
    DRAFT = "draft", "Utkast"
    APPROVED = "approved", "Fastställd"


def db_enum(enum_cls: type[LabelledEnum]):
    """A portable column type storing the member's code (VARCHAR, no native ENUM)."""
    import sqlalchemy as sa

    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ReportState(LabelledEnum):
    """A redovisning's life cycle: written, reviewed, approved by the direktör, sent, reopened for a komplettering."""

    DRAFT = "draft", "Utkast"
    REVIEW = "review", "Klar för granskning"
    APPROVED = "approved", "Godkänd"
    SENT = "sent", "Skickad"
    COMPLETION = "completion", "Komplettering"


class QuestionKind(LabelledEnum):
    """How a question of the report's form is answered."""

    TEXT = "text", "Fritext"
    PAIR = "pair", "Två texter sida vid sida"
    YES_NO = "yes_no", "Ja/nej med kommentar"
    CONTACTS = "contacts", "Kontaktuppgifter"
    INSATSER = "insatser", "Insatser med svar"


class ConditionKind(LabelledEnum):
    """What a villkor of an överenskommelse asks of the region."""

    DOCUMENT = "document", "Lämna in ett dokument"
    PLAN = "plan", "Fastställ och bifoga handlingsplanen"
    REPORT = "report", "Lämna redovisning"
    REGISTER = "register", "Rapportera till ett register"
    INDICATOR = "indicator", "Nå en nivå på en indikator"
    OTHER = "other", "Annat"
