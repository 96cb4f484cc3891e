"""Benchmark of the history pages (issues: History and fastställande, 16 Deadline rush).

For one plan's history, prints the median time and the number of SQL queries of its first page, a page filtered
by förvaltning and kind of change, one åtgärd's history and the twentieth page (and, at the large size only,
where one åtgärd has that many, the twentieth page of one åtgärd's history): first with --entries (default
10,000) real, hash-chained entries, then after the history is filled to --large (default 1,000,000) entries in bulk
with SQL (INSERT … SELECT: these are not linked into the hash chain, as nothing here verifies it; the database is
a throwaway one). Targets: each page ≤ 100 ms median at the large size, the first and the twentieth page at most
2× their time at the small size, and the same number of queries.

Run: `make bench` or `.venv/bin/python bench/history.py [--database-url URL] [--entries N] [--large N]`
(the figures that matter are PostgreSQL's: `--database-url postgresql+psycopg://…/OWN_DATABASE`).
"""

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from common import generate_plan, make_app
from tracker.extensions import db
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.history.recorder import GENESIS, entry_hash, history_keys, key_id
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.plans.services import get_plan
from tracker.types import UTCDateTime, utcnow
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
    key = history_keys()[0]
    batch = []
    for i in range(count):
        status_id, action_id, division_id, title = random.choice(rows)
        before, after = random.sample(statuses, 2)
        entry = HistoryEntry(
            created_at=start + timedelta(minutes=10 * i), plan_id=plan.id, kind="status", verb="updated",
            object_id=status_id, action_id=action_id, division_id=division_id, user_id=None,
            user_name=f"Kontakt {division_id}", user_division=None, source="web",
            summary=f"ändrade status för ”{title}” från {before} till {after}",
            changes=[["Status", before, after]], snapshot=None, restores_id=None, key_id=key_id(key),
        )
        entry.previous_hash = previous
        entry.hash = previous = entry_hash(entry, previous, key)
        batch.append({c.key: getattr(entry, c.key) for c in sa.inspect(HistoryEntry).column_attrs if c.key != "id"})
        if len(batch) == 5000:
            db.session.execute(sa.insert(HistoryEntry), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(HistoryEntry), batch)
    db.session.merge(HistoryHead(id=1, hash=previous))
    db.session.commit()
    return rows[0].division_id


def bulk_fill(plan, total: int, chunk: int = 100_000) -> None:
    """Status changes up to `total` entries, written by the database in chunks (INSERT … SELECT over a counter),
    newer than those there, spread over the plan's status rows like fill_history's."""
    rows = (
        sa.select(DivisionStatus.id, DivisionStatus.action_id, DivisionStatus.division_id,
                  (sa.func.row_number().over(order_by=DivisionStatus.id) - 1).label("k"))
        .join(Action).join(SuccessFactor).where(SuccessFactor.plan_id == plan.id).subquery()
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(rows))
    existing = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
    start = utcnow()
    done = 0
    while existing + done < total:
        n = min(chunk, total - existing - done)
        counter = sa.select(sa.literal(1).label("i")).cte("counter", recursive=True)
        counter = counter.union_all(sa.select(counter.c.i + 1).where(counter.c.i < n))
        tag = f"bulk-{done}-"
        select = sa.select(
            sa.literal(start + timedelta(seconds=done), UTCDateTime), sa.literal(plan.id), sa.literal("status"),
            sa.literal("updated"), rows.c.id, rows.c.action_id, rows.c.division_id,
            sa.literal("Belastning"), sa.literal("web"),
            sa.literal("ändrade status från Pågående till Genomförd"),
            sa.literal([["Status", "Pågående", "Genomförd"]], sa.JSON),
            sa.literal(tag), sa.literal(tag) + sa.cast(counter.c.i, sa.String),
        ).select_from(counter).join(rows, rows.c.k == counter.c.i % count)
        db.session.execute(sa.insert(HistoryEntry).from_select(
            ["created_at", "plan_id", "kind", "verb", "object_id", "action_id", "division_id", "user_name",
             "source", "summary", "changes", "previous_hash", "hash"], select))
        db.session.commit()
        done += n
    analyze()


def analyze() -> None:
    """The planner's statistics brought up to date, as autovacuum would after such a load (both sizes alike)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE history_entry"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def measure(client, engine, pages: dict, runs: int) -> dict[str, tuple[float, int]]:
    """{page: (median ms, SQL queries)}"""
    results = {}
    for name, url in pages.items():
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        response = client.get(url)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200 and b"history-entry" in response.data, name
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        results[name] = (statistics.median(times), len(statements))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--entries", type=int, default=10_000, help="real, chained entries (the small history)")
    parser.add_argument("--large", type=int, default=1_000_000, help="entries after the bulk fill")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app, _ = make_app(args.database_url)
    with app.app_context():
        generate_plan("bench-historik", 300)
        plan = get_plan("bench-historik")
        division_id = fill_history(plan, args.entries)
        analyze()
        action_id = db.session.scalar(sa.select(HistoryEntry.action_id).where(  # a status change's åtgärd
            HistoryEntry.plan_id == plan.id, HistoryEntry.action_id.is_not(None)).limit(1))
        assert action_id is not None  # else "?atgard=None" would be ignored and the plan's whole history measured
        reader = User(email="lasare@bench.local", name="Läsare", role=Role.READER)
        reader.set_password("benchmark")
        db.session.add(reader)
        db.session.flush()
        reader_session_id = open_session(reader, "password")
        db.session.commit()
        engine = db.engine
        plan_key, plan_id = plan.key, plan.id

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = reader_session_id
    client.get("/planer")  # the session's first use is touched once (an UPDATE): not part of any page
    pages = {
        "första sidan": f"/planer/{plan_key}/historik",
        "filtrerad (förvaltning + typ)": f"/planer/{plan_key}/historik?forvaltning={division_id}&typ=status",
        "en åtgärds historik": f"/planer/{plan_key}/historik?atgard={action_id}",
        "sida 20": f"/planer/{plan_key}/historik?sida=20",
    }

    def total() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))

    small_total = total()
    gc.collect()
    small = measure(client, engine, pages, args.runs)
    start = time.monotonic()
    with app.app_context():
        bulk_fill(db.session.get(Plan, plan_id), args.large)
    fill_s = time.monotonic() - start
    client.get("/planer")
    large_total = total()
    gc.collect()
    large = measure(client, engine, pages, args.runs)
    # One åtgärd has some 30 entries in the small history, some 3,000 in the large: its page 20 exists there only.
    deep_name = "en åtgärds historik, sida 20"
    deep = measure(client, engine, {deep_name: f"/planer/{plan_key}/historik?atgard={action_id}&sida=20"}, args.runs)

    print(f"Databas: {engine.url.get_backend_name()}; {small_total} historikposter, sedan {large_total} "
          f"(fyllt med SQL på {fill_s:.0f} s)")
    ok = True
    for name in pages:
        (small_ms, small_q), (large_ms, large_q) = small[name], large[name]
        ratio = large_ms / small_ms
        checks = [large_ms <= 100, small_q == large_q]
        if name in ("första sidan", "sida 20"):
            checks.append(ratio <= 2)
        ok &= all(checks)
        print(f"{name:30s} {small_total:>9} poster: {small_ms:6.1f} ms {small_q} frågor   {large_total:>9} poster: "
              f"{large_ms:6.1f} ms {large_q} frågor   kvot {ratio:4.2f}   "
              f"(mål ≤ 100 ms{', kvot ≤ 2' if len(checks) == 3 else ''}, lika många frågor: "
              f"{'OK' if all(checks) else 'EJ UPPFYLLT'})")
    (deep_ms, deep_q), (_, first_q) = deep[deep_name], large["en åtgärds historik"]
    checks = [deep_ms <= 100, deep_q == first_q]
    ok &= all(checks)
    print(f"{deep_name:30s} {large_total:>9} poster: {deep_ms:6.1f} ms {deep_q} frågor   (mål ≤ 100 ms, lika många "
          f"frågor som åtgärdens första sida: {'OK' if all(checks) else 'EJ UPPFYLLT'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
