"""The strategy on the web: /strategi (the strategy and its delmål), a delmål's page with its golden thread, the
editing of texts, sections, bedömningar and target groups (strateg and direktör), the history and the follow-up
in Word."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from tracker.access import require_editor
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.goalchain import services
from tracker.goalchain.docx import follow_up_docx
from tracker.locking import Conflict, posted_version
from tracker.strategy import services as strategy
from tracker.strategy.models import Assessment, StrategySection, TargetGroup

bp = Blueprint("goalchain", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONFLICT = ("Någon annan har ändrat detta medan du hade sidan öppen; ditt ändrade är inte sparat. "
            "Sidan visar nu det som är sparat.")


@bp.before_request
@login_required
def _require_login():
    """Everyone logged in reads the strategy; the writes check the role."""


def _strategy_or_404():
    try:
        return strategy.current_strategy()
    except strategy.NoStrategy:
        abort(404, "Ingen strategi är inlagd ännu.")


def _goal_or_404(goal_id: int):
    goal = services.load_goal(goal_id)
    if goal is None:
        abort(404, "Delmålet finns inte.")
    return goal


def _row_or_404(model, row_id: int, what: str):
    row = db.session.get(model, row_id)
    if row is None:
        abort(404, f"{what} finns inte längre.")
    return row


@bp.get("/strategi")
def index():
    current = _strategy_or_404()
    return render_template("goalchain/index.html", strategy=current, counts=services.goal_counts(current))


def _goal_page(goal, errors=None, values=None, status=200):
    page = services.goal_page(goal, strategy.target_groups())
    return render_template("goalchain/goal.html", page=page, goal=goal, errors=errors or {}, values=values or {},
                           groups=strategy.target_groups()), status


@bp.get("/strategi/delmal/<int:goal_id>")
def goal(goal_id: int):
    return _goal_page(_goal_or_404(goal_id))


def _save(goal, write, form_name: str):
    """Run a write of the delmål's page: commit and go back to it, or show the form's errors (400) or the stored
    values after someone else's save (409)."""
    require_editor("ändra strategin")
    try:
        write()
    except ValidationError as error:
        db.session.rollback()
        return _goal_page(_goal_or_404(goal.id), {f"{form_name}-{k}": v for k, v in error.errors.items()},
                          {form_name: request.form}, 400)
    except Conflict:
        db.session.rollback()
        return _goal_page(_goal_or_404(goal.id), {form_name: CONFLICT}, None, 409)
    db.session.commit()
    flash("Sparat.", "info")
    return redirect(url_for("goalchain.goal", goal_id=goal.id) + f"#{form_name}")


@bp.post("/strategi/delmal/<int:goal_id>/text")
def update_goal(goal_id: int):
    goal = _goal_or_404(goal_id)
    return _save(goal, lambda: strategy.update_goal(
        goal, text=request.form.get("text"), expected_version=posted_version(request.form)), "goal-text")


@bp.post("/strategi/delmal/<int:goal_id>/avsnitt")
def add_section(goal_id: int):
    goal = _goal_or_404(goal_id)
    return _save(goal, lambda: strategy.add_section(
        goal.strategy, goal, heading=request.form.get("heading"), body=request.form.get("body"),
        level=request.form.get("level")), "new-section")


@bp.post("/strategi/avsnitt/<int:section_id>")
def update_section(section_id: int):
    section = _row_or_404(StrategySection, section_id, "Avsnittet")
    if section.goal is None:
        abort(404, "Avsnittet hör inte till något delmål.")
    return _save(section.goal, lambda: strategy.update_section(
        section, heading=request.form.get("heading"), body=request.form.get("body"),
        level=request.form.get("level"), expected_version=posted_version(request.form)), f"section-{section_id}")


@bp.post("/strategi/avsnitt/<int:section_id>/ta-bort")
def delete_section(section_id: int):
    section = _row_or_404(StrategySection, section_id, "Avsnittet")
    if section.goal is None:
        abort(404, "Avsnittet hör inte till något delmål.")
    return _save(section.goal, lambda: strategy.delete_section(
        section, expected_version=posted_version(request.form)), "sections")


@bp.post("/strategi/delmal/<int:goal_id>/bedomning")
def save_assessment(goal_id: int):
    goal = _goal_or_404(goal_id)
    return _save(goal, lambda: strategy.save_assessment(
        goal, year=request.form.get("year"), text=request.form.get("text"), final=bool(request.form.get("final")),
        expected_version=posted_version(request.form)), "assessment")


@bp.post("/strategi/bedomning/<int:assessment_id>/ta-bort")
def delete_assessment(assessment_id: int):
    assessment = _row_or_404(Assessment, assessment_id, "Bedömningen")
    return _save(assessment.goal, lambda: strategy.delete_assessment(
        assessment, expected_version=posted_version(request.form)), "assessments")


def _groups_page(errors=None, values=None, status=200):
    return render_template("goalchain/target_groups.html", groups=strategy.target_groups(), errors=errors or {},
                           values=values or {}), status


@bp.get("/strategi/malgrupper")
def target_groups():
    return _groups_page()


def _save_group(write, form_name: str):
    require_editor("ändra strategin")
    try:
        write()
    except ValidationError as error:
        db.session.rollback()
        return _groups_page({f"{form_name}-{k}": v for k, v in error.errors.items()}, {form_name: request.form}, 400)
    db.session.commit()
    flash("Sparat.", "info")
    return redirect(url_for("goalchain.target_groups"))


@bp.post("/strategi/malgrupper")
def add_target_group():
    return _save_group(lambda: strategy.add_target_group(request.form.get("name")), "new-group")


@bp.post("/strategi/malgrupper/<int:group_id>")
def rename_target_group(group_id: int):
    group = _row_or_404(TargetGroup, group_id, "Målgruppen")
    return _save_group(lambda: strategy.rename_target_group(group, request.form.get("name")), f"group-{group_id}")


@bp.post("/strategi/malgrupper/<int:group_id>/ta-bort")
def delete_target_group(group_id: int):
    group = _row_or_404(TargetGroup, group_id, "Målgruppen")
    return _save_group(lambda: strategy.delete_target_group(group), f"group-{group_id}")


@bp.get("/strategi/historik")
def history():
    current = _strategy_or_404()
    return render_template("goalchain/history.html", strategy=current, entries=services.strategy_history(current))


def _docx(current, pages, whole: bool, name: str):
    data = follow_up_docx(current, pages, whole=whole)
    return send_file(BytesIO(data), mimetype=DOCX_MIMETYPE, as_attachment=True, download_name=name)


@bp.get("/strategi/uppfoljning.docx")
def follow_up():
    current = _strategy_or_404()
    groups = strategy.target_groups()
    pages = [services.goal_page(services.load_goal(g.id), groups) for g in current.goals]
    return _docx(current, pages, True, f"Uppföljning {current.name} {current.period}.docx")


@bp.get("/strategi/delmal/<int:goal_id>/uppfoljning.docx")
def goal_follow_up(goal_id: int):
    goal = _goal_or_404(goal_id)
    page = services.goal_page(goal, strategy.target_groups())
    return _docx(goal.strategy, [page], False, f"Uppföljning delmål {goal.number} {goal.strategy.period}.docx")
