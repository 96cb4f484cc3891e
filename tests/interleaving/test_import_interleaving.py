"""An import writes only what the file changes: another person's save at the import's racy point (the confirm's
preview has compared the plan, apply has not written yet) is kept when the file does not change that row, and
refuses the import, naming the row and writing nothing, when it does. Web confirm and `tracker import` alike.

The other person is a real request through a client of its own, in a thread of its own (so with a database
session of its own, as a server's other thread). The import's request starts from an empty session, as in a
server: the objects the test set up must not stand in for the rows the import loads."""

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.xlsx.helpers import edit, preview_form, upload
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.models import RoundConfirmation
from tracker.history.models import HistoryEntry
from tracker.plans.models import Action, DivisionStatus
from tracker.users.models import User
from tracker.vocabulary import Role, Status
from tracker.xlsx import apply as apply_module
from tracker.xlsx.export import export_plan

NEW_DESCRIPTION = "Gemensamma väntelistor införs i hela regionen."
CHECK, AFTER_CHECK = "saved_since_preview", "_divisions"  # apply's first step, and its step after the check


@pytest.fixture
def people(make_user):
    return {"strateg": make_user(Role.STRATEGIST, name="Maria Strand"),
            "editor": make_user(Role.STRATEGIST, name="Erik Redaktör"),
            "contact": make_user(Role.DIVISION_CONTACT, division="HS", name="Karin Kontakt")}


def add_action_row(wb, title: str) -> None:
    """A new åtgärd typed under the last row of Handlingsplan, a copy of the first without its ID."""
    sheet = wb["Handlingsplan"]
    row = sheet.max_row + 1
    for column in range(1, 15):
        sheet.cell(row, column, sheet.cell(6, column).value)
    sheet.cell(row, 1).value = None
    sheet.cell(row, 4, title)
    sheet.cell(row, 14).value = None


def exported_plan(make_plan, tmp_path, *, actions: int = 3, status_sheet: dict | None = None):
    """A plan of `actions` åtgärder (Hallands sjukhus and Närsjukvården each) and its export, edited: the first
    åtgärd's description changed and a new åtgärd added; `status_sheet` {cell: value} on Status per förvaltning."""
    plan = make_plan(actions=[{}] * actions)
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def change(wb):
        wb["Handlingsplan"]["E6"] = NEW_DESCRIPTION
        add_action_row(wb, "Digital väntelista för patienterna")
        for cell, value in (status_sheet or {}).items():
            wb["Status per förvaltning"][cell] = value

    return plan.key, edit(data, change)


def status_of(key: str, ref: str, short_name: str = "HS") -> DivisionStatus:
    return db.session.scalar(
        sa.select(DivisionStatus).join(Action).join(DivisionStatus.division)
        .where(Action.ref == ref, DivisionStatus.division.has(short_name=short_name))
        .execution_options(populate_existing=True))


def action(ref: str) -> Action | None:
    return db.session.scalar(sa.select(Action).where(Action.ref == ref).execution_options(populate_existing=True))


def imported(key: str) -> bool:
    """Whether anything of the file is in the plan: the new description, the new åtgärd."""
    db.session.expire_all()
    new = db.session.scalar(sa.select(Action).where(Action.title == "Digital väntelista för patienterna"))
    return action("FF01-A01").description == NEW_DESCRIPTION or new is not None


def client_of(app, user: User):
    client = app.test_client()
    factories.sign_in(client, user)
    return client


def status_save(app, user: User, status: DivisionStatus, value: str, comment: str):
    """The contact's save through the status form, with the version the page showed."""
    client, status_id, version = client_of(app, user), status.id, status.version_id
    return lambda: client.post(f"/status/{status_id}", data={"status": value, "comment": comment,
                                                             "version": version}).status_code


def editor_save(app, user: User, saved: Action, owner: str):
    """The plan editor's save of an åtgärd: its fields as the form shows them, the owner changed."""
    client = client_of(app, user)
    data = {"title": saved.title, "owner": owner, "horizon": saved.horizon.value, "version": saved.version_id,
            "start_date": saved.start_date.isoformat(), "due_date": saved.due_date.isoformat(),
            "description": saved.description or "", "expected_result": saved.expected_result or "",
            "divisions": [str(s.division_id) for s in saved.statuses]}
    action_id = saved.id
    return lambda: client.post(f"/atgarder/{action_id}", data=data).status_code


def second_writer_at(monkeypatch, step: str, write) -> list:
    """Runs `write` (another person's request) when the import reaches apply's `step`, and waits for its answer,
    which the returned list then holds."""
    original = getattr(apply_module, step)
    answers = []

    def racing(*args, **kwargs):
        if not answers:
            thread = threading.Thread(target=lambda: answers.append(write()))
            thread.start()
            thread.join(timeout=60)
        return original(*args, **kwargs)

    monkeypatch.setattr(apply_module, step, racing)
    return answers


def web_import(client, key: str, data: bytes, before_confirm=None):
    """Upload and preview, then confirm the preview as shown; each request starts from an empty session."""
    token, fingerprint = preview_form(upload(client, data, plan=key).get_data(as_text=True))
    if before_confirm is not None:
        before_confirm()
    db.session.close()
    return client.post(f"/import/{token}", data={"fingerprint": fingerprint})


def cli_import(app, data: bytes, tmp_path, key: str):
    path = tmp_path / "bilaga-andrad.xlsx"
    path.write_bytes(data)
    db.session.close()
    return app.test_cli_runner().invoke(args=["import", str(path), "--plan", key])


def status_history(status: DivisionStatus) -> list[tuple[str, str]]:
    return [(e.user_name, e.source) for e in db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.kind == "status", HistoryEntry.object_id == status.id)
        .order_by(HistoryEntry.id))]


# --- A save on a row the file does not change is kept, and the import is stored ------------------------------


@pytest.mark.parametrize("path", ["web", "cli"])
def test_a_status_saved_on_a_row_the_file_does_not_change_is_kept(app, client, login, people, make_plan, tmp_path,
                                                                  monkeypatch, path):
    key, data = exported_plan(make_plan, tmp_path)
    other = status_of(key, "FF01-A02")
    answers = second_writer_at(monkeypatch, CHECK, status_save(app, people["contact"], other, "Pågående",
                                                                 "Sparat under importen."))
    if path == "web":
        assert web_import(login(people["strateg"]), key, data).status_code == 302
    else:
        result = cli_import(app, data, tmp_path, key)
        assert result.exit_code == 0 and "Importen är sparad." in result.output, result.output
    assert answers == [302]
    kept = status_of(key, "FF01-A02")
    assert (kept.status, kept.comment, kept.updated_by_id) == (Status.IN_PROGRESS, "Sparat under importen.",
                                                               people["contact"].id)
    assert status_history(kept) == [("Testdata", "cli"), ("Karin Kontakt", "web")]  # nothing by the import
    assert action("FF01-A01").description == NEW_DESCRIPTION and imported(key)


def test_an_editor_save_on_an_action_the_file_does_not_change_is_kept(app, client, login, people, make_plan,
                                                                      tmp_path, monkeypatch):
    key, data = exported_plan(make_plan, tmp_path)
    answers = second_writer_at(monkeypatch, AFTER_CHECK, editor_save(app, people["editor"], action("FF01-A02"),
                                                                      "Regiondirektör"))
    assert web_import(login(people["strateg"]), key, data).status_code == 302
    assert answers == [302]
    assert action("FF01-A02").owner == "Regiondirektör"
    assert action("FF01-A01").description == NEW_DESCRIPTION


def test_rows_confirmed_oforandrad_at_once_are_kept(app, client, login, people, make_plan, tmp_path, monkeypatch):
    key, data = exported_plan(make_plan, tmp_path)
    plan = action("FF01-A01").factor.plan
    round_ = followup.open_round(plan, people["strateg"], title="Delår", deadline="2030-09-15",
                                 today=date(2030, 9, 1))
    db.session.commit()
    contact_client, round_id, factor_id = client_of(app, people["contact"]), round_.id, plan.factors[0].id
    answers = second_writer_at(monkeypatch, AFTER_CHECK, lambda: contact_client.post(
        f"/omgangar/{round_id}/bekrafta", data={"scope": "factor", "factor_id": factor_id}).status_code)
    assert web_import(login(people["strateg"]), key, data).status_code == 302
    assert answers == [302]
    confirmed = db.session.scalars(sa.select(RoundConfirmation.status_id).where(RoundConfirmation.round_id == round_id))
    assert set(confirmed) == {status_of(key, f"FF01-A0{n}").id for n in (1, 2, 3)}
    assert imported(key)


def test_a_change_elsewhere_between_preview_and_confirm_neither_refuses_nor_is_written_over(
        app, client, login, people, make_plan, tmp_path):
    key, data = exported_plan(make_plan, tmp_path)
    saved = editor_save(app, people["editor"], action("FF01-A03"), "Regiondirektör")
    answer = []
    strateg = login(people["strateg"])
    response = web_import(strateg, key, data, before_confirm=lambda: answer.append(saved()))
    assert answer == [302] and response.status_code == 302
    assert ("1 rad som någon sparade efter förhandsgranskningen behölls som de sparades, inte som i filen."
            in strateg.get(response.headers["Location"]).get_data(as_text=True))
    assert action("FF01-A03").owner == "Regiondirektör"  # the file has the owner before: not the file's change
    assert action("FF01-A01").description == NEW_DESCRIPTION


# --- A save on a row the file changes refuses the import, naming the row; nothing is written -------------------


@pytest.mark.parametrize("step", [CHECK, AFTER_CHECK])
@pytest.mark.parametrize("path", ["web", "cli"])
def test_a_status_saved_on_a_row_the_file_changes_refuses_the_import(app, client, login, people, make_plan,
                                                                     tmp_path, monkeypatch, path, step):
    key, data = exported_plan(make_plan, tmp_path, status_sheet={"D2": "Genomförd"})
    answers = second_writer_at(monkeypatch, step, status_save(app, people["contact"], status_of(key, "FF01-A01"),
                                                               "Pågående", "Kontaktens egen rad."))
    named = ("Någon har sparat en rad som filen ändrar sedan förhandsgranskningen, och inget från filen har "
             "sparats: FF01-A01 ”Gemensamma väntelistor inom lungsjukvård och ögonsjukvård”, Hallands sjukhus: "
             "Karin Kontakt sparade status ”Pågående” och kommentaren ”Kontaktens egen rad.” ")
    if path == "web":
        response = web_import(login(people["strateg"]), key, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert named in page and 'name="fingerprint"' in page  # the preview again, as it is now
    else:
        result = cli_import(app, data, tmp_path, key)
        assert result.exit_code == 3 and named in result.output, result.output
    assert answers == [302]
    saved = status_of(key, "FF01-A01")
    assert (saved.status, saved.comment) == (Status.IN_PROGRESS, "Kontaktens egen rad.")
    assert not imported(key)


@pytest.mark.parametrize("path", ["web", "cli"])
def test_an_editor_save_on_an_action_the_file_changes_refuses_the_import(app, client, login, people, make_plan,
                                                                         tmp_path, monkeypatch, path):
    key, data = exported_plan(make_plan, tmp_path)
    answers = second_writer_at(monkeypatch, AFTER_CHECK, editor_save(app, people["editor"], action("FF01-A01"),
                                                                      "Regiondirektör"))
    named = "FF01-A01 ”Gemensamma väntelistor inom lungsjukvård och ögonsjukvård”: Erik Redaktör "
    if path == "web":
        response = web_import(login(people["strateg"]), key, data)
        assert response.status_code == 409 and named in response.get_data(as_text=True)
    else:
        result = cli_import(app, data, tmp_path, key)
        assert result.exit_code == 3 and named in result.output, result.output
    assert answers == [302]
    assert action("FF01-A01").owner == "Regiondirektör"
    assert not imported(key)


# --- A large import among many saves -------------------------------------------------------------------------


def test_a_large_import_is_confirmed_among_status_saves(app, client, login, people, make_plan, tmp_path,
                                                        monkeypatch):
    """200 åtgärder with new descriptions and 20 new ones, while a contact saves statuses of rows the file does
    not change, one after another, from the confirm's preview until after its answer: no 409, no save lost."""
    plan = make_plan(actions=[{}] * 200)
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def change(wb):
        for row in range(6, 206):
            wb["Handlingsplan"].cell(row, 5, f"Ny beskrivning {row}")
        for n in range(20):
            add_action_row(wb, f"Ny åtgärd {n}")

    data = edit(data, change)
    statuses = [s for a in plan.factors[0].actions for s in a.statuses if s.division.short_name == "HS"]
    contact_client = client_of(app, people["contact"])
    targets = [(s.id, s.version_id) for s in statuses]
    done, stop, accepted, refused = threading.Event(), threading.Event(), {}, []

    def keep_saving():
        for n, (status_id, version) in enumerate(targets):
            if stop.is_set():
                break
            comment = f"Sparning {n} under importen."
            response = contact_client.post(f"/status/{status_id}", data={"status": "Pågående", "comment": comment,
                                                                        "version": version})
            if response.status_code == 302:
                accepted[status_id] = comment
            else:
                refused.append(response.status_code)
        done.set()

    original = apply_module.saved_since_preview
    saver = threading.Thread(target=keep_saving)

    def racing(*args, **kwargs):
        if not saver.is_alive() and not done.is_set():
            saver.start()
            time.sleep(0.3)  # a few saves land before the check, the rest while apply writes
        return original(*args, **kwargs)

    monkeypatch.setattr(apply_module, "saved_since_preview", racing)
    response = web_import(login(people["strateg"]), plan.key, data)
    stop.set()
    saver.join(timeout=120)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert len(accepted) >= 3 and refused == []
    db.session.expire_all()
    stored = dict(db.session.execute(sa.select(DivisionStatus.id, DivisionStatus.comment)
                                     .where(DivisionStatus.id.in_(list(accepted)))).all())
    assert stored == accepted
    assert (action("FF01-A01").description, action("FF01-A200").description) == ("Ny beskrivning 6",
                                                                                 "Ny beskrivning 205")
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 220
