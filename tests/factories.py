"""Factories that build real-looking data (from Region Halland's plans) with few arguments."""

import re
from datetime import date

import sqlalchemy as sa
from flask import g
from werkzeug.security import generate_password_hash

from tracker.agreements.models import Agreement
from tracker.agreements.services import find_agreement
from tracker.demo.loader import DIVISIONS
from tracker.extensions import db
from tracker.plans import services
from tracker.users.models import Division, User
from tracker.users.sessions import open_session
from tracker.vocabulary import Horizon, Role, Status

# A cheap hash keeps tests fast; real users get werkzeug's default (scrypt).
AGREEMENTS = ("Ökad tillgänglighet", "God och nära vård")
FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "rätt-lösenord"


def create_divisions() -> dict[str, Division]:
    """The five förvaltningar, by short name (HS, PH, NSV, ADH, RK)."""
    existing = {d.short_name: d for d in db.session.scalars(sa.select(Division))}
    for position, (name, short_name) in enumerate(DIVISIONS):
        if short_name not in existing:
            existing[short_name] = Division(name=name, short_name=short_name, position=position)
            db.session.add(existing[short_name])
    db.session.commit()
    return existing


def create_agreement(name: str = "Ökad tillgänglighet") -> Agreement:
    """An agreement to give plans and reports (as a strateg adds one under Överenskommelser), or the one there is."""
    agreement = find_agreement(name)
    if agreement is None:
        agreement = Agreement(name=name)
        db.session.add(agreement)
        db.session.flush()
    return agreement


def create_agreements() -> list[Agreement]:
    """Ökad tillgänglighet and God och nära vård, the agreements of the region's plans and reports."""
    agreements = [create_agreement(name) for name in AGREEMENTS]
    db.session.commit()
    return agreements


def create_user(role: Role = Role.READER, division: str | None = None, **fields) -> User:
    if role is Role.DIVISION_CONTACT and division is None:
        division = "HS"
    divisions = create_divisions()
    count = db.session.scalar(sa.select(sa.func.count(User.id)))
    user = User(
        email=fields.pop("email", f"{role.value}.{count + 1}@regionhalland.test"),
        name=fields.pop("name", f"{role.label} {count + 1}"),
        role=role,
        division=divisions[division] if division else None,
        password_hash=generate_password_hash(fields.pop("password", PASSWORD), method=FAST_HASH),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, user: User, method: str = "password") -> str:
    """Log the test client in as `user` the way a login does (a new server-side session, a fresh cookie),
    without going through the password hash; returns the session's token."""
    token = open_session(user, method)
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = token
        session["_fresh"] = True
    return token


def create_plan(
    key: str = "tillganglighet-2023",
    actions: list[dict] | None = None,
    factors: int = 1,
    title: str = "Handlingsplan för ökad tillgänglighet 2023",
):
    """A plan with one area and `factors` framgångsfaktorer, each holding `actions`.

    Each action dict may give title, due_date, divisions (short names) and statuses
    ({short name: Status}); by default one åtgärd for Hallands sjukhus and Närsjukvården.
    """
    divisions = create_divisions()
    plan = services.create_plan(key=key, agreement=create_agreement(), title=title, year=2023,
                                registry_number="RS231576")
    area = services.add_area(plan, code="3.6", title="Regionala handlingsplaner för ökad tillgänglighet")
    specs = actions if actions is not None else [{}]
    factor_titles = ["Ramavtal med externa vårdgivare", "Lean som verksamhetsstrategi",
                     "Insatser inom barn- och ungdomspsykiatri"]
    for f in range(factors):
        factor = services.add_factor(plan, area=area, title=factor_titles[f % len(factor_titles)])
        for a, spec in enumerate(specs):
            action = services.add_action(
                factor,
                divisions=[divisions[d] for d in spec.get("divisions", ["HS", "NSV"])],
                ref=f"FF{f + 1:02d}-A{a + 1:02d}",
                title=spec.get("title", "Gemensamma väntelistor inom lungsjukvård och ögonsjukvård"),
                owner=spec.get("owner", "Verksamhetschef, Hallands sjukhus"),
                horizon=Horizon.SHORT,
                start_date=date(2023, 1, 1),
                due_date=spec.get("due_date", date(2030, 12, 31)),
            )
            for row in action.statuses:
                row.status = spec.get("statuses", {}).get(row.division.short_name, Status.NOT_STARTED)
    db.session.commit()
    return plan


def form_seen(client, page_url: str, action: str) -> str:
    """What the form posting to `action` on the page at `page_url` carries of that page (tracker/seen.py), read
    from the page as a browser would post it."""
    html = client.get(page_url).get_data(as_text=True)
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"{page_url} has no form posting to {action}"
    return re.search(r'name="seen" value="([^"]+)"', form.group(1)).group(1)


# Logging in opens a server-side session: bookkeeping of who is signed in, not data a request may change.
NOT_SNAPSHOTTED = {"user_session", "staged_upload"}  # sign-in and a previewed upload: bookkeeping, not data


def snapshot() -> dict[str, list[tuple]]:
    """Every table's rows, to show that a refused request changed nothing."""
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables if table.name not in NOT_SNAPSHOTTED
    }


def assert_refused_as_changed(response, message: str, link: str, before: dict) -> None:
    """A decision taken on a page that no longer shows what is there: 409, the message with its link to what
    changed, and nothing written."""
    body = response.get_data(as_text=True)
    assert response.status_code == 409, body[:400]
    assert message in body and f'href="{link}"' in body
    db.session.expire_all()
    assert snapshot() == before


def queries_of(client, count_queries, url) -> int:
    """How many statements the page at `url` takes, read as on a server (from the database, not the test's session)."""
    g.pop("_login_user", None)  # each request finds its user through the server-side session, as in production
    db.session.expunge_all()  # and its rows in the database, not in what the test's session holds already
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def approve_demo_gonv():
    """The demo's God och nära vård 2021 plan fastställd by the test, as the tests of a fastställd plan's workbook
    need one: the demo leaves it a draft (source 002 says neither when nor by whom it was fastställd). The date
    and the name are the test's own."""
    from datetime import datetime, time

    from tracker.clock import LOCAL_ZONE
    from tracker.versions.services import approve

    plan = services.get_plan("gonv-2021")
    approve(plan, None, "RS210177", approved_by_name="Martin Engström, hälso- och sjukvårdsdirektör",
            approved_at=datetime.combine(date(2021, 3, 10), time(10, 0), LOCAL_ZONE))
    db.session.commit()
    return plan
