import os
import stat

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
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


def test_demo_refuses_a_database_with_users_of_its_own_and_writes_nothing(app, make_user):
    make_user(Role.ADMIN, email="it.admin@regionhalland.se", name="Regionens administratör")
    before = snapshot()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 2, result.output
    assert ("Fel: Databasen har 1 användare som inte är demoanvändare (it.admin@regionhalland.se): demon lägger "
            f"bara in sina konton, med det kända lösenordet {DEMO_PASSWORD}") in result.output
    assert "Inget har sparats. Med --also-users läggs demokontona ändå in här." in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_demo_also_users_loads_beside_them_with_a_warning(app, make_user):
    make_user(Role.ADMIN, email="it.admin@regionhalland.se")
    result = app.test_cli_runner().invoke(args=["demo", "--also-users"])
    assert result.exit_code == 0, result.output
    assert ("Varning: Databasen har 1 användare som inte är demoanvändare (it.admin@regionhalland.se). Demokontona "
            f"läggs ändå in, med lösenordet {DEMO_PASSWORD}") in result.stderr
    assert authenticate("admin@demo.local", DEMO_PASSWORD).role is Role.ADMIN


def test_demo_runs_again_where_only_its_own_accounts_are(app):
    """`make run` a second time: the demo's accounts are the demo's, whatever the case of their addresses."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.execute(sa.update(User).where(User.email == "strateg@demo.local").values(email="Strateg@Demo.local"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0 and "Varning" not in result.output, result.output


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_history_key_is_generated_once_readable_by_its_owner_only(monkeypatch, tmp_path):
    from tracker.config import from_environment

    monkeypatch.delenv("TRACKER_HISTORY_KEYS")
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    umask = os.umask(0)  # whatever the umask: the mode is set as the file is created
    try:
        keys = from_environment(instance)["HISTORY_KEYS"]
    finally:
        os.umask(umask)
    assert len(keys) == 1 and len(keys[0]) == 64
    assert _mode(instance / "history_key") == _mode(instance / "secret_key") == 0o600
    assert from_environment(instance)["HISTORY_KEYS"] == keys  # kept, not generated again
    older = "den-gamla-nyckeln-for-historiken-0123456789abcdef"
    with (instance / "history_key").open("a") as file:
        file.write(f"\n{older}\n")
    assert from_environment(instance)["HISTORY_KEYS"] == (keys[0], older)


def test_history_keys_from_the_environment_newest_first_and_long_enough(monkeypatch, tmp_path):
    from tracker.config import from_environment

    new, old = "ny-nyckel-" + "a" * 40, "gammal-nyckel-" + "b" * 40
    monkeypatch.setenv("TRACKER_HISTORY_KEYS", f"{new}, {old}")
    assert from_environment(tmp_path)["HISTORY_KEYS"] == (new, old)
    assert not (tmp_path / "history_key").exists()
    monkeypatch.setenv("TRACKER_HISTORY_KEYS", f"{new},kort")
    with pytest.raises(ValueError, match="TRACKER_HISTORY_KEYS: varje nyckel för historiken behöver minst 32 tecken"):
        from_environment(tmp_path)
