"""What users and operators see when the database fails: a Swedish 503 page (or htmx message) made without the
database, /healthz within its timeout naming the cause, and `tracker serve`'s processes on a busy port or when
their master is killed."""

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import flask_migrate
import pytest
import requests

from tests.deploy.servers import Browser, csrf_token, environment, free_port, serving
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.plans.models import DivisionStatus
from tracker.vocabulary import Role, Status

TRACKER = str(Path(sys.executable).parent / "tracker")


@pytest.fixture
def silent_server():
    """A "frozen PostgreSQL": the kernel accepts the connection, nothing ever answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in accepted:
        connection.close()


def _app(url: str, **settings):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, **settings})


def _signed_in(client):
    """A browser that was signed in before the database went away (the session names a server-side session)."""
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"
    return client


def test_a_page_without_its_database_is_a_swedish_503_that_needs_no_database():
    client = _signed_in(_app("postgresql+psycopg://postgres@127.0.0.1:1/tracker", WTF_CSRF_ENABLED=False).test_client())
    page = client.get("/planer")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    text = page.get_data(as_text=True)
    assert "Tjänsten är inte tillgänglig just nu" in text and "Databasen svarar inte just nu" in text
    assert 'href="/planer">Försök igen' in text and "Internal Server Error" not in text
    fragment = client.post("/status/1", headers={"HX-Request": "true"}, data={"status": "Pågående"})
    assert fragment.status_code == 503
    assert fragment.get_data(as_text=True).startswith('<p class="message message-error" role="alert">Databasen')


def test_a_frozen_database_gives_healthz_503_within_a_second_and_a_page_503_after_the_connect_timeout(
        silent_server):
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/tracker", DB_CONNECT_TIMEOUT=2)
    started = time.monotonic()
    health = app.test_client().get("/healthz")
    assert time.monotonic() - started < 1.8
    assert health.status_code == 503 and health.json["database"] == "timeout"
    assert health.json["cause"] == "Databasen svarade inte inom 1 s."
    started = time.monotonic()
    page = _signed_in(app.test_client()).get("/planer")
    assert page.status_code == 503 and time.monotonic() - started < 10
    assert "Databasen svarar inte just nu" in page.get_data(as_text=True)


def test_healthz_names_a_full_disk_under_the_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert _app(url).test_client().get("/healthz").status_code == 200
    full = _app(url, HEALTH_MIN_FREE_MB=1e12).test_client().get("/healthz")  # more than any disk has free
    assert full.status_code == 503 and full.json["disk"] == "full" and full.json["database"] == "ok"
    assert "MB ledigt" in full.json["cause"]


def test_a_write_behind_a_held_sqlite_write_lock_is_a_swedish_503_after_the_busy_timeout(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'tracker.db'}", SQLITE_BUSY_TIMEOUT=0.3, WTF_CSRF_ENABLED=False)
    with app.app_context():
        flask_migrate.upgrade()
    holder = sqlite3.connect(tmp_path / "tracker.db")
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        started = time.monotonic()
        # A failed login writes a row of the security log: a write like any save.
        refused = app.test_client().post("/logga-in", data={"email": "anna@example.se", "password": "fel"})
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert refused.status_code == 503 and waited < 5
    assert "Databasen är upptagen av en annan skrivning just nu" in refused.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200  # readers were never blocked


def test_a_second_serve_on_a_busy_port_says_so_in_swedish_and_announces_nothing(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = environment(TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
        result = subprocess.run([TRACKER, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"Porten {port} på 127.0.0.1 används redan" in result.stderr
    assert "körs på" not in result.stdout and "Traceback" not in result.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended, though its parent has not collected it
        return stat.read().split(") ")[1][0] != "Z"


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def test_workers_end_with_their_master_when_it_is_killed(tmp_path):
    env = environment(TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    subprocess.run([TRACKER, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, check=True, timeout=120)
    port = free_port()
    master = subprocess.Popen([TRACKER, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                               "--threads", "1"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert master.poll() is None and time.monotonic() < deadline, "tracker serve did not start its workers"
            time.sleep(0.2)
            workers = _children(master.pid)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        master.kill()
        master.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "the workers went on serving without their master"
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        master.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").is_dir() \
    else None


@pytest.fixture
def own_postgresql():
    """A PostgreSQL cluster of this test's own, to stop and start without disturbing the suite's."""
    if PG_BIN is None or os.geteuid() != 0:
        pytest.skip("PostgreSQL's programs (Debian's postgresql) and root to run them as postgres are needed")
    home = Path(tempfile.mkdtemp(prefix="tracker-pg-"))  # pytest's folders are root's alone: postgres owns this one
    shutil.chown(home, "postgres")
    data = home / "data"
    port = free_port()

    def as_postgres(*command: str) -> None:
        subprocess.run(["su", "postgres", "-c", " ".join(command)], check=True, capture_output=True, timeout=120)

    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    control = (str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-o",
               f"'-p {port} -k {home} -c listen_addresses=127.0.0.1'", "-l", str(home / "pg.log"))
    as_postgres(*control, "start")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", lambda action: as_postgres(*control, action)
    subprocess.run(["su", "postgres", "-c", f"{PG_BIN / 'pg_ctl'} -D {data} -m immediate stop"],
                   capture_output=True, timeout=60)
    shutil.rmtree(home, ignore_errors=True)


def test_the_app_answers_503_while_postgresql_is_stopped_and_recovers_without_a_restart(own_postgresql):
    url, pg_ctl = own_postgresql
    app = _app(url, WTF_CSRF_ENABLED=False, DB_CONNECT_TIMEOUT=2)
    with app.app_context():
        flask_migrate.upgrade()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    pg_ctl("-m fast stop")
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] in ("error", "timeout")
    down = client.post("/logga-in", data={"email": "anna@example.se", "password": "fel"})
    assert down.status_code == 503 and "Databasen svarar inte just nu" in down.get_data(as_text=True)
    pg_ctl("start")
    assert client.get("/healthz").status_code == 200
    refused = client.post("/logga-in", data={"email": "anna@example.se", "password": "fel"})
    assert refused.status_code == 400  # a wrong password again, written to the security log: the database is back
    pg_ctl("-m fast restart")  # while nobody asks: the pool's connections are stale, and are checked before use
    assert client.post("/logga-in", data={"email": "anna@example.se", "password": "fel"}).status_code == 400


def test_a_server_killed_under_saves_loses_none_it_confirmed_and_the_history_verifies(
        database_url, make_plan, make_user, tmp_path):
    """kill -9 of `tracker serve` while three clients save, then a new one on the same database: every save that
    was answered "Sparat" is stored (or the one after it, in flight when the server died), and the chain holds."""
    plan = make_plan(actions=[{"divisions": ["HS"]}] * 3)
    rows = [action.statuses[0] for action in plan.factors[0].actions]
    make_user(Role.DIVISION_CONTACT, email="kontakt.hs@regionhalland.se", password=PASSWORD,
              division="HS")
    row_ids = [row.id for row in rows]
    db.session.commit()
    env = environment(TRACKER_DATABASE_URL=database_url)
    confirmed: dict[int, int] = {}  # row → the number of its last save answered "Sparat"
    stop = threading.Event()

    def save_again_and_again(base: str, row_id: int) -> None:
        browser = Browser(base)
        browser.log_in("kontakt.hs@regionhalland.se", PASSWORD)
        csrf = csrf_token(browser.get("/mina-atgarder").text)
        version, number = 1, 0
        while not stop.is_set():
            number += 1
            try:
                answer = browser.post(f"/status/{row_id}", timeout=10, headers={"HX-Request": "true"}, data={
                    "csrf_token": csrf, "version": version, "view": "mine", "status": Status.IN_PROGRESS.value,
                    "comment": f"Sparning {number}"})
            except requests.RequestException:
                return  # the server is gone
            saved = re.search(r'name="version" value="(\d+)"', answer.text)
            assert answer.status_code == 200 and 'class="saved"' in answer.text, answer.text[:500]
            version = int(saved.group(1))
            confirmed[row_id] = number

    port = free_port()
    command = [TRACKER, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "4"]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        clients = [threading.Thread(target=save_again_and_again, args=(base, row_id)) for row_id in row_ids]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 30
        while sum(confirmed.values()) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # SIGKILL: no chance to finish anything
        server.wait()
        stop.set()
        for client in clients:
            client.join(timeout=30)
    finally:
        server.kill()
    assert sum(confirmed.values()) >= 30
    with serving(TRACKER, env, tmp_path) as (base, _):
        assert requests.get(f"{base}/healthz", timeout=10).json()["status"] == "ok"
    db.session.expire_all()
    for row_id in row_ids:
        stored = int(db.session.get(DivisionStatus, row_id).comment.removeprefix("Sparning "))
        assert stored in (confirmed[row_id], confirmed[row_id] + 1), f"rad {row_id}: lagrat {stored}, bekräftat {confirmed[row_id]}"
    verified = subprocess.run([TRACKER, "history", "verify"], env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None and time.monotonic() < deadline, "tracker serve did not start"
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
