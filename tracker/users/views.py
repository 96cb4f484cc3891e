from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.extensions import login_manager
from tracker.users.forms import LoginForm
from tracker.users.services import authenticate
from tracker.web import is_htmx, safe_next

bp = Blueprint("users", __name__)


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("plans.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Fel e-postadress eller lösenord.")
    if form.errors:
        status = 400
    return render_template("users/login.html", form=form), status


@bp.post("/logga-ut")
@login_required
def logout():
    logout_user()
    flash("Du är utloggad.", "info")
    return redirect(url_for("users.login"))


@login_manager.unauthorized_handler
def _unauthorized():
    login_url = url_for("users.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        # htmx would swap the login page into a table cell: send the browser there instead.
        return "", 401, {"HX-Redirect": login_url}
    flash(login_manager.login_message, "info")
    return redirect(login_url)
