"""Server processes share nothing but the database: two `tracker serve` on different ports against one
PostgreSQL. A preview made on one is confirmed on the other; an export made on one is listed and downloaded
from the other; the session (kept in the database) and the CSRF token (signed with the one secret key) hold on
both."""

import io
import re
import sys
from pathlib import Path

import pytest

from tests.deploy.servers import Browser, csrf_token, environment, serving
from tests.factories import PASSWORD
from tests.xlsx.helpers import edit, preview_form
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import Role
from tracker.xlsx.export import export_plan

TRACKER = str(Path(sys.executable).parent / "tracker")


@pytest.fixture
def postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("två serverprocesser provas mot PostgreSQL: kör sviten med TRACKER_TEST_DATABASE_URL")
    return database_url


def test_a_preview_and_an_export_made_on_one_process_are_used_on_the_other(postgresql, make_plan, make_user,
                                                                           tmp_path):
    plan = make_plan(actions=[{}])
    make_user(Role.STRATEGIST, email="strateg@regionhalland.se", password=PASSWORD)
    _, workbook = export_plan(plan, None)
    db.session.rollback()  # the workbook only: no export kept
    workbook = edit(workbook, lambda wb: wb["Handlingsplan"].__setitem__("J6", "Regiondirektör"))
    env = environment(TRACKER_DATABASE_URL=postgresql)

    with serving(TRACKER, env, tmp_path) as (base_a, _), \
            serving(TRACKER, env, tmp_path, "--workers", "2", "--threads", "2") as (base_b, _):
        a, b = Browser(base_a), Browser(base_b)
        a.log_in("strateg@regionhalland.se", PASSWORD)
        b.cookies.update(a.cookies)  # the same browser, sent to the other process by the load balancer

        preview = a.post("/import", data={"csrf_token": csrf_token(a.get("/import").text), "plan": plan.key},
                         files={"file": ("bilaga.xlsx", io.BytesIO(workbook), "application/octet-stream")})
        assert preview.status_code == 200 and "1 ändrad" in preview.text
        token, fingerprint = preview_form(preview.text)
        confirmed = b.post(f"/import/{token}", allow_redirects=False, data={
            "csrf_token": csrf_token(preview.text), "fingerprint": fingerprint, "missing": "keep"})
        assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(f"/planer/{plan.key}")
        db.session.expire_all()
        assert plans.get_plan(plan.key).factors[0].actions[0].owner == "Regiondirektör"

        page = a.get(f"/planer/{plan.key}").text
        exported = a.post(f"/planer/{plan.key}/export", data={"csrf_token": csrf_token(page)})
        assert exported.status_code == 200 and exported.content[:2] == b"PK"
        listed = b.get(f"/planer/{plan.key}").text
        (link,) = set(re.findall(r'href="(/exporter/\d+)"', listed))
        downloaded = b.get(link)
        assert downloaded.status_code == 200 and downloaded.content == exported.content
