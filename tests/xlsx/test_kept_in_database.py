"""Exports and previewed uploads live in the database; the migration moves in what an install kept in folders."""

import hashlib
import json

import flask_migrate
import sqlalchemy as sa

from tracker.extensions import db
from tracker.types import utcnow
from tracker.vocabulary import Role
from tracker.xlsx import uploads
from tracker.versions.models import Export
from tracker.xlsx.models import StagedUpload

BEFORE = "cc905823a135"  # the revision before exports and staged uploads moved into the database


def test_the_migration_moves_the_folders_into_the_database(make_plan, tmp_path, monkeypatch):
    plan = make_plan()
    plan_id = plan.id
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision=BEFORE)

    exports, imports = tmp_path / "exports", tmp_path / "imports"
    exports.mkdir()
    kept, changed = b"PK arbetsboken", b"PK ersatt efter exporten"
    (exports / "kept.xlsx").write_bytes(kept)
    (exports / "changed.xlsx").write_bytes(changed)
    export = sa.table("export", *(sa.column(c) for c in (
        "plan_id", "version_label", "file_name", "sha256", "size", "created_at")))
    with db.engine.begin() as connection:
        for name, data in (("kept.xlsx", kept), ("changed.xlsx", kept), ("gone.xlsx", kept)):
            connection.execute(export.insert().values(plan_id=plan_id, version_label="Utkast", file_name=name,
                                                      sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                                      created_at=utcnow().replace(tzinfo=None)))
    monkeypatch.setenv("TRACKER_EXPORT_DIR", str(exports))
    monkeypatch.setenv("TRACKER_IMPORT_DIR", str(imports))  # a folder that does not exist
    flask_migrate.upgrade()

    contents = dict(db.session.execute(sa.select(Export.file_name, Export.content)).all())
    # A file that no longer matches its checksum is not taken for the export it was.
    assert contents == {"kept.xlsx": kept, "changed.xlsx": None, "gone.xlsx": None}
    assert (exports / "kept.xlsx").read_bytes() == kept  # the export files stay


def test_the_migration_moves_staged_uploads_of_known_users(make_plan, make_user, tmp_path, monkeypatch):
    plan, user = make_plan(), make_user(Role.STRATEGIST)
    user_id = user.id
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision=BEFORE)
    token = "u" * 32
    (tmp_path / f"{token}.xlsx").write_bytes(b"PK uppladdad")
    (tmp_path / f"{token}.json").write_text(json.dumps({
        "user_id": user_id, "plan_key": plan.key, "file_name": "bilaga.xlsx", "uploaded_at": utcnow().isoformat()}))
    (tmp_path / f"{'v' * 32}.json").write_text(json.dumps({"user_id": 999999, "plan_key": plan.key}))
    (tmp_path / f"{'v' * 32}.xlsx").write_bytes(b"PK av en borttagen anvandare")
    monkeypatch.setenv("TRACKER_EXPORT_DIR", str(tmp_path / "finns-inte"))
    monkeypatch.setenv("TRACKER_IMPORT_DIR", str(tmp_path))
    flask_migrate.upgrade()

    upload = uploads.get_upload(token)
    assert (upload.user_id, upload.plan_key, upload.file_name, upload.content) == (
        user_id, plan.key, "bilaga.xlsx", b"PK uppladdad")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StagedUpload)) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_upload_older_than_a_day_is_forgotten(make_user, monkeypatch):
    user = make_user(Role.STRATEGIST)
    old = uploads.stage_upload(user, "plan-2020", "gammal.xlsx", b"PK")
    old.uploaded_at = utcnow() - uploads.LIFETIME * 2
    token = old.token
    db.session.commit()
    assert uploads.get_upload(token) is None
    uploads.stage_upload(user, "plan-2020", "ny.xlsx", b"PK")
    db.session.commit()
    assert [u.file_name for u in db.session.scalars(sa.select(StagedUpload))] == ["ny.xlsx"]
