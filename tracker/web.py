"""What every view shares: telling htmx requests apart, error pages, template helpers."""

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from tracker.clock import LOCAL_ZONE, today
from tracker.extensions import db, htmx, login_manager
from tracker.parsing import MAX_ID, record_id  # noqa: F401  (views take record_id from here)
from tracker.vocabulary import Horizon, PlanState, Role, Status



class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route stops at MAX_ID: a larger number is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)

ERROR_TEXTS = {
    400: "Begäran kunde inte behandlas.",
    403: "Du har inte behörighet att göra detta.",
    404: "Sidan eller posten finns inte.",
    405: "Metoden är inte tillåten här.",
    409: "Posten har ändrats av någon annan.",
    413: "Filen är för stor för att laddas upp.",
    429: "För många försök på kort tid. Vänta en stund och försök igen.",
    500: "Ett oväntat fel uppstod. Försök igen, och kontakta förvaltaren om det upprepas.",
}


def is_htmx() -> bool:
    """True for a request that htmx made to swap part of a page: not a boosted page load, and not Back to a
    page its history cache no longer holds (htmx then puts the answer in <body>: it needs the whole page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page_template: str, fragment_template: str, **context) -> str:
    """The full page for a normal request; for htmx, only the fragment the page includes."""
    return render_template(fragment_template if is_htmx() else page_template, **context)


def safe_next(target: str | None) -> str:
    """Where to go after a form: only a path on this site, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("plans.index")


def date_arg(name: str, label: str, notices: list[str]) -> date | None:
    """A date from the query string; one that is not a date is dropped, with a notice that says so."""
    text = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        notices.append(f"”{text[:20]}” är inget datum ({label}, ÅÅÅÅ-MM-DD); det filtret togs bort.")
        return None


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_datetime(value: datetime | None) -> str:
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if value else ""


def _error(error: HTTPException):
    if error.response is not None:  # an answer made for this refusal (a throttled login says until when)
        return error.response
    code = error.code or 500
    if code >= 500:  # whatever failed may have left the transaction unusable; the page still needs the user
        db.session.rollback()
    # Our own abort(code, "…") messages are Swedish; werkzeug's defaults are not.
    own_message = error.description != type(error).description
    message = error.description if own_message else ERROR_TEXTS.get(code)
    if code == 413:
        limit = current_app.config["IMPORT_MAX_BYTES"] / 1024 / 1024
        message = f"{ERROR_TEXTS[413]} Största tillåtna storlek för en import är {limit:g} MB."
    if isinstance(error, CSRFError):
        message = "Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen."
    template = "errors/_message.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, message=message or ERROR_TEXTS[500]), code


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")  # a page and its fragment share an address: caches must tell them apart
    if current_app.config["HSTS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated and request.endpoint != "static":
        # What a logged-in user saw stays out of shared and browser caches (Back after logout shows nothing).
        response.headers["Cache-Control"] = "no-store"
    return response


def _template_context() -> dict:
    # Where a form without JavaScript returns to: the page it was posted from.
    next_url = safe_next(request.form.get("next")) if request.method == "POST" else request.full_path
    return {"next_url": next_url}


def _record_as_current_user():
    """Changes made by this request are recorded in the history as the logged-in user's, via the web;
    security log entries name the client's address."""
    from tracker.history import recorder
    from tracker.security import log as security_log

    g.security_address_token = security_log.set_address(request.remote_addr)
    if current_user.is_authenticated:
        g.history_token = recorder.set_actor(recorder.actor_for(current_user, "web"))


def _forget_actor(exception=None):
    from tracker.history import recorder
    from tracker.security import log as security_log

    token = g.pop("history_token", None)
    if token is not None:
        recorder.reset_actor(token)
    address_token = g.pop("security_address_token", None)
    if address_token is not None:
        security_log.reset_address(address_token)


def _structure_locked(error):
    """A change to a fastställd plan's structure, from any path: refused, nothing written."""
    db.session.rollback()
    template = "errors/_message.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=409, message=str(error)), 409


def _content_security_policy(app: Flask) -> str:
    # Logging out of single sign-on is a form whose answer redirects to the provider: form-action must allow it.
    issuer = urlsplit(app.config["OIDC_ISSUER"])
    provider = f" {issuer.scheme}://{issuer.netloc}" if issuer.netloc else ""
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-ancestors 'none'; form-action 'self'{provider}; base-uri 'self'")


def init_app(app: Flask) -> None:
    app.config["CONTENT_SECURITY_POLICY"] = _content_security_policy(app)
    app.url_map.converters["int"] = RecordIdConverter
    login_manager.login_view = "users.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"
    app.register_error_handler(HTTPException, _error)
    from tracker.history.recorder import StructureLocked

    app.register_error_handler(StructureLocked, _structure_locked)
    app.after_request(_security_headers)
    app.context_processor(_template_context)
    app.before_request(_record_as_current_user)
    app.teardown_request(_forget_actor)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    from tracker.display import counted, display_value

    app.jinja_env.filters["number"] = display_value
    app.jinja_env.globals["counted"] = counted
    from tracker.plans.snapshot import version_label

    app.jinja_env.globals.update(
        Status=Status, Horizon=Horizon, Role=Role, PlanState=PlanState, today=today, version_label=version_label
    )
