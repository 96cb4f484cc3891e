"""What the benchmarks share: a fresh database and a generated plan with the real plan's texts."""

import sys
import tempfile
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app  # noqa: E402
from tracker.agreements.services import create_agreement, find_agreement  # noqa: E402
from tracker.users.services import list_divisions
from tracker.demo.loader import read_plan_data  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.history.recorder import actor_for, set_actor  # noqa: E402
from tracker.plans import services  # noqa: E402
from tracker.users.models import Division  # noqa: E402
from tracker.vocabulary import Horizon, Status  # noqa: E402

DIVISIONS = ["Hallands sjukhus", "Psykiatri Halland", "Närsjukvården", "Ambulans, Diagnostik och Hälsa"]
ALL_DIVISIONS = [*DIVISIONS, "Regionkontoret"]  # the region's five


def make_app(database_url: str | None, divisions=DIVISIONS):
    """The app on an emptied, migrated database (a new SQLite file unless a URL is given), with `divisions`."""
    tmp = tempfile.mkdtemp(prefix="tracker-bench-")
    url = database_url or f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "EXPORT_DIR": f"{tmp}/exports"})
    # What the benchmark sets up is recorded in the history as made on the command line.
    set_actor(actor_for(None, "cli", "benchmark"))
    with app.app_context():
        metadata = sa.MetaData()
        metadata.reflect(db.engine)
        metadata.drop_all(db.engine)
        flask_migrate.upgrade()
        db.session.add_all(Division(name=name, position=i) for i, name in enumerate(divisions))
        db.session.commit()
    return app, url


def generate_plan(key: str, actions: int) -> None:
    """A plan of `actions` åtgärder × every förvaltning (four, or as many as make_app was given), ten åtgärder
    per framgångsfaktor."""
    data = read_plan_data("tillganglighet-2023.json")
    texts = [(f["title"], a) for area in data["areas"] for f in area["factors"] for a in f["actions"]]
    divisions = list_divisions()
    agreement = find_agreement("Ökad tillgänglighet") or create_agreement("Ökad tillgänglighet")
    plan = services.create_plan(key=key, agreement=agreement, title=f"Genererad plan {key}", year=2025)
    area = services.add_area(plan, code="3.6", title="Regionala handlingsplaner för ökad tillgänglighet")
    factor = None
    statuses = list(Status)
    for i in range(actions):
        factor_title, a = texts[i % len(texts)]
        if i % 10 == 0:
            factor = services.add_factor(plan, area=area, title=f"{factor_title} ({i // 10 + 1})")
        action = services.add_action(
            factor, divisions=divisions, ref=f"FF{i // 10 + 1:03d}-A{i % 10 + 1:02d}", title=a["title"],
            description=a.get("description"), expected_result=a.get("expected_result"), owner=a.get("owner"),
            horizon=Horizon.SHORT,
        )
        for j, row in enumerate(action.statuses):
            row.status = statuses[(i + j) % 4]
            row.comment = f"Kommentar {i}-{j}: arbetet följs upp i förvaltningsdialogen."
    db.session.commit()
