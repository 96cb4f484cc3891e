"""The form's texts that name another year: a form copied from last year keeps last year's wording ("Hur har 2024
års medel använts?") until the strateg replaces the year by the report's, everywhere at once after a preview."""

import re
from dataclasses import dataclass

from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.extensions import db
from tracker.reports.lifecycle import check_form_editable, lock
from tracker.reports.models import Report, ReportSection, shorten
from tracker.reports.queries import SectionView, load_tree, walk
from tracker.seen import digest


YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@dataclass
class FormText:
    """One text of the form (a section's title or intro; a question's prompt, second prompt or help; an insats):
    the row and attribute holding it, where it is, and the anchor of its place in the form editor."""

    section: ReportSection
    where: str
    anchor: str
    row: object
    attribute: str

    @property
    def text(self) -> str | None:
        return getattr(self.row, self.attribute)


def form_texts(tree: list[SectionView]) -> list[FormText]:
    texts = []
    for view in walk(tree):
        section = view.section
        at_section = f"section-{section.id}"
        texts += [FormText(section, f"Avsnittets rubrik ({section.heading})", at_section, section, "title"),
                  FormText(section, f"Avsnittets inledning ({section.heading})", at_section, section, "intro")]
        for question in view.questions:
            at_question = f"edit-question-{question.id}"
            if not question.repeats_heading:  # else the section's title, already there
                texts.append(FormText(section, f"Fråga i {section.heading}", at_question, question, "prompt"))
            texts += [FormText(section, f"Fråga i {section.heading}", at_question, question, "prompt_second"),
                      FormText(section, f"Hjälptext i {section.heading}", at_question, question, "help")]
            texts += [FormText(section, f"Insats i {section.heading}", at_question, item, "name")
                      for item in question.items]
    return texts


@dataclass
class OtherYear:
    """A text of the form that names a year other than the report's: where (its place in the form editor) and
    what."""

    section: ReportSection
    where: str
    anchor: str
    text: str
    years: list[str]


class OtherYears(list):
    """The texts naming an earlier year (a list of OtherYear), and those years."""

    @property
    def earlier_years(self) -> list[str]:
        """The years the form's texts name before the report's, the latest first: the ones "byt … mot …" offers."""
        return sorted({y for o in self for y in o.years}, reverse=True)


def other_year_texts(report: Report, tree: list[SectionView] | None = None) -> OtherYears:
    """The form's texts that name a year before the report's ("Hur har 2024 års medel använts?" in a report for
    2025): a form copied from last year keeps last year's wording until the strateg updates it. A later year is
    not listed: it names a goal or a programme ("Vision e-hälsa 2025" in the 2020 report), not last year's form."""
    found = OtherYears()
    for each in form_texts(tree if tree is not None else load_tree(report)):
        years = sorted({y for y in YEAR.findall(each.text or "") if int(y) < report.year})
        if years:
            found.append(OtherYear(each.section, each.where, each.anchor, shorten(each.text, 140), years))
    return found


@dataclass
class YearChange:
    """One text as it is and as it becomes when a year is replaced by the report's."""

    where: str
    anchor: str
    old: str
    new: str
    text: FormText


def year_changes(report: Report, old_year, tree: list[SectionView] | None = None) -> list[YearChange]:
    """The preview of replacing `old_year` (an earlier year, as a whole number) by the report's year in every text
    of the form; a year inside another number or a later year is left alone."""
    old = str(old_year or "").strip()
    if not re.fullmatch(r"(?:19|20)\d{2}", old) or int(old) >= report.year:
        raise ValidationError({"fran": f"Ange ett tidigare år än {report.year} att byta, t.ex. {report.year - 1}; "
                                       f"”{old[:20]}” är inget sådant år."})
    pattern = re.compile(rf"\b{old}\b")
    changes = []
    for each in form_texts(tree if tree is not None else load_tree(report)):
        if each.text and pattern.search(each.text):
            changes.append(YearChange(each.where, each.anchor, each.text, pattern.sub(str(report.year), each.text),
                                      each))
    return changes


def year_changes_seen(changes: list[YearChange]) -> str:
    """The preview as its confirmation carries it: a text changed since makes it stale."""
    return digest([[c.anchor, c.text.attribute, c.old] for c in changes])


def replace_year(report: Report, old_year, *, seen: str) -> list[YearChange]:
    """Replace an earlier year by the report's in every text of the form at once, as the preview showed
    (`seen`); each changed row is in the report's history."""
    lock(report)  # first: the state and the texts are then judged as they are now
    check_form_editable(report)
    changes = year_changes(report, old_year)
    if not changes:
        raise ValidationError({"fran": f"Inga texter i formuläret nämner {old_year}; inget att byta."})
    if year_changes_seen(changes) != seen:
        raise ChangedSinceSeen("Formulärets texter har ändrats sedan förhandsvisningen, så inget byttes. Se "
                               "förhandsvisningen igen och bekräfta den.",
                               ("reports.year_preview", {"key": report.key, "fran": old_year}),
                               "Förhandsvisningen nu")
    for change in changes:
        setattr(change.text.row, change.text.attribute, change.new)
    db.session.flush()
    return changes
