"""Kontaktpersoner, the plan's page of its contacts: everyone reads it; the strateg and the direktör add, correct
and remove them, each change in the history; bad input is refused at its field and nothing is saved."""

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tracker.extensions import db
from tracker.followup.models import PlanContact
from tracker.history.models import HistoryEntry
from tracker.vocabulary import Role

FORM = {"name": "Anna Svensson", "phone": "010-476 19 00", "email": "anna.svensson@regionhalland.se",
        "comment": "Kontakt för redovisningen"}


@pytest.fixture
def plan(make_plan):
    plan = make_plan()
    plan.contacts = [PlanContact(name="Lena Lindqvist", phone="035-13 40 00", email="lena@regionhalland.se")]
    db.session.commit()
    return plan


@pytest.fixture
def strateg(login, make_user):
    return login(make_user(Role.STRATEGIST))


def _summaries():
    return db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.kind == "contact")
                              .order_by(HistoryEntry.id)).all()


def test_everyone_reads_the_contacts_and_only_editors_get_the_forms(plan, login, make_user):
    reader = login(make_user(Role.READER))
    page = reader.get(f"/planer/{plan.key}/kontakter").get_data(as_text=True)
    assert "Lena Lindqvist" in page and "035-13 40 00" in page and "Lägg till en kontaktperson" not in page
    assert reader.post(f"/planer/{plan.key}/kontakter", data=FORM).status_code == 403
    assert reader.get(f"/kontakter/{plan.contacts[0].id}").status_code == 403


def test_a_contact_is_added_corrected_and_removed_with_history(plan, strateg):
    assert strateg.post(f"/planer/{plan.key}/kontakter", data=FORM).status_code == 302
    added = db.session.scalar(sa.select(PlanContact).where(PlanContact.name == "Anna Svensson"))
    assert (added.phone, added.email, added.comment, added.position) == (
        "010-476 19 00", "anna.svensson@regionhalland.se", "Kontakt för redovisningen", 1)
    assert "Anna Svensson" in strateg.get(f"/kontakter/{added.id}").get_data(as_text=True)
    response = strateg.post(f"/kontakter/{added.id}", data={**FORM, "phone": "035-13 40 01",
                                                           "version": added.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(PlanContact, added.id)
    assert (saved.phone, saved.version_id) == ("035-13 40 01", 2)
    assert strateg.post(f"/kontakter/{added.id}/ta-bort", data={"version": 2}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanContact, added.id) is None
    assert _summaries()[1:] == ["lade till kontaktpersonen ”Anna Svensson”",
                            "ändrade kontaktpersonen ”Anna Svensson”: telefonnummer",
                            "tog bort kontaktpersonen ”Anna Svensson”"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", " ", "Ange kontaktpersonens namn."),
    ("name", "x" * 121, "Namnet får vara högst 120 tecken"),
    ("email", "anna.svensson", "Mejladressen är ingen e-postadress"),
    ("phone", "ring växeln", "”ring växeln” är inget telefonnummer"),
    ("phone", "1" * 41, "Telefonnumret får vara högst 40 tecken"),
])
def test_bad_input_is_refused_at_the_field(plan, strateg, field, value, message):
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/kontakter", data={**FORM, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and f'id="contact-{field}-error"' in body
    contact = plan.contacts[0]
    response = strateg.post(f"/kontakter/{contact.id}", data={**FORM, field: value, "version": contact.version_id})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


def test_a_contact_changed_since_the_page_is_refused(plan, strateg):
    contact = plan.contacts[0]
    stale = contact.version_id
    contact.phone = "035-00 00 00"
    db.session.commit()
    before = snapshot()
    response = strateg.post(f"/kontakter/{contact.id}", data={**FORM, "version": stale})
    assert response.status_code == 409 and "Någon annan har ändrat kontaktpersonen" in response.get_data(as_text=True)
    response = strateg.post(f"/kontakter/{contact.id}/ta-bort", data={"version": stale})
    assert response.status_code == 409
    db.session.expire_all()
    assert snapshot() == before
