"""The app as it is deployed: a wheel built from the repository, installed (not editable) into a fresh virtual
environment, its commands run from a folder that is not the repository."""

import os
import re
import shutil
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.deploy.servers import Browser, environment, run, serving

REPOSITORY = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(bool(os.environ.get("TRACKER_TEST_DATABASE_URL")),
                                reason="the wheel is tested once, in the SQLite run (it brings its own database)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding only the wheel; the dependencies come from the project's .venv (through a .pth line),
    so nothing is downloaded."""
    root = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools' build/ folder in the repository would carry files removed since.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPOSITORY / name, source / name)
    for folder in ("tracker", "templates", "migrations"):
        shutil.copytree(REPOSITORY / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(root / "dist")],
        os.environ.copy(), root, timeout=300)
    (wheel,) = (root / "dist").glob("tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"tracker/templates/base.html", "tracker/templates/plans/plan.html", "tracker/templates/notify/mail.txt",
            "tracker/migrations/env.py",
            "tracker/migrations/alembic.ini", "tracker/migrations/script.py.mako",
            "tracker/static/app.css", "tracker/reports/data/tillganglighet-2024.json",
            "tracker/templates/reports/_question.html"} <= set(names)
    versions = {p.name for p in (REPOSITORY / "migrations" / "versions").glob("*.py")}
    assert versions <= {Path(n).name for n in names if n.startswith("tracker/migrations/versions/")}

    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], os.environ.copy(), root)
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site_packages / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)], os.environ.copy(), root, timeout=300)
    return venv


def test_the_installed_wheel_upgrades_loads_exports_and_serves_from_any_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = environment(TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    where = run([str(installed / "bin" / "python"), "-c", "import tracker; print(tracker.__file__)"], env, elsewhere)
    assert where.stdout.startswith(str(installed)), where.stdout
    tracker = str(installed / "bin" / "tracker")

    run([tracker, "db", "upgrade"], env, elsewhere)
    loaded = run([tracker, "demo"], env, elsewhere).stdout
    assert "tillganglighet-2023" in loaded and "Redovisningen tillganglighet-2024 är inläst" in loaded
    exported = run([tracker, "export", "tillganglighet-2023", "-o", "bilaga.xlsx"], env, elsewhere)
    assert "SHA-256" in exported.stdout and zipfile.is_zipfile(elsewhere / "bilaga.xlsx")

    with serving(tracker, env, elsewhere) as (base, log):
        browser = Browser(base)
        login_page = browser.get("/logga-in").text
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', login_page)
        assert any(a.endswith(".css") for a in assets) and any("htmx" in a for a in assets)
        for asset in assets:
            assert browser.get(asset).status_code == 200, asset
        browser.log_in("strateg@demo.local", "demo-halland")
        plan = browser.get("/planer/tillganglighet-2023")
        assert plan.status_code == 200 and "Handlingsplan för ökad tillgänglighet" in plan.text
    assert "tracker.access" in log.read_text()
