"""The project is described in pyproject.toml; this adds the one thing it cannot say there.

The top-level templates/ and migrations/ stay where the layout has them and go into the wheel as
tracker/templates and tracker/migrations (tracker/config.py finds them either way)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tracker", "tracker.*"]) + ["tracker.templates", "tracker.migrations"],
    package_dir={"tracker.templates": "templates", "tracker.migrations": "migrations"},
)
