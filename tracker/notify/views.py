"""The strateg's "Skicka påminnelse nu" on the round page, and each user's own choice about reminders."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.access import require_editor
from tracker.clock import today
from tracker.display import counted
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import views as followup_views
from tracker.followup.models import ReportingRound
from tracker.notify import services
from tracker.notify.mail import MailConfigurationError, MailNotConfigured
from tracker.types import utcnow

bp = Blueprint("notify", __name__)


@bp.before_request
@login_required
def _require_login():
    """Every page here is for a logged-in user."""


def _round_page_part(round_: ReportingRound | None) -> dict:
    """The round page's mail part: who was notified and when, what the next run would send, the mail settings."""
    mail, mail_problem = services.mail_status()
    if round_ is None:
        return {"mail": mail, "mail_problem": mail_problem}
    due = services.due_keys(round_, today(), current_app.config["REMIND_DAYS"]) if round_.is_open else set()
    return {"notifications": services.notifications_of(round_), "due_keys": due, "mail": mail,
            "mail_problem": mail_problem}


followup_views.ROUND_PAGE_PARTS.append(_round_page_part)


@bp.post("/omgangar/<int:round_id>/paminn")
def remind_now(round_id: int):
    round_ = db.get_or_404(ReportingRound, round_id, description="Omgången finns inte.")
    require_editor("skicka påminnelser")
    if not round_.is_open:
        abort(409, "Omgången är stängd.")
    try:
        settings = services.mail_settings()
    except MailNotConfigured as error:
        abort(409, str(error))
    if settings is None:
        abort(409, "E-post är avstängd (TRACKER_SMTP_HOST är inte satt), så inga påminnelser kan skickas.")
    reminders = services.manual_reminders(round_, current_user, today())
    # Inside the request: a server that does not answer is given up on soon (the rest goes at the next run).
    try:
        delivery = services.deliver(reminders.notices, settings, today(), utcnow(),
                                    timeout=current_app.config["SMTP_WEB_TIMEOUT"])
    except MailConfigurationError as error:
        services.keep_for_next_run(reminders.notices, utcnow(), str(error))
        flash("Kunde inte skickas nu, skickas vid nästa körning av tracker notify när inställningen är rättad: "
              f"{error}", "error")
        return redirect(url_for("followup.rounds", key=round_.plan.key))
    sent = [user.name for user, _ in delivery.sent]
    messages = [f"Påminnelse skickad till {counted(len(sent), 'person', 'personer')}"
                + (f": {', '.join(sent)}." if sent else ".")]
    if reminders.already:
        messages.append(f"Redan påminda i dag: {', '.join(u.name for u in reminders.already)}.")
    if reminders.opted_out:
        messages.append(f"Har stängt av påminnelser: {', '.join(u.name for u in reminders.opted_out)}.")
    flash(" ".join(messages), "info")
    if delivery.failed:
        flash("Kunde inte skickas nu, skickas vid nästa körning av tracker notify: "
              + "; ".join(f"{user.name} ({reason})" for user, reason in delivery.failed), "error")
    if delivery.gave_up:
        flash("Servern nekade för gott, skickas inte: "
              + "; ".join(f"{user.name} ({reason})" for user, reason in delivery.gave_up), "error")
    return redirect(url_for("followup.rounds", key=round_.plan.key))


@bp.route("/konto/paminnelser", methods=["GET", "POST"])
def settings():
    errors = {}
    if request.method == "POST":
        try:
            on = services.set_wants_reminders(current_user._get_current_object(), request.form.get("reminders"))
        except ValidationError as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash("Du får påminnelser före sista dag i uppföljningsomgångar." if on else
                  "Du får inga påminnelser. Besked om att en omgång öppnats får du ändå.", "info")
            return redirect(url_for("notify.settings"))
    mail, _ = services.mail_status()
    return render_template("notify/settings.html", errors=errors, mail=mail), 400 if errors else 200
