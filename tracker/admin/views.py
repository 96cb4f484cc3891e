"""The Administratör's pages: users and förvaltningar. Plain forms: POST, then redirect with a message."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.access import require_admin
from tracker.admin import services as admin_services
from tracker.users.services import list_divisions
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.notify import services as notify
from tracker.users import services
from tracker.users.auth import start_session
from tracker.users.models import Division, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Every page here is the Administratör's; the loaders below only need to find the row.
bp.before_request(require_admin)


def load_user(user_id: int) -> User:
    return db.get_or_404(User, user_id, description="Användaren finns inte.")


def load_division(division_id: int) -> Division:
    return db.get_or_404(Division, division_id, description="Förvaltningen finns inte.")


@bp.get("/anvandare")
def users():
    mail, mail_problem = notify.mail_status()
    return render_template("users/admin_users.html", users=services.list_users(), mail=mail,
                           mail_problem=mail_problem)


def _user_form(user: User | None = None, values: dict | None = None, errors: dict | None = None, status: int = 200):
    if values is None:
        values = {"email": user.email, "name": user.name, "role": user.role.value, "active": user.active,
                  "division": user.division.name if user.division else ""} if user else {}
    page = render_template("users/admin_user_form.html", user=user, values=values, errors=errors or {},
                           divisions=list_divisions())
    return page, status


def _posted_profile() -> dict:
    return {
        "email": request.form.get("email"),  # absent: an edit keeps the address
        "name": request.form.get("name", ""),
        "role": request.form.get("role", ""),
        "division": request.form.get("division") or None,
    }


@bp.route("/anvandare/ny", methods=["GET", "POST"])
def new_user():
    if request.method == "GET":
        return _user_form()
    values = _posted_profile()
    try:
        user = services.create_user(**values, password=request.form.get("password", ""))
    except ValidationError as error:
        db.session.rollback()
        return _user_form(values=values, errors=error.errors, status=400)
    db.session.commit()
    flash(f"Användaren {user.name} ({user.email}) är skapad.", "info")
    return redirect(url_for("admin.users"))


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = load_user(user_id)
    if request.method == "GET":
        return _user_form(user)
    values = {**_posted_profile(), "active": "active" in request.form}
    password = request.form.get("password", "")
    # Both checks run, so every message shows at once; the rollback undoes whichever one passed.
    errors = {}
    try:
        services.update_user(user, **values, acting_user=current_user)
    except ValidationError as error:
        errors.update(error.errors)
    if password:
        try:
            services.set_password(user, password, acting_user=current_user)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        db.session.rollback()
        return _user_form(user, values=values, errors=errors, status=400)
    db.session.commit()
    if password and user == current_user:
        start_session(user, "password")  # a new password ends every session: this browser gets a new one
        db.session.commit()
    elif password:
        flash(f"Lösenordet för {user.name} är tillfälligt: {user.name} väljer ett eget vid nästa inloggning.", "info")
    flash(f"Ändringarna för {user.name} är sparade." + (" Lösenordet är bytt." if password else ""), "info")
    return redirect(url_for("admin.users"))


@bp.post("/anvandare/<int:user_id>/sso/ta-bort")
def unlink_sso(user_id: int):
    user = load_user(user_id)
    try:
        services.unlink_sso(user, acting_user=current_user)
    except ValidationError as error:
        db.session.rollback()
        abort(409, error.errors["sso"])
    db.session.commit()
    flash(f"Kopplingen till single sign-on för {user.name} är borttagen. Nästa inloggning med single sign-on "
          "kopplar kontot på nytt, till den som då har en bekräftad e-postadress som är kontots.", "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _divisions_page(failed: int | str | None = None, values: dict | None = None, errors: dict | None = None,
                    status: int = 200, refusal: str | None = None):
    """The list with a rename form per row; `failed` ("new" or a division id) is the form to show again,
    `refusal` why a förvaltning was not deleted."""
    page = render_template("users/admin_divisions.html", divisions=list_divisions(), failed=failed,
                           values=values or {}, errors=errors or {}, refusal=refusal)
    return page, status


def _posted_division() -> dict:
    return {"name": request.form.get("name", ""), "short_name": request.form.get("short_name", "")}


@bp.get("/forvaltningar")
def divisions():
    return _divisions_page()


@bp.post("/forvaltningar")
def create_division():
    values = _posted_division()
    try:
        division = services.create_division(**values)
    except ValidationError as error:
        db.session.rollback()
        return _divisions_page("new", values, error.errors, 400)
    db.session.commit()
    flash(f"Förvaltningen {division.name} är skapad.", "info")
    return redirect(url_for("admin.divisions"))


@bp.post("/forvaltningar/<int:division_id>")
def rename_division(division_id: int):
    division = load_division(division_id)
    values = _posted_division()
    try:
        services.rename_division(division, **values)
    except ValidationError as error:
        db.session.rollback()
        return _divisions_page(division_id, values, error.errors, 400)
    db.session.commit()
    flash(f"Förvaltningen {division.name} är sparad.", "info")
    return redirect(url_for("admin.divisions"))


@bp.post("/forvaltningar/<int:division_id>/aktiv")
def set_division_active(division_id: int):
    division = load_division(division_id)
    active = request.form.get("active")
    if active not in ("0", "1"):
        abort(400, "Ange om förvaltningen ska vara aktiv (1) eller inaktiv (0).")
    services.set_division_active(division, active == "1")
    db.session.commit()
    if division.active:
        flash(f"Förvaltningen {division.name} är aktiv igen och kan bli ansvarig för nya åtgärder.", "info")
    else:
        flash(f"Förvaltningen {division.name} är inaktiverad. Den behåller sina åtgärder, sin historik och sina "
              "användare men kan inte bli ansvarig för nya åtgärder.", "info")
    return redirect(url_for("admin.divisions"))


@bp.post("/forvaltningar/<int:division_id>/ta-bort")
def delete_division(division_id: int):
    division = load_division(division_id)
    name = division.name
    try:
        admin_services.delete_division(division)
    except ValidationError as error:
        db.session.rollback()
        return _divisions_page(status=400, refusal=error.errors["division"])
    db.session.commit()
    flash(f"Förvaltningen {name} är borttagen.", "info")
    return redirect(url_for("admin.divisions"))
