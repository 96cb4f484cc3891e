"""Each kind of change gives exactly one readable entry, with old and new values and who made it."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import DirectEntry, MissingActor, acting, reset_actor, set_actor
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
    from tracker.xlsx.export import export_plan, mark_sent

    start = last_id()
    plan.indicators.append(Indicator(area="BUP", name="Andel genomförda första besök inom 30 dagar vid BUP",
                                     target=75, unit="procent"))
    db.session.commit()
    export, _ = export_plan(plan, None, tmp_path)
    db.session.commit()
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
