"""The deadline rush's benchmark as a check of correctness (issue 16): a short run of bench/load.py over real HTTP,
with one and with two server processes sharing the database, must answer every save (200, or the designed 409
of a colleague's newer save), lose no update (a large import confirmed during the rush included) and leave the
history's chain whole. The speed figures are the
benchmark's to print, not this test's to assert: a short run on a shared machine says nothing about them."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
RESULT = re.compile(r"^RESULT (.*)$", re.MULTILINE)


@pytest.fixture
def load_database_url(database_url):
    """SQLite: the benchmark's own file. PostgreSQL: a database of its own beside the suite's, which it empties."""
    if not database_url.startswith("postgresql"):
        yield None
        return
    url = sa.engine.make_url(database_url)
    name = f"{url.database}_belastning"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def test_fifty_clients_worth_of_saves_lose_nothing_and_keep_the_chain(load_database_url, tmp_path):
    command = [sys.executable, "bench/load.py", "--clients", "6", "--seconds", "4", "--think", "0.2",
               "--single-saves", "10", "--capacity-clients", "4", "--capacity-seconds", "4", "--capacity-rounds", "1",
               "--threads", "4"]
    if load_database_url:
        command += ["--database-url", load_database_url]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
                                 "TMPDIR": str(tmp_path)})
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output[-3000:]  # 1: a speed target missed, which a short run may
    figures = dict(pair.split("=", 1) for pair in RESULT.search(result.stdout).group(1).split())
    assert (figures["errors"], figures["lost"], figures["chain"]) == ("0", "0", "ok"), output[-3000:]
    assert figures["import_confirmed"] == "1", output[-3000:]  # a large import among the saves, refused for none
    assert int(figures["saves"]) > 0 and float(figures["capacity_1proc"]) > 0 and float(figures["capacity_2proc"]) > 0
    assert "Historiken är obruten" in result.stdout
    if load_database_url:
        assert re.search(r"PostgreSQL \d+\.\d+ kärnor", result.stdout), result.stdout
