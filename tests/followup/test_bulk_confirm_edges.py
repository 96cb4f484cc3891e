"""The bulk "Oförändrad" and the Kvar page at their edges: double clicks, bad input, queries, the service's
shape."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask import g

from tests.followup.helpers import confirmed, ph_statuses
from tracker.errors import NotAllowed, ValidationError
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.followup.models import RoundConfirmation
from tracker.types import utcnow
from tracker.vocabulary import Role, Status


def test_a_double_click_confirming_the_same_rows_twice_is_harmless(plan, round_, login, make_user, htmx_headers):
    """The second request read the confirmations before the first one's were written: its insert hits the unique
    constraint. Simulated on the real database by writing the first request's row right after the read."""
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    first = ph_statuses(plan)[0]
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert f'hx-disabled-elt="find button, #bulk-{round_.id}-end button"' in page  # its button after the rows too

    def other_request_wins(state):
        if state.is_select and "round_confirmation" in str(state.statement) and not state.session.info.get("raced"):
            result = state.invoke_statement()
            state.session.info["raced"] = True
            state.session.connection().execute(sa.insert(RoundConfirmation).values(
                round_id=round_.id, status_id=first.id, unchanged=True, confirmed_at=sa.func.current_timestamp()))
            return result
        return None

    sa.event.listen(db.session, "do_orm_execute", other_request_wins)
    try:
        response = client.post(f"/omgangar/{round_.id}/bekrafta", headers=htmx_headers,
                               data={"scope": "chosen", "status_id": [first.id]})
    finally:
        sa.event.remove(db.session, "do_orm_execute", other_request_wins)
        db.session.info.pop("raced", None)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "kvar att bekräfta" in response.get_data(as_text=True)
    assert 'role="status">Åtgärderna var redan bekräftade.</p>' in response.get_data(as_text=True)


def test_bulk_confirmation_reads_the_confirmations_once(plan, round_, login, make_user, count_queries):
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    statuses = ph_statuses(plan)
    with count_queries() as statements:
        assert client.post(f"/omgangar/{round_.id}/bekrafta",
                           data={"scope": "chosen", "status_id": [s.id for s in statuses]}).status_code == 302
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "round_confirmation" in s]
    assert len(reads) == 1, reads
    assert confirmed(round_) == {s.id for s in statuses}


def test_the_kvar_page_takes_as_many_queries_for_many_rows_as_for_one(make_plan, login, make_user, count_queries):
    contacts = [make_user(Role.DIVISION_CONTACT, "PH") for _ in range(3)]
    small = make_plan(key="liten-2024", actions=[{"divisions": ["PH"]}])
    large = make_plan(key="stor-2024", actions=[{"divisions": ["PH"]} for _ in range(3)])
    strateg = make_user(Role.STRATEGIST)
    urls = []
    for plan in (small, large):
        for contact, status in zip(contacts, [s for f in plan.factors for a in f.actions for s in a.statuses]):
            status.status, status.updated_by_id, status.updated_at = Status.IN_PROGRESS, contact.id, utcnow()
        round_ = services.open_round(plan, strateg, title="Delår", deadline="2030-09-15",
                                     today=date(2024, 8, 1))
        db.session.commit()
        urls.append(f"/omgangar/{round_.id}/kvar/{status.division_id}")
    client = login(make_user(Role.READER))
    counts = []
    for url in urls:
        g.pop("_login_user", None)
        db.session.expire_all()
        with count_queries() as statements:
            page = client.get(url)
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_bad_bulk_input_gets_its_own_message(plan, round_, login, make_user, make_plan):
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    url = f"/omgangar/{round_.id}/bekrafta"
    for bad in ("x", "999999"):
        refused = client.post(url, data={"scope": "chosen", "status_id": [ph_statuses(plan)[0].id, bad]})
        assert refused.status_code == 400
        assert "Åtgärden finns inte i omgången." in refused.get_data(as_text=True)
    other = make_plan(key="annan-2024", actions=[{"divisions": ["PH"]}])
    refused = client.post(url, data={"scope": "factor", "factor_id": other.factors[0].id})
    assert refused.status_code == 400
    assert "Välj en framgångsfaktor i omgångens plan." in refused.get_data(as_text=True)
    too_many = client.post(url, data={"scope": "chosen", "status_id": [str(i) for i in range(1, 1002)]})
    assert too_many.status_code == 400
    assert "Högst 1000 åtgärder på en gång" in too_many.get_data(as_text=True)
    assert confirmed(round_) == set()


def test_all_confirmed_in_a_factor_is_said_so(plan, round_, login, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    factor = plan.factors[1]
    services.confirm_unchanged_many(round_, contact, factor_id=factor.id)
    db.session.commit()
    refused = login(contact).post(f"/omgangar/{round_.id}/bekrafta", data={"scope": "factor", "factor_id": factor.id})
    assert refused.status_code == 400
    assert "Inget kvar att bekräfta i framgångsfaktorn." in refused.get_data(as_text=True)


def test_kvar_for_a_division_without_åtgärder_in_the_plan_says_so(plan, round_, login, make_user, divisions):
    page = login(make_user(Role.READER)).get(f"/omgangar/{round_.id}/kvar/{divisions['NSV'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Närsjukvården har inga åtgärder i planen." in text and "har bekräftat allt" not in text


def test_the_service_takes_the_forms_choice_and_refuses_with_a_domain_error(plan, round_, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    second = plan.factors[1]
    assert services.confirm_unchanged_many(round_, contact, factor_id=second.id) == 2
    hs_status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "HS")
    with pytest.raises(NotAllowed, match="Du kan bara bekräfta din egen förvaltnings åtgärder"):
        services.confirm_unchanged_many(round_, contact, status_ids=[hs_status.id])
    db.session.rollback()
    with pytest.raises(ValidationError):
        services.confirm_unchanged_many(round_, contact)
