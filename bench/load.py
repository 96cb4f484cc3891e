"""Deadline rush (issue 16): the served app under many förvaltningskontakter at once, over real HTTP.

Starts `tracker serve` as a child process on a free port of 127.0.0.1 (SQLite in a temporary folder unless
--database-url names another database, whose tables are dropped first), loads the demo data (the region's real
plans), opens a reporting round on each plan (the deadline), and creates --clients förvaltningskontakter spread
over the förvaltningar in proportion to their åtgärder. Each client logs in through the login form (its CSRF
token), opens Mina åtgärder and saves statuses of its own förvaltning through the inline form (htmx headers, the
version it saw). Mostly its own share of the förvaltning's rows, one save in ten a colleague's: a colleague's
newer save gives the designed conflict (409), after which the client applies its values again, as a person
clicking "Spara min ändring ändå" does.

Phases, all in one run:
- single: one client alone saving back to back (--single-saves): the p95 of a save without competition;
- rush: every client, think time exponential with mean --think seconds, for --seconds: p50/p95/p99 of a save;
- capacity: --capacity-clients clients without think time, for --capacity-seconds each, against a server of 1
  and a server of 2 processes (`tracker serve --workers 2`) sharing the database, which run side by side and take
  turns (--capacity-rounds), so that the load of a shared machine falls on both alike: accepted saves per second,
  and the CPU the server and the load generator used.
- import, last: a strateg uploads and confirms a large import over HTTP (--import-rows rows of Handlingsplan: the
  export of the demo's draft plan with every description changed and new åtgärder added, no status changed) while
  the rush's clients save as in the rush, until it is answered; it must be stored, refused for none of them;
Checks after the phases: errors (any answer but 200 and the designed 409, or no answer), lost updates (for each
row, the stored value against the last save the server accepted, by the version it answered with; two accepted
saves answered with one version are a lost update too), and `tracker history verify`.

The last line is `RESULT clients=… saves=… saves_per_s=… p95_ms=… p95_single_ms=… p95_ratio_50_to_1=… errors=…
import_confirmed=0|1 lost=… chain=ok|broken capacity_1proc=… capacity_2proc=… scale_2_to_1=…` (saves and
saves_per_s: accepted saves of the rush; lost counts the saves accepted during the import too). Targets (issue 16):
errors 0, lost 0, chain ok, p95 ratio ≤ 5, scale_2_to_1 ≥ 1.3, the import confirmed; exit 0 when all hold.

Run: `make bench` or `.venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--database-url URL]`.
Only 127.0.0.1 is contacted; every phase is bounded in time, every request by --timeout.
"""

import argparse
import html.parser
import logging
import math
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import requests
import sqlalchemy as sa
from openpyxl import load_workbook

from common import make_app
from tracker.clock import today
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.plans.models import DivisionStatus, Plan
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState, Role, Status
from tracker.xlsx import layout
from tracker.xlsx.export import export_plan

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "belastning-halland"
STRATEG = "strateg@belastning.local"
CHOICES = [s.value for s in Status if s is not Status.CANCELLED]
VERSION = re.compile(r'name="version" value="(\d+)"')


# --- Setting up ----------------------------------------------------------------------------------------------


@dataclass
class Contact:
    number: int
    email: str
    division_id: int
    division: str  # short name
    own: list[int]  # its share of the förvaltning's status rows
    colleagues: list[int]  # the förvaltning's other rows


def allot(clients: int, rows_by_division: dict[int, list[int]]) -> dict[int, int]:
    """Clients per förvaltning in proportion to its rows (largest remainder), at least one each when there are
    enough clients."""
    total = sum(len(r) for r in rows_by_division.values())
    ids = sorted(rows_by_division, key=lambda d: -len(rows_by_division[d]))
    floor = 1 if clients >= len(ids) else 0
    shares = {d: max(floor, math.floor(clients * len(rows_by_division[d]) / total)) for d in ids}
    while sum(shares.values()) > clients:
        biggest = max(shares, key=shares.get)
        shares[biggest] -= 1
    by_remainder = sorted(ids, key=lambda d: -(clients * len(rows_by_division[d]) / total - shares[d]))
    for d in by_remainder[: clients - sum(shares.values())]:
        shares[d] += 1
    return shares


def large_import(plan: Plan, rows: int) -> bytes:
    """The plan's export as a strateg sends it back: every åtgärd's description changed, and new åtgärder (copies
    of the plan's, without ID, each in its framgångsfaktor) up to `rows` rows of Handlingsplan; no status changed."""
    _, data = export_plan(plan, None)
    workbook = load_workbook(BytesIO(data))
    sheet = workbook[layout.PLAN.name]
    first = 6  # under the header row (TEMPLATE.md)
    column = {c.key: n for n, c in enumerate(layout.PLAN.columns, start=1)}
    existing = [r for r in range(first, sheet.max_row + 1) if sheet.cell(r, column["ref"]).value]
    for r in existing:
        sheet.cell(r, column["description"], f"{sheet.cell(r, column['description']).value or ''} (reviderad)")
    for n in range(max(0, rows - len(existing))):
        source, target = existing[n % len(existing)], sheet.max_row + 1
        for c in range(1, len(layout.PLAN.columns) + 1):
            sheet.cell(target, c).value = sheet.cell(source, c).value
        sheet.cell(target, column["ref"]).value = None
        sheet.cell(target, column["title"]).value = f"Ny åtgärd {n + 1} (belastningsprov)"
        sheet.cell(target, column["status"]).value = Status.NOT_STARTED.label
        sheet.cell(target, column["comments"]).value = None
        sheet.cell(target, column["last_updated"]).value = None
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_up(database_url: str | None, clients: int, import_rows: int) -> tuple[str, list[Contact], str, bytes]:
    """The demo data, an open round on every plan, the förvaltningskontakter, a strateg and the large import's
    workbook (of the demo's draft plan); returns the database URL, the contacts, that plan's key and the workbook."""
    logging.disable(logging.WARNING)  # the migrations' and the demo's log lines are not the benchmark's
    app, url = make_app(database_url, divisions=())
    with app.app_context():
        load_demo()
        db.session.commit()
        strateg = db.session.scalar(sa.select(User).where(User.role == Role.STRATEGIST))
        for plan in db.session.scalars(sa.select(Plan)):
            followup.open_round(plan, strateg, title="Delårsuppföljning (belastningsprov)",
                                deadline=str(today() + timedelta(days=7)), today=today())
        rows_by_division: dict[int, list[int]] = defaultdict(list)
        for status_id, division_id in db.session.execute(
                sa.select(DivisionStatus.id, DivisionStatus.division_id).order_by(DivisionStatus.id)):
            rows_by_division[division_id].append(status_id)
        template = User(email="mall@belastning.local", name="Mall", role=Role.READER)
        template.set_password(PASSWORD)  # hashed once: argon2 fifty times would only slow the setup
        db.session.add(User(email=STRATEG, name="Strateg (belastningsprov)", role=Role.STRATEGIST,
                            password_hash=template.password_hash))
        draft = db.session.scalar(sa.select(Plan).where(Plan.state == PlanState.DRAFT).order_by(Plan.id))
        workbook = large_import(draft, import_rows)
        contacts = []
        divisions = {d.id: d for d in db.session.scalars(sa.select(Division))}
        for division_id, count in sorted(allot(clients, rows_by_division).items()):
            rows = rows_by_division[division_id]
            for k in range(count):
                number = len(contacts) + 1
                email = f"kontakt{number}@belastning.local"
                db.session.add(User(email=email, name=f"Kontakt {number} ({divisions[division_id].short_name})",
                                    role=Role.DIVISION_CONTACT, division_id=division_id,
                                    password_hash=template.password_hash))
                own = rows[k::count]
                contacts.append(Contact(number, email, division_id, divisions[division_id].short_name, own,
                                        [r for r in rows if r not in own]))
        db.session.commit()
        # Interleaved over the förvaltningar, so that the first n (the lone client, the capacity phase) mix them.
        by_division = defaultdict(list)
        for contact in contacts:
            by_division[contact.division_id].append(contact)
        queues = sorted(by_division.values(), key=len, reverse=True)
        contacts = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
        draft_key = draft.key
        db.engine.dispose()
    logging.disable(logging.NOTSET)
    return url, contacts, draft_key, workbook


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children alive now (the server's workers), from /proc."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def postgres_cpu_seconds() -> float:
    """User + system CPU time of the PostgreSQL server's processes on this machine alive now (its backends serve the
    app's pooled connections, which live through a phase): 0 where none run."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "postgres":
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU seconds this machine spent busy (all cores, everything but idle and iowait), from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def machine_load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`tracker serve` as a child process, stopped (SIGTERM to its own pid, which stops its workers) on exit."""

    def __init__(self, env: dict, workers: int, threads: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tracker serve avslutades med kod {self.process.returncode}; se {log}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"tracker serve svarade inte inom 60 s; se {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --- One client ------------------------------------------------------------------------------------------------


class Forms(html.parser.HTMLParser):
    """The CSRF token and, per status form, its version, from a page."""

    def __init__(self):
        super().__init__()
        self.csrf: str | None = None
        self.versions: dict[int, int] = {}
        self._status_id: int | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            match = re.fullmatch(r"/status/(\d+)", a.get("action") or "")
            self._status_id = int(match.group(1)) if match else None
        elif tag == "input" and a.get("name") == "csrf_token" and a.get("value"):
            self.csrf = self.csrf or a["value"]
        elif tag == "input" and a.get("name") == "version" and self._status_id is not None:
            self.versions[self._status_id] = int(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._status_id = None


@dataclass
class Tally:
    """What all clients of a phase saw; appended to under one lock."""

    latencies: list[float] = field(default_factory=list)  # ms, every save request answered 200 or 409
    answered_at: list[float] = field(default_factory=list)  # time.monotonic() of each of those answers
    accepted: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, contact: Contact, base: str, timeout: float, seed: int):
        self.contact = contact
        self.base = base
        self.timeout = timeout
        self.http = requests.Session()
        self.random = random.Random(seed)
        self.csrf: str | None = None
        self.versions: dict[int, int] = {}
        self.saves = 0

    def log_in(self) -> None:
        page = self.http.get(f"{self.base}/logga-in", timeout=self.timeout)
        forms = Forms()
        forms.feed(page.text)
        response = self.http.post(f"{self.base}/logga-in", timeout=self.timeout, allow_redirects=False, data={
            "csrf_token": forms.csrf, "email": self.contact.email, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"inloggningen för {self.contact.email} gav {response.status_code}")

    def open_my_actions(self) -> None:
        page = self.http.get(f"{self.base}/mina-atgarder", timeout=self.timeout)
        if page.status_code != 200:
            raise RuntimeError(f"Mina åtgärder gav {page.status_code}")
        forms = Forms()
        forms.feed(page.text)
        self.csrf = forms.csrf
        self.versions = forms.versions
        missing = set(self.contact.own) - set(forms.versions)
        if missing:
            raise RuntimeError(f"Mina åtgärder saknar raderna {sorted(missing)[:5]} för {self.contact.email}")

    def pick(self) -> int:
        if self.contact.colleagues and self.random.random() < 0.1:
            return self.random.choice(self.contact.colleagues)
        return self.random.choice(self.contact.own or self.contact.colleagues)

    def save(self, tally: Tally, accepted: dict) -> None:
        """One save of one row; after a designed conflict, the same values again with the version now stored."""
        status_id = self.pick()
        self.saves += 1
        values = {"status": self.random.choice(CHOICES),
                  "comment": f"Belastningsprov: kontakt {self.contact.number}, sparning {self.saves}."}
        for _attempt in range(2):
            data = {"csrf_token": self.csrf, "version": self.versions.get(status_id, 1), "view": "mine", **values}
            start = time.perf_counter()
            try:
                response = self.http.post(f"{self.base}/status/{status_id}", data=data, timeout=self.timeout,
                                          headers={"HX-Request": "true", "X-CSRFToken": self.csrf or ""})
            except requests.RequestException as error:
                with tally.lock:
                    tally.errors.append(f"POST /status/{status_id}: {type(error).__name__}: {error}")
                return
            elapsed = (time.perf_counter() - start) * 1000
            version = VERSION.search(response.text)
            if response.status_code == 200 and version and 'class="saved"' in response.text:
                self.versions[status_id] = int(version.group(1))
                with tally.lock:
                    tally.latencies.append(elapsed)
                    tally.answered_at.append(time.monotonic())
                    tally.accepted += 1
                    accepted[status_id].append((int(version.group(1)), values["status"], values["comment"]))
                return
            if response.status_code == 409 and version:
                self.versions[status_id] = int(version.group(1))
                with tally.lock:
                    tally.latencies.append(elapsed)
                    tally.answered_at.append(time.monotonic())
                    tally.conflicts += 1
                continue
            with tally.lock:
                tally.errors.append(f"POST /status/{status_id}: {response.status_code} {response.text[:200]!r}")
            return


def import_over_http(base: str, key: str, workbook: bytes, timeout: float) -> tuple[bool, str]:
    """A strateg logs in, uploads the workbook for `key`, and confirms the preview as shown: whether the import was
    stored, and what the server answered otherwise."""
    http = requests.Session()
    forms = Forms()
    forms.feed(http.get(f"{base}/logga-in", timeout=timeout).text)
    http.post(f"{base}/logga-in", timeout=timeout, allow_redirects=False,
              data={"csrf_token": forms.csrf, "email": STRATEG, "password": PASSWORD})
    forms = Forms()
    forms.feed(http.get(f"{base}/import", timeout=timeout).text)
    preview = http.post(f"{base}/import", timeout=timeout, data={"csrf_token": forms.csrf, "plan": key},
                        files={"file": ("bilaga-belastning.xlsx", workbook)})
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', preview.text)
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', preview.text)
    if preview.status_code != 200 or not token or not fingerprint:
        return False, f"förhandsgranskningen gav {preview.status_code}"
    confirm = http.post(f"{base}/import/{token.group(1)}", timeout=timeout, allow_redirects=False,
                        data={"csrf_token": forms.csrf, "fingerprint": fingerprint.group(1), "missing": "keep"})
    if confirm.status_code == 302 and confirm.headers.get("Location", "").endswith(f"/planer/{key}"):
        return True, "sparad"
    message = re.search(r'class="message message-error"[^>]*>([^<]*)<', confirm.text)
    return False, f"bekräftelsen gav {confirm.status_code}" + (f": {message.group(1)[:300]}" if message else "")


def run_clients(clients: list[Client], seconds: float, think: float, tally: Tally, accepted: dict,
                max_saves: int | None = None, until: threading.Event | None = None) -> float:
    """Every client opens Mina åtgärder, then saves until the deadline (or `until` is set); returns the elapsed
    seconds."""
    start = time.monotonic()
    deadline = start + seconds

    def work(client: Client) -> None:
        try:
            client.open_my_actions()
        except (requests.RequestException, RuntimeError) as error:
            with tally.lock:
                tally.errors.append(f"{client.contact.email}: {error}")
            return
        done = 0
        while (max_saves is None or done < max_saves) and not (until is not None and until.is_set()):
            if think:
                pause = client.random.expovariate(1 / think)
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            elif time.monotonic() >= deadline:
                break
            client.save(tally, accepted)
            done += 1

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(work, clients))
    return time.monotonic() - start


ACCESS = re.compile(r"POST /status/\d+ (?:200|409) ([\d.]+)ms")


def app_times(log: Path, offset: int) -> list[float]:
    """The saves' times as the app logged them (tracker.access), from `offset` of the server's log on."""
    with log.open("rb") as file:
        file.seek(offset)
        return [float(m.group(1)) for m in ACCESS.finditer(file.read().decode("utf-8", "replace"))]


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def lost_updates(url: str, accepted: dict) -> tuple[int, list[str]]:
    """Rows whose stored value is not the last save accepted for them, and versions accepted twice."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = {row.id: row for row in connection.execute(
            sa.select(DivisionStatus.id, DivisionStatus.status, DivisionStatus.comment, DivisionStatus.version_id)
            .where(DivisionStatus.id.in_(list(accepted))))}
    engine.dispose()
    lost, notes = 0, []
    for status_id, saves in accepted.items():
        versions = [v for v, _, _ in saves]
        version, status, comment = max(saves)
        row = stored[status_id]
        if len(set(versions)) != len(versions):
            lost += 1
            notes.append(f"rad {status_id}: två sparningar godtogs med samma version")
        elif (row.version_id, Status(row.status).value if row.status else None, row.comment) != \
                (version, status, comment):
            lost += 1
            notes.append(f"rad {status_id}: lagrat v{row.version_id} {row.comment!r}, senast godtaget v{version} "
                         f"{comment!r}")
    return lost, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder "
                                               "(a given database is emptied first)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="length of the rush")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time in the rush, seconds")
    parser.add_argument("--single-saves", type=int, default=100, help="saves of the lone client")
    parser.add_argument("--capacity-clients", type=int, default=16)
    parser.add_argument("--capacity-seconds", type=float, default=20, help="per server, over all rounds")
    parser.add_argument("--capacity-rounds", type=int, default=2, help="turns each server takes")
    parser.add_argument("--workers", type=int, default=1, help="server processes in the single and rush phases")
    parser.add_argument("--threads", type=int, default=4, help="threads per server process (tracker serve's default)")
    parser.add_argument("--timeout", type=float, default=30, help="longest wait for one answer, seconds")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--import-rows", type=int, default=1000, help="rows of the import during the rush")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500:
        parser.error("--clients: mellan 1 och 500")
    if not 0 < args.seconds <= 1800 or not 0 < args.capacity_seconds <= 600:
        parser.error("--seconds högst 1800, --capacity-seconds högst 600")

    tmp = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    os.environ["TRACKER_INSTANCE_PATH"] = str(tmp / "instance")  # nothing is written into the checkout
    started = time.monotonic()
    url, contacts, import_key, workbook = set_up(args.database_url, max(args.clients, args.capacity_clients),
                                                 args.import_rows)
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": secrets.token_hex(32),
           "TRACKER_INSTANCE_PATH": str(tmp / "instance"), "PYTHONPATH": str(ROOT)}
    log = tmp / "server.log"
    backend = sa.engine.make_url(url).get_backend_name()
    print(f"Databas: {backend}; {len(contacts)} förvaltningskontakter; serverns logg: {log} "
          f"(förberedelse {time.monotonic() - started:.1f} s)")
    per_division = defaultdict(int)
    for c in contacts[:args.clients]:
        per_division[c.division] += 1
    accepted: dict[int, list] = defaultdict(list)
    errors: list[str] = []
    clients = [Client(c, "", args.timeout, args.seed * 1000 + c.number) for c in contacts]

    with Server(env, args.workers, args.threads, log) as server:
        login_start = time.monotonic()
        for client in clients:
            client.base = server.url
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(Client.log_in, clients))
        print(f"Inloggning av {len(clients)} kontakter (inloggningsformulär, CSRF): "
              f"{time.monotonic() - login_start:.1f} s")

        single = Tally()
        run_clients(clients[:1], args.seconds, 0, single, accepted, max_saves=args.single_saves)
        errors += single.errors
        p95_single = percentile(single.latencies, 95)
        print(f"Ensam klient, {single.accepted} sparningar i följd: p50 {percentile(single.latencies, 50):.1f} ms"
              f"   p95 {p95_single:.1f} ms")

        rush = Tally()
        log_offset = log.stat().st_size
        server_cpu, own_cpu = cpu_seconds(server.process.pid), time.process_time()
        rush_start = time.monotonic()
        elapsed = run_clients(clients[:args.clients], args.seconds, args.think, rush, accepted)
        server_cpu, own_cpu = cpu_seconds(server.process.pid) - server_cpu, time.process_time() - own_cpu
        errors += rush.errors
        p50, p95, p99 = (percentile(rush.latencies, q) for q in (50, 95, 99))
        saves_per_s = rush.accepted / elapsed
        spread = ", ".join(f"{n} {d}" for d, n in per_division.items())
        print(f"Rusning: {args.clients} klienter ({spread}), "
              f"betänketid exponentiell medel {args.think:g} s, {elapsed:.0f} s, server {args.workers} process(er) "
              f"× {args.threads} trådar")
        print(f"  {rush.accepted} godtagna sparningar ({saves_per_s:.1f}/s), {rush.conflicts} avsiktliga "
              f"konflikter (409), {len(rush.errors)} fel")
        print(f"  sparning p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   max "
              f"{max(rush.latencies, default=float('nan')):.1f} ms")
        settled = [ms for ms, at in zip(rush.latencies, rush.answered_at) if at - rush_start >= 10]
        slowest = sorted(zip(rush.latencies, rush.answered_at), reverse=True)[:5]
        print(f"  efter de första 10 s (i början öppnar alla klienter Mina åtgärder på en gång): p95 "
              f"{percentile(settled, 95):.1f} ms   p99 {percentile(settled, 99):.1f} ms   max "
              f"{max(settled, default=float('nan')):.1f} ms; de fem långsammaste besvarades "
              + ", ".join(f"{at - rush_start:.1f} s" for _, at in slowest) + " in i rusningen")
        inside = app_times(log, log_offset)
        print(f"  i appen (åtkomstloggens tid, från begärans början i Flask till svaret): p50 "
              f"{percentile(inside, 50):.1f} ms   p95 {percentile(inside, 95):.1f} ms   p99 {percentile(inside, 99):.1f}"
              f" ms   max {max(inside, default=float('nan')):.1f} ms; resten väntade utanför (waitress kö och I/O-tråd, "
              f"operativsystemet, lastgeneratorn)")
        print(f"  CPU: servern {server_cpu / elapsed:.2f} kärnor, lastgeneratorn {own_cpu / elapsed:.2f} kärnor; "
              f"maskinens last (1 min) {machine_load()} på {os.cpu_count()} kärnor")

    # Both servers run side by side and take turns in --capacity-rounds slices (1, 2, 1, 2, …), so that a change
    # in the load of this shared machine falls on both alike.
    capacity = {}
    with Server(env, 1, args.threads, log) as one, Server(env, 2, args.threads, log) as two:
        chosen = clients[:args.capacity_clients]
        # saves, seconds, server CPU, own CPU, tally, database server CPU, the machine's busy CPU
        totals = {n: [0, 0.0, 0.0, 0.0, Tally(), 0.0, 0.0] for n in (1, 2)}
        for _round in range(args.capacity_rounds):
            for workers, server in ((1, one), (2, two)):
                for client in chosen:
                    client.base = server.url
                tally = totals[workers][4]
                before = tally.accepted
                server_cpu, own_cpu = cpu_seconds(server.process.pid), time.process_time()
                database_cpu, busy = postgres_cpu_seconds(), machine_busy_seconds()
                elapsed = run_clients(chosen, args.capacity_seconds / args.capacity_rounds, 0, tally, accepted)
                total = totals[workers]
                total[0] += tally.accepted - before
                total[1] += elapsed
                total[2] += cpu_seconds(server.process.pid) - server_cpu
                total[3] += time.process_time() - own_cpu
                total[5] += postgres_cpu_seconds() - database_cpu
                total[6] += machine_busy_seconds() - busy
        for workers, (saves, elapsed, server_cpu, own_cpu, tally, database_cpu, busy) in totals.items():
            errors += tally.errors
            capacity[workers] = saves / elapsed
            print(f"Kapacitet, {workers} serverprocess(er) × {args.threads} trådar, {len(chosen)} klienter utan "
                  f"betänketid: {capacity[workers]:.1f} sparningar/s ({saves} på {elapsed:.1f} s i "
                  f"{args.capacity_rounds} omgångar, {tally.conflicts} konflikter, "
                  f"p95 {percentile(tally.latencies, 95):.0f} ms)")
            print(f"  CPU: servern {server_cpu / elapsed:.2f} kärnor ({1000 * server_cpu / max(1, saves):.1f}"
                  f" ms per sparning, klienternas Mina åtgärder inräknade), "
                  + (f"PostgreSQL {database_cpu / elapsed:.2f} kärnor ({1000 * database_cpu / max(1, saves):.1f} ms per "
                     f"sparning), " if backend == "postgresql" else "")
                  + f"lastgeneratorn {own_cpu / elapsed:.2f} kärnor; hela maskinen upptagen {busy / elapsed:.2f} av "
                  f"{os.cpu_count()} kärnor")

    # Last, as its new åtgärder lengthen every contact's Mina åtgärder: the phases above measure the plan as it was.
    with Server(env, args.workers, args.threads, log) as server:
        chosen = clients[:args.clients]
        for client in chosen:
            client.base = server.url
        during, answered, import_result = Tally(), threading.Event(), []

        def run_import():
            try:
                import_result.append(import_over_http(server.url, import_key, workbook, max(args.timeout, 600)))
            except requests.RequestException as error:
                import_result.append((False, f"{type(error).__name__}: {error}"))
            answered.set()

        importer = threading.Thread(target=run_import)
        importer.start()
        elapsed = run_clients(chosen, 900, args.think, during, accepted, until=answered)
        importer.join()
        errors += during.errors
        import_confirmed, import_answer = import_result[0]
        print(f"Import under sparningar: {args.import_rows} rader i {import_key} (beskrivningar ändrade, nya åtgärder, "
              f"ingen status ändrad), uppladdad och bekräftad över HTTP medan {len(chosen)} klienter sparade: "
              f"{import_answer} efter {elapsed:.1f} s; under tiden {during.accepted} godtagna sparningar, "
              f"{during.conflicts} avsiktliga konflikter, sparning p95 {percentile(during.latencies, 95):.0f} ms")

    lost, notes = lost_updates(url, accepted)
    verify = subprocess.run([sys.executable, "-m", "tracker", "history", "verify"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    chain = "ok" if verify.returncode == 0 else "broken"
    print(f"Kontroller: {sum(len(s) for s in accepted.values())} godtagna sparningar på {len(accepted)} rader; "
          f"fel {len(errors)}, förlorade uppdateringar {lost}; historiken: {verify.stdout.strip()}")
    for line in (errors[:10] + notes[:10]):
        print(f"  {line}")

    ratio = p95 / p95_single
    scale = capacity[2] / capacity[1]
    ok = not errors and lost == 0 and chain == "ok" and ratio <= 5 and scale >= 1.3 and import_confirmed
    print(f"Mål: fel 0, förlorade 0, kedjan hel, p95-kvot ≤ 5 ({ratio:.2f}), skalning 2/1 ≥ 1,3 ({scale:.2f}), "
          f"importen sparad ({'ja' if import_confirmed else 'nej'}): "
          f"{'OK' if ok else 'EJ UPPFYLLT'}   (hela körningen {time.monotonic() - started:.0f} s)")
    print(f"RESULT clients={args.clients} saves={rush.accepted} saves_per_s={saves_per_s:.1f} p95_ms={p95:.1f} "
          f"p95_single_ms={p95_single:.1f} p95_ratio_50_to_1={ratio:.2f} errors={len(errors)} "
          f"import_confirmed={int(import_confirmed)} lost={lost} "
          f"chain={chain} capacity_1proc={capacity[1]:.1f} capacity_2proc={capacity[2]:.1f} "
          f"scale_2_to_1={scale:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
