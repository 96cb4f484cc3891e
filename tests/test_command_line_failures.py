"""Every command-line failure is a Swedish message with exit 2 (a wrong argument or setting) or 1 (the world
failed), never a traceback, and leaves nothing half-written. Called through `tracker`'s own entry point, with the
arguments and the environment an operator gives it."""

import os
import subprocess

import pytest

from tracker import logging_setup
from tracker.__main__ import main
from tracker.extensions import db


@pytest.fixture
def tracker(monkeypatch, capsys, tmp_path):
    """Runs `tracker ARGS` in this process with the settings given; returns (exit code, what it said)."""

    monkeypatch.setattr(logging_setup, "_stream_name", "stdout")  # as it was before, after the test

    def run(*args, **settings):
        monkeypatch.setenv("TRACKER_SECRET_KEY", "command-line-test")
        monkeypatch.setenv("TRACKER_DATABASE_URL", settings.pop("database", f"sqlite:///{tmp_path / 'tom.db'}"))
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main(list(args))
        output = capsys.readouterr()
        return ended.value.code, output.out + output.err

    return run


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("TRACKER_SMTP_PORT", "femhundra", "TRACKER_SMTP_PORT='femhundra': ange portnumret som ett heltal"),
    ("TRACKER_REMIND_DAYS", "sju", "TRACKER_REMIND_DAYS='sju': ange hela dagar före sista dag"),
    ("TRACKER_STALE_DAYS", "-3", "TRACKER_STALE_DAYS='-3': ange ett heltal från 1"),
    ("TRACKER_DB_CONNECT_TIMEOUT", "0", "TRACKER_DB_CONNECT_TIMEOUT='0': ange antal sekunder som ett positivt tal"),
])
def test_a_setting_the_app_cannot_use_is_named_with_exit_2(tracker, setting, value, message):
    code, said = tracker("history", "verify", **{setting: value})
    assert code == 2 and f"Fel i inställningarna: {message}" in said


def test_an_argument_that_is_not_utf8_is_refused_with_exit_2(tracker):
    argument = b"tillg\xe4nglighet-2023".decode("utf-8", "surrogateescape")  # as Python receives Latin-1 bytes
    code, said = tracker("export", argument)
    assert code == 2 and "Fel: argumentet ”tillg\ufffdnglighet-2023” är inte giltig UTF-8" in said


def test_export_and_backup_into_a_missing_folder_write_nothing_and_say_so(tracker, tmp_path):
    missing = tmp_path / "finns-inte" / "bilaga.xlsx"
    for args in (["backup", str(missing)], ["export", "tillganglighet-2023", "-o", str(missing)],
                 ["report", "export", "tillganglighet-2024", "-o", str(missing)],
                 ["report", "bundle", "tillganglighet-2024", "-o", str(missing)]):
        code, said = tracker(*args)
        assert code == 2 and f"Fel: Mappen {missing.parent} finns inte" in said, said
    assert not missing.parent.exists()


@pytest.fixture
def full_disk(tmp_path):
    """A small file system, filled up to its last byte."""
    mount = tmp_path / "liten-disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("a small file system to fill needs root (mount -t tmpfs)")
    try:
        filler = os.open(mount / "fyllnad", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 1024):
                pass
        except OSError:  # No space left on device: full
            pass
        finally:
            os.close(filler)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_backup_onto_a_full_disk_says_so_with_exit_1_and_leaves_no_partial_file(tracker, full_disk, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("tracker backup copies a SQLite database (PostgreSQL: pg_dump)")
    target = full_disk / "kopia.db"
    code, said = tracker("backup", str(target), database=database_url)
    assert code == 1 and f"Fel: Kopian kunde inte skrivas till {target}: disken är full. Ingen kopia har sparats." \
        in said, said
    assert [f.name for f in full_disk.iterdir()] == ["fyllnad"]


def test_an_export_onto_a_full_disk_says_so_with_exit_1_and_leaves_no_partial_file(tracker, full_disk,
                                                                                  database_url, make_plan):
    plan = make_plan()
    db.session.commit()
    target = full_disk / "bilaga.xlsx"
    code, said = tracker("export", plan.key, "-o", str(target), database=database_url)
    assert code == 1 and f"Fel: {target} kunde inte skrivas: disken är full." in said, said
    assert [f.name for f in full_disk.iterdir()] == ["fyllnad"]


@pytest.mark.parametrize("year", ["20260230", "²⁰²⁵", "1999", "tjugo"])
def test_import_year_is_checked(tracker, year, tmp_path):
    workbook = tmp_path / "bilaga.xlsx"
    workbook.write_bytes(b"PK")
    code, said = tracker("import", str(workbook), "--year", year)
    assert code == 2
    assert f"Fel: --year: ”{year}” är inget år. Ange året med fyra siffror mellan 2000 och 2100" in said


def test_an_unknown_plan_is_a_wrong_argument(app):
    result = app.test_cli_runner().invoke(args=["export", "saknas-2020"])
    assert result.exit_code == 2 and "Fel: Det finns ingen plan med nyckeln saknas-2020." in result.output


def test_tracker_demo_says_only_its_own_swedish_lines_on_standard_output(tracker, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    assert tracker("db", "upgrade")[0] == 0
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tom.db'}")
    with pytest.raises(SystemExit) as ended:
        main(["demo"])
    output = capsys.readouterr()
    assert ended.value.code in (0, None)
    lines = output.out.splitlines()
    assert "Planen gonv-2021 är inläst: 14 framgångsfaktorer, 38 åtgärder." in lines  # a draft: source 002 dates no
    assert not any("fastställd" in line for line in lines)  # fastställande, so the demo states none
    assert all(line.endswith(".") and "{" not in line for line in lines), lines  # no log line among them
    # The demo fastställer nothing (so no security event); any log line would go to standard error, not here.
    assert '"event"' not in output.out
