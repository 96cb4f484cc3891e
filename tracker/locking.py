"""Optimistic locking: the one mechanism for every versioned write (a status, an åtgärd, a report, an answer, a
contribution, an import).

A versioned model has `version_id` as its mapper's `version_id_col`. A form carries the version the user read
(`posted_version`); before changing the row the service calls `expect_version`, so that the UPDATE is conditional
on that version, and then `flush_versioned`, which turns "someone else saved it meanwhile" into `Conflict`. After a
`Conflict` the caller rolls back; the view answers 409 with the stored values beside the user's.
"""

from collections.abc import Mapping
from contextlib import contextmanager

from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.parsing import record_id


class Conflict(Exception):
    """Someone else saved (or deleted) the row after the user read it. Roll back, then show what is stored."""


def posted_version(form: Mapping[str, str], name: str = "version") -> int | None:
    """The version the form says the user read; None when the form carries none or not a version number."""
    try:
        return record_id(form.get(name, ""))
    except ValueError:
        return None


def expect_version(obj, expected_version: int | None) -> None:
    """Make the row's next UPDATE conditional on `expected_version` (None: on the version just loaded).

    Set as the committed value, the ORM's version check compares with it; assigning it would not."""
    if expected_version is not None:
        set_committed_value(obj, "version_id", expected_version)


@contextmanager
def versioned():
    """Within it, any flush (an autoflush of a query included) of a versioned row someone else changed or deleted
    since it was read raises Conflict: for a service of many writes, such as the import."""
    try:
        yield
    except StaleDataError as error:
        raise Conflict() from error


def flush_versioned() -> None:
    """Flush; a versioned row someone else changed or deleted since it was read raises Conflict."""
    with versioned():
        db.session.flush()
