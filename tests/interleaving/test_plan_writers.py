"""The plan's writers two at a time, the second at the racy point of the first: a status, "Oförändrad" for several
rows, the editor's save, move and delete of an åtgärd, a restore from the history, and the start of a revision.
Every accepted write is stored with its history entry; a refused one says so (409, in Swedish) and stores nothing.
(Import and fastställande against these are tested with the import and the approval.)"""

import itertools

import pytest

from tests.interleaving.helpers import Writer, entries_by, refused
from tracker.vocabulary import Role
from tests.interleaving.plan_writers import BULK, CHANGED, DRAFT_WRITERS, EDIT, MOVE, RESTORE, REVISION, STATUS, action


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(DRAFT_WRITERS, 2)), ids=repr)
def test_two_writers_of_a_draft(world, race, first, second):
    stored = race(world, first, second)
    # Only a change of the same åtgärd may refuse the other; rows the other did not touch are always written.
    independent = {STATUS, BULK} & {first, second} and {MOVE, RESTORE} & {first, second}
    if independent:
        assert stored == (True, True)


@pytest.mark.parametrize(("first", "second"), [(REVISION, other) for other in DRAFT_WRITERS]
                         + [(other, REVISION) for other in DRAFT_WRITERS], ids=repr)
def test_the_start_of_a_revision_against_each_writer(approved_world, race, first, second):
    """The plan is fastställd: its structure is refused until the revision has started, its statuses are not."""
    stored = dict(zip((first, second), race(approved_world, first, second)))
    assert stored[REVISION]
    other = second if first is REVISION else first
    if other in (STATUS, BULK):
        assert stored[other]


@pytest.mark.parametrize("writer", [STATUS, EDIT, RESTORE], ids=repr)
def test_the_same_write_twice_at_once(world, race, writer):
    """Two people (or a double click) at once: one is stored, the other refused, never both."""
    assert sorted(race(world, writer, writer)) == [False, True]


def test_two_starts_of_a_revision_at_once_make_one_draft(approved_world, race):
    assert sorted(race(approved_world, REVISION, REVISION)) == [False, True]


def load_delete_factor(plan, user):
    factor = action(plan, "Gemensamma väntelistor").factor
    return lambda client: client.post(f"/faktorer/{factor.id}/ta-bort")


def judge_delete_factor(plan, user, response):
    if response.status_code == 409:
        refused(response, *CHANGED)
        assert action(plan, "Gemensamma väntelistor") is not None and not entries_by(user)
        return False
    assert response.status_code == 302, response.status_code
    assert action(plan, "Tillgänglighetskoordinatorer") is None and entries_by(user, kind="factor", verb="deleted")
    return True


DELETE_FACTOR = Writer("ta bort framgångsfaktor", Role.STRATEGIST, None, load_delete_factor, judge_delete_factor)


@pytest.mark.parametrize("second", [STATUS, EDIT], ids=repr)
def test_a_framgangsfaktor_deleted_with_an_atgard_changed_meanwhile(world, race, second):
    """The deletion read the åtgärder it takes along before the other saved one of them: it is refused, not a
    deletion of what the user never saw."""
    assert race(world, DELETE_FACTOR, second) == (False, True)
