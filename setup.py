"""The project is described in pyproject.toml; this adds the one thing it cannot say there.

The top-level templates/ and migrations/ stay where the layout has them and go into the wheel as
tracker/templates and tracker/migrations (tracker/config.py finds them either way). Every folder that holds files
of the wheel is named as a package, data-only ones too (templates/plans, tracker/static, …): setuptools warns
about each one it is not told of."""

from setuptools import find_namespace_packages, setup

EXCLUDE = ["*__pycache__*"]


def under(folder: str, package: str) -> list[str]:
    return [package, *(f"{package}.{p}" for p in find_namespace_packages(folder, exclude=EXCLUDE))]


setup(
    packages=[*find_namespace_packages(include=["tracker", "tracker.*"], exclude=EXCLUDE),
              *under("templates", "tracker.templates"), *under("migrations", "tracker.migrations")],
    package_dir={"tracker.templates": "templates", "tracker.migrations": "migrations"},
)
