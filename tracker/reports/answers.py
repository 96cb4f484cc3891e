"""Writing the answers: the region's answer to a question (typed, or a text the tracker offers inserted, or the
proposed "has the plan been updated"), the förvaltningar's contributions and who is asked for them.

Each write asks `lifecycle.check_editable` first and is versioned (`tracker.locking`): a save on a page older
than the stored answer raises Conflict; the caller rolls back."""

import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import expect_version, flush_versioned
from tracker.parsing import clean_text, text_field, whole_number
from tracker.reports.lifecycle import check_editable
from tracker.reports.models import (
    CONTACT_COLUMNS, CONTACT_ROWS_MAX, TEXT_MAX, ReportContactRow, ReportContribution, ReportQuestion, is_inserted,
)
from tracker.reports.offered import plan_update
from tracker.reports.queries import report_of
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import QuestionKind


def _answer_text(errors: dict, name: str, value, label: str) -> str | None:
    return text_field(errors, name, value, label, TEXT_MAX)


def answer_values(question: ReportQuestion, form: dict) -> dict:
    """The posted answer, checked for the question's kind; ValidationError names each bad field."""
    errors: dict[str, str] = {}
    values: dict = {}
    kind = question.kind
    if kind in (QuestionKind.TEXT, QuestionKind.PAIR, QuestionKind.YES_NO):
        label = "Kommentaren" if kind is QuestionKind.YES_NO else "Svaret"
        values["answer"] = _answer_text(errors, "answer", form.get("answer"), label)
    if kind is QuestionKind.PAIR:
        values["answer_second"] = _answer_text(errors, "answer_second", form.get("answer_second"), "Svaret")
    if kind is QuestionKind.YES_NO:
        values["answer_yes"] = _yes_no(errors, form.get("answer_yes"))
    if kind is QuestionKind.INSATSER:
        values["items"] = {}
        for item in question.items:
            values["items"][item.id] = (
                _answer_text(errors, f"item-{item.id}", form.get(f"item-{item.id}"), "Svaret"),
                _answer_text(errors, f"item-{item.id}-second", form.get(f"item-{item.id}-second"), "Svaret"),
            )
    if kind is QuestionKind.CONTACTS:
        values["contacts"] = _contact_rows(errors, form)
    if errors:
        raise ValidationError(errors)
    return values


def _yes_no(errors: dict, value) -> bool | None:
    text = (value or "").strip().casefold()
    if text in ("", "none"):
        return None
    if text in ("ja", "yes", "true", "1"):
        return True
    if text in ("nej", "no", "false", "0"):
        return False
    errors["answer_yes"] = "Välj Ja, Nej eller inget svar."
    return None


def _contact_rows(errors: dict, form: dict) -> list[dict]:
    """Rows contact-N-name … from the form; an empty row is dropped, a row without a name is refused."""
    rows = []
    count = whole_number(form.get("contact_rows") or 0, 0, CONTACT_ROWS_MAX)
    if count is None:
        errors["contact_rows"] = (f"Tabellen får ha högst {CONTACT_ROWS_MAX} rader med kontaktpersoner; "
                                  f"ladda om sidan och försök igen.")
        return rows
    for n in range(count + 1):
        row = {name: text_field(errors, f"contact-{n}-{name}", form.get(f"contact-{n}-{name}"), label, limit)
               for name, label, limit in CONTACT_COLUMNS}
        if not any(row.values()):
            continue
        if not row["name"]:
            errors[f"contact-{n}-name"] = "Ange kontaktpersonens namn, eller töm hela raden."
        rows.append(row)
    return rows


def is_stored(question: ReportQuestion, values: dict) -> bool:
    """Whether (valid) input is what is already stored: a conflict with the same answer is no conflict."""
    for name in ("answer", "answer_second", "answer_yes"):
        if name in values and getattr(question, name) != values[name]:
            return False
    if "items" in values:
        if any((i.answer, i.answer_second) != values["items"].get(i.id) for i in question.items):
            return False
    if "contacts" in values:
        stored = [{name: getattr(c, name) for name, _, _ in CONTACT_COLUMNS} for c in question.contacts]
        if stored != values["contacts"]:
            return False
    return True


def save_answer(question: ReportQuestion, user: User | None, form: dict, *, expected_version: int | None) -> None:
    """The region's answer, unless the state forbids it (ReportLocked), the input is bad (ValidationError) or
    someone saved a newer version since `expected_version` (tracker.locking.Conflict; roll back then)."""
    check_editable(question)
    values = answer_values(question, form)
    expect_version(question, expected_version)
    _apply(question, values)
    question.updated_by = user
    question.updated_at = utcnow()
    flush_versioned()


def _apply(question: ReportQuestion, values: dict) -> None:
    for name in ("answer", "answer_second", "answer_yes"):
        if name in values:
            setattr(question, name, values[name])
    for item in question.items:
        if item.id in values.get("items", {}):
            item.answer, item.answer_second = values["items"][item.id]
    if "contacts" in values:
        question.contacts = [ReportContactRow(position=n, **row) for n, row in enumerate(values["contacts"])]


def insert_text(question: ReportQuestion, user: User | None, target: str, text: str, *,
                expected_version: int | None, typed: dict | None = None) -> None:
    """Add `text` (a contribution, the plan's status table, …) at the end of one answer field: `answer`,
    `answer_second`, `item-N` or `item-N-second`. `typed`: the answer form as it stands in the browser, typed but
    not saved; it is kept and the text appended to it (checked, and saved with the same version as a save would).
    A text already in the field is not inserted twice (ValidationError)."""
    check_editable(question)
    stored = question.field_value(target)
    form = question.current_form()
    if typed is not None:
        form.update({name: typed[name] for name in form if name in typed})
    current = form.get(target) if typed is not None and target in typed else stored
    addition = (text or "").strip()
    if addition and is_inserted(current, addition):
        raise ValidationError({"target": "Texten finns redan i svarsfältet; den infogas inte en gång till."})
    form[target] = "\n\n".join(part for part in ((current or "").strip(), addition) if part)
    save_answer(question, user, form, expected_version=expected_version)


def apply_plan_update(question: ReportQuestion, user: User | None, *, expected_version: int | None,
                      typed: dict | None = None) -> None:
    """The proposed ja/nej, and its text as the comment unless one is written (`typed`: as in insert_text)."""
    proposal = plan_update(report_of(question))
    if proposal is None or not question.asks_if_plan_updated:
        raise ValidationError({"answer_yes": "Ingen version av planen är markerad som skickad; svara själv."})
    form = question.current_form()
    if typed is not None and "answer" in typed:
        form["answer"] = typed["answer"]
    form["answer_yes"] = "ja" if proposal.changed else "nej"
    form["answer"] = form["answer"] or proposal.text
    save_answer(question, user, form, expected_version=expected_version)


def save_contribution(contribution: ReportContribution, user: User | None, *, text, done: bool,
                      nothing_to_add: bool = False, expected_version: int | None) -> None:
    """Save the text, klar or not; `nothing_to_add` is klar without a text (the förvaltning has nothing to say)."""
    check_editable(contribution.question)
    errors: dict[str, str] = {}
    value = _answer_text(errors, "text", text, "Bidraget")
    if nothing_to_add and value:
        errors["text"] = ("Bidraget har en text, så det är inte ”Inget att tillägga”. Töm textrutan, eller spara "
                          "texten och markera den som klar.")
    elif done and not value and not nothing_to_add:
        errors["text"] = ("Skriv ett bidrag innan det markeras som klart, eller välj ”Inget att tillägga” om "
                          "förvaltningen inte har något att bidra med.")
    done = done or nothing_to_add
    if errors:
        raise ValidationError(errors)
    expect_version(contribution, expected_version)
    contribution.text = value
    contribution.done = done
    contribution.updated_by = user
    contribution.updated_at = utcnow()
    flush_versioned()


def contribution_is_stored(contribution: ReportContribution, *, text, done: bool, nothing_to_add: bool = False) -> bool:
    return contribution.text == clean_text(text) and contribution.done == (done or nothing_to_add)


def assign_divisions(question: ReportQuestion, division_ids: list[int]) -> None:
    """The förvaltningar asked to contribute to the question; a written contribution is kept only if asked."""
    check_editable(question)
    known = {d.id: d for d in db.session.scalars(sa.select(Division))}
    wanted = {i for i in division_ids if i in known}
    if len(wanted) != len(set(division_ids)):
        raise ValidationError({"divisions": "En av förvaltningarna finns inte; ladda om sidan."})
    for contribution in list(question.contributions):
        if contribution.division_id not in wanted:
            question.contributions.remove(contribution)
    have = {c.division_id for c in question.contributions}
    for division_id in sorted(wanted - have, key=lambda i: (known[i].position, known[i].name)):
        question.contributions.append(ReportContribution(division=known[division_id]))
    db.session.flush()
