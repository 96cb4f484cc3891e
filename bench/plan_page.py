"""Benchmark of the plan page and the inline status update (issue: Foundation).

Prints, for a generated plan of N åtgärder × 4 förvaltningar:
- the number of SQL queries of the plan page for 30 and for 300 åtgärder (must not grow);
- the plan page's median render time for 300 åtgärder (target ≤ 150 ms);
- the inline status update's p95 latency against a bare Flask endpoint doing one UPDATE
  on the same database, measured in the same run (target: ratio ≤ 2).

Run: `make bench` or `.venv/bin/python bench/plan_page.py [--database-url URL]`.
Both sides go through Flask's test client (no network), CSRF off for both.

Also printed, to explain the ratio: the floor of any request in this app, an empty endpoint that
only requires a logged-in user (session cookie, user loaded from the database, history actor set).
"""

import argparse
import statistics
import sys
import time

import sqlalchemy as sa
from flask import Flask
from flask_login import login_required

from common import generate_plan, make_app
from tracker.extensions import db
from tracker.plans.models import DivisionStatus
from tracker.users.models import User
from tracker.users.sessions import open_session
from tracker.vocabulary import Role, Status


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app, url = make_app(args.database_url)

    @app.post("/bench/floor")
    @login_required
    def floor():
        return ""

    with app.app_context():
        generate_plan("bench-30", 30)
        generate_plan("bench-300", 300)
        division_id = db.session.scalar(sa.select(DivisionStatus.division_id).limit(1))
        contact = User(email="kontakt@bench.local", name="Bänk", role=Role.DIVISION_CONTACT, division_id=division_id)
        contact.set_password("benchmark")
        db.session.add(contact)
        db.session.flush()
        contact_session_id = open_session(contact, "password")
        db.session.commit()
        status_id = db.session.scalar(
            sa.select(DivisionStatus.id).where(DivisionStatus.division_id == division_id).limit(1)
        )

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = contact_session_id

    # Counted per request, outside any app context, so that nothing is cached between them.
    with app.app_context():
        app_engine = db.engine
    queries = {}
    for key in ("bench-30", "bench-300"):
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        sa.event.listen(app_engine, "before_cursor_execute", listener)
        assert client.get(f"/planer/{key}").status_code == 200
        sa.event.remove(app_engine, "before_cursor_execute", listener)
        queries[key] = len(statements)

    client.get("/planer/bench-300")  # warm the template cache
    page_ms = statistics.median(timed(lambda: client.get("/planer/bench-300"), args.runs))

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

    # Baseline: a bare Flask endpoint doing one UPDATE on the same database.
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
        other_id = db.session.scalar(sa.select(DivisionStatus.id).where(DivisionStatus.id != status_id).limit(1))

    update_status(), bare_client.post(f"/update/{other_id}")  # warm up
    update_times, bare_times, floor_times = [], [], []
    for _ in range(args.runs * 3):  # interleaved, so that all see the same machine load
        update_times += timed(update_status, 1)
        bare_times += timed(lambda: bare_client.post(f"/update/{other_id}"), 1)
        floor_times += timed(lambda: client.post("/bench/floor"), 1)
    update_p95, bare_p95, floor_p95 = p95(update_times), p95(bare_times), p95(floor_times)
    ratio = update_p95 / bare_p95

    print(f"Databas: {engine.url.get_backend_name()}")
    print(f"Plansidans SQL-frågor:      30 åtgärder: {queries['bench-30']}   300 åtgärder: {queries['bench-300']}"
          f"   {'OK (växer inte)' if queries['bench-30'] == queries['bench-300'] else 'VÄXER'}")
    print(f"Plansidan, 300 × 4, median: {page_ms:.1f} ms   (mål ≤ 150 ms: {'OK' if page_ms <= 150 else 'ÖVER'})")
    print(f"Statusuppdatering p95:      {update_p95:.2f} ms   (median {statistics.median(update_times):.2f} ms)")
    print(f"Bar UPDATE-endpoint p95:    {bare_p95:.2f} ms   (median {statistics.median(bare_times):.2f} ms)")
    print(f"Kvot:                       {ratio:.2f}   (mål ≤ 2: {'OK' if ratio <= 2 else 'ÖVER'})")
    print(f"Golv, tom inloggad endpoint i appen p95: {floor_p95:.2f} ms = {floor_p95 / bare_p95:.2f} × bar UPDATE"
          f"   (median {statistics.median(floor_times):.2f} ms)")
    engine.dispose()
    ok = queries["bench-30"] == queries["bench-300"] and page_ms <= 150 and ratio <= 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
