import re
from datetime import date, timedelta

import pytest
from flask import g

from tracker.extensions import db
from tracker.plans.models import DivisionStatus
from tracker.vocabulary import Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(
        actions=[
            {"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE, "NSV": Status.DONE}},
            {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"],
             "statuses": {"PH": Status.IN_PROGRESS}},
            {"title": "Mobil röntgen i särskilt boende", "divisions": ["ADH", "NSV"], "due_date": date(2024, 6, 30)},
        ]
    )


def status_of(plan, division_short_name, action_index=0):
    action = plan.factors[0].actions[action_index]
    return next(s for s in action.statuses if s.division.short_name == division_short_name)


def test_anonymous_users_are_sent_to_the_login_page(client, plan):
    response = client.get(f"/planer/{plan.key}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")


def test_plan_list_shows_each_plan_with_its_rollup(login, make_user, plan):
    response = login(make_user()).get("/planer")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Handlingsplan för ökad tillgänglighet 2023" in page
    assert "1 av 3 genomförda" in page


def test_plan_page_shows_areas_factors_actions_statuses_and_overdue_flag(login, make_user, plan):
    page = login(make_user()).get(f"/planer/{plan.key}").get_data(as_text=True)
    assert "3.6 Regionala handlingsplaner för ökad tillgänglighet" in page
    assert "Ramavtal med externa vårdgivare" in page
    assert "Tillgänglighetskoordinatorer på varje BUP-enhet" in page
    assert "Psykiatri Halland" in page
    assert page.count("Passerat slutdatum</span>") == 1  # only the open åtgärd due 2024-06-30
    assert "1 av 3 genomförda" in page


def test_filter_by_division_works_as_a_plain_get_form(login, make_user, plan, divisions):
    response = login(make_user()).get(f"/planer/{plan.key}?division={divisions['PH'].id}")
    page = response.get_data(as_text=True)
    assert "<html" in page
    assert "Tillgänglighetskoordinatorer" in page
    assert "Gemensamma väntelistor" not in page
    assert "Visar 1 av 3 åtgärder." in page


def test_filter_over_htmx_returns_only_the_plan_body(login, make_user, plan, htmx_headers):
    response = login(make_user()).get(f"/planer/{plan.key}?status=done", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert "<html" not in page and "<form class=\"filters\"" not in page
    assert "Gemensamma väntelistor inom ögonsjukvård" in page
    assert "Mobil röntgen" not in page
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/planer/{key}?status=done", "/mina-atgarder", "/planer/{key}/historik"])
def test_back_to_a_page_htmx_no_longer_holds_gets_the_whole_page(path, login, make_user, plan, htmx_headers):
    """htmx puts the answer to a history restore in <body>: a fragment there would lose the layout."""
    response = login(make_user(Role.DIVISION_CONTACT, "PH")).get(
        path.format(key=plan.key), headers={**htmx_headers, "HX-History-Restore-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" in page and "<nav" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=BUP-enhet", ["Tillgänglighetskoordinatorer"]),
        ("q=r%C3%B6ntgen", ["Mobil röntgen"]),
        ("status=overdue", ["Mobil röntgen"]),
        ("status=in_progress", ["Tillgänglighetskoordinatorer"]),
    ],
)
def test_search_and_status_filters(login, make_user, plan, query, expected):
    page = login(make_user()).get(f"/planer/{plan.key}?{query}").get_data(as_text=True)
    titles = ["Gemensamma väntelistor", "Tillgänglighetskoordinatorer", "Mobil röntgen"]
    assert [t for t in titles if f"</span> {t}" in page] == expected


def test_unknown_filter_values_are_dropped_with_a_notice(login, make_user, plan):
    page = login(make_user()).get(f"/planer/{plan.key}?status=klar&division=999").get_data(as_text=True)
    assert "Okänd status i filtret" in page
    assert "Den valda förvaltningen finns inte längre" in page
    page = login(make_user()).get(f"/planer/{plan.key}?division=abc").get_data(as_text=True)
    assert "Okänd förvaltning i filtret; filtret på förvaltning togs bort." in page


def test_missing_plan_is_404_with_a_swedish_message(login, make_user):
    response = login(make_user()).get("/planer/finns-inte-2030")
    assert response.status_code == 404
    assert "Det finns ingen plan med nyckeln finns-inte-2030." in response.get_data(as_text=True)


def test_contact_updates_own_status_inline_and_rollups_follow(login, make_user, plan, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "ADH")
    ds = status_of(plan, "ADH", 2)
    seen_version = ds.version_id
    response = login(contact).post(
        f"/status/{ds.id}",
        data={"status": "done", "comment": "Mobil röntgen införd i Halmstad.", "version": seen_version, "view": "plan"},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert f'id="status-{ds.id}"' in page and "Sparat" in page
    # the åtgärd is still Pågående (Närsjukvården has not started): roll-ups swapped out of band
    action_id = plan.factors[0].actions[2].id
    assert f'id="action-{action_id}-status" class="action-status" hx-swap-oob="true"' in page
    assert f'id="factor-{plan.factors[0].id}-summary" class="summary" hx-swap-oob="true"' in page
    assert f'id="plan-{plan.id}-summary" class="summary" hx-swap-oob="true"' in page
    db.session.expire_all()
    stored = db.session.get(DivisionStatus, ds.id)
    assert (stored.status, stored.comment, stored.updated_by_id) == (Status.DONE, "Mobil röntgen införd i Halmstad.", contact.id)
    assert stored.version_id == seen_version + 1


def test_update_without_javascript_redirects_back(login, make_user, plan):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    ds = status_of(plan, "PH", 1)
    client = login(contact)
    response = client.post(
        f"/status/{ds.id}",
        data={"status": "done", "comment": "", "version": ds.version_id, "next": f"/planer/{plan.key}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planer/{plan.key}#status-{ds.id}"
    # "Sparat" at the saved cell, not at the top; once
    page = client.get(f"/planer/{plan.key}").get_data(as_text=True)
    cell = page.split(f'id="status-{ds.id}"')[1].split('class="updated"')[0]
    assert page.count("Sparat") == 1 and '<span class="saved" role="status">Sparat</span>' in cell
    assert "Sparat" not in client.get(f"/planer/{plan.key}").get_data(as_text=True)


def test_next_may_not_leave_the_site(login, make_user, plan):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    ds = status_of(plan, "PH", 1)
    response = login(contact).post(
        f"/status/{ds.id}", data={"status": "done", "version": ds.version_id, "next": "//evil.example/"}
    )
    assert response.headers["Location"] == f"/planer#status-{ds.id}"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": "klar"}, "status", "Välj en status i listan: Ej påbörjad, Pågående, Försenad, Genomförd, Avbruten."),
        ({"status": "cancelled", "comment": "  "}, "comment", "Skriv i kommentaren varför åtgärden avbryts."),
        ({"status": "done", "comment": "x" * 2001}, "comment", "Kommentaren får vara högst 2000 tecken; texten har 2001. Inget är sparat."),
    ],
)
def test_invalid_status_input_is_400_next_to_the_field_and_nothing_saved(
    login, make_user, plan, htmx_headers, data, field, message
):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    ds = status_of(plan, "PH", 1)
    before = (ds.status, ds.comment, ds.version_id)
    response = login(contact).post(
        f"/status/{ds.id}", data={**data, "version": ds.version_id}, headers=htmx_headers
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="status-{ds.id}-{field}-error">{message}</p>' in page
    db.session.expire_all()
    stored = db.session.get(DivisionStatus, ds.id)
    assert (stored.status, stored.comment, stored.version_id) == before


def test_second_save_of_a_stale_version_shows_the_conflict(login, make_user, plan, htmx_headers):
    first = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    second = make_user(Role.DIVISION_CONTACT, "PH", name="Anna Berg")
    ds = status_of(plan, "PH", 1)
    seen_version = ds.version_id
    login(first).post(
        f"/status/{ds.id}", data={"status": "done", "comment": "Koordinatorer finns på alla enheter.",
                                  "version": seen_version}, headers=htmx_headers,
    )
    response = login(second).post(
        f"/status/{ds.id}", data={"status": "delayed", "comment": "Rekrytering pågår.", "version": seen_version},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Omar Said har sparat statusen medan du redigerade. Din ändring är inte sparad." in page
    assert "Koordinatorer finns på alla enheter." in page and "av Omar Said" in page
    assert "Rekrytering pågår." in page  # the user's own text is kept in the form
    assert "Spara min ändring ändå" in page
    db.session.expire_all()
    stored = db.session.get(DivisionStatus, ds.id)
    assert (stored.status, stored.updated_by_id) == (Status.DONE, first.id)
    # applying again with the version now shown succeeds
    response = login(second).post(
        f"/status/{ds.id}", data={"status": "delayed", "comment": "Rekrytering pågår.", "version": stored.version_id},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(DivisionStatus, ds.id).status is Status.DELAYED


def test_a_stale_save_of_what_is_already_stored_is_no_conflict(login, make_user, plan, htmx_headers):
    first = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    second = make_user(Role.DIVISION_CONTACT, "PH", name="Anna Berg")
    ds = status_of(plan, "PH", 1)
    same = {"status": "done", "comment": "Koordinatorer finns på alla enheter.", "version": ds.version_id}
    assert login(first).post(f"/status/{ds.id}", data=same, headers=htmx_headers).status_code == 200
    response = login(second).post(f"/status/{ds.id}", data={**same, "comment": " Koordinatorer finns på alla enheter. "},
                                  headers=htmx_headers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sparat" in page and "Någon annan" not in page
    db.session.expire_all()
    assert db.session.get(DivisionStatus, ds.id).updated_by_id == first.id  # nothing was written twice
    # Without JavaScript the same save goes back to the page, as any save does.
    response = login(second).post(f"/status/{ds.id}", data={**same, "next": f"/planer/{plan.key}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/planer/{plan.key}#status-{ds.id}"


@pytest.mark.parametrize("role, division, message", [
    (Role.DIVISION_CONTACT, "HS", "Du kan bara ändra status för din egen förvaltnings åtgärder."),
    (Role.READER, None, "Status sätts av förvaltningskontakterna, var och en för sin egen förvaltning."),
    (Role.STRATEGIST, None, "Status sätts av förvaltningskontakterna, var och en för sin egen förvaltning."),
])
def test_a_refused_status_save_says_why_for_the_role(role, division, message, login, make_user, plan, htmx_headers):
    ds = status_of(plan, "PH", 1)
    response = login(make_user(role, division)).post(
        f"/status/{ds.id}", data={"status": "done", "comment": "x", "version": ds.version_id}, headers=htmx_headers)
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)


def test_a_conflict_with_ones_own_save_in_another_window_says_so(login, make_user, plan, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    ds = status_of(plan, "PH", 1)
    seen = ds.version_id
    login(contact).post(f"/status/{ds.id}", data={"status": "done", "comment": "Klart.", "version": seen},
                        headers=htmx_headers)
    response = login(contact).post(f"/status/{ds.id}", data={"status": "delayed", "comment": "Sent.", "version": seen},
                                   headers=htmx_headers)
    assert response.status_code == 409
    assert "Du har sparat statusen i ett annat fönster" in response.get_data(as_text=True)


def test_my_actions_flags_only_what_is_overdue_for_ones_own_division(login, make_user, make_plan, htmx_headers):
    """Psykiatrin is done with a shared åtgärd that is overdue for Närsjukvården: nothing to do for Psykiatrin."""
    plan = make_plan(actions=[
        {"title": "Gemensam åtgärd, klar för oss", "divisions": ["PH", "NSV"], "due_date": date(2024, 12, 31),
         "statuses": {"PH": Status.DONE, "NSV": Status.IN_PROGRESS}},
        {"title": "Vår egen försenade", "divisions": ["PH"], "due_date": date(2024, 12, 31),
         "statuses": {"PH": Status.DELAYED}},
    ])
    for action in plan.factors[0].actions:
        for ds in action.statuses:
            ds.updated_at = plan.created_at
    db.session.commit()
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert page.find("Vår egen försenade") < page.find("Gemensam åtgärd, klar för oss")
    shared = status_of(plan, "PH", 0)
    row = re.search(rf'<article class="action my-row" id="my-{shared.id}".*?</article>', page, re.DOTALL).group(0)
    header, facts = row.split("</header>", 1)
    assert "Passerat slutdatum" not in header  # not for Psykiatrin …
    assert "Passerat slutdatum" in facts  # … though the åtgärd as a whole is
    # Reopening its part makes it overdue for Psykiatrin too, and the flag follows without a reload.
    response = client.post(f"/status/{shared.id}", headers=htmx_headers, data={
        "status": "in_progress", "comment": "Öppnad igen.", "version": shared.version_id, "view": "mine"})
    assert re.search(rf'id="my-{shared.id}-overdue"[^>]*hx-swap-oob="true"><span class="flag-overdue">',
                     response.get_data(as_text=True))


def test_my_actions_lists_only_own_division_overdue_and_untouched_first(login, make_user, make_plan):
    plan = make_plan(
        actions=[
            {"title": "Uppdaterad nyligen", "divisions": ["NSV"], "statuses": {"NSV": Status.IN_PROGRESS}},
            {"title": "Aldrig uppdaterad", "divisions": ["NSV"]},
            {"title": "Förfallen åtgärd", "divisions": ["NSV"], "due_date": date(2024, 12, 31),
             "statuses": {"NSV": Status.IN_PROGRESS}},
            {"title": "Psykiatrins åtgärd", "divisions": ["PH"]},
        ]
    )
    recent = plan.factors[0].actions[0].statuses[0]
    recent.updated_at = plan.created_at
    overdue = plan.factors[0].actions[2].statuses[0]
    overdue.updated_at = plan.created_at
    db.session.commit()
    page = login(make_user(Role.DIVISION_CONTACT, "NSV")).get("/mina-atgarder").get_data(as_text=True)
    positions = [page.find(t) for t in ("Förfallen åtgärd", "Aldrig uppdaterad", "Uppdaterad nyligen")]
    assert -1 not in positions and positions == sorted(positions)
    assert "Psykiatrins åtgärd" not in page


def test_my_actions_explains_itself_to_users_without_division(login, make_user, plan):
    page = login(make_user(Role.STRATEGIST)).get("/mina-atgarder").get_data(as_text=True)
    assert "Du hör inte till någon förvaltning" in page


def test_plan_page_query_count_does_not_grow_with_the_plan(login, make_user, make_plan, count_queries):
    user = make_user()
    small = make_plan(key="liten-2023", actions=[{}] * 2, factors=1)
    large = make_plan(key="stor-2023", actions=[{}] * 10, factors=3)
    client = login(user)
    with count_queries() as small_queries:
        assert client.get(f"/planer/{small.key}").status_code == 200
    g.pop("_login_user", None)  # each request finds its user through the server-side session, as in production
    with count_queries() as large_queries:
        assert client.get(f"/planer/{large.key}").status_code == 200
    assert len(large_queries) == len(small_queries) <= 10


def test_my_actions_one_plan_at_a_time_and_what_a_round_awaits_first(login, make_user, make_plan, htmx_headers):
    from tracker.followup import rounds as followup
    from tracker.clock import today

    current = make_plan(actions=[{"title": "Förfallen i den gamla planen", "divisions": ["PH"],
                                  "due_date": date(2024, 12, 31), "statuses": {"PH": Status.IN_PROGRESS}}])
    other = make_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021",
                      actions=[{"title": "Rapportera inför delåret", "divisions": ["PH"]}])
    for plan in (current, other):
        for ds in plan.factors[0].actions[0].statuses:
            ds.updated_at = plan.created_at
    strateg = make_user(Role.STRATEGIST)
    followup.open_round(other, strateg, title="Delårsuppföljning", deadline=(today() + timedelta(days=10)).isoformat(),
                        today=today())
    db.session.commit()
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert page.find("Rapportera inför delåret") < page.find("Förfallen i den gamla planen")  # the round waits
    assert '<option value="gonv-2021">Handlingsplan God och nära vård 2021 (utkast)</option>' in page
    fragment = client.get("/mina-atgarder?plan=tillganglighet-2023", headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and "Förfallen i den gamla planen" in fragment
    assert "Rapportera inför delåret" not in fragment and "Delårsuppföljning" not in fragment
    assert "1 åtgärd där Psykiatri Halland är ansvarig förvaltning i Handlingsplan för ökad tillgänglighet" in fragment
