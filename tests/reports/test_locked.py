"""After the direktör's approval nothing changes, whoever posts, until a komplettering reopens named questions:
every write is refused on the server with a Swedish 409, and the database is as it was."""

import pytest

from tests.reports.helpers import create_report, question
from tests.factories import snapshot
from tracker.extensions import db
from tracker.reports import lifecycle
from tracker.vocabulary import Role


@pytest.fixture
def approved(divisions, make_user):
    report = create_report()
    director = make_user(Role.DIRECTOR)
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director)
    db.session.commit()
    return report


def _requests(report):
    pair = question(report, "Hur har 2024")
    section = pair.section
    contribution = next(c for c in pair.contributions if c.division.short_name == "PH")
    editor = Role.STRATEGIST
    return [
        (editor, f"/redovisningar/fragor/{pair.id}/svar", {"answer": "x", "answer_second": "",
                                                           "version": pair.version_id}),
        (editor, f"/redovisningar/fragor/{pair.id}/infoga", {"source": f"bidrag:{contribution.id}", "target": "answer",
                                                            "version": pair.version_id}),
        (editor, f"/redovisningar/fragor/{pair.id}/forvaltningar", {"divisions": []}),
        (editor, f"/redovisningar/{report.key}/avsnitt", {"title": "Nytt avsnitt"}),
        (editor, f"/redovisningar/avsnitt/{section.id}", {"title": "Ny rubrik"}),
        (editor, f"/redovisningar/avsnitt/{section.id}/flytta", {"riktning": "upp"}),
        (editor, f"/redovisningar/avsnitt/{section.id}/ta-bort", {}),
        (editor, f"/redovisningar/avsnitt/{section.id}/fragor", {"kind": "text", "prompt": "Ny fråga"}),
        (editor, f"/redovisningar/fragor/{pair.id}/andra", {"kind": "pair", "prompt": "Ny fråga"}),
        (editor, f"/redovisningar/fragor/{pair.id}/flytta", {"riktning": "ner"}),
        (editor, f"/redovisningar/fragor/{pair.id}/ta-bort", {}),
        (editor, f"/redovisningar/{report.key}/uppgifter", {"title": "Ny titel", "version": report.version_id}),
        (editor, f"/redovisningar/{report.key}/granskning", {}),
        (Role.DIRECTOR, f"/redovisningar/{report.key}/godkann", {"seen": lifecycle.content_digest(report)}),
        (Role.DIVISION_CONTACT, f"/redovisningar/bidrag/{contribution.id}", {"text": "Sent bidrag",
                                                                             "version": contribution.version_id}),
    ]


def test_every_write_is_refused_after_approval(client, login, make_user, approved):
    users = {role: make_user(role, "PH" if role is Role.DIVISION_CONTACT else None)
             for role in (Role.STRATEGIST, Role.DIRECTOR, Role.DIVISION_CONTACT)}
    before = snapshot()
    for role, url, data in _requests(approved):
        login(users[role])
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 409, (url, body[:300])
        assert "godkänd" in body, url
    db.session.expire_all()
    assert snapshot() == before
