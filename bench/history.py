"""Benchmark of the history pages (issue: History and fastställande).

With 100,000 history entries for one plan, prints the median time of the plan's history page:
its first page, a page filtered by förvaltning and kind of change, and one åtgärd's history
(target ≤ 100 ms median each), with the number of SQL queries of each.

Run: `make bench` or `.venv/bin/python bench/history.py [--database-url URL] [--entries N]`.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from common import generate_plan, make_app
from tracker.extensions import db
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.history.recorder import GENESIS, entry_hash
from tracker.plans.models import Action, DivisionStatus, SuccessFactor
from tracker.plans.services import get_plan
from tracker.types import utcnow
from tracker.users.models import User
from tracker.users.sessions import open_session
from tracker.vocabulary import Role, Status


def fill_history(plan, count: int) -> int:
    """`count` status changes spread over the plan's åtgärder, chained like real entries."""
    rows = db.session.execute(
        sa.select(DivisionStatus.id, DivisionStatus.action_id, DivisionStatus.division_id, Action.title)
        .join(Action).join(SuccessFactor).where(SuccessFactor.plan_id == plan.id)
    ).all()
    random.seed(1)
    statuses = [s.label for s in Status]
    start = utcnow() - timedelta(days=700)
    previous = GENESIS
    batch = []
    for i in range(count):
        status_id, action_id, division_id, title = random.choice(rows)
        before, after = random.sample(statuses, 2)
        entry = HistoryEntry(
            created_at=start + timedelta(minutes=10 * i), plan_id=plan.id, kind="status", verb="updated",
            object_id=status_id, action_id=action_id, division_id=division_id, user_id=None,
            user_name=f"Kontakt {division_id}", user_division=None, source="web",
            summary=f"ändrade status för ”{title}” från {before} till {after}",
            changes=[["Status", before, after]], snapshot=None, restores_id=None,
        )
        entry.previous_hash = previous
        entry.hash = previous = entry_hash(entry, previous)
        batch.append({c.key: getattr(entry, c.key) for c in sa.inspect(HistoryEntry).column_attrs if c.key != "id"})
        if len(batch) == 5000:
            db.session.execute(sa.insert(HistoryEntry), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(HistoryEntry), batch)
    db.session.merge(HistoryHead(id=1, hash=previous))
    db.session.commit()
    return rows[0].division_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app, _ = make_app(args.database_url)
    with app.app_context():
        generate_plan("bench-historik", 300)
        plan = get_plan("bench-historik")
        division_id = fill_history(plan, args.entries)
        action_id = db.session.scalar(sa.select(HistoryEntry.action_id).where(HistoryEntry.plan_id == plan.id).limit(1))
        reader = User(email="lasare@bench.local", name="Läsare", role=Role.READER)
        reader.set_password("benchmark")
        db.session.add(reader)
        db.session.flush()
        reader_session_id = open_session(reader, "password")
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
        engine = db.engine

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = reader_session_id
    pages = {
        "första sidan": f"/planer/{plan.key}/historik",
        "filtrerad (förvaltning + typ)": f"/planer/{plan.key}/historik?forvaltning={division_id}&typ=status",
        "en åtgärds historik": f"/planer/{plan.key}/historik?atgard={action_id}",
        "sida 20": f"/planer/{plan.key}/historik?sida=20",
    }
    print(f"Databas: {engine.url.get_backend_name()}, {total} historikposter")
    ok = True
    for name, url in pages.items():
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        response = client.get(url)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200 and b"history-entry" in response.data, name
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        ok &= median <= 100
        print(f"{name:32s} median {median:6.1f} ms   {len(statements)} SQL-frågor   "
              f"(mål ≤ 100 ms: {'OK' if median <= 100 else 'ÖVER'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
