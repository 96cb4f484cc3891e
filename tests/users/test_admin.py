import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, sign_in
from tracker.extensions import db
from tracker.users.models import Division, User
from tracker.users.services import list_divisions
from tracker.users.services import authenticate
from tracker.vocabulary import Role

NEW_PASSWORD = "ett-nytt-losenord"
SHORT_PASSWORD = ("Lösenordet måste ha minst 12 tecken; det angivna har 4. "
                  "En fras av några ord är lättast att minnas.")
UNKNOWN_ROLE = ("Okänd roll. Välj en av: reader (Läsare), division_contact (Förvaltningskontakt), strategist (Strateg), "
                "director (Hälso- och sjukvårdsdirektör), admin (Administratör).")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ali Karimi", email="admin@regionhalland.test")


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")


@pytest.fixture
def as_admin(login, admin):
    return login(admin)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def new_user_form(**fields) -> dict:
    return {"email": "karin.holm@regionhalland.test", "name": "Karin Holm", "role": "division_contact",
            "division": "Hallands sjukhus", "password": "langt-losenord", **fields}


def edit_form(user: User, **fields) -> dict:
    """The edit form as the page fills it in, changed by `fields`; None leaves a field out (an unticked box)."""
    form = {"email": user.email, "name": user.name, "role": user.role.value, "division": user.division.name if user.division else "",
            "active": "1", "password": ""}
    return {key: value for key, value in {**form, **fields}.items() if value is not None}


def assert_field_error(response, field_id: str, message: str) -> None:
    """400, the message next to the field, and the field pointing at it."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    assert f'<p class="field-error" id="{field_id}-error">{message}</p>' in page
    field = re.search(rf'<(?:input|select)[^>]*id="{field_id}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and f'aria-describedby="{field_id}-error"' in field


# Who may come in


ADMIN_PAGES = [
    ("get", "/admin/anvandare"), ("get", "/admin/anvandare/ny"), ("post", "/admin/anvandare/ny"),
    ("get", "/admin/anvandare/{user}"), ("post", "/admin/anvandare/{user}"),
    ("get", "/admin/forvaltningar"), ("post", "/admin/forvaltningar"), ("post", "/admin/forvaltningar/{division}"),
    ("post", "/admin/forvaltningar/{division}/aktiv"), ("post", "/admin/forvaltningar/{division}/ta-bort"),
]


@pytest.mark.parametrize("method, path", ADMIN_PAGES)
@pytest.mark.parametrize("role", [role for role in Role if role is not Role.ADMIN])
def test_every_admin_page_is_403_for_every_other_role(login, make_user, reader, divisions, role, method, path):
    client = login(make_user(role))
    url = path.format(user=reader.id, division=divisions["HS"].id)
    response = getattr(client, method)(url, data={"name": "Nytt namn", "role": "admin", "active": "1"})
    assert response.status_code == 403
    assert "Bara en administratör får hantera användare och förvaltningar." in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path", ADMIN_PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, reader, divisions, method, path):
    url = path.format(user=reader.id, division=divisions["HS"].id)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=/admin/")


def test_htmx_request_of_an_expired_session_redirects_the_whole_page(client, htmx_headers):
    response = client.get("/admin/anvandare", headers=htmx_headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/logga-in")


def test_missing_user_or_division_is_404(as_admin):
    assert as_admin.get("/admin/anvandare/9999").status_code == 404
    assert as_admin.post("/admin/anvandare/9999", data={}).status_code == 404
    assert as_admin.post("/admin/forvaltningar/9999", data={}).status_code == 404
    assert as_admin.post("/admin/forvaltningar/9999/aktiv", data={"active": "0"}).status_code == 404
    assert as_admin.post("/admin/forvaltningar/9999/ta-bort", data={}).status_code == 404


@pytest.mark.parametrize("role", Role)
def test_only_an_admin_sees_the_administration_link(login, make_user, role):
    page = login(make_user(role)).get("/planer").get_data(as_text=True)
    assert ('href="/admin/anvandare"' in page and ">Administration</a>" in page) is (role is Role.ADMIN)
    assert ('href="/admin/sakerhetslogg"' in page and ">Säkerhetslogg</a>" in page) is (role is Role.ADMIN)


def test_the_top_bar_marks_the_administration_or_the_security_log_as_the_page(as_admin, divisions):
    def main_menu(url: str) -> dict[str, bool]:
        """The top bar's links: label → whether it is marked as the page shown."""
        page = as_admin.get(url).get_data(as_text=True)
        menu = re.search(r'<nav aria-label="Huvudmeny">.*?</nav>', page, re.DOTALL).group(0)
        links = re.findall(r'<a href="[^"]+"\s*(aria-current="page")?>([^<]+)</a>', menu)
        return {label: bool(current) for current, label in links}

    for url in ("/admin/anvandare", "/admin/anvandare/ny", "/admin/forvaltningar"):
        menu = main_menu(url)
        assert menu["Administration"] and not menu["Säkerhetslogg"], url
    menu = main_menu("/admin/sakerhetslogg")
    assert menu["Säkerhetslogg"] and not menu["Administration"]
    assert [label for label, current in menu.items() if current] == ["Säkerhetslogg"]


def test_every_admin_form_carries_a_csrf_token(as_admin, reader, divisions):
    for url in ("/admin/anvandare/ny", f"/admin/anvandare/{reader.id}", "/admin/forvaltningar"):
        page = as_admin.get(url).get_data(as_text=True)
        forms = re.findall(r"<form.*?</form>", page, re.DOTALL)
        assert forms and all('name="csrf_token"' in form for form in forms), url


def test_a_form_posted_with_its_csrf_token_is_accepted(app, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        sign_in(client, admin)
        page = client.get("/admin/forvaltningar").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/admin/forvaltningar", data={"name": "Regionservice"}).status_code == 400
        response = client.post("/admin/forvaltningar", data={"name": "Regionservice", "csrf_token": token})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# Users


def test_user_list_shows_name_email_role_division_and_whether_active(as_admin, make_user):
    make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said", email="omar@regionhalland.test", active=False)
    page = as_admin.get("/admin/anvandare").get_data(as_text=True)
    assert "<caption>Alla användare (2), i bokstavsordning</caption>" in page
    row = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>Omar Said</a>.*?</tr>", page, re.DOTALL).group(0)
    for text in ("omar@regionhalland.test", "Förvaltningskontakt", "Psykiatri Halland", "Nej, kan inte logga in"):
        assert text in row


def test_admin_creates_a_user_who_can_log_in(as_admin, divisions):
    response = as_admin.post("/admin/anvandare/ny", data=new_user_form(email=" Karin.Holm@RegionHalland.test "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/anvandare"
    page = as_admin.get("/admin/anvandare").get_data(as_text=True)
    assert "Användaren Karin Holm (karin.holm@regionhalland.test) är skapad." in page
    user = authenticate("karin.holm@regionhalland.test", "langt-losenord")
    assert (user.name, user.role, user.division, user.active) == (
        "Karin Holm", Role.DIVISION_CONTACT, divisions["HS"], True)


@pytest.mark.parametrize("fields, field_id, message", [
    ({"email": "karin.holm"}, "email", "E-postadressen karin.holm är ingen giltig e-postadress (eller har en domän "
                                       "som inte tar emot e-post, som localhost eller .local); ange den som "
                                       "namn@regionhalland.se."),
    ({"email": "ADMIN@regionhalland.test"}, "email",
     "Det finns redan en användare med e-postadressen admin@regionhalland.test."),
    ({"name": "  "}, "name", "Ange användarens namn."),
    ({"name": "K" * 121}, "name", "Namnet får ha högst 120 tecken."),
    ({"role": "superuser"}, "role", UNKNOWN_ROLE),
    ({"division": "Finansförvaltningen"}, "division", "Okänd förvaltning: Finansförvaltningen."),
    ({"division": ""}, "division", "En förvaltningskontakt måste höra till en förvaltning."),
    ({"password": "kort"}, "password", SHORT_PASSWORD),
    ({"password": "elva-tecken"}, "password", SHORT_PASSWORD.replace("har 4", "har 11")),
])
def test_new_user_with_invalid_input_is_400_and_nothing_is_saved(as_admin, fields, field_id, message):
    users_before = count(User)
    response = as_admin.post("/admin/anvandare/ny", data=new_user_form(**fields))
    assert_field_error(response, field_id, message)
    assert "Användaren är inte sparad." in response.get_data(as_text=True)
    assert count(User) == users_before


def test_new_user_form_keeps_what_was_typed(as_admin):
    page = as_admin.post("/admin/anvandare/ny", data=new_user_form(password="kort")).get_data(as_text=True)
    assert 'value="Karin Holm"' in page
    assert '<option value="division_contact" selected>' in page
    assert '<option value="Hallands sjukhus" selected>' in page
    assert 'value="kort"' not in page


def test_admin_edits_a_users_name_role_and_division(as_admin, reader, divisions):
    form = edit_form(reader, name="Lena Lindqvist Berg", role="division_contact", division="Närsjukvården")
    response = as_admin.post(f"/admin/anvandare/{reader.id}", data=form)
    assert response.status_code == 302
    assert "Ändringarna för Lena Lindqvist Berg är sparade." in as_admin.get("/admin/anvandare").get_data(as_text=True)
    db.session.expire_all()
    assert (reader.name, reader.role, reader.division, reader.active) == (
        "Lena Lindqvist Berg", Role.DIVISION_CONTACT, divisions["NSV"], True)
    assert authenticate(reader.email, PASSWORD) == reader  # no new password given: the old one stays


def test_admin_deactivates_a_user_who_then_cannot_log_in(as_admin, reader):
    assert as_admin.post(f"/admin/anvandare/{reader.id}", data=edit_form(reader, active=None)).status_code == 302
    db.session.expire_all()
    assert reader.active is False
    assert authenticate(reader.email, PASSWORD) is None


def test_an_admin_who_changes_their_own_password_stays_logged_in(as_admin, admin):
    from flask import g

    assert as_admin.post(f"/admin/anvandare/{admin.id}", data=edit_form(admin, password=NEW_PASSWORD)
                         ).status_code == 302
    g.pop("_login_user", None)
    assert as_admin.get("/admin/anvandare").status_code == 200


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, as_admin, reader):
    from flask import g

    elsewhere = app.test_client()  # the reader, logged in on another computer
    sign_in(elsewhere, reader)
    g.pop("_login_user", None)
    assert elsewhere.get("/planer").status_code == 200
    g.pop("_login_user", None)  # the test's requests share one app context
    as_admin.post(f"/admin/anvandare/{reader.id}", data=edit_form(reader, password=NEW_PASSWORD))
    g.pop("_login_user", None)
    response = elsewhere.get("/planer")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_admin_resets_a_password(as_admin, reader):
    response = as_admin.post(f"/admin/anvandare/{reader.id}", data=edit_form(reader, password=NEW_PASSWORD))
    assert response.status_code == 302
    assert "Lösenordet är bytt." in as_admin.get("/admin/anvandare").get_data(as_text=True)
    assert authenticate(reader.email, NEW_PASSWORD) == reader
    assert authenticate(reader.email, PASSWORD) is None


def test_edit_form_shows_the_saved_values(as_admin, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    page = as_admin.get(f"/admin/anvandare/{contact.id}").get_data(as_text=True)
    assert contact.email in page
    assert '<option value="division_contact" selected>' in page
    assert '<option value="Psykiatri Halland" selected>' in page
    assert 'name="active" value="1" checked' in page


@pytest.mark.parametrize("fields, field_id, message", [
    ({"name": ""}, "name", "Ange användarens namn."),
    ({"role": "superuser"}, "role", UNKNOWN_ROLE),
    ({"division": "Finansförvaltningen"}, "division", "Okänd förvaltning: Finansförvaltningen."),
    ({"role": "division_contact", "division": ""}, "division", "En förvaltningskontakt måste höra till en förvaltning."),
    ({"password": "kort"}, "password", SHORT_PASSWORD),
])
def test_edit_with_invalid_input_is_400_and_nothing_is_half_saved(as_admin, reader, fields, field_id, message):
    # Every other field carries a valid change, which must not be saved either.
    form = edit_form(reader, name="Nytt Namn", role="strategist", active=None, password=NEW_PASSWORD) | fields
    assert_field_error(as_admin.post(f"/admin/anvandare/{reader.id}", data=form), field_id, message)
    db.session.expire_all()
    assert (reader.name, reader.role, reader.active) == ("Lena Lindqvist", Role.READER, True)
    assert authenticate(reader.email, PASSWORD) == reader


def test_edit_shows_every_message_at_once(as_admin, reader):
    response = as_admin.post(f"/admin/anvandare/{reader.id}", data=edit_form(reader, name="", password="kort"))
    assert_field_error(response, "name", "Ange användarens namn.")
    assert_field_error(response, "password", SHORT_PASSWORD)


def test_admin_cannot_deactivate_themselves(as_admin, admin):
    response = as_admin.post(f"/admin/anvandare/{admin.id}", data=edit_form(admin, active=None))
    assert_field_error(response, "active",
                       "Du kan inte inaktivera ditt eget konto. Be en annan administratör om det behövs.")
    db.session.expire_all()
    assert admin.active is True


def test_admin_cannot_remove_their_own_admin_role(as_admin, admin):
    response = as_admin.post(f"/admin/anvandare/{admin.id}", data=edit_form(admin, role="strategist"))
    assert_field_error(response, "role",
                       "Du kan inte ta bort din egen administratörsroll. Be en annan administratör om det behövs.")
    db.session.expire_all()
    assert admin.role is Role.ADMIN


def test_admin_may_change_their_own_name_and_password(as_admin, admin):
    form = edit_form(admin, name="Ali Karimi Nilsson", password=NEW_PASSWORD)
    assert as_admin.post(f"/admin/anvandare/{admin.id}", data=form).status_code == 302
    assert authenticate(admin.email, NEW_PASSWORD).name == "Ali Karimi Nilsson"


def test_another_admin_may_be_deactivated_and_demoted(as_admin, make_user):
    other = make_user(Role.ADMIN)
    form = edit_form(other, role="reader", active=None)
    assert as_admin.post(f"/admin/anvandare/{other.id}", data=form).status_code == 302
    db.session.expire_all()
    assert (other.role, other.active) == (Role.READER, False)


# Förvaltningar


def test_division_list_shows_every_division_in_plan_order(as_admin, divisions):
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    names = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert names == ["Hallands sjukhus", "Psykiatri Halland", "Närsjukvården", "Ambulans, Diagnostik och Hälsa",
                     "Regionkontoret"]
    hs = divisions["HS"].id
    assert f'<label for="division-{hs}-name" class="visually-hidden">Namn för Hallands sjukhus</label>' in page
    assert f'form="division-{hs}"' in page and f'<form id="division-{hs}" method="post"' in page


def test_admin_creates_a_division_last_in_the_list(as_admin, divisions):
    response = as_admin.post("/admin/forvaltningar", data={"name": "  Regionservice ", "short_name": "RS"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/forvaltningar"
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    assert "Förvaltningen Regionservice är skapad." in page
    assert re.findall(r'<th scope="row">([^<]+)</th>', page)[-1] == "Regionservice"
    division = db.session.scalar(sa.select(Division).where(Division.name == "Regionservice"))
    assert division.short_name == "RS"
    assert division.position > max(d.position for d in divisions.values())


def test_short_name_is_optional(as_admin, divisions):
    assert as_admin.post("/admin/forvaltningar", data={"name": "Regionservice", "short_name": " "}).status_code == 302
    assert db.session.scalar(sa.select(Division.short_name).where(Division.name == "Regionservice")) is None


def test_admin_renames_a_division_and_users_see_the_new_name(as_admin, make_user, divisions):
    contact = make_user(Role.DIVISION_CONTACT, "RK")
    response = as_admin.post(f"/admin/forvaltningar/{divisions['RK'].id}",
                             data={"name": "Regionkontoret Halmstad", "short_name": "RKH"})
    assert response.status_code == 302
    assert "Förvaltningen Regionkontoret Halmstad är sparad." in as_admin.get("/admin/forvaltningar").get_data(
        as_text=True)
    db.session.expire_all()
    assert (contact.division.name, contact.division.short_name) == ("Regionkontoret Halmstad", "RKH")
    assert "Regionkontoret Halmstad" in as_admin.get("/admin/anvandare").get_data(as_text=True)


def test_a_division_keeps_its_own_name_when_only_the_short_name_changes(as_admin, divisions):
    url = f"/admin/forvaltningar/{divisions['HS'].id}"
    assert as_admin.post(url, data={"name": "Hallands sjukhus", "short_name": "HSH"}).status_code == 302


DIVISION_ERRORS = [
    ({"name": " "}, "name", "Ange förvaltningens namn."),
    ({"name": "F" * 121}, "name", "Namnet får ha högst 120 tecken."),
    ({"short_name": "K" * 21}, "short_name", "Kortnamnet får ha högst 20 tecken."),
    ({"name": "hallands  SJUKHUS"}, "name", "Namnet hallands SJUKHUS används redan av förvaltningen Hallands sjukhus."),
    ({"name": "ph"}, "name", "Namnet ph används redan av förvaltningen Psykiatri Halland."),
    ({"short_name": "nsv"}, "short_name", "Kortnamnet nsv används redan av förvaltningen Närsjukvården."),
]


@pytest.mark.parametrize("fields, field, message", DIVISION_ERRORS)
def test_new_division_with_invalid_input_is_400_and_nothing_is_saved(as_admin, divisions, fields, field, message):
    response = as_admin.post("/admin/forvaltningar", data={"name": "Regionservice", "short_name": "RS", **fields})
    assert_field_error(response, f"new-division-{field}", message)
    assert "Förvaltningen är inte sparad." in response.get_data(as_text=True)
    assert count(Division) == len(divisions)


@pytest.mark.parametrize("fields, field, message", DIVISION_ERRORS)
def test_rename_with_invalid_input_is_400_and_nothing_is_saved(as_admin, divisions, fields, field, message):
    rk = divisions["RK"]
    response = as_admin.post(f"/admin/forvaltningar/{rk.id}",
                             data={"name": "Regionkontoret Halmstad", "short_name": "RKH", **fields})
    assert_field_error(response, f"division-{rk.id}-{field}", message)
    db.session.expire_all()
    assert (rk.name, rk.short_name) == ("Regionkontoret", "RK")


def division_row(page: str, name: str) -> str:
    return re.search(rf'<tr[^>]*>\s*<th scope="row">{name}</th>.*?</tr>', page, re.DOTALL).group(0)


def test_admin_deactivates_and_reactivates_a_division(as_admin, divisions):
    hs = divisions["HS"]
    response = as_admin.post(f"/admin/forvaltningar/{hs.id}/aktiv", data={"active": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/forvaltningar"
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    assert "Förvaltningen Hallands sjukhus är inaktiverad." in page
    row = division_row(page, "Hallands sjukhus")
    assert "<td>Inaktiv</td>" in row and 'aria-label="Aktivera Hallands sjukhus">Aktivera</button>' in row
    assert 'name="active" value="1"' in row
    db.session.expire_all()
    assert hs.active is False
    assert hs not in list_divisions(active_only=True)

    assert as_admin.post(f"/admin/forvaltningar/{hs.id}/aktiv", data={"active": "1"}).status_code == 302
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    assert "Förvaltningen Hallands sjukhus är aktiv igen" in page
    row = division_row(page, "Hallands sjukhus")
    assert "<td>Aktiv</td>" in row and 'aria-label="Inaktivera Hallands sjukhus">Inaktivera</button>' in row
    db.session.expire_all()
    assert hs.active is True


@pytest.mark.parametrize("data", [{}, {"active": "ja"}])
def test_unclear_active_value_is_400_and_nothing_changes(as_admin, divisions, data):
    response = as_admin.post(f"/admin/forvaltningar/{divisions['HS'].id}/aktiv", data=data)
    assert response.status_code == 400
    assert "Ange om förvaltningen ska vara aktiv (1) eller inaktiv (0)." in response.get_data(as_text=True)
    db.session.expire_all()
    assert divisions["HS"].active is True


def test_active_divisions_are_listed_in_plan_order(divisions):
    divisions["PH"].active = False
    assert [d.short_name for d in list_divisions(active_only=True)] == ["HS", "NSV", "ADH", "RK"]


def test_users_of_an_inactive_division_keep_their_accounts_and_can_read(client, as_admin, make_user, make_plan,
                                                                        divisions):
    make_plan(actions=[{"divisions": ["HS"]}])
    contact = make_user(Role.DIVISION_CONTACT, "HS", email="karin@regionhalland.test")
    as_admin.post(f"/admin/forvaltningar/{divisions['HS'].id}/aktiv", data={"active": "0"})
    client.post("/logga-ut")
    response = client.post("/logga-in", data={"email": "karin@regionhalland.test", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/planer/tillganglighet-2023").get_data(as_text=True)
    assert contact.name in page and "Gemensamma väntelistor inom lungsjukvård och ögonsjukvård" in page
    assert client.get("/mina-atgarder").status_code == 200


def test_admin_deletes_a_division_that_was_never_used(as_admin, divisions):
    as_admin.post("/admin/forvaltningar", data={"name": "Regionservice", "short_name": "RS"})
    regionservice = db.session.scalar(sa.select(Division).where(Division.name == "Regionservice"))
    response = as_admin.post(f"/admin/forvaltningar/{regionservice.id}/ta-bort")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/forvaltningar"
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    assert "Förvaltningen Regionservice är borttagen." in page
    assert "Regionservice" not in re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert count(Division) == len(divisions)


def test_every_row_has_a_delete_button(as_admin, divisions):
    page = as_admin.get("/admin/forvaltningar").get_data(as_text=True)
    row = division_row(page, "Regionkontoret")
    assert f'action="/admin/forvaltningar/{divisions["RK"].id}/ta-bort"' in row
    assert 'aria-label="Ta bort Regionkontoret">Ta bort</button>' in row


def assert_delete_refused(client, division: Division, message: str) -> None:
    """400, the page again with the reason, and the förvaltning still there."""
    response = client.post(f"/admin/forvaltningar/{division.id}/ta-bort")
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    assert f'<p class="message message-error" role="alert">{message}</p>' in page
    assert division.name in re.findall(r'<th scope="row">([^<]+)</th>', page)
    db.session.expire_all()
    assert db.session.get(Division, division.id) is not None


def test_a_division_with_actions_and_users_cannot_be_deleted(as_admin, make_plan, make_user, divisions):
    make_plan(actions=[{"divisions": ["HS"]}, {"divisions": ["HS", "PH"]}, {"divisions": ["NSV", "HS"]}], factors=4)
    make_user(Role.DIVISION_CONTACT, "HS")
    make_user(Role.READER, "HS")
    assert_delete_refused(as_admin, divisions["HS"], "Hallands sjukhus kan inte tas bort: den är ansvarig för 12 "
                                                     "åtgärder och har 2 användare. Inaktivera den i stället.")


def test_a_division_with_one_action_cannot_be_deleted(as_admin, make_plan, divisions):
    make_plan(actions=[{"divisions": ["PH"]}])
    assert_delete_refused(as_admin, divisions["PH"], "Psykiatri Halland kan inte tas bort: den är ansvarig för 1 "
                                                     "åtgärd. Inaktivera den i stället.")


def test_a_division_with_only_a_user_cannot_be_deleted(as_admin, make_user, divisions):
    make_user(Role.DIVISION_CONTACT, "NSV")
    assert_delete_refused(as_admin, divisions["NSV"], "Närsjukvården kan inte tas bort: den har 1 användare. "
                                                      "Inaktivera den i stället.")


def test_a_division_still_named_in_the_history_cannot_be_deleted(as_admin, make_plan, divisions):
    """Its statuses are gone with the åtgärd, but restoring the åtgärd would need the förvaltning."""
    plan = make_plan(actions=[{"divisions": ["ADH"]}])
    db.session.delete(plan.factors[0].actions[0])
    db.session.commit()
    assert_delete_refused(as_admin, divisions["ADH"], "Ambulans, Diagnostik och Hälsa kan inte tas bort: den har "
                                                      "varit ansvarig för åtgärder och finns kvar i historiken. "
                                                      "Inaktivera den i stället.")
