"""The security log, for the Administratör: read-only, filtered, newest first."""

from flask import Blueprint, request, url_for

from tracker.access import require_admin
from tracker.history.recorder import SOURCES
from tracker.security import log
from tracker.pages import date_range_args, render_page_or_fragment
from tracker.parsing import record_id

bp = Blueprint("security", __name__, url_prefix="/admin")
bp.before_request(require_admin)


@bp.get("/sakerhetslogg")
def security_log():
    notices = []
    kind = request.args.get("typ") or None
    date_from, date_to = date_range_args(notices)
    filters = log.EventFilter(
        kind=kind if kind in log.KINDS else None,
        user_id=request.args.get("person", type=record_id),
        text=request.args.get("sok", "").strip()[:100] or None,
        date_from=date_from,
        date_to=date_to,
    )
    page = request.args.get("sida", 1, type=record_id)
    events, has_more = log.list_events(filters, page)
    args = {k: v for k, v in request.args.items() if k != "sida"}
    context = dict(events=events, filters=filters, kinds=log.KINDS, sources=SOURCES, people=log.people_in_log(), notices=notices,
                   page=page, more_url=url_for("security.security_log", **args, sida=page + 1) if has_more else None)
    return render_page_or_fragment("security/log.html", "security/_events.html", **context)
