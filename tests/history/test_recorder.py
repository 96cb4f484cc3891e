"""Each kind of change gives exactly one readable entry, with old and new values and who made it."""

import hashlib
import stat
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.history.recorder import (GENESIS, DirectEntry, MissingActor, acting, entry_content, entry_hash, reset_actor,
                                      set_actor)
from tracker.plans import services as plans
from tracker.plans.models import DivisionStatus
from tracker.followup.models import Indicator
from tracker.vocabulary import Role, Status


def new_entries(since: int) -> list[HistoryEntry]:
    return db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.id > since).order_by(HistoryEntry.id)).all()


def last_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(HistoryEntry.id))) or 0


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"],
                               "statuses": {"PH": Status.IN_PROGRESS}}])


def test_a_status_change_over_the_web(plan, login, make_user, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH", name="Anna Berg")
    ds = plan.factors[0].actions[0].statuses[0]
    start = last_id()
    login(contact).post(f"/status/{ds.id}", data={"status": "done", "comment": "Klart", "version": ds.version_id},
                        headers=htmx_headers)
    [entry] = new_entries(start)
    assert entry.summary == ("ändrade status för ”Tillgänglighetskoordinatorer på varje BUP-enhet” (Psykiatri Halland) "
                             "från Pågående till Genomförd och kommentaren")
    assert entry.changes == [["Status", "Pågående", "Genomförd"], ["Kommentar", "–", "Klart"]]
    assert (entry.user_id, entry.user_name, entry.user_division, entry.source) == (
        contact.id, "Anna Berg", "Psykiatri Halland", "web")
    assert (entry.kind, entry.plan_id, entry.action_id, entry.division_id) == (
        "status", plan.id, ds.action_id, ds.division_id)


def test_a_conflict_or_invalid_save_writes_no_history(plan, login, make_user, htmx_headers):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    ds = plan.factors[0].actions[0].statuses[0]
    start = last_id()
    client = login(contact)
    client.post(f"/status/{ds.id}", data={"status": "klar", "version": ds.version_id}, headers=htmx_headers)
    client.post(f"/status/{ds.id}", data={"status": "done", "version": ds.version_id - 1}, headers=htmx_headers)
    assert new_entries(start) == []


def test_structure_changes_each_give_one_entry(plan, divisions):
    factor = plan.factors[0]
    action = factor.actions[0]
    start = last_id()
    with acting(None, "cli", "Testare"):
        action.owner = "Verksamhetschef BUP"
        action.due_date = date(2025, 12, 31)
        db.session.commit()
        action.statuses.append(DivisionStatus(division=divisions["NSV"]))
        db.session.commit()
        new = plans.add_action(factor, divisions=[divisions["HS"]], ref="FF01-A02", title="Mobil röntgen")
        db.session.commit()
        db.session.delete(new)
        db.session.commit()
    summaries = [e.summary for e in new_entries(start)]
    assert summaries == [
        "ändrade åtgärden ”Tillgänglighetskoordinatorer på varje BUP-enhet” (FF01-A01): klart senast, ansvarig",
        "lade till Närsjukvården som ansvarig förvaltning för ”Tillgänglighetskoordinatorer på varje BUP-enhet”",
        "lade till åtgärden ”Mobil röntgen” (FF01-A02) under ”Ramavtal med externa vårdgivare”",
        "lade till Hallands sjukhus som ansvarig förvaltning för ”Mobil röntgen”",
        "tog bort åtgärden ”Mobil röntgen” (FF01-A02)",
    ]
    first = new_entries(start)[0]
    assert sorted(first.changes) == [["Ansvarig", "Verksamhetschef, Hallands sjukhus", "Verksamhetschef BUP"],
                                     ["Klart senast", "2030-12-31", "2025-12-31"]]
    deleted = new_entries(start)[-1]
    assert deleted.snapshot["action"]["title"] == "Mobil röntgen"
    assert [s["division_id"] for s in deleted.snapshot["statuses"]] == [divisions["HS"].id]


def test_indicators_and_exports_are_in_the_history(plan, tmp_path):
    from tracker.versions.exports import mark_sent
    from tracker.xlsx.export import export_plan

    start = last_id()
    plan.indicators.append(Indicator(area="BUP", name="Andel genomförda första besök inom 30 dagar vid BUP",
                                     target=75, unit="procent"))
    db.session.commit()
    export, _ = export_plan(plan, None, tmp_path)
    db.session.commit()
    assert stat.S_IMODE((tmp_path / export.file_name).stat().st_mode) == 0o600  # it names the plan's contacts
    mark_sent(export, None)
    db.session.commit()
    summaries = [e.summary for e in new_entries(start)]
    assert summaries[0] == "lade till indikatorn ”Andel genomförda första besök inom 30 dagar vid BUP”"
    assert summaries[1].startswith("exporterade planen till Excel (tillganglighet-2023_utkast-v1_")
    assert summaries[2].startswith("markerade tillganglighet-2023_utkast-v1_") and summaries[2].endswith(
        "som skickad till Socialstyrelsen")


def test_a_change_without_an_actor_is_refused(plan):
    token = set_actor(None)
    try:
        plan.factors[0].actions[0].owner = "Någon"
        with pytest.raises(MissingActor):
            db.session.flush()
    finally:
        reset_actor(token)
        db.session.rollback()


def test_an_entry_added_to_the_session_is_refused_not_left_out_of_the_chain(plan):
    """Entries are linked into the chain as the transaction commits, by the recorder alone."""
    entry = HistoryEntry(plan_id=plan.id, kind="status", verb="updated", user_name="Någon", source="web",
                         summary="ändrade något", changes=[], previous_hash="0" * 64, hash="f" * 64)
    db.session.add(entry)
    try:
        with pytest.raises(DirectEntry):
            db.session.flush()
    finally:
        db.session.rollback()


def test_a_transaction_with_many_entries_links_them_in_order(plan, make_user):
    """One transaction that records several entries (a framgångsfaktor's åtgärder confirmed at once, say) links
    each to the one before it, in the order of their ids, and leaves the head at the last."""
    from tracker.history.models import HistoryHead
    from tracker.history.services import verify_chain

    before = last_id()
    factor = plan.factors[0]
    with acting(make_user(Role.STRATEGIST), "web"):
        for n in range(5):
            plans.add_action(factor, divisions=[], ref=f"FF001-A{n + 2:02d}", title=f"Åtgärd {n + 2} i samma transaktion")
        db.session.commit()
    entries = new_entries(before)
    assert len(entries) == 5
    assert [e.previous_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert db.session.get(HistoryHead, 1).hash == entries[-1].hash
    assert verify_chain().intact


def test_a_change_rolled_back_to_a_savepoint_leaves_no_entry(plan, make_user):
    """The savepoint's change never happened: its entry goes with it; the change before the savepoint keeps its own."""
    from tracker.history.services import verify_chain

    before = last_id()
    action = plan.factors[0].actions[0]
    with acting(make_user(Role.STRATEGIST), "web"):
        action.title = "Tillgänglighetskoordinatorer på varje BUP-enhet och vårdcentral"
        savepoint = db.session.begin_nested()
        action.owner = "Verksamhetschef, BUP"
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    [entry] = new_entries(before)
    assert [c[0] for c in entry.changes] == ["Rubrik"], entry.changes
    assert db.session.get(type(action), action.id).owner != "Verksamhetschef, BUP"
    assert verify_chain().intact


def test_a_released_savepoint_links_nothing_before_the_transaction_commits(plan, make_user):
    """Releasing a savepoint (as an export's free file name does) is not the commit: the chain's head is taken only
    when the whole transaction commits, so it is not held while the rest of the transaction runs."""
    from tracker.history.services import verify_chain

    before = last_id()
    action = plan.factors[0].actions[0]
    with acting(make_user(Role.STRATEGIST), "web"):
        with db.session.begin_nested():
            action.owner = "Verksamhetschef, BUP"
        assert last_id() == before  # nothing written yet, not even inside this transaction
        db.session.commit()
    [entry] = new_entries(before)
    assert "Verksamhetschef, BUP" in str(entry.changes)
    assert verify_chain().intact


def test_entries_cannot_be_changed_or_deleted_through_the_app(app):
    methods = {m for rule in app.url_map.iter_rules() if "historik" in rule.rule for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS", "POST"}
    posts = [rule.rule for rule in app.url_map.iter_rules() if "historik" in rule.rule and "POST" in rule.methods]
    assert posts == ["/historik/<int:entry_id>/aterstall"]  # restoring adds an entry; nothing edits one


def test_two_writers_at_once_keep_the_chain_intact(app, plan):
    """Both commit at the same moment: the second links to the first's entry instead of to the same head
    (SQLite has no row locks: the head is written before it is read)."""
    import threading

    from tracker.history.recorder import record
    from tracker.history.services import verify_chain

    db.session.commit()
    plan_id = plan.id
    ready, errors = threading.Barrier(2, timeout=5), []

    def write(name: str) -> None:
        try:
            with app.app_context(), acting(None, "cli", name):
                record(db.session, plan=db.session.get(type(plan), plan_id), kind="version", verb="sent",
                       summary=f"skrev samtidigt ({name})")
                ready.wait()
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(name,)) for name in ("A", "B")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).order_by(HistoryEntry.id)).all()
    assert sorted(summaries[-2:]) == ["skrev samtidigt (A)", "skrev samtidigt (B)"]
    report = verify_chain()
    assert report.intact, report


def test_entries_are_written_when_the_change_commits_and_dropped_with_a_rollback(plan):
    """So that the chain's head is held only while committing, never while waiting for other rows."""
    before = last_id()
    status = plan.factors[0].actions[0].statuses[0]
    status.comment = "Ändrad men inte sparad."
    db.session.flush()
    assert last_id() == before  # not yet
    db.session.rollback()
    status.comment = "Sparad."
    db.session.commit()
    assert [e.summary for e in new_entries(before)] == [
        "ändrade kommentaren för ”Tillgänglighetskoordinatorer på varje BUP-enhet” (Psykiatri Halland)"]


# --- The chain's key ---------------------------------------------------------------------


def _rebuild_unkeyed(changed_id: int, drop_key_ids_from: int | None = None) -> None:
    """What the exploit did with write access to the database: from the changed entry on, every hash computed again
    with plain SHA-256 (the key ids dropped from `drop_key_ids_from` on, if given), the head moved to the new end."""
    start = min(changed_id, drop_key_ids_from or changed_id)
    previous = GENESIS
    for entry in db.session.scalars(sa.select(HistoryEntry).order_by(HistoryEntry.id)).all():
        if entry.id >= start:
            if drop_key_ids_from is not None and entry.id >= drop_key_ids_from:
                entry.key_id = None
            entry.previous_hash = previous
            entry.hash = hashlib.sha256(entry_content(entry, previous)).hexdigest()
        previous = entry.hash
    db.session.execute(sa.update(HistoryHead).where(HistoryHead.id == 1).values(hash=previous))
    db.session.commit()


@pytest.mark.parametrize("dropped", ["none", "from the change", "everywhere"])
def test_a_chain_rebuilt_without_the_key_is_broken(app, plan, make_user, dropped):
    """The security review's exploit: an approval re-attributed to someone else, the chain rebuilt unkeyed."""
    from tracker.history.recorder import record
    from tracker.history.services import verify_chain
    from tracker.versions.services import approve

    director = make_user(Role.DIRECTOR, name="Peter Dahl")
    other = make_user(Role.STRATEGIST, name="Maria Strand")
    with acting(director, "web"):
        approve(plan, director, "RS 2023-118")
        db.session.commit()
    record(db.session, plan=plan, kind="version", verb="sent", summary="skickade version 1 till Socialstyrelsen")
    db.session.commit()
    assert verify_chain().intact  # written by the app: signed with the key
    approval = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "approved"))
    assert approval.user_name == "Peter Dahl" and approval.key_id is not None
    db.session.execute(sa.update(HistoryEntry).where(HistoryEntry.id == approval.id)
                       .values(user_id=other.id, user_name=other.name))
    first_id = db.session.scalar(sa.select(sa.func.min(HistoryEntry.id)))
    _rebuild_unkeyed(approval.id, {"none": None, "from the change": approval.id, "everywhere": first_id}[dropped])

    report = verify_chain()
    assert not report.intact
    if dropped == "everywhere":  # a chain of unkeyed entries only: the migration signs one after them
        assert (report.broken_at, report.unkeyed, report.head_matches) == (None, True, True)
    else:
        assert report.broken_at == approval.id
    result = app.test_cli_runner().invoke(args=["history", "verify"])
    assert result.exit_code == 1 and "Historiken är bruten" in result.output


def test_entries_name_their_key_and_verify_across_a_rotation(app, plan, monkeypatch):
    from tracker.history.recorder import history_keys, key_id, record
    from tracker.history.services import verify_chain

    old, new = history_keys()[0], "en-ny-nyckel-for-historiken-efter-bytet-0123456789"
    before = last_id()
    assert {e.key_id for e in new_entries(0)} == {key_id(old)}
    monkeypatch.setitem(app.config, "HISTORY_KEYS", (new, old))  # the new key first, the old one kept after it
    record(db.session, plan=plan, kind="version", verb="sent", summary="skickade planen efter nyckelbytet")
    db.session.commit()
    assert [e.key_id for e in new_entries(before)] == [key_id(new)] and key_id(new) != key_id(old)
    assert verify_chain().intact

    # Whoever kept the retired key cannot sign with it: an entry signed with it after the new key's is refused.
    monkeypatch.setitem(app.config, "HISTORY_KEYS", (old, new))
    record(db.session, plan=plan, kind="version", verb="sent", summary="skickade planen med den gamla nyckeln")
    db.session.commit()
    monkeypatch.setitem(app.config, "HISTORY_KEYS", (new, old))
    assert verify_chain().broken_at == new_entries(before)[-1].id
    db.session.execute(sa.delete(HistoryEntry).where(HistoryEntry.id == new_entries(before)[-1].id))
    db.session.execute(sa.update(HistoryHead).values(hash=new_entries(before)[-1].hash))
    db.session.commit()
    assert verify_chain().intact

    monkeypatch.setitem(app.config, "HISTORY_KEYS", (new,))  # the old key lost
    report = verify_chain()
    assert (report.intact, report.broken_at, report.missing_key) == (False, new_entries(0)[0].id, key_id(old))
    result = app.test_cli_runner().invoke(args=["history", "verify"])
    assert result.exit_code == 1
    assert f"signerad med nyckeln {key_id(old)}, som inte finns bland historikens nycklar" in result.output


def test_entries_from_before_the_keys_verify_as_then_and_a_signed_entry_follows_them(app):
    """The migration to signed entries, on a history written before it: the old entries keep their plain SHA-256
    hashes, one signed entry is linked after them, and the entries from then on are signed."""
    import flask_migrate

    from tests.conftest import HISTORY_KEY
    from tracker.history.recorder import key_id, record
    from tracker.history.services import verify_chain

    db.session.commit()
    db.session.close()
    flask_migrate.downgrade(revision="4d29cfe378c7")
    try:
        # The columns of that revision: key_id and scope came after it.
        columns = [c.key for c in HistoryEntry.__table__.columns if c.key not in ("id", "key_id", "scope")]
        previous, hashes = GENESIS, []
        with db.engine.begin() as connection:
            for n in (1, 2, 3):
                entry = HistoryEntry(
                    created_at=datetime(2024, 5, n, 8, 30, tzinfo=UTC), plan_id=None, kind="version",
                    verb="approved", object_id=None, action_id=None, division_id=None, report_id=None, user_id=None,
                    user_name="Peter Dahl", user_division=None, source="web", summary=f"fastställde version {n}",
                    changes=[], snapshot=None, restores_id=None, key_id=None, previous_hash=previous)
                entry.hash = previous = entry_hash(entry, previous)
                hashes.append(entry.hash)
                connection.execute(sa.insert(HistoryEntry.__table__), {c: getattr(entry, c) for c in columns})
            connection.execute(sa.insert(HistoryHead.__table__).values(id=1, hash=previous))
    finally:
        flask_migrate.upgrade()

    entries = new_entries(0)
    assert [e.hash for e in entries[:3]] == hashes and [e.key_id for e in entries[:3]] == [None] * 3
    assert (entries[3].kind, entries[3].previous_hash, entries[3].key_id) == ("chain", hashes[-1], key_id(HISTORY_KEY))
    assert verify_chain().intact
    record(db.session, plan=SimpleNamespace(id=None), kind="version", verb="sent", summary="skickade version 3")
    db.session.commit()
    assert new_entries(entries[3].id)[0].key_id == key_id(HISTORY_KEY)
    assert verify_chain().intact

    _rebuild_unkeyed(entries[3].id, drop_key_ids_from=entries[3].id)  # the signed entries made unkeyed
    assert verify_chain().unkeyed


def test_the_key_adds_no_statement_to_a_save(plan, count_queries):
    """The head locked and read, the entries inserted at once, the head moved: however many entries, with the key."""
    status = plan.factors[0].actions[0].statuses[0]
    status.comment, status.status = "Koordinatorer anställda på två av tre enheter.", Status.DONE
    plan.title = "Handlingsplan för ökad tillgänglighet 2023 (reviderad)"
    before = last_id()
    with count_queries() as statements:
        db.session.commit()
    assert len(new_entries(before)) == 2
    assert len([s for s in statements if "history_" in s]) == 3


def test_the_hash_of_a_signed_entry_is_pinned():
    """Pinned, as the unkeyed hashes are (tests/reports/test_history.py): the entries signed now must verify later."""
    from tracker.history.recorder import key_id

    key = "en-fast-nyckel-for-att-lasa-fast-hashen-0123456789"
    entry = HistoryEntry(created_at=datetime(2024, 9, 30, 7, 15, tzinfo=UTC), plan_id=7, kind="version",
                         verb="approved", object_id=None, action_id=None, division_id=None, report_id=None, user_id=5,
                         user_name="Peter Dahl", user_division=None, source="web", summary="fastställde version 1",
                         changes=[], snapshot=None, restores_id=None, key_id=key_id(key))
    assert entry.key_id == "bbf6d15aeca1b8a4"
    assert entry_hash(entry, GENESIS, key) == "d4339b67ae439465d7a58422810c77d0007b38723cdf7a2e502309a5952ff5bd"
