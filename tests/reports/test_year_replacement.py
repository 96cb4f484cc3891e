""""Byt 2024 mot 2025": an earlier year replaced by the report's in every text of the form at once, after a
preview, on the real 2024 form copied for 2025."""


import pytest
import sqlalchemy as sa

from tests.reports.helpers import a_2025_copy, form_2024, prompt
from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports import form_years
from tracker.vocabulary import QuestionKind, Role


@pytest.fixture
def report(divisions):
    return form_2024()


def test_replacing_last_year_in_every_text_at_once(report):
    copy = a_2025_copy()
    before = form_years.other_year_texts(copy)
    assert before and before.earlier_years == ["2024"]
    changes = form_years.year_changes(copy, "2024")
    asked = "Hur har 2024 års medel använts? Hur kommer 2024 års medel att användas framöver för att uppnå " \
            "prestationskraven i 3.1?"
    change = next(c for c in changes if c.old == asked)
    assert change.new == asked.replace("2024", "2025") and change.anchor.startswith("edit-question-")
    assert all("2024" not in c.new for c in changes)
    seen = form_years.year_changes_seen(changes)
    with pytest.raises(ValidationError) as error:
        form_years.year_changes(copy, "2025")
    assert "tidigare år än 2025" in error.value.errors["fran"]
    question = prompt(copy, "3.1", QuestionKind.PAIR)
    question.help = "Ändrad 2024 medan förhandsvisningen låg öppen."
    db.session.commit()
    with pytest.raises(ChangedSinceSeen):
        form_years.replace_year(copy, "2024", seen=seen)
    db.session.rollback()
    assert prompt(copy, "3.1", QuestionKind.PAIR).prompt == asked  # nothing was replaced
    changes = form_years.year_changes(copy, "2024")
    form_years.replace_year(copy, "2024", seen=form_years.year_changes_seen(changes))
    db.session.commit()
    assert form_years.other_year_texts(copy) == []
    assert prompt(copy, "3.1", QuestionKind.PAIR).prompt == asked.replace("2024", "2025")
    entries = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.report_id == copy.id,
                                                               HistoryEntry.verb == "updated")).all()
    assert len(entries) == len(changes)
    assert any(e.kind == "report_question" and ["Fråga", asked, asked.replace("2024", "2025")] in e.changes
               for e in entries)
    with pytest.raises(ValidationError) as error:
        form_years.replace_year(copy, "2024", seen=seen)
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
    changes = form_years.year_changes(copy, "2024")
    assert body.count("<span class=\"muted\">Nu:</span>") == len(changes)
    assert f"”{pair.prompt.replace('2024', '2025')}”" in body
    full = client.get(f"/redovisningar/{copy.key}/byt-ar?fran=2024").get_data(as_text=True)
    assert "<html" in full and f'name="seen" value="{form_years.year_changes_seen(changes)}"' in full
    bad = client.get(f"/redovisningar/{copy.key}/byt-ar?fran=20x4")
    assert bad.status_code == 400 and "”20x4” är inget sådant år" in bad.get_data(as_text=True)
    response = client.post(f"/redovisningar/{copy.key}/byt-ar", data={
        "fran": "2024", "seen": form_years.year_changes_seen(changes), "next": f"/redovisningar/{copy.key}/formular"})
    assert response.status_code == 302 and response.headers["Location"] == f"/redovisningar/{copy.key}/formular"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{len(changes)} texter i formuläret nämner nu 2025 i stället för 2024." in page
    assert 'id="other-years"' not in page
    login(make_user(Role.READER))
    assert client.get(f"/redovisningar/{copy.key}/byt-ar?fran=2024").status_code == 403
