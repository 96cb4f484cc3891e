"""The report's facts as typed: the recipient must be an e-mail address, a new report needs a key."""


import pytest

from tests.reports.helpers import create_report
from tracker.extensions import db
from tracker.reports import queries
from tracker.reports.models import Report
from tracker.vocabulary import Role


@pytest.fixture
def report(divisions):
    return create_report()


@pytest.mark.parametrize("where", ["new", "facts"])
def test_the_recipient_must_be_an_e_mail_address(client, login, make_user, report, where):
    """R9: "inte en adress" is refused next to the field, on a new report and in the report's facts."""
    login(make_user(Role.STRATEGIST))
    if where == "new":
        response = client.post("/redovisningar", data={
            "source": "form:tillganglighet-2024", "key": "tillganglighet-2025", "title": "Redovisning 2025",
            "year": "2025", "recipient": "inte en adress"})
    else:
        response = client.post(f"/redovisningar/{report.key}/uppgifter", data={
            "title": report.title, "recipient": "inte en adress", "version": report.version_id})
    body = response.get_data(as_text=True)
    field = "new-recipient" if where == "new" else "facts-recipient"
    assert response.status_code == 400 and f'id="{field}-error"' in body and "är ingen e-postadress" in body
    db.session.expire_all()
    assert queries.get_report("tillganglighet-2025") is None
    assert db.session.get(Report, report.id).recipient != "inte en adress"


def test_a_real_recipient_address_is_kept(client, login, make_user, report):
    login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/{report.key}/uppgifter", data={
        "title": report.title, "recipient": "Tillganglighetsuppdraget@socialstyrelsen.se",
        "version": report.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).recipient == "Tillganglighetsuppdraget@socialstyrelsen.se"


def test_an_empty_key_asks_for_a_key(client, login, make_user, divisions):
    """R12: no key is asked for, not told which characters a key may hold."""
    login(make_user(Role.STRATEGIST))
    response = client.post("/redovisningar", data={"source": "form:tillganglighet-2024", "key": "",
                                                   "title": "Redovisning 2025", "year": "2025"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Ange en nyckel för redovisningen" in body
    assert "får bara innehålla" not in body
