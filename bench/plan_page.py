"""Benchmark of the plan page and the inline status update (issues: Foundation, 16 Deadline rush).

Prints, for generated plans of N åtgärder × 5 förvaltningar (the region's five):
- the number of SQL queries of the plan page for 30 and 300 åtgärder, and for 100 and 1,000 (must not grow);
- the plan page's median render time for 300 åtgärder (target ≤ 150 ms), and for 1,000 against 100
  (target: ratio ≤ 12, with the same number of queries);
- the inline status update's p95 latency against an endpoint of this app that requires a logged-in user and
  does one UPDATE, measured in the same run (target: ratio ≤ 2). The endpoint is registered on this script's own
  app instance only (blueprint `bench`), never in the app's routes;
- for comparison with earlier runs, the old baseline: a bare Flask endpoint doing one UPDATE, no login;
- the floor of any request in this app: an empty endpoint that only requires a logged-in user;
- where the save's time goes, as steps between the logged-in UPDATE and the save: the row read with its
  permission check and a conditional UPDATE without history; then the real service (the round check, the ORM's
  versioned UPDATE, the history in the same transaction), without the answer (roll-ups, the rendered cell); then
  the whole save;
- the number of SQL queries of Mina åtgärder with 1 and with 4 open rounds, of the history page for a short
  and a long history, and of the dashboard (Översikt) for 100 and 1,000 åtgärder (must not grow).

Run: `make bench` or `.venv/bin/python bench/plan_page.py [--database-url URL]`.
Every request goes through Flask's test client (no network), CSRF off for all.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Flask, request
from flask_login import current_user, login_required

from common import ALL_DIVISIONS, generate_plan, make_app
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.status import save_status
from tracker.followup.views import load_status
from tracker.history.recorder import acting
from tracker.plans.models import DivisionStatus
from tracker.plans.services import get_plan
from tracker.types import utcnow
from tracker.users.models import User
from tracker.users.sessions import open_session
from tracker.vocabulary import Role, Status

PLANS = {"bench-30": 30, "bench-100": 100, "bench-300": 300, "bench-1000": 1000}


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def bench_blueprint() -> Blueprint:
    """Endpoints for this benchmark only: registered on its own app instance."""
    bp = Blueprint("bench", __name__)

    @bp.post("/bench/floor")
    @login_required
    def floor():
        return ""

    @bp.post("/bench/update/<int:row_id>")
    @login_required
    def login_update(row_id: int):
        """The least a logged-in save can do: one UPDATE, committed (no history, no render)."""
        db.session.execute(sa.update(DivisionStatus).where(DivisionStatus.id == row_id)
                           .values(comment="baslinje").execution_options(synchronize_session=False))
        db.session.commit()
        return ""

    @bp.post("/bench/save-without-history/<int:row_id>")
    @login_required
    def save_without_history(row_id: int):
        """The save's read (with its permission check) and its conditional UPDATE, without history or answer."""
        row = load_status(row_id, for_update=True)
        db.session.execute(
            sa.update(DivisionStatus).where(DivisionStatus.id == row.id, DivisionStatus.version_id == row.version_id)
            .values(status=Status(request.form["status"]), comment=request.form["comment"],
                    updated_by_id=current_user.id, updated_at=utcnow(), version_id=row.version_id + 1)
            .execution_options(synchronize_session=False))
        db.session.commit()
        return ""

    @bp.post("/bench/save-without-answer/<int:row_id>")
    @login_required
    def save_without_answer(row_id: int):
        """The save's service, its history written in the same transaction, without the roll-ups and the render."""
        row = load_status(row_id, for_update=True)
        save_status(row, current_user, status=request.form["status"], comment=request.form["comment"],
                    expected_version=row.version_id)
        db.session.commit()
        return ""

    return bp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app, url = make_app(args.database_url, divisions=ALL_DIVISIONS)
    app.register_blueprint(bench_blueprint())

    with app.app_context():
        for key, actions in PLANS.items():
            generate_plan(key, actions)
        division_id = db.session.scalar(sa.select(DivisionStatus.division_id).limit(1))
        contact = User(email="kontakt@bench.local", name="Bänk", role=Role.DIVISION_CONTACT, division_id=division_id)
        contact.set_password("benchmark")
        director = User(email="direktor@bench.local", name="Direktör", role=Role.DIRECTOR)
        db.session.add_all([contact, director])
        db.session.flush()
        contact_session_id = open_session(contact, "password")
        director_session_id = open_session(director, "password")
        db.session.commit()
        status_id = db.session.scalar(
            sa.select(DivisionStatus.id).where(DivisionStatus.division_id == division_id).limit(1)
        )
        director_id = director.id

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = contact_session_id

    # Counted per request, outside any app context, so that nothing is cached between them.
    with app.app_context():
        app_engine = db.engine

    def queries(url_: str, as_client=client) -> int:
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        sa.event.listen(app_engine, "before_cursor_execute", listener)
        response = as_client.get(url_)
        sa.event.remove(app_engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (url_, response.status_code)
        return len(statements)

    client.get("/planer")  # a session not used for a while is touched (one UPDATE) by its next request
    plan_queries = {key: queries(f"/planer/{key}") for key in PLANS}
    client.get("/planer/bench-300")  # warm the template cache
    page_ms = {"bench-300": statistics.median(timed(lambda: client.get("/planer/bench-300"), args.runs))}
    # 1,000 against 100: interleaved, so that both see the same load of this shared machine; the CPU time of this
    # process (the test client, the app and SQLite all run in it) is printed too, as other processes do not count
    # in it.
    wall, cpu = {"bench-100": [], "bench-1000": []}, {"bench-100": [], "bench-1000": []}
    for _ in range(max(5, args.runs // 4)):
        for key in wall:
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(f"/planer/{key}")
            wall[key].append((time.perf_counter() - start) * 1000)
            cpu[key].append((time.process_time() - start_cpu) * 1000)
    page_ms.update({key: statistics.median(times) for key, times in wall.items()})
    cpu_ms = {key: statistics.median(times) for key, times in cpu.items()}

    # Inline status update: the real route, htmx headers, each save with the version it saw.
    version = {"value": None}
    with app.app_context():
        version["value"] = db.session.get(DivisionStatus, status_id).version_id
    choices = [s.value for s in Status if s is not Status.CANCELLED]
    counter = {"i": 0}

    def update_status():
        counter["i"] += 1
        response = client.post(
            f"/status/{status_id}",
            data={"status": choices[counter["i"] % len(choices)], "comment": f"Mätning {counter['i']}",
                  "version": version["value"], "view": "plan"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.status_code
        version["value"] += 1

    # The old baseline, kept for comparison: a bare Flask endpoint doing one UPDATE on the same database.
    bare = Flask("bare")
    engine = sa.create_engine(url)

    @bare.post("/update/<int:row_id>")
    def bare_update(row_id):
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE division_status SET comment = :c WHERE id = :id"), {"c": "baslinje", "id": row_id}
            )
        return "ok"

    bare_client = bare.test_client()
    with app.app_context():
        other_id = db.session.scalar(  # another row of the contact's own förvaltning: the save's steps may write it
            sa.select(DivisionStatus.id).where(DivisionStatus.id != status_id, DivisionStatus.division_id == division_id)
            .order_by(DivisionStatus.id).limit(1))

    def login_update():
        assert client.post(f"/bench/update/{other_id}").status_code == 200

    def step(endpoint: str):
        def post():
            counter["i"] += 1
            data = {"status": choices[counter["i"] % len(choices)], "comment": f"Mätning {counter['i']}"}
            assert client.post(f"/bench/{endpoint}/{other_id}", data=data).status_code == 200
        return post

    steps = {"without_history": step("save-without-history"), "without_answer": step("save-without-answer")}
    update_status(), bare_client.post(f"/update/{other_id}"), login_update(), *(f() for f in steps.values())  # warm
    update_times, login_times, bare_times, floor_times = [], [], [], []
    step_times = {name: [] for name in steps}
    for _ in range(args.runs * 3):  # interleaved, so that all see the same machine load
        update_times += timed(update_status, 1)
        login_times += timed(login_update, 1)
        bare_times += timed(lambda: bare_client.post(f"/update/{other_id}"), 1)
        floor_times += timed(lambda: client.post("/bench/floor"), 1)
        for name, fn in steps.items():
            step_times[name] += timed(fn, 1)
    update_p95, login_p95, bare_p95, floor_p95 = map(p95, (update_times, login_times, bare_times, floor_times))
    ratio = update_p95 / login_p95

    # Queries that must not grow: Mina åtgärder with 1 and 4 open rounds, the history, the dashboard.
    director_client = app.test_client()
    with director_client.session_transaction() as session:
        session["_user_id"] = director_session_id
    with app.app_context(), acting(None, "cli", "benchmark"):
        director = db.session.get(User, director_id)
        keys = list(PLANS)
        deadline = str(today() + timedelta(days=14))
        followup.open_round(get_plan(keys[0]), director, title="Delårsuppföljning", deadline=deadline, today=today())
        db.session.commit()
    mine_one = queries("/mina-atgarder")
    with app.app_context(), acting(None, "cli", "benchmark"):
        director = db.session.get(User, director_id)
        for key in keys[1:]:
            followup.open_round(get_plan(key), director, title="Delårsuppföljning", deadline=deadline,
                                today=today())
        db.session.commit()
    mine_four = queries("/mina-atgarder")
    director_client.get("/planer")
    # Each history's first page: bench-100's creation (100 åtgärder × 5 statuses), bench-1000's (1,000 × 5).
    history_short = queries("/planer/bench-100/historik", director_client)
    history_long = queries("/planer/bench-1000/historik", director_client)
    dashboard_small = queries("/planer/bench-100/oversikt", director_client)
    dashboard_large = queries("/planer/bench-1000/oversikt", director_client)

    def same(a: int, b: int) -> str:
        return "OK (växer inte)" if a == b else "VÄXER"

    page_ratio = page_ms["bench-1000"] / page_ms["bench-100"]
    print(f"Databas: {engine.url.get_backend_name()}, {len(ALL_DIVISIONS)} förvaltningar per åtgärd")
    print(f"Plansidans SQL-frågor:      30 åtgärder: {plan_queries['bench-30']}   300 åtgärder: "
          f"{plan_queries['bench-300']}   {same(plan_queries['bench-30'], plan_queries['bench-300'])}")
    print(f"                            100 åtgärder: {plan_queries['bench-100']}   1 000 åtgärder: "
          f"{plan_queries['bench-1000']}   {same(plan_queries['bench-100'], plan_queries['bench-1000'])}")
    print(f"Plansidan, 300 × 5, median: {page_ms['bench-300']:.1f} ms   "
          f"(mål ≤ 150 ms: {'OK' if page_ms['bench-300'] <= 150 else 'ÖVER'})")
    print(f"Plansidan, 1 000 × 5 mot 100 × 5, median: {page_ms['bench-1000']:.1f} ms / {page_ms['bench-100']:.1f} ms"
          f" = {page_ratio:.1f}   (mål ≤ 12: {'OK' if page_ratio <= 12 else 'ÖVER'});   processens CPU-tid "
          f"{cpu_ms['bench-1000']:.1f} ms / {cpu_ms['bench-100']:.1f} ms = {cpu_ms['bench-1000'] / cpu_ms['bench-100']:.1f}")
    print(f"Statusuppdatering p95:      {update_p95:.2f} ms   (median {statistics.median(update_times):.2f} ms)")
    print(f"Inloggad UPDATE-endpoint i appen p95: {login_p95:.2f} ms   (median {statistics.median(login_times):.2f} ms)")
    print(f"Kvot:                       {ratio:.2f}   (mål ≤ 2: {'OK' if ratio <= 2 else 'ÖVER'})")
    print(f"Förr: bar UPDATE-endpoint utan inloggning p95: {bare_p95:.2f} ms   (median "
          f"{statistics.median(bare_times):.2f} ms); statusuppdateringen = {update_p95 / bare_p95:.2f} × den")
    print(f"Golv, tom inloggad endpoint i appen p95: {floor_p95:.2f} ms   (median {statistics.median(floor_times):.2f} ms)")
    print("Var sparningens tid går, steg för steg (p95, och kvoten mot den inloggade UPDATE-endpointen):")
    for label, times in (("inloggad UPDATE", login_times),
                         ("+ raden läst med behörighetskontroll, villkorad UPDATE, utan historik", step_times["without_history"]),
                         ("+ tjänsten: omgångskontrollen, ORM-skrivningen och historiken i samma transaktion, utan svar",
                          step_times["without_answer"]),
                         ("+ summeringarna och den ritade cellen (hela sparningen)", update_times)):
        print(f"  {label}: {p95(times):.2f} ms = {p95(times) / login_p95:.2f}")
    print(f"Mina åtgärder, SQL-frågor:  1 öppen omgång: {mine_one}   4 öppna omgångar: {mine_four}   "
          f"{same(mine_one, mine_four)}")
    print(f"Historiksidan, SQL-frågor:  100 åtgärders plan: {history_short}   1 000 åtgärders plan: {history_long}   "
          f"{same(history_short, history_long)}")
    print(f"Översikten, SQL-frågor:     100 åtgärder: {dashboard_small}   1 000 åtgärder: {dashboard_large}   "
          f"{same(dashboard_small, dashboard_large)}")
    engine.dispose()
    ok = (plan_queries["bench-30"] == plan_queries["bench-300"] and plan_queries["bench-100"] == plan_queries[
        "bench-1000"] and page_ms["bench-300"] <= 150 and page_ratio <= 12 and ratio <= 2
        and mine_one == mine_four and history_short == history_long and dashboard_small == dashboard_large)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
