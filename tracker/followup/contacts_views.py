"""Kontaktpersoner, the plan's page of its contacts: everyone reads it, the strateg and the direktör change it
(contacts.py)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.access import require_editor
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import contacts
from tracker.followup.models import PlanContact
from tracker.locking import Conflict, posted_version
from tracker.plans.views import load_plan

bp = Blueprint("contacts", __name__)



@bp.before_request
@login_required
def _require_login():
    """Everyone logged in reads a plan's contacts."""


def _form() -> dict:
    return {name: request.form.get(name, "") for name in contacts.FIELDS}


def _page(plan, *, values=None, errors=None, editing=None, message=None, status=200):
    return render_template("followup/contacts.html", plan=plan, contacts=contacts.list_contacts(plan),
                           values=values or {}, errors=errors or {}, editing=editing, message=message,
                           can_edit=current_user.can_edit_structure), status


def _load_contact(contact_id: int) -> PlanContact:
    contact = db.session.get(PlanContact, contact_id)
    if contact is None:
        abort(404, "Kontaktpersonen finns inte längre; någon kan ha tagit bort den.")
    return contact


@bp.get("/planer/<key>/kontakter")
def index(key: str):
    return _page(load_plan(key))


@bp.post("/planer/<key>/kontakter")
def add(key: str):
    plan = load_plan(key)
    require_editor("ändra planens kontaktpersoner")
    try:
        contact = contacts.add_contact(plan, **_form())
    except ValidationError as error:
        db.session.rollback()
        return _page(plan, values=_form(), errors=error.errors, status=400)
    db.session.commit()
    flash(f"Kontaktpersonen {contact.name} är tillagd.", "info")
    return redirect(url_for("contacts.index", key=plan.key))


@bp.get("/kontakter/<int:contact_id>")
def edit(contact_id: int):
    contact = _load_contact(contact_id)
    require_editor("ändra planens kontaktpersoner")
    values = {name: getattr(contact, name) or "" for name in contacts.FIELDS}
    return _page(contact.plan, values=values, editing=contact)


@bp.post("/kontakter/<int:contact_id>")
def update(contact_id: int):
    contact = _load_contact(contact_id)
    require_editor("ändra planens kontaktpersoner")
    plan = contact.plan
    try:
        contacts.update_contact(contact, expected_version=posted_version(request.form), **_form())
    except ValidationError as error:
        db.session.rollback()
        return _page(plan, values=_form(), errors=error.errors, editing=contact, status=400)
    except Conflict as conflict:
        db.session.rollback()
        contact = db.session.get(PlanContact, contact_id)
        if contact is None:
            abort(409, "Kontaktpersonen har tagits bort av någon annan.")
        return _page(plan, values=_form(), editing=contact, message=str(conflict), status=409)
    db.session.commit()
    flash(f"Kontaktpersonen {contact.name} är sparad.", "info")
    return redirect(url_for("contacts.index", key=plan.key))


@bp.post("/kontakter/<int:contact_id>/ta-bort")
def delete(contact_id: int):
    contact = _load_contact(contact_id)
    require_editor("ändra planens kontaktpersoner")
    plan, name = contact.plan, contact.name
    try:
        contacts.delete_contact(contact, expected_version=posted_version(request.form))
    except Conflict as conflict:
        db.session.rollback()
        return _page(plan, message=str(conflict), status=409)
    db.session.commit()
    flash(f"Kontaktpersonen {name} är borttagen.", "info")
    return redirect(url_for("contacts.index", key=plan.key))
