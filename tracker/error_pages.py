"""Refusals and failures as Swedish pages (or the fragment an htmx request swaps in)."""

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db, login_manager
from tracker.pages import is_htmx

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


# What the database's own failures mean to the user (sqlite3's and libpq's words, as the driver passes them on).
DATABASE_BUSY = ("Databasen är upptagen av en annan skrivning just nu, och inget sparades. Försök igen om en "
                 "stund.")
DISK_FULL = ("Servern har inte plats att spara mer, och inget sparades. Kontakta förvaltaren: disken där "
             "databasen ligger är full.")
DATABASE_DOWN = ("Databasen svarar inte just nu, och inget sparades. Det som tidigare bekräftats som sparat finns "
                 "kvar. Försök igen om en stund, och kontakta förvaltaren om det upprepas.")
FAILURE_TITLES = {500: "Något gick fel", 503: "Tjänsten är inte tillgänglig just nu"}


def _page(code: int, message: str, link: str | None = None, link_text: str | None = None):
    if is_htmx():
        template = "errors/_message.html"
    elif code >= 500:  # whatever failed may be the database, which base.html needs to know who is signed in
        template = "errors/failure.html"
    else:
        template = "errors/error.html"
    return render_template(template, code=code, message=message, title=FAILURE_TITLES.get(code), link=link,
                           link_text=link_text), code


def _rollback() -> None:
    """The transaction may be unusable after a failure; a connection that is gone is simply dropped."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        current_app.logger.warning("rollback after a failure failed too", exc_info=True)


def database_unavailable(error: sa.exc.DBAPIError):
    """The database cannot be reached, is locked past the busy timeout, or its disk is full: a Swedish 503 (or the
    htmx message), built without the database; the request is treated as anonymous from here on, so that nothing
    after this handler (logging, headers) asks the database who is signed in."""
    current_app.logger.error("the database failed: %s", error.orig if error.orig is not None else error)
    _rollback()
    login_manager._update_request_context_with_user()
    text = str(error.orig or error).lower()
    if "locked" in text or "busy" in text:
        message = DATABASE_BUSY
    elif "full" in text or "no space" in text:
        message = DISK_FULL
    else:
        message = DATABASE_DOWN
    body, code = _page(503, message)
    return body, code, {"Retry-After": "30"}


def http_error(error: HTTPException):
    if error.response is not None:  # an answer made for this refusal (a throttled login says until when)
        return error.response
    code = error.code or 500
    if code >= 500:  # whatever failed may have left the transaction unusable
        _rollback()
    # Our own abort(code, "…") messages are Swedish; werkzeug's defaults are not.
    own_message = error.description != type(error).description
    message = error.description if own_message else ERROR_TEXTS.get(code)
    if code == 413:
        limit = current_app.config["IMPORT_MAX_BYTES"] / 1024 / 1024
        message = f"{ERROR_TEXTS[413]} Största tillåtna storlek för en import är {limit:g} MB."
    if isinstance(error, CSRFError):
        message = "Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen."
    return _page(code, message or ERROR_TEXTS[500])


def structure_locked(error):
    """A change to a fastställd plan's structure, from any path: refused, nothing written."""
    db.session.rollback()
    return _page(409, str(error))


def changed_since_seen(error):
    """A decision taken on a page that no longer shows what is there: refused, nothing written; the message links
    to the change."""
    db.session.rollback()
    endpoint, arguments = error.link
    return _page(409, error.message, url_for(endpoint, **arguments), error.link_text)
