"""What the history records of a report's rows, registered with the recorder: every change to the form, the
answers, the contributions, the life cycle (a change of state), the bundles and the sendings. The entries carry the
report's id (`HistoryEntry.report_id`), so that the report has its own history, as a plan has."""

from tracker.fields import Field, Fields
from tracker.history import recorder
from tracker.history.recorder import Tracked, item_summary, parent, quote
from tracker.reports.models import (
    Report, ReportBundle, ReportContactRow, ReportContribution, ReportItem, ReportQuestion, ReportSection,
    ReportSending,
)
from tracker.vocabulary import ReportState

YES_NO = {True: "Ja", False: "Nej"}

REPORT = Fields(Field("title", "Titel"), Field("deadline", "Sista dag"), Field("recipient", "Mottagare"),
                Field("plan", "Bifogad plan", show=lambda plan: getattr(plan, "title", plan)),
                Field("plan_version", "Bifogad version"), Field("state", "Läge"))
SECTION = Fields(Field("number", "Nummer"), Field("title", "Rubrik"), Field("intro", "Inledande text"),
                 Field("position", "Plats"))
QUESTION = Fields(
    Field("kind", "Frågetyp"), Field("prompt", "Fråga"), Field("prompt_second", "Andra kolumnens fråga"),
    Field("help", "Hjälptext"), Field("answer_yes", "Ja/nej", show=lambda value: YES_NO.get(value, value)),
    Field("answer", "Svar"), Field("answer_second", "Svar, andra kolumnen"),
    Field("reopened", "Öppnad för komplettering"), Field("position", "Plats"),
)
ITEM = Fields(Field("name", "Insats"), Field("answer", "Svar"), Field("answer_second", "Svar, andra kolumnen"))
CONTACT = Fields(Field("name", "Kontaktperson"), Field("phone", "Telefonnummer"), Field("email", "Mejladress"),
                 Field("comment", "Ev. kommentar"))
CONTRIBUTION = Fields(Field("text", "Bidrag"), Field("done", "Klar"))
SENDING = Fields(Field("number", "Sändning"), Field("sent_on", "Skickad"), Field("sha256", "Paketets SHA-256"))

STATE_VERBS = {
    ReportState.REVIEW: "lämnade redovisningen för granskning",
    ReportState.APPROVED: "godkände redovisningen",
    ReportState.SENT: "markerade redovisningen som skickad till Socialstyrelsen",
    ReportState.COMPLETION: "öppnade redovisningen för komplettering",
    ReportState.DRAFT: "tog tillbaka redovisningen till utkast",
}


def _section_report_id(section: ReportSection | None) -> int | None:
    if section is None:
        return None
    return section.report_id if section.report_id is not None else getattr(section.report, "id", None)


def _question_report_id(question: ReportQuestion | None) -> int | None:
    return _section_report_id(parent(question, "section")) if question is not None else None


def _of_question(row) -> int | None:
    return _question_report_id(parent(row, "question"))


def _refs(report_id):
    return lambda row: {"report_id": report_id(row)}


def _report_summary(report: Report, verb: str, changes: list) -> str:
    state = next((c for c in changes if c[0] == "Läge"), None)
    if verb == "updated" and state and len(changes) == 1:
        after = next((s for s in ReportState if s.label == state[2]), None)
        return STATE_VERBS.get(after, f"ändrade redovisningens läge till {state[2]}")
    return item_summary(f"redovisningen {quote(report.title)}", verb, changes, created="skapade")


def _question_name(question: ReportQuestion) -> str:
    prompt = " ".join((question.prompt or "").split())
    return quote(prompt if len(prompt) <= 80 else prompt[:79] + "…")


def _question_summary(question: ReportQuestion, verb: str, changes: list) -> str:
    answers = {"Svar", "Svar, andra kolumnen", "Ja/nej"}
    if verb == "updated" and changes and all(c[0] in answers for c in changes):
        return f"ändrade svaret på {_question_name(question)}"
    return item_summary(f"frågan {_question_name(question)}", verb, changes)


def _item_summary(item: ReportItem, verb: str, changes: list) -> str:
    if verb == "updated" and all(c[0].startswith("Svar") for c in changes):
        return f"ändrade svaret för insatsen {quote(item.name)}"
    return item_summary(f"insatsen {quote(item.name)}", verb, changes)


def _contribution_summary(contribution: ReportContribution, verb: str, changes: list) -> str:
    question = parent(contribution, "question")
    what, division = _question_name(question) if question else quote(None), contribution.division.name
    if verb == "created":
        return f"bad {division} om ett bidrag till {what}"
    if verb == "deleted":
        return f"tog bort {division}s bidrag till {what}"
    done = next((c for c in changes if c[0] == "Klar"), None)
    if contribution.nothing_to_add:
        return f"svarade för {division} att det inte finns något att tillägga till {what}"
    if done and done[2] == "ja":
        return f"skrev {division}s bidrag till {what} och markerade det som klart"
    return f"ändrade {division}s bidrag till {what}"


def _bundle_summary(bundle: ReportBundle, verb: str, changes: list) -> str:
    return f"skapade paketet {bundle.file_name} (SHA-256 {bundle.sha256})"


def _sending_summary(sending: ReportSending, verb: str, changes: list) -> str:
    what = "skickade redovisningen" if sending.number == 1 else f"skickade kompletteringen (sändning {sending.number})"
    return f"{what} {sending.sent_on.isoformat()}" + (f", paket med SHA-256 {sending.sha256}" if sending.sha256 else "")


def _nowhere(row) -> None:
    """Report entries belong to no plan: they are the report's own history."""
    return None


def _track(model, kind: str, row_fields: Fields, summary, report_id, label: str | None = None, **more) -> None:
    recorder.track(model, Tracked(kind, row_fields, summary, _nowhere, refs=_refs(report_id), **more), label,
                   history="report")


_track(Report, "report", REPORT, _report_summary, lambda report: report.id, "Redovisning", lists_values=False)
_track(ReportSection, "report_section", SECTION,
       lambda s, verb, changes: item_summary(f"avsnittet {quote(s.heading)}", verb, changes),
       _section_report_id, "Redovisningens avsnitt")
_track(ReportQuestion, "report_question", QUESTION, _question_summary, _question_report_id, "Redovisningens fråga",
       part_of="section")
_track(ReportItem, "report_item", ITEM, _item_summary, _of_question, "Redovisningens insats", part_of="question")
_track(ReportContactRow, "report_contact", CONTACT,
       lambda c, verb, changes: item_summary(f"kontaktpersonen {quote(c.name)} i redovisningen", verb, changes),
       _of_question, "Redovisningens kontaktperson", part_of="question")
recorder.track(ReportContribution, Tracked(
    "contribution", CONTRIBUTION, _contribution_summary, _nowhere, part_of="question",
    refs=lambda c: {"report_id": _of_question(c), "division_id": c.division_id}), "Bidrag", history="report")
_track(ReportBundle, "report_bundle", Fields(), _bundle_summary, lambda bundle: bundle.report_id, "Paket",
       lists_values=False)
_track(ReportSending, "report_sending", SENDING, _sending_summary, lambda sending: sending.report_id, "Sändning",
       lists_values=False)
