"""A new item's form carries a one-time token: the same form posted twice (a double click on Spara, one after the
other or both at once) stores one item, and the second post is answered with it."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from tests.factories import sign_in
from tracker.extensions import db
from tracker.plans.models import Action, Area, FormToken, SuccessFactor
from tracker.vocabulary import Role


@pytest.fixture
def strateg(login, make_user):
    return login(make_user(Role.STRATEGIST, name="Maria Strand"))


def new_form(client, url: str, headers) -> dict:
    """The token and the hidden fields of the new item's form, as the page gave them."""
    page = client.get(url, headers=headers).get_data(as_text=True)
    return dict(re.findall(r'<input type="hidden" name="(factor_id|token)" value="([^"]*)"', page))


def forms(plan, divisions):
    """Per kind: (the model, the address of its empty form, where it posts, what the user types)."""
    return {
        "action": (Action, f"/planer/{plan.key}/atgarder/ny?faktor={plan.factors[0].id}",
                   f"/planer/{plan.key}/atgarder",
                   {"title": "Mobil röntgen i särskilt boende", "divisions": [divisions["ADH"].id]}),
        "factor": (SuccessFactor, f"/planer/{plan.key}/faktorer/ny?omrade={plan.areas[0].id}",
                   f"/planer/{plan.key}/faktorer", {"title": "Digitala vårdmöten", "area_id": plan.areas[0].id}),
        "area": (Area, f"/planer/{plan.key}/omraden/ny", f"/planer/{plan.key}/omraden",
                 {"title": "Psykisk hälsa", "code": "3.7"}),
    }


def created(model, title: str) -> list:
    return db.session.scalars(sa.select(model).where(model.title == title)).all()


@pytest.mark.parametrize("kind", ["action", "factor", "area"])
def test_the_same_new_form_posted_twice_stores_one_and_answers_with_it(make_plan, divisions, strateg, htmx_headers,
                                                                       kind):
    plan = make_plan()
    model, form_url, post_url, typed = forms(plan, divisions)[kind]
    hidden = new_form(strateg, form_url, htmx_headers)
    assert len(hidden["token"]) >= 32
    first = strateg.post(post_url, headers=htmx_headers, data={**hidden, **typed})
    second = strateg.post(post_url, headers=htmx_headers, data={**hidden, **typed})
    [item] = created(model, typed["title"])
    assert first.status_code == second.status_code == 200
    assert first.headers["HX-Reswap"] == second.headers["HX-Reswap"] == f"innerHTML show:#{kind}-{item.id}:top"
    assert typed["title"] in second.get_data(as_text=True)
    # Without JavaScript the second post, too, lands on the plan at what the first created.
    third = strateg.post(post_url, data={**hidden, **typed})
    assert third.status_code == 302 and third.headers["Location"].endswith(f"#{kind}-{item.id}")
    assert len(created(model, typed["title"])) == 1


def test_a_form_with_errors_keeps_its_token_and_a_fresh_form_has_another(make_plan, divisions, strateg,
                                                                          htmx_headers):
    plan = make_plan()
    _, form_url, _, typed = forms(plan, divisions)["action"]
    hidden = new_form(strateg, form_url, htmx_headers)
    refused = strateg.post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data={**hidden, "title": " "})
    assert refused.status_code == 400
    assert f'name="token" value="{hidden["token"]}"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormToken)) == 0  # not used up by the error
    assert new_form(strateg, form_url, htmx_headers)["token"] != hidden["token"]
    saved = strateg.post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data={**hidden, **typed})
    assert saved.status_code == 200 and len(created(Action, typed["title"])) == 1


def test_a_token_too_long_for_this_page_is_refused_in_swedish(make_plan, divisions, strateg, htmx_headers):
    plan = make_plan()
    response = strateg.post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data={
        "factor_id": plan.factors[0].id, "token": "x" * 65, "title": "Mobil röntgen",
        "divisions": [divisions["ADH"].id]})
    assert response.status_code == 400
    assert "Formulärets engångskod är för lång" in response.get_data(as_text=True)
    assert created(Action, "Mobil röntgen") == []


def test_two_posts_of_the_same_form_at_once_store_one(app, make_plan, make_user, divisions, htmx_headers):
    """The second post arrives while the first has claimed the token but not committed: it waits for the first
    (PostgreSQL's unique key, SQLite's write lock), then is recognised and answered with the first one's åtgärd."""
    plan = make_plan()
    user = make_user(Role.STRATEGIST)
    clients = {name: app.test_client() for name in ("A", "B")}
    for client in clients.values():
        sign_in(client, user)
    _, form_url, _, typed = forms(plan, divisions)["action"]
    data = {**new_form(clients["A"], form_url, htmx_headers), **typed}
    a_claimed, b_claiming, answers = threading.Event(), threading.Event(), {}

    def claiming(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO form_token") and threading.current_thread().name == "B":
            b_claiming.set()

    def claimed(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO form_token") and threading.current_thread().name == "A":
            a_claimed.set()
            b_claiming.wait(5)
            time.sleep(0.3)  # B is inside its INSERT, waiting for A's transaction

    def post(name):
        answers[name] = clients[name].post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data=data)

    sa.event.listen(db.engine, "before_cursor_execute", claiming)
    sa.event.listen(db.engine, "after_cursor_execute", claimed)
    try:
        first = threading.Thread(target=post, args=("A",), name="A")
        first.start()
        assert a_claimed.wait(5)
        second = threading.Thread(target=post, args=("B",), name="B")
        second.start()
        first.join()
        second.join()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", claiming)
        sa.event.remove(db.engine, "after_cursor_execute", claimed)
    assert b_claiming.is_set()  # the second really raced the first
    [action] = created(Action, typed["title"])
    assert answers["A"].status_code == answers["B"].status_code == 200
    assert answers["B"].headers["HX-Reswap"] == f"innerHTML show:#action-{action.id}:top"
