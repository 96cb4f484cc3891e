"""The plan's life cycle on the web: its versions, fastställande, revision, sent versions, comparison."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from tracker.clock import today
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.access import require_director, require_editor
from tracker.pages import posted_seen
from tracker.parsing import optional_id, record_id
from tracker.plans import services as plans
from tracker.versions import exports as exports_service
from tracker.versions import services as versions
from tracker.versions.models import Export
from tracker.plans.views import load_plan
from tracker.vocabulary import PlanState

bp = Blueprint("versions", __name__)


@bp.before_request
@login_required
def _require_login():
    """Everyone may read the versions (docs/domain.md, Roles: Läsare reads everything)."""


@bp.app_context_processor
def _plan_exports():
    """The plan page lists the plan's exports (templates/xlsx/_exports.html): they are kept here, above plans."""
    return {"plan_exports": _PlanExports}


class _PlanExports:
    listed = staticmethod(exports_service.list_exports)
    seen = staticmethod(exports_service.exports_seen)


def _versions_page(plan, errors=None, status=200, values=None):
    sent, comparison = versions.changed_since_sent(plan)
    exports = db.session.scalars(
        db.select(Export).where(Export.plan_id == plan.id, Export.version_number.is_not(None))
        .order_by(Export.created_at.desc())
    ).all()
    listed = versions.list_versions(plan)
    # What each decision's form carries of the page (tracker/seen.py): the plan it fastställer, the files it lists.
    approval_seen = versions.approval_digest(plan) if plan.state is PlanState.DRAFT else None
    exports_seen = {v.number: exports_service.exports_seen(plan, v.number) for v in listed if v.sent_at is None}
    return render_template("versions/versions.html", plan=plan, versions=listed, sent=sent,
                           comparison=comparison, exports=exports, errors=errors or {}, values=values or {},
                           approval_seen=approval_seen, exports_seen=exports_seen), status


@bp.get("/planer/<key>/versioner")
def plan_versions(key: str):
    return _versions_page(load_plan(key))


@bp.post("/planer/<key>/faststall")
def approve(key: str):
    plan = load_plan(key)
    require_director("fastställa planen")
    versions.check_approval_seen(plan, posted_seen())
    if not request.form.get("confirm"):
        return _versions_page(plan, {"confirm": "Kryssa i rutan för att bekräfta att du fastställer planen."}, 400,
                              values=request.form)
    try:
        version = versions.approve(plan, current_user, request.form.get("decision"))
    except ValidationError as error:
        db.session.rollback()
        return _versions_page(plan, error.errors, 400, values=request.form)
    except StaleDataError:  # the plan deleted meanwhile (where the database holds no row lock, as SQLite)
        db.session.rollback()
        abort(409, "Planen har tagits bort av någon annan.")
    db.session.commit()
    flash(f"Version {version.number} är fastställd.", "info")
    return redirect(url_for("versions.plan_versions", key=plan.key))


@bp.post("/planer/<key>/revidering")
def start_revision(key: str):
    plan = load_plan(key)
    require_editor("revidera planen")
    try:
        versions.start_revision(plan)
    except ValidationError as error:  # a draft already: started by someone else since the page was loaded
        db.session.rollback()
        abort(409, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Revideringen är påbörjad: utkast till version {plan.version_number}. Den fastställda versionen "
          "finns kvar oförändrad.", "info")
    return redirect(url_for("versions.plan_versions", key=plan.key))


def _load_version(plan, number: int):
    version = versions.get_version(plan, number)
    if version is None:
        abort(404, f"Planen har ingen fastställd version {number}.")
    return version


@bp.post("/planer/<key>/versioner/<int:number>/skickad")
def mark_sent(key: str, number: int):
    plan = load_plan(key)
    require_editor("markera versioner")
    version = _load_version(plan, number)
    exports_service.check_exports_seen(plan, posted_seen(), version.number)
    export = None
    if request.form.get("export"):
        export = db.session.get(Export, request.form.get("export", type=record_id) or 0)
        if export is None:
            abort(400, "Välj en exporterad fil i listan, eller ingen.")
    try:
        versions.mark_sent(version, current_user, export)
    except ValidationError as error:
        db.session.rollback()
        abort(400, next(iter(error.errors.values())))
    db.session.commit()
    flash(f"Version {number} är markerad som skickad till Socialstyrelsen.", "info")
    return redirect(url_for("versions.plan_versions", key=plan.key))


@bp.get("/planer/<key>/versioner/<int:number>")
def show_version(key: str, number: int):
    plan = load_plan(key)
    version = _load_version(plan, number)
    view = versions.snapshot_view(version.snapshot, today())
    return render_template("versions/version.html", plan=plan, version=version, view=view,
                           plan_filter=plans.PlanFilter(), notices=[], viewer=versions.READ_ONLY)


@bp.get("/planer/<key>/jamfor")
def compare(key: str):
    plan = load_plan(key)
    choices = versions.list_versions(plan)

    def side(value: str | None, default: str):
        value = value or default
        if value == "nu":
            state = (f"fastställd som version {plan.version_number}" if plan.state is PlanState.APPROVED
                     else f"utkast till version {plan.version_number}")
            return "nu", versions.current_snapshot(plan), f"planen nu ({state})"
        if (number := optional_id(value)) is None:
            abort(400, "Välj en version att jämföra.")
        version = _load_version(plan, number)
        return value, version.snapshot, f"version {version.number}"

    default_before = str(choices[0].number) if choices else "nu"
    before_key, before, before_label = side(request.args.get("fran"), default_before)
    after_key, after, after_label = side(request.args.get("till"), "nu")
    comparison = versions.compare(before, after, before_label, after_label)
    return render_template("versions/compare.html", plan=plan, versions=choices, comparison=comparison,
                           before_key=before_key, after_key=after_key)
