"""Signing in and out: the password form, single sign-on, the server-side session behind the cookie,
throttled guessing, and the user's own password."""

import math
import time
from datetime import datetime, timedelta
from functools import partial

import requests
from authlib.common.errors import AuthlibBaseError
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from joserfc.errors import JoseError

from tracker.access import require
from tracker.clock import LOCAL_ZONE
from tracker.errors import ValidationError
from tracker.extensions import db, limiter, login_manager
from tracker.users import oidc, services, sessions
from tracker.users.forms import ChangePasswordForm, LoginForm
from tracker.users.models import User
from tracker.pages import is_htmx, safe_next

bp = Blueprint("users", __name__)

SESSION_ENDED = {
    "idle": "Du har inte använt Handlingsplaner på {idle} minuter och har loggats ut. Logga in igen för att "
            "fortsätta där du var.",
    "expired": "Du har varit inloggad i {hours} timmar, den längsta tid en inloggning gäller. Logga in igen för att "
               "fortsätta där du var.",
}
# Pages a user whose password was reset may still open before choosing a new one.
OPEN_WITH_TEMPORARY_PASSWORD = {"users.change_password", "users.logout", "static"}


# --- The session behind the cookie -------------------------------------------------------------


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    config = current_app.config
    user, ended = sessions.resume(token, idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                                  lifetime=timedelta(hours=config["SESSION_MAX_HOURS"]))
    if db.session.dirty:  # last use, or the end of the session: kept whatever this request does next
        db.session.commit()
    if ended:
        g.session_ended = ended
    return user


def start_session(user: User, method: str, id_token: str | None = None) -> None:
    """A new session at every login (and after a new password): nothing from the old cookie carries over."""
    session.clear()
    sessions.open_session(user, method, id_token)
    login_user(user)


@login_manager.unauthorized_handler
def _unauthorized():
    login_url = url_for("users.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        # htmx would swap the login page into a table cell: send the browser there instead.
        return "", 401, {"HX-Redirect": login_url}
    config = current_app.config
    message = SESSION_ENDED.get(g.get("session_ended"), login_manager.login_message)
    flash(message.format(idle=config["SESSION_IDLE_MINUTES"], hours=config["SESSION_MAX_HOURS"]), "info")
    return redirect(login_url)


@bp.before_app_request
def _require_own_password():
    """After an administratör's reset, the temporary password opens only the page that replaces it."""
    if (request.endpoint not in OPEN_WITH_TEMPORARY_PASSWORD and current_user.is_authenticated
            and current_user.must_change_password):
        target = url_for("users.change_password", next=request.full_path.rstrip("?"))
        if is_htmx():
            return "", 204, {"HX-Redirect": target}
        flash("Ditt lösenord har återställts av en administratör. Välj ett eget lösenord innan du fortsätter.",
              "info")
        return redirect(target)
    return None


# --- Guessing passwords, throttled -------------------------------------------------------------
# Wrong passwords count per account and address, and per address: never per account alone, so that someone
# guessing from one computer does not lock the person out from every other. The login and the check of the
# current password under *Byt lösenord* share both counts (Flask-Limiter's shared limits, by scope).


def _guessed_account() -> str:
    """The account whose password is tried: the logged-in user's, or the one typed on the login form."""
    if current_user.is_authenticated:
        return current_user.email.lower()
    return request.form.get("email", "").strip().lower()


def _account_at_address() -> str:
    account = _guessed_account()
    return f"{account} {get_remote_address()}" if account else ""  # empty: Flask-Limiter skips the limit


def _guess_failed(response) -> bool:
    """Only wrong passwords count against the limits; a right one, or a form left empty, does not."""
    return g.get("password_guess_failed", False)


# scope → (whose wrong passwords it counts, the config key of its limit, the same in Swedish for the security log)
GUESS_LIMITS = {
    "guess-account-address": (_account_at_address, "LOGIN_LIMIT", "från samma adress"),
    "guess-address": (get_remote_address, "LOGIN_ADDRESS_LIMIT", "från samma adress, oavsett konto"),
}


def _describe(limit: RequestLimit, where: str) -> str:
    seconds = limit.limit.get_expiry()
    minutes = seconds // 60
    window = (f"{minutes} {'minut' if minutes == 1 else 'minuter'}" if seconds % 60 == 0 else
              f"{seconds} sekunder")
    return f"{limit.limit.amount} fel lösenord på {window} {where}"


def _record_refusal(attempt: str, limit: RequestLimit, where: str) -> None:
    """One entry per burst, not one per refusal: the first refusal, then the 10th, 100th, … The count is kept
    in the limiter's storage (shared by every server process) and forgotten one window after the first. A request
    that reaches both limits is refused by the first alone (Flask-Limiter stops at the first breach)."""
    refused = limiter.storage.incr(f"{limit.key}/refused", limit.limit.get_expiry())
    if str(refused).rstrip("0") != "1":
        return
    services.guessing_throttled(attempt, _guessed_account(), refused=refused, reason=_describe(limit, where))
    db.session.commit()


def _wait(limit: RequestLimit) -> tuple[str, int]:
    """Until when the limit holds, in Swedish, and in seconds for Retry-After."""
    until = datetime.fromtimestamp(limit.reset_at, LOCAL_ZONE)
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    minutes = max(1, math.ceil((seconds - 1) / 60))  # the limiter's reset time carries a second of margin
    return f"kl. {until:%H:%M} (om {minutes} {'minut' if minutes == 1 else 'minuter'})", seconds


def _login_throttled(when: str):
    notice = (f"För många fel lösenord från den här datorn. Av säkerhetsskäl går det inte att logga in härifrån "
              f"förrän {when}, inte ens med rätt lösenord. Har du glömt ditt lösenord kan en administratör "
              "återställa det.")
    return render_template("users/login.html", form=LoginForm(formdata=None), notice=notice)


def _password_change_throttled(when: str):
    notice = (f"För många fel nuvarande lösenord från den här datorn. Av säkerhetsskäl går det inte att byta "
              f"lösenord härifrån förrän {when}, inte ens med rätt nuvarande lösenord.")
    return render_template("users/change_password.html", form=ChangePasswordForm(formdata=None), notice=notice)


def _throttled(attempt: str, page, where: str, limit: RequestLimit):
    """The answer while a limit is reached, even to the right password."""
    _record_refusal(attempt, limit, where)
    when, seconds = _wait(limit)
    return current_app.response_class(page(when), 429, {"Retry-After": str(seconds)})


def _configured(config_key: str) -> str:
    return current_app.config[config_key]


def guessing_limited(attempt: str, page):
    """Throttles the wrong passwords a view's POST checks (the view sets `g.password_guess_failed`); while a
    limit holds, `page(when)` is the answer."""
    def decorate(view):
        for scope, (key_func, config_key, where) in GUESS_LIMITS.items():
            view = limiter.shared_limit(partial(_configured, config_key), scope, key_func=key_func,
                                        methods=["POST"], deduct_when=_guess_failed,
                                        on_breach=partial(_throttled, attempt, page, where))(view)
        return view
    return decorate


# --- Password login ----------------------------------------------------------------------------


@bp.route("/logga-in", methods=["GET", "POST"])
@guessing_limited("login", _login_throttled)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("plans.index"))
    form = LoginForm()
    require(request.method != "POST" or current_app.config["PASSWORD_LOGIN"],
            f"Inloggning med lösenord är avstängd. Logga in med {current_app.config['OIDC_LABEL']}.")
    status = 200
    notice = None
    if form.validate_on_submit():
        try:
            user = services.log_in_with_password(form.email.data, form.password.data,
                                                 sso_only_when_linked=current_app.config["SSO_ONLY_WHEN_LINKED"],
                                                 provider=current_app.config["OIDC_LABEL"])
        except services.SignInRefused as refusal:
            user, notice = None, refusal.message
        if user:
            start_session(user, "password")
            db.session.commit()
            target = safe_next(request.args.get("next"))
            if user.must_change_password:
                return redirect(url_for("users.change_password", next=target))
            return redirect(target)
        g.password_guess_failed = True
        db.session.commit()  # the failed attempt's entry in the security log
        if notice is None:
            form.password.errors.append("Fel e-postadress eller lösenord.")
    if form.errors:
        status = 400
    if notice:
        status = 403
    return render_template("users/login.html", form=form, notice=notice), status


@bp.post("/logga-ut")
@login_required
def logout():
    ended = sessions.log_out(current_user, current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    if ended is not None and ended.method == "sso":
        provider_logout = oidc.logout_url(ended.id_token, _external_url("users.login"))
        if provider_logout:
            return redirect(provider_logout)
    flash("Du är utloggad.", "info")
    return redirect(url_for("users.login"))


# --- Single sign-on ----------------------------------------------------------------------------


def _external_url(endpoint: str) -> str:
    """An address the provider sends the browser back to: TRACKER_BASE_URL's when set (behind the proxy)."""
    base_url = current_app.config["BASE_URL"]
    return base_url + url_for(endpoint) if base_url else url_for(endpoint, _external=True)


def _provider():
    provider = oidc.provider()
    if provider is None:
        abort(404, "Single sign-on är inte inställt här. Logga in med e-postadress och lösenord.")
    return provider


@bp.get("/logga-in/sso")
def sso_start():
    provider = _provider()
    session["sso_next"] = safe_next(request.args.get("next"))
    return provider.authorize_redirect(_external_url("users.sso_callback"))


@bp.get("/logga-in/sso/klar")
def sso_callback():
    provider, label = _provider(), current_app.config["OIDC_LABEL"]
    try:
        token = provider.authorize_access_token(claims_options=oidc.claims_options())
    except (AuthlibBaseError, JoseError, requests.RequestException) as error:
        services.sso_failed("invalid_response", error=f"{type(error).__name__}: {error}"[:200])
        db.session.commit()
        message = (f"Inloggningen med {label} kunde inte slutföras: svaret från inloggningstjänsten gick inte att "
                   "kontrollera, eller så hade inloggningen gått ut. Börja om från inloggningssidan; upprepas det, "
                   "kontakta IT-supporten.")
        return render_template("users/sso_refused.html", message=message), 400
    try:
        if not token.get("userinfo"):
            services.sso_failed("no_id_token")
            raise services.SignInRefused(f"{label} skickade ingen ID-token, så Handlingsplaner kan inte veta vem du "
                                         "är. Kontakta IT-supporten.")
        user = services.log_in_with_sso(token["userinfo"], create_users=current_app.config["OIDC_CREATE_USERS"],
                                        trust_email=current_app.config["OIDC_TRUST_EMAIL"], provider=label)
    except services.SignInRefused as refusal:
        db.session.commit()  # the refusal's entry in the security log; nothing else was written
        return render_template("users/sso_refused.html", message=refusal.message), 403
    target = session.get("sso_next") or url_for("plans.index")
    start_session(user, "sso", token.get("id_token"))
    db.session.commit()
    return redirect(target)


# --- The user's own password -------------------------------------------------------------------


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
@guessing_limited("password_change", _password_change_throttled)
def change_password():
    require(current_user.signs_in_with_password(current_app.config["SSO_ONLY_WHEN_LINKED"])
            and current_app.config["PASSWORD_LOGIN"],
            f"Ditt konto har inget lösenord i Handlingsplaner: du loggar in med "
            f"{current_app.config['OIDC_LABEL']}, och där byter du lösenord.")
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(user, form.current_password.data, form.new_password.data)
        except ValidationError as error:
            g.password_guess_failed = "current_password" in error.errors
            db.session.commit()  # a wrong current password's entry in the security log; nothing else was written
            for field, message in error.errors.items():
                form[field].errors.append(message)
        else:
            start_session(user, "password")
            db.session.commit()
            flash("Ditt lösenord är bytt. Inloggningar på andra datorer med det gamla lösenordet är avslutade.",
                  "info")
            return redirect(safe_next(request.args.get("next")))
    if form.errors:
        status = 400
    return render_template("users/change_password.html", form=form), status
