"""/healthz for the load balancer: no login, no session; 200 when the database answers, 503 when not."""

import sqlalchemy as sa
from flask import Blueprint, current_app

from tracker.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        db.session.rollback()
        return {"status": "unavailable", "database": "error"}, 503, {"Cache-Control": "no-store"}
    return {"status": "ok", "database": "ok"}, 200, {"Cache-Control": "no-store"}
