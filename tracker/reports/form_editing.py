"""Editing the form while the report is a draft never sent (`lifecycle.check_form_editable`): its sections and
questions added, changed, moved and deleted."""

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.parsing import optional_id, required_text, text_field
from tracker.reports.lifecycle import check_form_editable
from tracker.reports.models import (
    CONTRIBUTED_KINDS, NUMBER_MAX, PROMPT_MAX, TEXT_MAX, TITLE_MAX, Report, ReportContribution, ReportItem,
    ReportQuestion, ReportSection, shorten,
)
from tracker.reports.queries import active_divisions, get_section, report_of
from tracker.vocabulary import QuestionKind


def question_kind(errors: dict, value) -> QuestionKind | None:
    kind = QuestionKind(value) if value in {k.value for k in QuestionKind} else None
    if kind is None:
        errors["kind"] = (f"Okänd frågetyp ”{str(value)[:40]}”; välj en av: "
                          + ", ".join(k.label for k in QuestionKind) + ".")
    return kind


def section_values(*, number, title, intro) -> dict:
    errors: dict[str, str] = {}
    number = text_field(errors, "number", number, "Numret (t.ex. 3.1)", NUMBER_MAX)
    title = required_text(errors, "title", title, "Rubriken", TITLE_MAX,
                          "Ange avsnittets rubrik; den får inte vara tom.")
    intro = text_field(errors, "intro", intro, "Inledningen", PROMPT_MAX)
    if errors:
        raise ValidationError(errors)
    return {"number": number, "title": title, "intro": intro}


def _siblings(report: Report, parent: ReportSection | None) -> list[ReportSection]:
    return sorted((s for s in report.sections if s.parent is parent), key=lambda s: s.position)


def add_section(report: Report, *, parent_id=None, **form) -> ReportSection:
    check_form_editable(report)
    values = section_values(**form)
    parent = None
    if parent_id not in (None, ""):
        parent = get_section(optional_id(parent_id) or 0)
        if parent is None or parent.report_id != report.id:
            raise ValidationError({"parent_id": "Det överordnade avsnittet finns inte i redovisningen."})
    section = ReportSection(parent=parent, position=len(_siblings(report, parent)), **values)
    report.sections.append(section)
    db.session.flush()
    return section


def update_section(section: ReportSection, **form) -> None:
    check_form_editable(section.report)
    for name, value in section_values(**form).items():
        setattr(section, name, value)
    db.session.flush()


def _move(items: list, item, direction: int) -> bool:
    index = items.index(item)
    other = index + direction
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    return True


def move_section(section: ReportSection, direction: int) -> bool:
    check_form_editable(section.report)
    return _move(_siblings(section.report, section.parent), section, direction)


def delete_section(section: ReportSection) -> None:
    """An empty section, with its subsections; one whose questions hold answers or contributions is refused, so
    that nothing written is lost with it."""
    report = section.report
    check_form_editable(report)
    written = next((q for s in _section_tree(section) for q in s.questions if not q.is_empty), None)
    if written is not None:
        raise ValidationError({"section": (
            f"Avsnittet har svar eller bidrag, t.ex. på frågan ”{shorten(written.prompt)}”, och tas inte bort. "
            f"Töm svaren och låt förvaltningarna tömma sina bidrag, eller ta bort frågorna en och en, först.")})
    parent = section.parent
    _delete_section_tree(section)
    db.session.flush()
    for position, sibling in enumerate(_siblings(report, parent)):
        sibling.position = position
    db.session.flush()


def _section_tree(section: ReportSection) -> list[ReportSection]:
    return [section] + [s for child in section.children for s in _section_tree(child)]


def _delete_section_tree(section: ReportSection) -> None:
    for child in list(section.children):
        _delete_section_tree(child)
    section.report.sections.remove(section)  # delete-orphan: deleted with its questions


def question_values(*, kind, prompt, prompt_second=None, help=None, items=None, asks_divisions=None) -> dict:
    errors: dict[str, str] = {}
    values = {"kind": question_kind(errors, kind)}
    values["asks_divisions"] = bool(asks_divisions) and values["kind"] in CONTRIBUTED_KINDS
    values["prompt"] = text_field(errors, "prompt", prompt, "Frågan", PROMPT_MAX)
    if not values["prompt"]:
        errors["prompt"] = "Skriv frågan; den får inte vara tom."
    values["prompt_second"] = text_field(errors, "prompt_second", prompt_second, "Den andra kolumnens fråga",
                                         PROMPT_MAX)
    values["help"] = text_field(errors, "help", help, "Hjälptexten", PROMPT_MAX)
    lines = (text_field(errors, "items", items, "Insatserna", TEXT_MAX) or "").splitlines()
    names = [" ".join(line.split()) for line in lines]
    values["items"] = [n for n in names if n]
    if any(len(n) > TITLE_MAX * 2 for n in values["items"]):
        errors["items"] = f"En insats namn får ha högst {TITLE_MAX * 2} tecken."
    if values["kind"] is QuestionKind.INSATSER and not values["items"]:
        errors["items"] = "Skriv insatserna, en per rad."
    if errors:
        raise ValidationError(errors)
    return values


def add_question(section: ReportSection, **form) -> ReportQuestion:
    check_form_editable(section.report)
    values = question_values(**form)
    names = values.pop("items")
    question = ReportQuestion(position=len(section.questions), **values)
    question.items = [ReportItem(name=name, position=n) for n, name in enumerate(names)]
    section.questions.append(question)
    if question.asks_divisions:
        question.contributions = [ReportContribution(division=d) for d in active_divisions()]
    db.session.flush()
    return question


def update_question(question: ReportQuestion, **form) -> None:
    """Rename, reword, or (while nothing is answered) change the kind; insatser keep their answers by name."""
    check_form_editable(report_of(question))
    values = question_values(**form)
    if values["kind"] is not question.kind and not question.is_empty:
        raise ValidationError({"kind": "Frågetypen kan bara ändras medan frågan är obesvarad och utan bidrag."})
    names = values.pop("items")
    kind_changed = values["kind"] is not question.kind
    newly_asked = values["asks_divisions"] and not question.asks_divisions
    for name, value in values.items():
        setattr(question, name, value)
    if kind_changed and question.kind not in CONTRIBUTED_KINDS:  # nothing is written yet (see above)
        question.contributions = []
    elif newly_asked:  # the förvaltningar already asked (the strateg's choice) stay asked
        have = {c.division_id for c in question.contributions}
        question.contributions += [ReportContribution(division=d) for d in active_divisions() if d.id not in have]
    if question.kind is QuestionKind.INSATSER:
        existing = {i.name: i for i in question.items}
        question.items = [existing.get(name) or ReportItem(name=name) for name in names]
        for n, item in enumerate(question.items):
            item.position = n
    else:
        question.items = []
    db.session.flush()


def move_question(question: ReportQuestion, direction: int) -> bool:
    check_form_editable(report_of(question))
    return _move(list(question.section.questions), question, direction)


def delete_question(question: ReportQuestion) -> None:
    section = question.section
    check_form_editable(section.report)
    section.questions.remove(question)
    for position, each in enumerate(section.questions):
        each.position = position
    db.session.flush()
