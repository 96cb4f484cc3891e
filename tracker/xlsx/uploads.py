"""Uploaded workbooks between their preview and the confirmation, kept in the database (any server process
confirms what another previewed)."""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.types import utcnow
from tracker.users.models import User
from tracker.xlsx.models import StagedUpload

LIFETIME = timedelta(days=1)


def stage_upload(user: User, plan_key: str | None, file_name: str, data: bytes) -> StagedUpload:
    """Keep a previewed workbook for its uploader to confirm; forgets what nobody confirmed in time."""
    forget_old_uploads()
    upload = StagedUpload(token=secrets.token_urlsafe(24), user_id=user.id, plan_key=plan_key,
                          file_name=file_name[:300], content=data, uploaded_at=utcnow())
    db.session.add(upload)
    db.session.flush()
    return upload


def get_upload(token: str) -> StagedUpload | None:
    """The staged upload, unless it is older than a day."""
    upload = db.session.get(StagedUpload, token)
    if upload is None or upload.uploaded_at < utcnow() - LIFETIME:
        return None
    return upload


def discard_upload(upload: StagedUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


def forget_old_uploads() -> int:
    """A preview nobody confirmed within a day is not kept: the file may hold what it should not."""
    result = db.session.execute(sa.delete(StagedUpload).where(StagedUpload.uploaded_at < utcnow() - LIFETIME))
    return result.rowcount
