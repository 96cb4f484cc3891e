"""Marking an exported workbook (or a fastställd version with its file) as sent binds to the list the page showed:
a newer export since, or a marking made meanwhile, refuses it with 409 and a link; nothing is written."""

import pytest

from tests.factories import assert_refused_as_changed, form_seen, snapshot
from tracker.extensions import db
from tracker.versions import services as versions
from tracker.vocabulary import Role
from tracker.versions.exports import mark_sent
from tracker.xlsx.export import export_plan
from tracker.versions.models import Export


@pytest.fixture
def strateg(make_user):
    return make_user(Role.STRATEGIST, name="Maria Strand")


def _export(plan, **options) -> Export:
    record, _ = export_plan(plan, None, **options)
    db.session.commit()
    return record


def test_an_export_marked_from_a_page_older_than_the_newest_export_isassert_refused_as_changed(login, strateg, make_plan):
    plan = make_plan()
    first = _export(plan)
    client = login(strateg)
    action = f"/exporter/{first.id}/skickad"
    seen = form_seen(client, f"/planer/{plan.key}", action)
    _export(plan)  # someone exports again while the page is open
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"seen": seen}), "Planen har exporterats igen sedan du öppnade sidan",
             f"/planer/{plan.key}#exporter", before)
    assert client.post(action, data={"seen": form_seen(client, f"/planer/{plan.key}", action)}).status_code == 302
    assert db.session.get(Export, first.id).sent_by_id == strateg.id


def test_an_export_already_marked_is_not_marked_again(login, strateg, make_plan, make_user):
    plan = make_plan()
    record = _export(plan)
    client = login(strateg)
    action = f"/exporter/{record.id}/skickad"
    seen = form_seen(client, f"/planer/{plan.key}", action)
    other = make_user(Role.DIRECTOR, name="Peter Dahl")
    mark_sent(record, other)  # marked in another tab meanwhile
    db.session.commit()
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"seen": seen}), f"{record.file_name} är redan markerad som skickad",
             f"/planer/{plan.key}#exporter", before)
    assert db.session.get(Export, record.id).sent_by_id == other.id


def test_a_version_marked_sent_binds_to_its_exports_and_is_marked_once(login, strateg, make_plan, make_user):
    plan = make_plan()
    versions.approve(plan, make_user(Role.DIRECTOR))
    db.session.commit()
    first = _export(plan, version=1)
    client = login(strateg)
    page, action = f"/planer/{plan.key}/versioner", f"/planer/{plan.key}/versioner/1/skickad"
    seen = form_seen(client, page, action)
    _export(plan, version=1)
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"seen": seen, "export": first.id}),
             "Planen har exporterats igen sedan du öppnade sidan", page, before)
    assert versions.get_version(plan, 1).sent_at is None
    seen = form_seen(client, page, action)
    assert client.post(action, data={"seen": seen, "export": first.id}).status_code == 302
    assert versions.get_version(plan, 1).sent_export_id == first.id
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"seen": seen}),  # the same page again, from a second tab
             "Version 1 är redan markerad som skickad till Socialstyrelsen", page, before)
    assert versions.get_version(plan, 1).sent_export_id == first.id
