"""What the förvaltningar are asked, "Inget att tillägga", the question × förvaltning matrix; "byt 2024 mot 2025";
Ny redovisning filled in from its source. On the real 2024 form (tracker/reports/data/tillganglighet-2024.json)."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reports.helpers import all_questions
from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports import services
from tracker.versions import services as versions
from tracker.vocabulary import QuestionKind, Role

SOURCE = (Path(__file__).parents[2] / "docs" / "sources"
          / "001-tillganglighet-2024-redovisning-med-handlingsplan-2023.txt")
# The 2024 form's questions that are the förvaltningar's: each area's medel/resultat and insatser.
ASKED = ["3.1 pair", "3.1 insatser", "3.2 pair", "3.2 insatser", "3.3 text", "3.3 insatser", "3.5 pair",
         "3.5 insatser", "3.6 pair", "3.6 insatser", "3.7 pair"]


def form_2024():
    """The 2024 report with its answers, without its plan (tillganglighet-2023, not made here)."""
    report = services.create_report(services.read_shipped_form("tillganglighet-2024"), answers=True, plan_key="")
    db.session.commit()
    return report


def prompt(report, section_number: str, kind: QuestionKind | None = None, start: str = ""):
    return next(q for q in all_questions(report) if q.section.number == section_number
                and (kind is None or q.kind is kind) and q.prompt.startswith(start))


def contribution_of(question, short_name: str):
    return next(c for c in question.contributions if c.division.short_name == short_name)


def a_2025_copy(key: str = "tillganglighet-2025"):
    report = services.create_from_source("report:tillganglighet-2024", answers=False, key=key, year=2025,
                                         title="Redovisning av överenskommelsen om ökad tillgänglighet 2025")
    db.session.commit()
    return report


@pytest.fixture
def report(divisions):
    return form_2024()


# --- What the förvaltningar are asked -------------------------------------------------------------------


def test_the_2024_form_asks_the_förvaltningar_only_for_their_texts(report, divisions):
    asked = [f"{q.section.number} {q.kind.value}" for q in all_questions(report) if q.contributions]
    assert asked == ASKED
    assert all(len(q.contributions) == len(divisions) for q in all_questions(report) if q.contributions)
    not_asked = [q.prompt for q in all_questions(report) if not q.contributions]
    assert "Ev. kommentar" in not_asked and "Ev. kommentarer vg. ovanstående punkter" in not_asked
    assert not any(q.contributions for q in all_questions(report)
                   if q.kind in (QuestionKind.YES_NO, QuestionKind.CONTACTS))


def test_a_form_cannot_ask_the_förvaltningar_for_the_contacts_table(divisions):
    data = services.read_shipped_form("tillganglighet-2024")
    data["sections"][0]["questions"][1]["asks_divisions"] = True  # Kontaktuppgifter
    report = services.create_report(data, answers=False, plan_key="")
    contacts = prompt(report, None, QuestionKind.CONTACTS)
    assert not contacts.asks_divisions and not contacts.contributions


def test_a_copy_for_next_year_asks_the_same_and_the_strateg_may_ask_for_more(report, divisions):
    copy = a_2025_copy()
    assert [f"{q.section.number} {q.kind.value}" for q in all_questions(copy) if q.contributions] == ASKED
    comment = prompt(copy, "3.6", QuestionKind.TEXT, "Ev. kommentar")
    services.assign_divisions(comment, [divisions["PH"].id])
    db.session.commit()
    assert [c.division.short_name for c in comment.contributions] == ["PH"]


def test_a_question_added_in_the_editor_asks_the_förvaltningar_when_ticked(report, divisions):
    section = prompt(report, "3.7").section
    not_asked = services.add_question(section, kind="text", prompt="Övrigt om barn- och ungdomspsykiatrin")
    asked = services.add_question(section, kind="text", prompt="Resultat för barn och unga", asks_divisions="1")
    contacts = services.add_question(section, kind="contacts", prompt="Kontakter", asks_divisions="1")
    assert not not_asked.contributions and len(asked.contributions) == len(divisions)
    assert not contacts.asks_divisions and not contacts.contributions  # the contacts table is the strateg's
    services.update_question(not_asked, kind="text", prompt=not_asked.prompt, asks_divisions="1")
    assert len(not_asked.contributions) == len(divisions)


# --- Inget att tillägga ------------------------------------------------------------------------------------


def test_nothing_to_add_is_an_answered_contribution_without_text(report, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    waiting = services.awaiting_count(contact)
    assert waiting == len(ASKED)
    pair = prompt(report, "3.1", QuestionKind.PAIR)
    mine = contribution_of(pair, "PH")
    with pytest.raises(ValidationError) as error:
        services.save_contribution(mine, contact, text="", done=True, expected_version=mine.version_id)
    assert "Inget att tillägga" in error.value.errors["text"]
    db.session.rollback()
    with pytest.raises(ValidationError) as error:
        services.save_contribution(mine, contact, text="Psykiatrin har ett bidrag.", done=False, nothing_to_add=True,
                                   expected_version=mine.version_id)
    assert "Töm textrutan" in error.value.errors["text"]
    db.session.rollback()
    services.save_contribution(mine, contact, text="", done=False, nothing_to_add=True,
                               expected_version=mine.version_id)
    db.session.commit()
    assert mine.done and mine.text is None and mine.nothing_to_add
    assert services.awaiting_count(contact) == waiting - 1
    assert services.readiness(report).waiting["Psykiatri Halland"] == len(ASKED) - 1
    entry = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.kind == "contribution")
                               .order_by(HistoryEntry.id.desc())).first()
    assert "inte finns något att tillägga" in entry.summary


def test_the_matrix_shows_each_question_and_förvaltning(report, make_user, divisions):
    pair = prompt(report, "3.1", QuestionKind.PAIR)
    insatser = prompt(report, "3.1", QuestionKind.INSATSER)
    written = SOURCE.read_text("utf-8").splitlines()[93].strip("- ")  # "Nationell vårdförmedling för kortare köer"
    ph = contribution_of(pair, "PH")
    services.save_contribution(ph, None, text=written, done=True, expected_version=ph.version_id)
    hs = contribution_of(pair, "HS")
    services.save_contribution(hs, None, text="", done=False, nothing_to_add=True, expected_version=hs.version_id)
    db.session.commit()
    matrix = services.contribution_matrix(report)
    assert [f"{r.section.number} {r.question.kind.value}" for r in matrix.rows] == ASKED
    column = {d.short_name: n for n, d in enumerate(matrix.divisions)}
    row = next(r for r in matrix.rows if r.question is pair)
    assert row.cells[column["PH"]].done and row.cells[column["PH"]].text == written
    assert row.cells[column["HS"]].nothing_to_add and not row.cells[column["NSV"]].done
    totals = {p.division.short_name: (p.done, p.left) for p in matrix.totals}
    assert totals["PH"] == (1, len(ASKED) - 1) and totals["HS"] == (1, len(ASKED) - 1)
    assert totals["NSV"] == (0, len(ASKED))
    services.assign_divisions(insatser, [divisions["PH"].id])
    db.session.commit()
    row = next(r for r in services.contribution_matrix(report).rows if r.question is insatser)
    assert row.cells[column["HS"]] is None  # not asked: not awaited


def test_a_contact_says_nothing_to_add_with_and_without_htmx(client, login, make_user, report, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    login(contact)
    pair, insatser = prompt(report, "3.1", QuestionKind.PAIR), prompt(report, "3.1", QuestionKind.INSATSER)
    mine = contribution_of(pair, "PH")
    page = client.get("/mina-fragor").get_data(as_text=True)
    assert 'name="nothing_to_add" value="1">Inget att tillägga</button>' in page
    response = client.post(f"/redovisningar/bidrag/{mine.id}", headers=htmx_headers,
                           data={"text": "", "nothing_to_add": "1", "version": mine.version_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="contribution-{mine.id}"' in body and "Sparat: inget att tillägga" in body
    other = contribution_of(insatser, "PH")
    response = client.post(f"/redovisningar/bidrag/{other.id}", data={"text": "  ", "nothing_to_add": "1",
                                                                       "version": other.version_id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#contribution-{other.id}")
    refused = client.post(f"/redovisningar/bidrag/{other.id}", data={"text": "Något ändå.", "nothing_to_add": "1",
                                                                      "version": other.version_id + 1})
    assert refused.status_code == 400 and "Töm textrutan" in refused.get_data(as_text=True)

    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    matrix = page[page.index('id="bidrag"'):page.index("</table>", page.index('id="bidrag"'))]
    pair_row = matrix[matrix.index(f'href="#question-{pair.id}"'):]
    pair_row = pair_row[:pair_row.index("</tr>")]
    assert pair_row.count("Inget att tillägga") == 1 and pair_row.count("Väntar") == 4
    assert "Inget att tillägga: Psykiatri Halland" in page  # beside the question
    assert "Kvar (besvarade av ombedda)" in matrix and f"{len(ASKED) - 2} (2 av {len(ASKED)})" in matrix


# --- Byt 2024 mot 2025 -----------------------------------------------------------------------------------------


def test_replacing_last_year_in_every_text_at_once(report):
    copy = a_2025_copy()
    before = services.other_year_texts(copy)
    assert before and services.earlier_years(before) == ["2024"]
    changes = services.year_changes(copy, "2024")
    asked = "Hur har 2024 års medel använts? Hur kommer 2024 års medel att användas framöver för att uppnå " \
            "prestationskraven i 3.1?"
    change = next(c for c in changes if c.old == asked)
    assert change.new == asked.replace("2024", "2025") and change.anchor.startswith("edit-question-")
    assert all("2024" not in c.new for c in changes)
    seen = services.year_changes_seen(changes)
    with pytest.raises(ValidationError) as error:
        services.year_changes(copy, "2025")
    assert "tidigare år än 2025" in error.value.errors["fran"]
    question = prompt(copy, "3.1", QuestionKind.PAIR)
    question.help = "Ändrad 2024 medan förhandsvisningen låg öppen."
    db.session.commit()
    with pytest.raises(ChangedSinceSeen):
        services.replace_year(copy, "2024", seen=seen)
    db.session.rollback()
    assert prompt(copy, "3.1", QuestionKind.PAIR).prompt == asked  # nothing was replaced
    changes = services.year_changes(copy, "2024")
    services.replace_year(copy, "2024", seen=services.year_changes_seen(changes))
    db.session.commit()
    assert services.other_year_texts(copy) == []
    assert prompt(copy, "3.1", QuestionKind.PAIR).prompt == asked.replace("2024", "2025")
    entries = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.report_id == copy.id,
                                                               HistoryEntry.verb == "updated")).all()
    assert len(entries) == len(changes)
    assert any(e.kind == "report_question" and ["Fråga", asked, asked.replace("2024", "2025")] in e.changes
               for e in entries)
    with pytest.raises(ValidationError) as error:
        services.replace_year(copy, "2024", seen=seen)
    assert "Inga texter i formuläret nämner 2024" in error.value.errors["fran"]


def test_the_year_preview_and_its_confirmation_on_the_page(client, login, make_user, report, htmx_headers):
    copy = a_2025_copy()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{copy.key}").get_data(as_text=True)
    pair = prompt(copy, "3.1", QuestionKind.PAIR)
    assert f'href="/redovisningar/{copy.key}/formular#edit-question-{pair.id}"' in page
    preview_url = f"/redovisningar/{copy.key}/byt-ar?fran=2024&amp;next=/redovisningar/{copy.key}"
    assert f'href="{preview_url}" hx-get="{preview_url}"' in page and "Byt 2024 mot 2025 i alla texterna" in page
    fragment = client.get(f"/redovisningar/{copy.key}/byt-ar?fran=2024", headers=htmx_headers)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    changes = services.year_changes(copy, "2024")
    assert body.count("<span class=\"muted\">Nu:</span>") == len(changes)
    assert f"”{pair.prompt.replace('2024', '2025')}”" in body
    full = client.get(f"/redovisningar/{copy.key}/byt-ar?fran=2024").get_data(as_text=True)
    assert "<html" in full and f'name="seen" value="{services.year_changes_seen(changes)}"' in full
    bad = client.get(f"/redovisningar/{copy.key}/byt-ar?fran=20x4")
    assert bad.status_code == 400 and "”20x4” är inget sådant år" in bad.get_data(as_text=True)
    response = client.post(f"/redovisningar/{copy.key}/byt-ar", data={
        "fran": "2024", "seen": services.year_changes_seen(changes), "next": f"/redovisningar/{copy.key}/formular"})
    assert response.status_code == 302 and response.headers["Location"] == f"/redovisningar/{copy.key}/formular"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{len(changes)} texter i formuläret nämner nu 2025 i stället för 2024." in page
    assert 'id="other-years"' not in page
    login(make_user(Role.READER))
    assert client.get(f"/redovisningar/{copy.key}/byt-ar?fran=2024").status_code == 403


# --- Ny redovisning ------------------------------------------------------------------------------------------------


def test_the_facts_of_a_new_report_follow_its_source(report, make_plan):
    from_form = services.source_facts("form:tillganglighet-2024")
    assert from_form == {
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025",
        "title": "Redovisning av överenskommelsen om ökad tillgänglighet 2025",
        "year": "2025", "agreement": str(report.agreement_id),  # the select's choice: the agreement's id
        "deadline": "2025-09-30",
        "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se", "plan": "", "plan_version": ""}
    plan = make_plan()  # the form's plan, tillganglighet-2023, now exists
    assert services.source_facts("form:tillganglighet-2024")["plan"] == plan.key
    copy = a_2025_copy()
    copy.deadline = report.deadline.replace(year=2025)
    db.session.commit()
    facts = services.source_facts(f"report:{copy.key}")
    assert (facts["key"], facts["year"], facts["deadline"]) == ("tillganglighet-2026", "2026", "2026-09-30")
    assert facts["title"] == "Redovisning av överenskommelsen om ökad tillgänglighet 2026"
    with pytest.raises(ValidationError) as error:
        services.source_facts("report:finns-inte")
    assert "Välj ett formulär eller en redovisning" in error.value.errors["source"]


def test_new_report_form_is_filled_in_with_and_without_htmx(client, login, make_user, report, make_plan,
                                                              htmx_headers):
    director = make_user(Role.DIRECTOR)
    plan = make_plan()
    versions.approve(plan, director, "RS231576")
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get("/redovisningar").get_data(as_text=True)
    assert 'id="new-deadline" name="deadline" value=""' in page and 'type="date"' in page
    assert 'name="plan_version"' in page and 'name="plan_version" value' not in page  # a select, not typed
    url = "/redovisningar?fyll=1&source=form:tillganglighet-2024"
    fragment = client.get(url, headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith("{#") is False
    assert 'id="new-report"' in fragment
    full = client.get(url).get_data(as_text=True)
    for body in (fragment, full):
        assert 'id="new-key" name="key" value="tillganglighet-2025"' in body
        assert 'type="date" id="new-deadline" name="deadline" value="2025-09-30"' in body
        # the agreement chosen in a select of the agreements there are, the form's own preselected
        assert f'<option value="{plan.agreement_id}" selected>Ökad tillgänglighet</option>' in body
        assert f'<option value="{plan.key}" selected>' in body
        assert '<option value="1">Version 1, fastställd' in body  # the chosen plan's fastställda versions
    other = make_plan(key="tillganglighet-2025", title="Handlingsplan för ökad tillgänglighet 2025")
    redrawn = client.get(f"/redovisningar?source=form:tillganglighet-2024&key=tillganglighet-2025&plan={other.key}",
                         headers=htmx_headers).get_data(as_text=True)
    assert "Version 1, fastställd" not in redrawn and 'value="tillganglighet-2025"' in redrawn
    stale = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": "Ökad tillgänglighet", "plan": other.key, "versions_of": plan.key,
        "plan_version": "1"})
    assert stale.status_code == 400 and "hörde till en annan plan" in stale.get_data(as_text=True)
    bad_date = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": "Ökad tillgänglighet", "deadline": "30 september", "plan": plan.key,
        "versions_of": plan.key, "plan_version": "1"})
    assert bad_date.status_code == 400 and "ÅÅÅÅ-MM-DD" in bad_date.get_data(as_text=True)
    created = client.post("/redovisningar", data={
        "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
        "year": "2025", "agreement": "Ökad tillgänglighet", "deadline": "2025-09-30", "plan": plan.key,
        "versions_of": plan.key, "plan_version": "1", "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se"})
    assert created.status_code == 302
    new = services.get_report("tillganglighet-2025")
    assert (new.plan.key, new.plan_version, new.deadline.isoformat()) == (plan.key, 1, "2025-09-30")
    assert new.agreement.name == "Ökad tillgänglighet"


def test_the_facts_in_the_editor_choose_the_version_too(client, login, make_user, report, make_plan):
    plan = make_plan()
    versions.approve(plan, make_user(Role.DIRECTOR), "RS231576")
    report.plan = plan
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}/formular").get_data(as_text=True)
    assert 'type="date" id="facts-deadline" name="deadline" value="2024-09-30"' in page
    assert '<select id="facts-plan-version" name="plan_version">' in page and "Version 1, fastställd" in page
    facts = {"title": report.title, "deadline": "2024-09-30", "plan": plan.key, "plan_version": "1"}
    stale = client.post(f"/redovisningar/{report.key}/uppgifter",
                        data={**facts, "versions_of": "", "version": report.version_id})
    assert stale.status_code == 400 and "hörde till en annan plan" in stale.get_data(as_text=True)
    saved = client.post(f"/redovisningar/{report.key}/uppgifter",
                        data={**facts, "versions_of": plan.key, "version": report.version_id})
    assert saved.status_code == 302
    db.session.expire_all()
    assert services.get_report(report.key).plan_version == 1
