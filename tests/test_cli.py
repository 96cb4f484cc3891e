import sqlalchemy as sa

from tests.test_permissions import snapshot
from tracker.demo.loader import DEMO_PASSWORD, USERS
from tracker.extensions import db
from tracker.plans import services
from tracker.plans.models import Action, DivisionStatus
from tracker.users.models import User
from tracker.users.services import authenticate
from tracker.vocabulary import Role


def test_demo_loads_both_real_plans_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Planen tillganglighet-2023 är inläst" in first.output
    after_first = snapshot()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "finns redan" in second.output
    db.session.expire_all()
    assert snapshot() == after_first

    tillganglighet = services.get_plan("tillganglighet-2023")
    assert tillganglighet.agreement.name == "Ökad tillgänglighet"
    factor_titles = [f.title for f in tillganglighet.factors]
    for title in ("Ramavtal med externa vårdgivare", "Lean som verksamhetsstrategi",
                  "Modernisera hanteringen av vårdgaranti", "Insatser inom barn- och ungdomspsykiatri"):
        assert any(t.startswith(title) for t in factor_titles), title
    assert [a.heading for a in tillganglighet.areas] == [
        "3.6 Regionala handlingsplaner för ökad tillgänglighet", "Redovisning styrning"]
    gonv = services.get_plan("gonv-2021")
    assert [a.code for a in gonv.areas] == ["Del 1", "Del 2", "Del 3"]
    assert any(f.title.startswith("1.1 Samverkan med kommunal hälso- och sjukvård") for f in gonv.factors)
    # every åtgärd has at least one responsible förvaltning, and the demo has a realistic mix
    actions = db.session.scalars(sa.select(Action)).all()
    assert all(a.statuses for a in actions)
    assert {s.status.value for s in db.session.scalars(sa.select(DivisionStatus))} == {
        "not_started", "in_progress", "delayed", "done", "cancelled"}


def test_demo_has_one_user_per_role_who_can_log_in(app):
    app.test_cli_runner().invoke(args=["demo"])
    roles = {db.session.scalar(sa.select(User.role).where(User.email == email)) for email, *_ in USERS}
    assert roles == set(Role)
    assert authenticate("kontakt.ph@demo.local", DEMO_PASSWORD).division.name == "Psykiatri Halland"


def test_user_create_reads_the_password_from_stdin(app, divisions):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "--email", "karin.holm@regionhalland.se", "--name", "Karin Holm",
              "--role", "division_contact", "--division", "Hallands sjukhus"],
        input="ett-långt-lösenord\n",
    )
    assert result.exit_code == 0, result.output
    assert "Användaren karin.holm@regionhalland.se (Förvaltningskontakt) är skapad." in result.output
    user = authenticate("karin.holm@regionhalland.se", "ett-långt-lösenord")
    assert user.division.short_name == "HS"
    assert user.password_hash.startswith("$argon2id$")


def test_user_create_reports_every_problem_in_swedish_and_writes_nothing(app, divisions):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "--email", "utan-snabel-a", "--name", " ", "--role", "chef",
              "--division", "Okänd förvaltning"],
        input="kort\n",
    )
    assert result.exit_code == 2
    for message in ("E-postadressen utan-snabel-a är ingen giltig e-postadress", "Ange användarens namn", "Okänd roll",
                    "Okänd förvaltning: Okänd förvaltning", "minst 12 tecken"):
        assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_serve_uses_waitress(app):
    result = app.test_cli_runner().invoke(args=["serve", "--help"])
    assert result.exit_code == 0
    assert "waitress" in result.output and "--workers" in result.output


def test_serve_refuses_a_number_of_threads_or_workers_it_cannot_run(app):
    for option in ("--threads", "--workers"):
        result = app.test_cli_runner().invoke(args=["serve", option, "0"])
        assert result.exit_code == 2 and f"Invalid value for '{option}': 0 is not in the range 1<=x<=64" in \
            result.output


def test_folders_and_limits_come_from_the_environment(monkeypatch, tmp_path):
    from tracker.config import from_environment

    assert from_environment(tmp_path / "instance")["EXPORT_DIR"] is None  # exports are kept in the database
    monkeypatch.setenv("TRACKER_EXPORT_DIR", str(tmp_path / "ut"))
    monkeypatch.setenv("TRACKER_STALE_DAYS", "30")
    monkeypatch.setenv("TRACKER_LOG_FORMAT", "JSON")
    config = from_environment(tmp_path / "instance")
    assert (config["EXPORT_DIR"], config["STALE_DAYS"], config["LOG_FORMAT"]) == (str(tmp_path / "ut"), 30, "json")
