"""Rounds on the web and the command line: several "Oförändrad" at once, what a förvaltning has left, the
order of Mina åtgärder, and rounds opened and closed with `tracker round`."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.followup.helpers import PLAN_KEY, confirmed, ph_statuses
from tracker.clock import local_date, today
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.followup.models import ReportingRound, RoundConfirmation
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.vocabulary import Role, Status

def test_picked_rows_are_confirmed_unchanged_at_once_without_javascript(plan, round_, login, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    client = login(contact)
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert f'<form class="bulk-confirm" id="bulk-{round_.id}" method="post" action="/omgangar/{round_.id}/bekrafta"' in page
    first, second, *_ = ph_statuses(plan)
    assert f'name="status_id" value="{first.id}" form="bulk-{round_.id}"' in page
    response = client.post(f"/omgangar/{round_.id}/bekrafta",
                           data={"scope": "chosen", "status_id": [first.id, second.id], "plan": PLAN_KEY})
    assert response.status_code == 302 and response.headers["Location"] == f"/mina-atgarder?plan={PLAN_KEY}"
    assert confirmed(round_) == {first.id, second.id}
    rows = db.session.scalars(sa.select(RoundConfirmation)).all()
    assert all(r.unchanged and r.confirmed_by_id == contact.id and local_date(r.confirmed_at) == today() for r in rows)
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.verb == "confirmed")).all()
    assert len(summaries) == 2 and all("är oförändrad" in s for s in summaries)
    after = client.get("/mina-atgarder").get_data(as_text=True)
    assert "2 av 4 kvar att bekräfta" in after
    assert "2 åtgärder är bekräftade som oförändrade i Delårsuppföljning 2024." in after


def test_all_left_in_one_framgångsfaktor_over_htmx_returns_the_list(plan, round_, login, make_user, htmx_headers):
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    first_factor, second_factor = plan.factors
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert f'<option value="{second_factor.id}">{second_factor.title} (2 kvar)</option>' in page
    response = client.post(f"/omgangar/{round_.id}/bekrafta", headers=htmx_headers,
                           data={"scope": "factor", "factor_id": second_factor.id})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert "2 av 4 kvar att bekräfta" in fragment
    assert (f'<p class="message message-info bulk-done" id="bulk-{round_.id}-done" role="status">2 åtgärder är '
            f'bekräftade som oförändrade i Delårsuppföljning 2024.</p>') in fragment  # as the flash without JS
    assert f'<option value="{second_factor.id}">' not in fragment  # nothing left there
    assert "bekräftade som oförändrade" not in client.get("/mina-atgarder").get_data(as_text=True)  # no stale flash
    assert confirmed(round_) == {s.id for s in ph_statuses(plan) if s.action.factor_id == second_factor.id}


def test_the_button_for_the_rows_picked_follows_the_rows_the_round_waits_for(
        plan, round_, login, make_user, htmx_headers):
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    page = client.get("/mina-atgarder").get_data(as_text=True)
    end = (f'<p class="bulk-end" id="bulk-{round_.id}-end"><button type="submit" form="bulk-{round_.id}" '
           f'aria-describedby="bulk-{round_.id}-hint" name="scope" value="chosen" class="secondary">Bekräfta valda som '
           f'oförändrade</button>')
    assert page.count(end) == 1 and all(page.index(end) > page.index(f'id="my-{s.id}"') for s in ph_statuses(plan))
    assert f'hx-disabled-elt="find button, #bulk-{round_.id}-end button"' in page
    first, second, third, fourth = ph_statuses(plan)
    fragment = client.post(f"/omgangar/{round_.id}/bekrafta", headers=htmx_headers,
                           data={"scope": "chosen", "status_id": [first.id, second.id]}).get_data(as_text=True)
    at = fragment.index(end)  # after the two still awaited, before the two confirmed
    assert all(fragment.index(f'id="my-{s.id}"') < at for s in (third, fourth))
    assert all(fragment.index(f'id="my-{s.id}"') > at for s in (first, second))
    response = client.post(f"/omgangar/{round_.id}/bekrafta", headers=htmx_headers,
                           data={"scope": "chosen", "status_id": [third.id, fourth.id]})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "alla 4 är bekräftade" in fragment
    assert 'role="status">2 åtgärder är bekräftade som oförändrade i Delårsuppföljning 2024.</p>' in fragment
    assert "bulk-end" not in fragment and 'class="bulk-confirm"' not in fragment  # nothing left to pick


def test_bulk_confirmation_refuses_what_is_not_ones_own_and_writes_nothing(plan, round_, login, make_user):
    hs_status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "HS")
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    own = ph_statuses(plan)[0]
    refused = client.post(f"/omgangar/{round_.id}/bekrafta", data={"status_id": [own.id, hs_status.id]})
    assert refused.status_code == 403
    assert "Du kan bara bekräfta din egen förvaltnings åtgärder" in refused.get_data(as_text=True)
    assert client.post(f"/omgangar/{round_.id}/bekrafta", data={"status_id": [own.id, "x"]}).status_code == 400
    assert confirmed(round_) == set()
    empty = client.post(f"/omgangar/{round_.id}/bekrafta", data={"scope": "chosen"})
    assert empty.status_code == 400
    assert re.search(r'<p class="field-error" id="bulk-\d+-error" role="alert">Kryssa i de åtgärder vars status är '
                     r'oförändrad', empty.get_data(as_text=True))
    assert login(make_user(Role.STRATEGIST)).post(f"/omgangar/{round_.id}/bekrafta",
                                                  data={"status_id": [own.id]}).status_code == 403
    assert confirmed(round_) == set()


def test_each_divisions_kvar_links_to_what_it_has_left(plan, round_, login, make_user):
    own = ph_statuses(plan)[0]
    services.confirm(round_, own, None, unchanged=True)
    db.session.commit()
    client = login(make_user(Role.READER))
    page = client.get(f"/planer/{PLAN_KEY}/omgangar").get_data(as_text=True)
    ph = own.division
    link = f"/omgangar/{round_.id}/kvar/{ph.id}"
    assert f'<a href="{link}" aria-label="3 kvar för Psykiatri Halland">3</a>' in page
    left = client.get(link).get_data(as_text=True)
    assert "<h1>Kvar för Psykiatri Halland</h1>" in left and "3 åtgärder som Psykiatri Halland ännu inte" in left
    assert f'#action-{own.action.id}"' not in left  # confirmed: not left
    for status in ph_statuses(plan)[1:]:
        assert f'href="/planer/{PLAN_KEY}#action-{status.action.id}">{status.action.ref} ' in left


def test_outside_a_round_open_work_comes_before_done_and_cancelled(make_plan, login, make_user):
    make_plan(actions=[
        {"title": "Genomförd sedan länge", "divisions": ["NSV"], "statuses": {"NSV": Status.DONE}},
        {"title": "Avbruten åtgärd", "divisions": ["NSV"], "statuses": {"NSV": Status.CANCELLED}},
        {"title": "Pågående arbete", "divisions": ["NSV"], "statuses": {"NSV": Status.IN_PROGRESS}},
        {"title": "Inte påbörjad ännu", "divisions": ["NSV"]},
        {"title": "Försenat arbete", "divisions": ["NSV"], "statuses": {"NSV": Status.DELAYED}},
    ])
    page = login(make_user(Role.DIVISION_CONTACT, "NSV")).get("/mina-atgarder").get_data(as_text=True)
    open_work = [page.find(t) for t in ("Pågående arbete", "Inte påbörjad ännu", "Försenat arbete")]
    closed = [page.find(t) for t in ("Genomförd sedan länge", "Avbruten åtgärd")]
    assert -1 not in open_work + closed and max(open_work) < min(closed)


def test_passerat_slutdatum_once_per_card(make_plan, login, make_user):
    plan = make_plan(actions=[{"title": "Försenad för alla", "divisions": ["PH", "HS"], "due_date": date(2024, 12, 31),
                               "statuses": {"PH": Status.IN_PROGRESS}}])
    page = login(make_user(Role.DIVISION_CONTACT, "PH")).get("/mina-atgarder").get_data(as_text=True)
    [status] = [s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "PH"]
    card = re.search(rf'<article class="action my-row" id="my-{status.id}".*?</article>', page, re.DOTALL).group(0)
    assert card.count("Passerat slutdatum") == 1


# --- tracker round open / close ---------------------------------------------------------------


def test_round_opened_and_closed_from_the_command_line(app, plan):
    runner = app.test_cli_runner()
    deadline = (today() + timedelta(days=14)).isoformat()
    bad = runner.invoke(args=["round", "open", PLAN_KEY, "--title", " ", "--deadline", "15/9"])
    assert bad.exit_code == 2
    assert "Ange vad omgången gäller" in bad.output and "Ange sista dag som ÅÅÅÅ-MM-DD" in bad.output
    assert db.session.scalar(sa.select(sa.func.count(ReportingRound.id))) == 0
    opened = runner.invoke(args=["round", "open", PLAN_KEY, "--title", "Delårsuppföljning 2024", "--deadline", deadline])
    assert opened.exit_code == 0, opened.output
    assert f"Omgången ”Delårsuppföljning 2024” är öppen i {PLAN_KEY} till och med {deadline}." in opened.output
    round_ = db.session.scalar(sa.select(ReportingRound))
    assert round_.is_open and round_.opened_by_id is None
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == "round"))
    assert entry.source == "cli" and entry.user_name == "tracker round open"

    again = runner.invoke(args=["round", "open", PLAN_KEY, "--title", "En till", "--deadline", deadline])
    assert again.exit_code == 2 and "Omgången ”Delårsuppföljning 2024” är redan öppen" in again.output
    assert runner.invoke(args=["round", "open", "okand-plan", "--title", "X", "--deadline", deadline]).exit_code == 2

    declined = runner.invoke(args=["round", "close", PLAN_KEY], input="n\n")
    assert declined.exit_code == 1
    assert "fast 6 statusar ännu inte är bekräftade" in declined.output and "Omgången är inte stängd." in declined.output
    db.session.expire_all()
    assert db.session.get(ReportingRound, round_.id).is_open
    closed = runner.invoke(args=["round", "close", PLAN_KEY, "--yes"])
    assert closed.exit_code == 0 and "är stängd; statusarna är sparade som de var (6 obekräftade)." in closed.output
    db.session.expire_all()
    assert not db.session.get(ReportingRound, round_.id).is_open
    assert len(db.session.get(ReportingRound, round_.id).snapshot) == 6
    nothing = runner.invoke(args=["round", "close", PLAN_KEY, "--yes"])
    assert nothing.exit_code == 2 and f"ingen omgång är öppen i {PLAN_KEY}" in nothing.output


@pytest.mark.parametrize("ask_by_id_up_to", [500, 1], ids=["by-id", "the-rounds-all"])
def test_unconfirmed_names_the_rows_the_open_round_has_not_counted(plan, round_, make_user, monkeypatch,
                                                                   ask_by_id_up_to):
    """One read answers for rows named by id (a save) and for a large import (the round's every confirmation)."""
    monkeypatch.setattr(services, "ASK_BY_ID_UP_TO", ask_by_id_up_to)
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    first, *others = ph_statuses(plan)
    hs = next(s for f in plan.factors for a in f.actions for s in a.statuses if s.division.short_name == "HS")
    with acting(contact, "web"):
        services.confirm(round_, first, contact, unchanged=True)
        db.session.commit()
    assert services.unconfirmed([first, *others, hs]) == [(round_.id, s) for s in [*others, hs]]
    services.close_round(round_, None)
    db.session.commit()
    assert services.unconfirmed([first, *others]) == []  # no open round: nothing to count


def test_my_open_rounds_counts_the_own_divisions_rows_only(plan, round_, make_user):
    """Another förvaltning's confirmations neither count for this one nor are read for it."""
    ph, hs = make_user(Role.DIVISION_CONTACT, "PH"), make_user(Role.DIVISION_CONTACT, "HS")
    hs_status = next(s for f in plan.factors for a in f.actions for s in a.statuses if s.division.short_name == "HS")
    first = ph_statuses(plan)[0]
    with acting(hs, "web"):
        services.confirm(round_, hs_status, hs, unchanged=True)
        db.session.commit()
    with acting(ph, "web"):
        services.confirm(round_, first, ph, unchanged=True)
        db.session.commit()
    [mine] = services.my_open_rounds(ph)
    assert mine.status_ids == {s.id for s in ph_statuses(plan)} and mine.confirmed_status_ids == {first.id}
    assert (mine.total, mine.left) == (len(ph_statuses(plan)), len(ph_statuses(plan)) - 1)
    [theirs] = services.my_open_rounds(hs)
    hs_ids = {s.id for f in plan.factors for a in f.actions for s in a.statuses if s.division.short_name == "HS"}
    assert (theirs.status_ids, theirs.confirmed_status_ids) == (hs_ids, {hs_status.id})
